"""The request and reply of the replica's routing, and what page a path asks for.

Pure data: :mod:`optout.replica.server` fills an :class:`Incoming` from the HTTP request and
writes the :class:`Reply` that :func:`optout.replica.scenarios.route` returns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qs

from optout.flow import wording
from optout.replica.pages import WA_ARTICLE_ID


@dataclass
class Reply:
    """What the HTTP layer should send back."""

    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    """Accept the request and never answer it."""
    stream: Iterator[bytes] | None = None
    """More body after `body`, produced while it is sent (a big page is never held whole)."""
    stall: bool = False
    """After the body, send nothing more and keep the connection open: a page that never
    finishes loading. The server ends it when the client leaves, or after its cap."""


def _language(tag: str) -> str:
    """A language of the wording catalogue for a locale or Accept-Language tag; else English."""
    return wording.language_of(tag) or "en"


@dataclass(frozen=True)
class Incoming:
    """The parts of a request that routing looks at."""

    method: str
    scenario: str
    rest: str  # path below the scenario prefix, always starting with "/"
    query: str  # raw query string without "?"
    accept_language: str = ""
    cookie_header: str = ""

    @property
    def lang(self) -> str:
        """The page language: a ``locale=fr_FR`` / ``lang=fr`` query (as WhatsApp's Help
        Center takes it) wins over Accept-Language."""
        query = parse_qs(self.query)
        for key in ("locale", "lang"):
            for value in query.get(key, []):
                return _language(value)
        return _language(self.accept_language.split(",")[0])

    @property
    def rest_with_query(self) -> str:
        return self.rest + ("?" + self.query if self.query else "")

    def cookies(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        for part in self.cookie_header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                jar[name] = value
        return jar


_FB_FORM: Final = re.compile(r"^/help/contact/(\d+)/?$")
_IG_FORM: Final = re.compile(r"^/contact/(\d+)/?$")
_WA_ARTICLE: Final = re.compile(rf"^/({WA_ARTICLE_ID})/?$")
_WA_FORM: Final = re.compile(r"^/contact/forms/(\d+)/?$")
FB_PAGES: Final = frozenset(
    {"fb_form", "ig_form", "policy", "genai", "genai_notification", "notifications", "home"}
)
FORM_PAGES: Final = frozenset({"fb_form", "ig_form", "wa_form"})
WA_PAGES: Final = frozenset({"wa_article", "wa_form", "wa_contact"})


def classify(rest: str) -> tuple[str, str]:
    """Map a path below the scenario prefix to (page kind, argument)."""
    if rest in ("", "/"):
        return "home", ""
    if m := _FB_FORM.match(rest):
        return "fb_form", m.group(1)
    if m := _IG_FORM.match(rest):
        return "ig_form", m.group(1)
    if m := _WA_ARTICLE.match(rest):
        return "wa_article", m.group(1)
    if m := _WA_FORM.match(rest):
        return "wa_form", m.group(1)
    if rest in ("/contact", "/contact/"):
        return "wa_contact", ""
    if rest in ("/privacy/policy", "/privacy/policy/"):
        return "policy", ""
    if rest in ("/privacy/genai", "/privacy/genai/"):
        return "genai", ""
    if rest in ("/privacy/genai/notification", "/privacy/genai/notification/"):
        return "genai_notification", ""
    if rest in ("/notifications", "/notifications/"):
        return "notifications", ""
    if rest in ("/support/privacy", "/support/privacy/"):
        return "help_meta", ""
    if rest in ("/login", "/login/", "/login.php"):
        return "login", ""
    if rest in ("/checkpoint", "/checkpoint/"):
        return "checkpoint", ""
    return "not_found", ""
