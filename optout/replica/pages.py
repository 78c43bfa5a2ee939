"""Render the replica's Meta-like HTML pages from the Jinja2 templates."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from optout.replica.styles import CSS, cx
from optout.replica.texts import COUNTRIES, texts_for

AI_FORM_URL: Final = "https://www.facebook.com/help/contact/6359191084165019"
GENERIC_FORM_URL: Final = "https://www.facebook.com/help/contact/1994830130782319"
THIRD_PARTY_FORM_URL: Final = "https://www.facebook.com/help/contact/1266025207620918"
GENAI_URL: Final = "https://www.facebook.com/privacy/genai"

_ENV: Final = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.globals.update(
    cx=cx,
    css=Markup(CSS),
    ai_form_url=AI_FORM_URL,
    generic_form_url=GENERIC_FORM_URL,
    third_party_url=THIRD_PARTY_FORM_URL,
    genai_url=GENAI_URL,
)


@dataclass(frozen=True)
class PageContext:
    """What every page needs: language, cookie-dialog state and which site it imitates."""

    lang: str = "en"
    dialog: str = ""  # "" (none), "active" (closable) or "stuck" (buttons do nothing)
    instagram: bool = False


def _render(name: str, ctx: PageContext, title: str, subbrand: str = "", **extra: Any) -> str:
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
    }
    values.update(extra)
    return _ENV.get_template(name).render(values)


def _form_values(ctx: PageContext, form_id: str) -> dict[str, Any]:
    t = texts_for(ctx.lang)
    return {
        "form_id": form_id,
        "intro": t["form_intro_ig"] if ctx.instagram else t["form_intro"],
        "countries": COUNTRIES[ctx.lang],
    }


def _help_subbrand(ctx: PageContext) -> str:
    return texts_for(ctx.lang)["help_center"]


def form_page(ctx: PageContext, form_id: str) -> str:
    """The AI-objection form (country select, e-mail, free text, "Send")."""
    title = texts_for(ctx.lang)["form_title"]
    return _render("form.html.j2", ctx, title, _help_subbrand(ctx), **_form_values(ctx, form_id))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def late_form_page(ctx: PageContext, form_id: str, delay_ms: int) -> str:
    """A skeleton with a spinner; a script inserts the form ``delay_ms`` after load.

    The form markup travels base64-encoded so that no marker text is in the initial HTML.
    """
    title = texts_for(ctx.lang)["form_title"]
    body = _render(
        "form_body.html.j2", ctx, title, _help_subbrand(ctx), **_form_values(ctx, form_id)
    )
    return _render(
        "skeleton.html.j2",
        ctx,
        "Facebook",
        "",
        delay_ms=delay_ms,
        payload=_b64(body),
        title_payload=_b64(title),
    )


def unavailable_page(ctx: PageContext, curly_en: bool = False) -> str:
    """Meta's "This content isn't available right now" page."""
    t = texts_for(ctx.lang)
    heading = t["unavailable_title"]
    if curly_en:
        heading = heading.replace("'", "’")
    return _render(
        "message.html.j2",
        ctx,
        "Facebook",
        heading=heading,
        body=t["unavailable_body"],
        primary_text=t["go_news_feed"],
        primary_href="https://www.facebook.com/",
        help_link=True,
    )


def not_found_page(ctx: PageContext) -> str:
    """Meta's "This page isn't available" page for unknown paths."""
    t = texts_for(ctx.lang)
    return _render(
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
    return _render(
        "message.html.j2",
        ctx,
        "Erreur" if ctx.lang == "fr" else "Error",
        heading=t["error_title"],
        body=t["error_body"],
        primary_text="",
        primary_href="",
        help_link=False,
    )


def login_page(ctx: PageContext, next_q: str) -> str:
    """The login wall; ``next_q`` is the already URL-encoded ``next`` value (or "")."""
    return _render("login.html.j2", ctx, texts_for(ctx.lang)["login_title"], next_q=next_q)


def checkpoint_page(ctx: PageContext, next_q: str) -> str:
    """The security checkpoint with ``#checkpointSubmitButton``."""
    return _render(
        "checkpoint.html.j2", ctx, texts_for(ctx.lang)["checkpoint_title"], next_q=next_q
    )


def policy_page(ctx: PageContext, variant: str) -> str:
    """The privacy policy: variant "objection" (2024 banner), "delayed" or "redesigned"."""
    title = "Politique de confidentialité" if ctx.lang == "fr" else "Privacy Policy"
    subbrand = texts_for(ctx.lang)["privacy_center"]
    if variant == "redesigned":
        return _render("policy_redesigned.html.j2", ctx, title, subbrand)
    banner = "objection" if variant == "objection" else "delayed"
    return _render("policy.html.j2", ctx, title, subbrand, banner=banner, generic_link=True)


def genai_page(ctx: PageContext, variant: str) -> str:
    """The Privacy Center generative-AI page: "objection", "no_link" or "redesigned"."""
    title = (
        "Comment Meta utilise les informations pour les modèles d’IA générative"
        if ctx.lang == "fr"
        else "How Meta uses information for generative AI models"
    )
    return _render(
        "genai.html.j2",
        ctx,
        title,
        texts_for(ctx.lang)["privacy_center"],
        objection_link=variant == "objection",
        third_party_link=variant != "redesigned",
    )


def article_page(ctx: PageContext) -> str:
    """An ordinary help-centre article that no flow recognises."""
    t = texts_for(ctx.lang)
    return _render("article.html.j2", ctx, t["article_title"], _help_subbrand(ctx))


def home_page(ctx: PageContext) -> str:
    """A simple home page."""
    return _render("home.html.j2", ctx, "Facebook")


def plain_page(heading: str, body: str, scenarios: dict[str, str] | None = None) -> str:
    """A bare, non-Meta page (unknown scenario, 405)."""
    template = _ENV.get_template("plain.html.j2")
    return template.render(heading=heading, body=body, scenarios=scenarios or {})
