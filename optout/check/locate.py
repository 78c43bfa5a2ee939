"""Locators: what a person sees (role + name, label, text...) → Playwright locators.

The patterns themselves (typography-tolerant, case-insensitive) are in `optout.flow.patterns`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from optout.flow.patterns import compile_pattern

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator
    from playwright.async_api import Page

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
    except PlaywrightError:  # page navigating away: nothing to see right now
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
        except PlaywrightError:
            continue
        return element, href if isinstance(href, str) else None
    return None
