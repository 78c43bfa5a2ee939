"""Locators: what a person sees (role + name, label, text...) → Playwright locators.

Text patterns are case-insensitive regular expressions. Before use, a pattern
is made tolerant of typography: a straight or curly apostrophe matches either,
and a space matches any kind of space (Meta writes `n’est` and uses
non-breaking spaces before French punctuation).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator
    from playwright.async_api import Page

APOSTROPHES = "'’‘ʼ`"
SPACES = " \u00a0\u202f\u2009"


def tolerant(pattern: str) -> str:
    """Rewrite a regex so apostrophes and spaces match their typographic variants."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
                out.append(ch)
            elif ch in APOSTROPHES:
                out.append(APOSTROPHES)
            elif ch == " ":
                out.append(SPACES)
            else:
                out.append(ch)
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
        elif ch in APOSTROPHES:
            out.append(f"[{APOSTROPHES}]")
        elif ch == " ":
            out.append(f"[{SPACES}]")
        else:
            out.append(ch)
    return "".join(out)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a flow text pattern: tolerant of typography, case-insensitive."""
    return re.compile(tolerant(pattern), re.IGNORECASE)


def normalise(text: str) -> str:
    """Fold typographic apostrophes and spaces to their plain forms."""
    table = {ord(c): "'" for c in APOSTROPHES} | {ord(c): " " for c in SPACES}
    return text.translate(table)


# The fields a locator may use to find elements, in the order a person would prefer them.
FINDERS = ("role", "label", "text", "placeholder", "alt", "title", "testid", "css")


def describe(spec: dict[str, Any]) -> str:
    """A short human description of one locator, e.g. `link "droit d.opposition"`."""
    if spec.get("role"):
        text = f"{spec['role']}"
        if spec.get("name"):
            text += f' "{spec["name"]}"'
    elif spec.get("css"):
        text = f"css {spec['css']}"
    elif spec.get("testid"):
        text = f"test id {spec['testid']}"
    else:
        kind = next((k for k in FINDERS if spec.get(k)), "text")
        text = f'{kind} "{spec.get(kind, "")}"'
    if spec.get("href"):
        text += f" → {spec['href']}"
    return text


def build(page: Page, spec: dict[str, Any], include_hidden: bool = False) -> PWLocator:
    """Build the Playwright locator for one locator spec (without the href filter)."""
    exact = bool(spec.get("exact"))

    def pat(value: str) -> str | re.Pattern[str]:
        return value if exact else compile_pattern(value)

    if spec.get("role"):
        name = spec.get("name")
        hidden = include_hidden or None
        if name is None:
            return page.get_by_role(spec["role"], include_hidden=hidden)
        return page.get_by_role(
            spec["role"], name=pat(name), exact=exact or None, include_hidden=hidden
        )
    if spec.get("label"):
        return page.get_by_label(pat(spec["label"]), exact=exact or None)
    if spec.get("text"):
        return page.get_by_text(pat(spec["text"]), exact=exact or None)
    if spec.get("placeholder"):
        return page.get_by_placeholder(pat(spec["placeholder"]), exact=exact or None)
    if spec.get("alt"):
        return page.get_by_alt_text(pat(spec["alt"]), exact=exact or None)
    if spec.get("title"):
        return page.get_by_title(pat(spec["title"]), exact=exact or None)
    if spec.get("testid"):
        return page.get_by_test_id(spec["testid"])
    return page.locator(spec["css"])


MAX_CANDIDATES = 200


async def first_visible(
    page: Page, spec: dict[str, Any], *, visible: bool = True
) -> tuple[PWLocator, str | None] | None:
    """Return the first visible element matching `spec` (and its href), or None.

    With `visible=False`, elements hidden in the page (a collapsed section) count too;
    role locators then also look at elements hidden from the accessibility tree.
    This checks once and does not wait; callers poll with their own deadline.
    """
    base = build(page, spec, include_hidden=not visible)
    href_re = compile_pattern(spec["href"]) if spec.get("href") else None
    try:
        hrefs = await base.evaluate_all(
            "els => els.map(e => e.href || e.getAttribute('href') || null)"
        )
    except Exception:  # page navigating away: nothing to see right now
        return None
    candidates = [
        (i, href)
        for i, href in enumerate(hrefs)
        if href_re is None or (isinstance(href, str) and href_re.search(href))
    ]
    for i, href in candidates[:MAX_CANDIDATES]:
        element = base.nth(i)
        try:
            if visible and not await element.is_visible():
                continue
        except Exception:
            continue
        return element, href if isinstance(href, str) else None
    return None
