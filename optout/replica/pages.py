"""Render the replica's Meta-like HTML pages from the Jinja2 templates."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from optout.replica.styles import CSS, cx
from optout.replica.texts import COUNTRIES
from optout.replica.words import texts_for

AI_FORM_URL: Final = "https://www.facebook.com/help/contact/6359191084165019"
GENERIC_FORM_URL: Final = "https://www.facebook.com/help/contact/1994830130782319"
THIRD_PARTY_FORM_URL: Final = "https://www.facebook.com/help/contact/1266025207620918"
GENAI_URL: Final = "https://www.facebook.com/privacy/genai"
WA_ARTICLE_ID: Final = "1285115568956956"
WA_ARTICLE_URL: Final = f"https://faq.whatsapp.com/{WA_ARTICLE_ID}/"
# The "Contact WhatsApp" form the article links. Which form id the real article links is not
# known; this is WhatsApp's general contact form, and the flow accepts any contact form id.
WA_FORM_ID: Final = "1534459096974129"
WA_FORM_URL: Final = f"https://www.whatsapp.com/contact/forms/{WA_FORM_ID}"

ENV: Final = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ENV.globals.update(
    cx=cx,
    css=Markup(CSS),
    ai_form_url=AI_FORM_URL,
    generic_form_url=GENERIC_FORM_URL,
    third_party_url=THIRD_PARTY_FORM_URL,
    genai_url=GENAI_URL,
    wa_form_url=WA_FORM_URL,
)


@dataclass(frozen=True)
class PageContext:
    """What every page needs: language, cookie-dialog state and which site it imitates."""

    lang: str = "en"
    dialog: str = ""  # "" (none), "active" (closable) or "stuck" (buttons do nothing)
    instagram: bool = False
    header_login: bool = False  # logged-out top bar with a login form (not a login wall)


def render(name: str, ctx: PageContext, title: str, subbrand: str = "", **extra: Any) -> str:
    """A Meta-like page: the template `name` in the page's language and frame."""
    t = texts_for(ctx.lang)
    values: dict[str, Any] = {
        "lang": ctx.lang,
        "t": t,
        "dialog": ctx.dialog,
        "title": title,
        "brand": "Instagram" if ctx.instagram else "Facebook",
        "wordmark": "Instagram" if ctx.instagram else "facebook",
        "host": "help.instagram.com" if ctx.instagram else "www.facebook.com",
        "subbrand": subbrand,
        "help_center": t["ig_help_center"] if ctx.instagram else t["help_center"],
        "header_login": ctx.header_login,
    }
    values.update(extra)
    return ENV.get_template(name).render(values)


def form_values(ctx: PageContext, form_id: str) -> dict[str, Any]:
    """What the objection form's templates need besides the frame."""
    t = texts_for(ctx.lang)
    return {
        "form_id": form_id,
        "intro": t["form_intro_ig"] if ctx.instagram else t["form_intro"],
        "countries": COUNTRIES.get(ctx.lang, COUNTRIES["en"]),
    }


def help_subbrand(ctx: PageContext) -> str:
    """The words "Help Center" in the page's language, shown beside the wordmark."""
    return texts_for(ctx.lang)["help_center"]


def form_page(ctx: PageContext, form_id: str) -> str:
    """The AI-objection form (country select, e-mail, free text, "Send")."""
    title = texts_for(ctx.lang)["form_title"]
    return render("form.html.j2", ctx, title, help_subbrand(ctx), **form_values(ctx, form_id))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def late_form_page(ctx: PageContext, form_id: str, delay_ms: int) -> str:
    """A skeleton with a spinner; a script inserts the form ``delay_ms`` after load.

    The form markup travels base64-encoded so that no marker text is in the initial HTML.
    """
    title = texts_for(ctx.lang)["form_title"]
    body = render("form_body.html.j2", ctx, title, help_subbrand(ctx), **form_values(ctx, form_id))
    return render(
        "skeleton.html.j2",
        ctx,
        "Facebook",
        "",
        delay_ms=delay_ms,
        payload=_b64(body),
        title_payload=_b64(title),
    )


def unavailable_page(ctx: PageContext, curly_en: bool = False, swapped: bool = False) -> str:
    """Meta's "This content isn't available right now" page.

    ``curly_en``: the English heading uses ’. ``swapped``: English uses ’ and French uses '
    (heading and text), the reverse of the default.
    """
    t = texts_for(ctx.lang)
    heading, body = t["unavailable_title"], t["unavailable_body"]
    if curly_en:
        heading = heading.replace("'", "’")
    if swapped:
        old, new = ("’", "'") if ctx.lang == "fr" else ("'", "’")
        heading, body = heading.replace(old, new), body.replace(old, new)
    return render(
        "message.html.j2",
        ctx,
        "Facebook",
        heading=heading,
        body=body,
        primary_text=t["go_news_feed"],
        primary_href="https://www.facebook.com/",
        help_link=True,
    )


def not_found_page(ctx: PageContext) -> str:
    """Meta's "This page isn't available" page for unknown paths."""
    t = texts_for(ctx.lang)
    return render(
        "message.html.j2",
        ctx,
        "Facebook",
        heading=t["not_found_title"],
        body=t["not_found_body"],
        primary_text=t["go_news_feed"],
        primary_href="https://www.facebook.com/",
        help_link=True,
    )


def error_page(ctx: PageContext) -> str:
    """Meta's generic "Sorry, something went wrong." page (no unavailable markers)."""
    t = texts_for(ctx.lang)
    return render(
        "message.html.j2",
        ctx,
        "Erreur" if ctx.lang == "fr" else "Error",
        heading=t["error_title"],
        body=t["error_body"],
        primary_text="",
        primary_href="",
        help_link=False,
    )


def transient_page(ctx: PageContext, wording: str) -> str:
    """Meta's 2026 error pages: an "isn't available" heading, then a sentence that says a
    technical or unexpected error occurred and to reload or come back later (HTTP 200).

    ``wording`` "technical": "This page isn't available at the moment" + "This may be because
    of a technical error ... Please try reloading this page."; "unexpected": "This page isn’t
    available" + "An unexpected error has occurred. Try reloading the page or come back later."
    """
    t = texts_for(ctx.lang)
    key = "transient_a" if wording == "technical" else "transient_b"
    return render(
        "message.html.j2",
        ctx,
        "Instagram" if ctx.instagram else "Facebook",
        heading=t[f"{key}_title"],
        body=t[f"{key}_body"],
        primary_text=t["reload"],
        primary_href="javascript:location.reload()",
        help_link=False,
    )


def rate_limit_page(ctx: PageContext) -> str:
    """Meta's rate-limit page: « Cette fonction est temporairement bloquée » in role=main,
    under a logged-out top bar with a login form (HTTP 200)."""
    return render("rate_limit.html.j2", ctx, "Facebook", header_login=True)


def login_in_place_page(ctx: PageContext) -> str:
    """A login wall served at the requested URL itself (HTTP 200, no redirect): title and
    header « Se connecter à Facebook » / "Log in to Facebook", the login form as content."""
    t = texts_for(ctx.lang)
    title = t["wall_title_ig"] if ctx.instagram else t["wall_title"]
    return render("login_in_place.html.j2", ctx, title, wall_title=title)


def login_page(ctx: PageContext, next_q: str) -> str:
    """The login wall; ``next_q`` is the already URL-encoded ``next`` value (or "")."""
    return render("login.html.j2", ctx, texts_for(ctx.lang)["login_title"], next_q=next_q)


def checkpoint_page(ctx: PageContext, next_q: str) -> str:
    """The security checkpoint with ``#checkpointSubmitButton``."""
    return render("checkpoint.html.j2", ctx, texts_for(ctx.lang)["checkpoint_title"], next_q=next_q)


def policy_page(ctx: PageContext, variant: str) -> str:
    """The privacy policy: variant "objection" (2024 banner), "collapsed" (the same banner
    folded in a closed <details>), "delayed", "redesigned",
    "generic" (no banner; its "right to object" links go to the generic GDPR form) or
    "non_eu" (another region's version: controller Meta Platforms, Inc., no EU-only form)."""
    title = "Politique de confidentialité" if ctx.lang == "fr" else "Privacy Policy"
    subbrand = texts_for(ctx.lang)["privacy_center"]
    if variant == "redesigned":
        return render("policy_redesigned.html.j2", ctx, title, subbrand)
    banner = {
        "objection": "objection",
        "delayed": "delayed",
        "collapsed": "collapsed",
        "non_eu": "updated",
    }.get(variant, "")
    return render(
        "policy.html.j2",
        ctx,
        title,
        subbrand,
        banner=banner,
        generic_link=variant != "non_eu",
        rights_link=variant == "generic",
        non_eu=variant == "non_eu",
    )


def genai_page(ctx: PageContext, variant: str) -> str:
    """The Privacy Center generative-AI page: "objection", "no_link", "login_note" (no link,
    and Meta's note that the forms may need a login) or "redesigned"."""
    title = (
        "Comment Meta utilise les informations pour les modèles d’IA générative"
        if ctx.lang == "fr"
        else "How Meta uses information for generative AI models"
    )
    return render(
        "genai.html.j2",
        ctx,
        title,
        texts_for(ctx.lang)["privacy_center"],
        objection_link=variant == "objection",
        third_party_link=variant != "redesigned",
        login_note=variant == "login_note",
    )


def article_page(ctx: PageContext) -> str:
    """An ordinary help-centre article that no flow recognises."""
    t = texts_for(ctx.lang)
    return render("article.html.j2", ctx, t["article_title"], help_subbrand(ctx))


def home_page(ctx: PageContext) -> str:
    """A simple home page."""
    return render("home.html.j2", ctx, "Facebook")


def plain_page(heading: str, body: str, scenarios: dict[str, str] | None = None) -> str:
    """A bare, non-Meta page (unknown scenario, 405)."""
    template = ENV.get_template("plain.html.j2")
    return template.render(heading=heading, body=body, scenarios=scenarios or {})


# --- notifications, the 2024 pre-form, the generic GDPR form, help.meta.com -----------

_NOTIFICATIONS: Final[dict[str, list[tuple[str, str, str, str]]]] = {
    "en": [
        ("Marie Dupont", "commented on your post: “Lovely photo!”", "3h", "permalink"),
        ("Thomas Martin", "reacted to your photo.", "5h", "photo"),
        ("Julie Bernard", "commented on your post.", "1d", "permalink"),
        ("Lucas Petit", "shared a memory with you.", "2d", "memories"),
        ("Camille Durand", "accepted your friend request.", "4d", "profile"),
    ],
    "fr": [
        ("Marie Dupont", "a commenté votre publication : « Jolie photo ! »", "3 h", "permalink"),
        ("Thomas Martin", "a réagi à votre photo.", "5 h", "photo"),
        ("Julie Bernard", "a commenté votre publication.", "1 j", "permalink"),
        ("Lucas Petit", "a partagé un souvenir avec vous.", "2 j", "memories"),
        ("Camille Durand", "a accepté votre invitation.", "4 j", "profile"),
    ],
}
_NOTIFICATION_HREFS: Final[dict[str, str]] = {
    "permalink": "https://www.facebook.com/permalink.php?story_fbid=pfbid02Xq7&id=100004",
    "photo": "https://www.facebook.com/photo/?fbid=10160012345678901",
    "memories": "https://www.facebook.com/onthisday/",
    "profile": "https://www.facebook.com/profile.php?id=100007",
}


def notifications_page(ctx: PageContext, ai_item: bool, profile: str = "Camille Martin") -> str:
    """The logged-in notifications list under a top bar with the account's name and picture;
    ``ai_item`` adds Meta's May-2024 AI notification."""
    t = texts_for(ctx.lang)
    items = [
        (who, what, when, _NOTIFICATION_HREFS[key])
        for who, what, when, key in _NOTIFICATIONS.get(ctx.lang, _NOTIFICATIONS["en"])
    ]
    ai_when = "1 h" if ctx.lang == "fr" else "1h"
    return render(
        "notifications.html.j2",
        ctx,
        t["notifications_title"],
        items=items,
        ai_item=ai_item,
        ai_when=ai_when,
        profile=profile,
    )


def genai_notification_page(ctx: PageContext, objection_link: bool) -> str:
    """The page the AI notification opens ("We're getting ready to expand AI at Meta...")."""
    t = texts_for(ctx.lang)
    return render(
        "genai_notification.html.j2",
        ctx,
        t["notif_page_title"],
        t["privacy_center"],
        objection_link=objection_link,
    )


def preform_page(ctx: PageContext, next_href: str) -> str:
    """The 2024 pre-form: a yes/no question and a "Next" link (nothing is submitted)."""
    title = texts_for(ctx.lang)["preform_title"]
    return render("preform.html.j2", ctx, title, help_subbrand(ctx), next_href=next_href)


def generic_form_page(ctx: PageContext, form_id: str) -> str:
    """The generic GDPR "object to processing" form (e-mail and "Send"), not the AI form."""
    title = texts_for(ctx.lang)["generic_form_title"]
    return render("generic_form.html.j2", ctx, title, help_subbrand(ctx), form_id=form_id)


def help_meta_page(lang: str) -> str:
    """help.meta.com/support/privacy: the Meta Help Center's privacy topic, without a form."""
    t = texts_for(lang)
    return render(
        "help_meta.html.j2",
        PageContext(lang=lang),
        f"{t['meta_help_privacy']} | {t['meta_help_center']}",
        t["help_center"],
        brand="Meta",
        wordmark="Meta",
        host="help.meta.com",
    )


# --- typography variants ------------------------------------------------------------------

_RAW_BLOCK: Final = re.compile(r"(<(script|style)\b.*?</\2\s*>)", re.S | re.I)
_TEXT_NODE: Final = re.compile(r">([^<]+)<")
# style -> (the forms replaced in text, the apostrophe written); ' is escaped in templates
APOSTROPHE_STYLES: Final = {
    "straight": (("’",), "'"),
    "curly": (("'", "&#39;", "&#x27;", "&apos;"), "’"),
}


def set_apostrophes(html: str, style: str) -> str:
    """Write every apostrophe of the page's text in one style ("straight" ' or "curly" ’).

    Only text between tags changes; attributes, scripts and styles are left alone.
    """
    olds, new = APOSTROPHE_STYLES[style]

    def text(match: re.Match[str]) -> str:
        value = match.group(1)
        for old in olds:
            value = value.replace(old, new)
        return ">" + value + "<"

    parts = _RAW_BLOCK.split(html)
    out: list[str] = []
    skip = 0
    for part in parts:
        if skip:  # the tag name captured by the inner group of _RAW_BLOCK
            skip -= 1
            continue
        if _RAW_BLOCK.fullmatch(part):
            out.append(part)
            skip = 1
            continue
        out.append(_TEXT_NODE.sub(text, part))
    return "".join(out)
