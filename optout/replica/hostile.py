"""Hostile and broken answers at the objection form's address (the robustness scenarios).

Each kind answers the Facebook form ids (6359191084165019 and 712876720715583) of its
scenario; every other page of the scenario answers as in form-available. Pure, like the
rest of the routing: a page too big to hold is a generator that the server drains while it
sends it, and a page that never finishes is a flag the server acts on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from optout.replica import pages
from optout.replica.messages import Reply
from optout.replica.pages import PageContext
from optout.replica.words import texts_for

AI_FORM_ID: Final = "6359191084165019"
FR_FORM_ID: Final = "712876720715583"
FORM_IDS: Final = frozenset({AI_FORM_ID, FR_FORM_ID})
HUGE_PAGE_BYTES: Final = 50 * 1024 * 1024
CHUNK_BYTES: Final = 64 * 1024
SCRIPT_DELAY_MS: Final = 1000
"""When the overlay covers the form, and when the page navigates away."""
POPUP_URL: Final = "../notice/popup"
"""What the popup opens, relative to the form (…/help/notice/popup): no such page, so it shows
"This page isn't available". Relative, so that it also works on the replica's own address."""
AWAY_URL: Final = "../../"
"""Where navigate-away goes, relative to the form: the home page of the same site."""
# A minimal PDF: what a browser gets instead of the form page in the download scenario.
PDF: Final = (
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
DOWNLOAD_NAME: Final = "objection-form.pdf"
# One record of the inline JSON Meta's pages carry; the 50 MB page repeats it.
FILLER_RECORD: Final = (
    b'["ScheduledServerJS","handle",null,[{"__bbox":{"define":[["LSD",[],'
    b'{"token":"AVqbxe3J_YA"},323],["SiteData",[],{"server_revision":1014155374}]]}}]],'
)

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "overlay_title": "Get the most out of Facebook",
        "overlay_body": "Open the Facebook app to continue browsing.",
        "overlay_button": "Open the app",
        "feed_label": "Suggested for you",
        "feed_item": "Suggested post",
        "dialog_alert": "Welcome to the Help Center.",
        "dialog_confirm": "Do you want to see our latest news?",
    },
    "fr": {
        "overlay_title": "Profitez pleinement de Facebook",
        "overlay_body": "Ouvrez l’application Facebook pour continuer.",
        "overlay_button": "Ouvrir l’application",
        "feed_label": "Suggestions pour vous",
        "feed_item": "Publication suggérée",
        "dialog_alert": "Bienvenue dans les Pages d’aide.",
        "dialog_confirm": "Voulez-vous voir nos dernières actualités ?",
    },
}

SCRIPTED: Final = frozenset(
    {"dialogs", "popup", "navigate_away", "overlay", "infinite_scroll", "console_flood"}
)
KINDS: Final = SCRIPTED | {"stall", "redirect_loop", "download", "huge"}


def reply(kind: str, ctx: PageContext, form_id: str, prefix: str) -> Reply:
    """The answer of the form page `form_id` under a scenario whose prefix is `prefix`."""
    if kind == "stall":
        return Reply(200, stalled_start(ctx, form_id), stall=True)
    if kind == "redirect_loop":
        other = FR_FORM_ID if form_id == AI_FORM_ID else AI_FORM_ID
        return Reply(302, "", {"Location": f"{prefix}/help/contact/{other}"})
    if kind == "download":
        disposition = f'attachment; filename="{DOWNLOAD_NAME}"'
        headers = {"Content-Type": "application/pdf", "Content-Disposition": disposition}
        return Reply(200, PDF, headers)
    if kind == "huge":
        start, end = huge_page_ends(ctx, form_id)
        return Reply(200, start, stream=filler(HUGE_PAGE_BYTES - len(start), end))
    if kind in SCRIPTED:
        return Reply(200, scripted_page(ctx, form_id, kind))
    raise ValueError(f"unknown hostile kind {kind!r}")


def scripted_page(ctx: PageContext, form_id: str, kind: str) -> str:
    """The objection form with one of the hostile scripts of ``hostile.html.j2``."""
    return pages.render(
        "hostile.html.j2",
        ctx,
        texts_for(ctx.lang)["form_title"],
        pages.help_subbrand(ctx),
        hostile=kind,
        h=TEXTS["fr" if ctx.lang == "fr" else "en"],
        delay_ms=SCRIPT_DELAY_MS,
        popup_url=POPUP_URL,
        away_url=AWAY_URL,
        **pages.form_values(ctx, form_id),
    )


def stalled_start(ctx: PageContext, form_id: str) -> str:
    """The form page's first part: its head, top bar and heading, up to the form itself."""
    page = pages.form_page(ctx, form_id)
    return page[: page.index("<form")]


def huge_page_ends(ctx: PageContext, form_id: str) -> tuple[str, str]:
    """The form page cut where the 50 MB of inline JSON go: before and after them."""
    page = pages.form_page(ctx, form_id)
    head, _, tail = page.rpartition("</body>")
    start = head + '<script type="application/json" data-sjs>{"require":['
    return start, "null]}</script>\n</body>" + tail


def filler(size: int, end: str) -> Iterator[bytes]:
    """`size` bytes of repeated JSON records, then `end`, in chunks of about 64 KiB."""
    block = FILLER_RECORD * (CHUNK_BYTES // len(FILLER_RECORD))
    left = max(size - len(end.encode("utf-8")), 0)
    while left > 0:
        part = block[: (left // len(FILLER_RECORD) or 1) * len(FILLER_RECORD)]
        left -= len(part)
        yield part
    yield end.encode("utf-8")
