"""Scenarios and request routing: turn (scenario, path, language, cookies) into a response.

Everything here is pure (no sockets), so the HTTP layer in :mod:`optout.replica.server`
only parses the request and writes the :class:`Reply`. The request and reply types are in
:mod:`optout.replica.messages`; the robustness scenarios' pages in :mod:`optout.replica.hostile`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Final
from urllib.parse import parse_qs, quote

from optout.replica import captures, hostile, pages, whatsapp
from optout.replica.messages import FB_PAGES, FORM_PAGES, WA_PAGES, Incoming, Reply, classify
from optout.replica.names import MODIFIERS, SCENARIOS
from optout.replica.pages import PageContext

REAL_ORIGIN: Final = "https://www.facebook.com"
HELP_META_URL: Final = "https://help.meta.com/support/privacy"
NOTIFICATIONS_URL: Final = "https://www.facebook.com/notifications"
AI_FORM_ID: Final = "6359191084165019"
GENERIC_FORM_ID: Final = "1994830130782319"
PREFORM_ID: Final = "367438723733209"
DEFAULT_LATE_DELAY_MS: Final = 1500
MAX_LATE_DELAY_MS: Final = 600_000

CAPTURE_POLICY_2024: Final = "2024-05-21_fb-privacy-policy-printable_ai-objection-banner_mbasic_en"
CAPTURE_LOGIN_WALL: Final = "2022-08-30_fb-login-wall_fr"
CAPTURE_GENAI_2026: Final = "2026_fb-privacy-genai_mbasic_en"
CAPTURE_POLICY_2026: Final = "2026-08-22_fb-privacy-policy-printable_mbasic_en"


@dataclass(frozen=True)
class Behaviour:
    """How one scenario answers each kind of page."""

    # available | missing | missing404 | missing_curly | page_missing | article | late
    # | help_redirect
    form: str = "available"
    policy: str = "objection"  # objection | collapsed | delayed | redesigned | generic | non_eu
    genai: str = "objection"  # objection | no_link | login_note | redesigned
    dialog: str = ""  # "" | active | stuck
    gate: str = ""  # "" | login | checkpoint  (everything else redirects to the gate)
    redirects: bool = False  # form-redirect rules
    error: bool = False  # http-500
    hang: bool = False
    notification: str = ""  # "" (no AI notification) | ai | ai_no_link
    session_expired: bool = False  # /notifications answers the login page even with c_user
    preform: bool = False  # the AI form redirects to the pre-form unless ?from=preform
    generic_form: bool = False  # 1994830130782319 renders the generic GDPR form
    header_login: bool = False  # logged-out top bar with a login form on every page
    # "" | technical (every page: wording A) | unexpected (form pages only: wording B)
    transient: str = ""
    rate_limit: bool = False  # Facebook and Instagram pages answer the rate-limit page
    login_in_place: bool = False  # form pages answer the login wall in place (200)
    whatsapp: str = "available"  # available | no_link | gone | form_unavailable
    hostile: str = ""  # "" | a kind in optout.replica.hostile.KINDS (Facebook form ids only)
    # page kind -> the stem of a real capture that answers it (see optout.replica.captures)
    capture_pages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # page key (a form id, or a page kind from classify() such as "genai") -> the scenario
    # whose behaviour answers that page instead; see behaviour_for()
    overrides: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


BEHAVIOURS: Final[dict[str, Behaviour]] = {
    "form-available": Behaviour(),
    "form-missing": Behaviour(form="missing"),
    "form-missing-404": Behaviour(form="missing404"),
    "login-wall": Behaviour(gate="login"),
    "checkpoint": Behaviour(gate="checkpoint"),
    "cookie-dialog": Behaviour(dialog="active"),
    "cookie-dialog-stuck": Behaviour(dialog="stuck"),
    "late-render": Behaviour(form="late"),
    "http-500": Behaviour(error=True),
    "hang": Behaviour(hang=True),
    "policy-no-link": Behaviour(policy="delayed", genai="no_link"),
    "redesigned": Behaviour(form="article", policy="redesigned", genai="redesigned"),
    "form-redirect": Behaviour(redirects=True),
    "help-redirect": Behaviour(form="help_redirect"),
    "notification-ai": Behaviour(notification="ai"),
    "notification-none": Behaviour(),
    "notification-no-link": Behaviour(notification="ai_no_link"),
    "session-expired": Behaviour(notification="ai", session_expired=True),
    "preform": Behaviour(preform=True),
    "policy-generic-only": Behaviour(policy="generic", genai="no_link", generic_form=True),
    "policy-collapsed": Behaviour(policy="collapsed"),
    "form-article": Behaviour(form="article"),
    "form-missing-curly": Behaviour(form="missing_curly"),
    "page-missing": Behaviour(form="page_missing"),
    "header-login": Behaviour(header_login=True),
    "transient-error": Behaviour(transient="technical"),
    "transient-error-form": Behaviour(transient="unexpected"),
    "rate-limit": Behaviour(rate_limit=True),
    "login-in-place": Behaviour(login_in_place=True),
    "cookie-dialog-2026": Behaviour(dialog="2026"),
    "whatsapp-no-link": Behaviour(whatsapp="no_link"),
    "whatsapp-article-gone": Behaviour(whatsapp="gone"),
    "whatsapp-form-unavailable": Behaviour(whatsapp="form_unavailable"),
    "capture-policy-2024": Behaviour(
        capture_pages=MappingProxyType({"policy": CAPTURE_POLICY_2024})
    ),
    "capture-login-wall": Behaviour(
        gate="login", capture_pages=MappingProxyType({"login": CAPTURE_LOGIN_WALL})
    ),
    "capture-eu-2026": Behaviour(
        capture_pages=MappingProxyType({"genai": CAPTURE_GENAI_2026, "policy": CAPTURE_POLICY_2026})
    ),
    "stall": Behaviour(hostile="stall"),
    "redirect-loop": Behaviour(hostile="redirect_loop"),
    "js-dialogs": Behaviour(hostile="dialogs"),
    "popup-window": Behaviour(hostile="popup"),
    "download": Behaviour(hostile="download"),
    "huge-page": Behaviour(hostile="huge"),
    "navigate-away": Behaviour(hostile="navigate_away"),
    "overlay-cover": Behaviour(hostile="overlay"),
    "infinite-scroll": Behaviour(hostile="infinite_scroll"),
    "console-flood": Behaviour(hostile="console_flood"),
    "non-eu": Behaviour(form="missing", policy="non_eu", genai="no_link", whatsapp="gone"),
    "genai-login-note": Behaviour(genai="login_note"),
    "demo": Behaviour(
        overrides=MappingProxyType(
            {
                "6359191084165019": "cookie-dialog",
                "712876720715583": "form-missing",
                "1266025207620918": "login-wall",
                "233964459562201": "http-500",
                "767264225370182": "redesigned",
                "genai": "policy-no-link",
            }
        )
    ),
}


def _html(status: int, body: str) -> Reply:
    return Reply(status, body)


def _redirect(status: int, location: str) -> Reply:
    return Reply(status, "", {"Location": location})


def _next_q(req: Incoming) -> str:
    return quote(REAL_ORIGIN + req.rest_with_query, safe="")


def _delay_ms(query: str) -> int:
    values = parse_qs(query).get("delay_ms")
    if not values:
        return DEFAULT_LATE_DELAY_MS
    try:
        return max(0, min(MAX_LATE_DELAY_MS, int(values[0])))
    except ValueError:
        return DEFAULT_LATE_DELAY_MS


def method_not_allowed() -> Reply:
    """405 for any method other than GET/HEAD (the checker must never submit anything)."""
    body = pages.plain_page(
        "405 Method Not Allowed", "This replica only answers GET and HEAD requests."
    )
    return Reply(405, body, {"Allow": "GET, HEAD"})


def unknown_scenario(name: str) -> Reply:
    """404 plain page listing the scenarios."""
    body = pages.plain_page(
        "404 Unknown scenario", f"No scenario named {name!r}. Known scenarios:", SCENARIOS
    )
    return Reply(404, body)


def behaviour_for(scenario: str, kind: str, arg: str) -> Behaviour:
    """The behaviour answering one page: the scenario's own, or its override for that page.

    Overrides are looked up by form id for form pages and by page kind otherwise; the
    redirects they produce stay under the requested scenario's prefix.
    """
    b = BEHAVIOURS[scenario]
    target = b.overrides.get(arg or kind)
    return BEHAVIOURS[target] if target else b


def parse_scenario(name: str) -> tuple[str, frozenset[str]] | None:
    """``"form-missing+straight"`` → ("form-missing", {"straight"}); None when unknown."""
    base, *mods = name.split("+")
    if base not in BEHAVIOURS or any(m not in MODIFIERS for m in mods):
        return None
    return base, frozenset(mods)


def route(req: Incoming, captures_dir: Path | None = None) -> Reply:
    """Answer one request (``captures_dir`` serves the ``capture/<stem>`` family)."""
    if req.method not in ("GET", "HEAD"):
        return method_not_allowed()
    if req.scenario == captures.CAPTURE_FAMILY:
        return captures.reply(req.rest, captures_dir)
    parsed = parse_scenario(req.scenario)
    if parsed is None:
        return unknown_scenario(req.scenario)
    base, mods = parsed
    reply = _route(req, base, mods, captures_dir)
    for style in pages.APOSTROPHE_STYLES:
        if style in mods and reply.body:
            reply.body = pages.set_apostrophes(reply.body, style)
    return reply


def _route(req: Incoming, base: str, mods: frozenset[str], captures_dir: Path | None) -> Reply:
    kind, arg = classify(req.rest)
    if kind == "help_meta":  # help.meta.com: another site, answered in every scenario
        return _html(200, pages.help_meta_page(req.lang))
    b = behaviour_for(base, kind, arg)
    if b.hang:
        return Reply(0, hang=True)
    dialog = "2026" if "cookies-2026" in mods else b.dialog
    if dialog in ("active", "2026") and "cookie_consent" in req.cookies():
        dialog = ""
    ctx = PageContext(lang=req.lang, dialog=dialog, header_login=b.header_login)
    if b.error:
        return _html(500, pages.error_page(ctx))

    prefix = "/" + req.scenario

    if b.gate == "login":
        if req.rest in ("/login/", "/login.php"):
            if "login" in b.capture_pages:
                return captures.page_reply(b.capture_pages["login"], captures_dir)
            return _html(200, pages.login_page(ctx, _query_next(req.query)))
        return _redirect(302, f"{prefix}/login/?next={_next_q(req)}")
    if b.gate == "checkpoint":
        if req.rest == "/checkpoint/":
            return _html(200, pages.checkpoint_page(ctx, _query_next(req.query)))
        return _redirect(302, f"{prefix}/checkpoint/?next={_next_q(req)}")

    if b.transient == "technical" or (b.transient == "unexpected" and kind in FORM_PAGES):
        if kind in WA_PAGES:
            return _html(200, whatsapp.transient_page(ctx, b.transient))
        ig = replace(ctx, instagram=kind == "ig_form")
        return _html(200, pages.transient_page(ig, b.transient))
    if b.rate_limit and kind in FB_PAGES:
        return _html(200, pages.rate_limit_page(ctx))
    if b.login_in_place and kind in ("fb_form", "ig_form"):
        return _html(200, pages.login_in_place_page(replace(ctx, instagram=kind == "ig_form")))
    if kind in WA_PAGES:
        return whatsapp.reply(b.whatsapp, ctx, kind, arg)
    if kind in b.capture_pages:
        return captures.page_reply(b.capture_pages[kind], captures_dir)
    if b.hostile and kind == "fb_form" and arg in hostile.FORM_IDS:
        return hostile.reply(b.hostile, ctx, arg, prefix)

    if b.redirects:
        if kind == "fb_form" and arg == "6359191084165019":
            query = "?" + req.query if req.query else ""
            return _redirect(301, f"{prefix}/help/contact/712876720715583{query}")
        if kind == "policy" and "redirect" not in parse_qs(req.query).get("entry", []):
            return _redirect(302, f"{prefix}/privacy/policy/?entry=redirect")

    if kind == "fb_form" and (arg == PREFORM_ID or b.preform):
        preform = _preform_reply(b, ctx, arg, req)
        if preform is not None:
            return preform
    if kind == "fb_form" and arg == GENERIC_FORM_ID and b.generic_form:
        return _html(200, pages.generic_form_page(ctx, arg))
    if kind in ("fb_form", "ig_form"):
        return _form_reply(b, replace(ctx, instagram=kind == "ig_form"), arg, req)
    if kind == "notifications":
        return _notifications_reply(b, ctx, req)
    if kind == "genai_notification":
        if not b.notification:
            return _html(404, pages.not_found_page(ctx))
        page = pages.genai_notification_page(ctx, objection_link=b.notification == "ai")
        return _html(200, page)
    if kind == "policy":
        return _html(200, pages.policy_page(ctx, b.policy))
    if kind == "genai":
        return _html(200, pages.genai_page(ctx, b.genai))
    if kind == "login":
        return _html(200, pages.login_page(ctx, _query_next(req.query)))
    if kind == "checkpoint":
        return _html(200, pages.checkpoint_page(ctx, _query_next(req.query)))
    if kind == "home":
        return _html(200, pages.home_page(ctx))
    return _html(404, pages.not_found_page(ctx))


def _query_next(query: str) -> str:
    values = parse_qs(query).get("next")
    return quote(values[0], safe="") if values else ""


def _form_reply(b: Behaviour, ctx: PageContext, form_id: str, req: Incoming) -> Reply:
    if b.form == "missing":
        return _html(200, pages.unavailable_page(ctx))
    if b.form == "missing404":
        return _html(404, pages.unavailable_page(ctx, curly_en=True))
    if b.form == "missing_curly":
        return _html(200, pages.unavailable_page(ctx, swapped=True))
    if b.form == "page_missing":
        return _html(404, pages.not_found_page(ctx))
    if b.form == "article":
        return _html(200, pages.article_page(ctx))
    if b.form == "late":
        return _html(200, pages.late_form_page(ctx, form_id, _delay_ms(req.query)))
    if b.form == "help_redirect":
        return _redirect(302, HELP_META_URL)
    return _html(200, pages.form_page(ctx, form_id))


def _from_preform(query: str) -> bool:
    return "preform" in parse_qs(query).get("from", [])


def _preform_reply(b: Behaviour, ctx: PageContext, form_id: str, req: Incoming) -> Reply | None:
    """The pre-form itself, or (scenario preform) the AI form's redirect to it; else None."""
    prefix = "/" + req.scenario
    if form_id == PREFORM_ID:
        next_href = pages.AI_FORM_URL + ("?from=preform" if b.preform else "")
        return _html(200, pages.preform_page(ctx, next_href))
    if form_id == AI_FORM_ID and not _from_preform(req.query):
        return _redirect(302, f"{prefix}/help/contact/{PREFORM_ID}")
    return None


def _notifications_reply(b: Behaviour, ctx: PageContext, req: Incoming) -> Reply:
    """Logged out (no ``c_user`` cookie): 302 to the login page; else the list."""
    user = req.cookies().get("c_user")
    if not user or b.session_expired:
        next_q = quote(NOTIFICATIONS_URL, safe="")
        return _redirect(302, f"/{req.scenario}/login/?next={next_q}")
    ctx = replace(ctx, header_login=False)  # a logged-in page has no login form
    page = pages.notifications_page(ctx, ai_item=bool(b.notification), profile=profile_name(user))
    return _html(200, page)


def profile_name(user: str) -> str:
    """The account's display name the replica shows for a `c_user` cookie: a made-up first
    name and a tag derived from the cookie, so that a test can look for it in the evidence."""
    return "Camille " + hashlib.sha256(user.encode()).hexdigest()[:10]
