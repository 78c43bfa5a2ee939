"""Locators: what a person sees (role + name, label, text...) → Playwright locators.

The patterns themselves (typography-tolerant, case-insensitive) are in `optout.flow.patterns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from optout.check.bounded import bounded
from optout.flow.patterns import compile_pattern

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator
    from playwright.async_api import Page


def build(page: Page, spec: dict[str, Any], include_hidden: bool = False) -> PWLocator:
    """Build the Playwright locator for one locator spec (without the href filter)."""
    exact = bool(spec.get("exact"))

    def pat(value: str) -> str | re.Pattern[str]:
        return value if exact else compile_pattern(value)

    if "words" in spec:
        raise ValueError(f"unresolved words in {spec} (the runner resolves them first)")
    if spec.get("role"):
        name = spec.get("name")
        hidden = include_hidden or None
        disabled = None if spec.get("enabled") is None else not spec["enabled"]
        if name is None:
            return page.get_by_role(spec["role"], include_hidden=hidden, disabled=disabled)
        return page.get_by_role(
            spec["role"],
            name=pat(name),
            exact=exact or None,
            include_hidden=hidden,
            disabled=disabled,
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


async def any_visible(page: Page, specs: list[dict[str, Any]]) -> bool:
    """Whether an element of any of `specs` (their href filters aside) is visible now.

    One query for many markers: the walls and error markers are looked for at every poll,
    and almost always none is there. True when the page cannot say, so that the caller
    then looks at each marker on its own.
    """
    if not specs:
        return False
    union = build(page, specs[0])
    for spec in specs[1:]:
        union = union.or_(build(page, spec))
    try:
        return await union.filter(visible=True).count() > 0
    except PlaywrightError:
        return True


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
        hrefs = await bounded(
            base.evaluate_all("els => els.map(e => e.href || e.getAttribute('href') || null)")
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


# Whether something else is on top of an element: the topmost element at the element's centre
# (scrolled into view when outside it) is neither the element, inside it, nor one of its labels.
# Returns the words of the layer on top (its outermost part that does not hold the element),
# or its tag when it has no text; null when the element is the one a person would touch.
_COVERED_BY_JS = """el => {
  let r = el.getBoundingClientRect();
  if (!r.width || !r.height) return null;
  if (r.bottom <= 0 || r.right <= 0 || r.top >= innerHeight || r.left >= innerWidth) {
    el.scrollIntoView({block: 'center', inline: 'center'});
    r = el.getBoundingClientRect();
  }
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return null;
  const root = el.getRootNode();
  const hit = (root.elementFromPoint ? root : document).elementFromPoint(x, y);
  if (!hit || hit === el || el.contains(hit) || hit.contains(el)) return null;
  if (el.labels && Array.from(el.labels).some(l => l.contains(hit))) return null;
  let layer = hit;
  while (layer.parentElement && !layer.parentElement.contains(el)) layer = layer.parentElement;
  const text = (layer.innerText || '').split(/\\s+/).join(' ').trim();
  return text || '<' + layer.tagName.toLowerCase() + (layer.id ? '#' + layer.id : '') + '>';
}"""


async def covered_by(element: PWLocator, limit: int = 120) -> str | None:
    """What covers `element` so that a person could not see or touch it, quoted; None if
    nothing does, or if the page cannot say right now (it is navigating, the element went)."""
    try:
        text = await element.evaluate(_COVERED_BY_JS, timeout=1000)
    except PlaywrightError:
        return None
    if not isinstance(text, str) or not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# The parts of a contact form, by structure, in any language (`target.form`).
FORM_PARTS: dict[str, str] = {
    "email": "input[type=email], input[autocomplete~=email], input[name*=email i], "
    "input[id*=email i]",
    "phone": "input[type=tel], input[autocomplete~=tel], input[name*=phone i], input[id*=phone i]",
    "free_text": "textarea, [contenteditable=''], [contenteditable=true], "
    "[role=textbox][aria-multiline=true]",
    "submit": "button[type=submit], button:not([type]), input[type=submit], input[type=image], "
    "[role=button]",
}
FORMS = "form, [role=form]"
PASSWORD = "input[type=password]"

# For each visible form (document order, as `page.locator(FORMS)` counts them): which parts
# it holds visibly, and whether it has a visible password field. Also: a visible password
# field outside the page's banner, header and navigation (a login form in the content).
_FORMS_JS = """([forms, parts, password]) => {
  const shown = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length)
    && getComputedStyle(e).visibility !== 'hidden';
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (e.getAttribute('name') ? '[name=' + e.getAttribute('name') + ']' : '');
  const out = [];
  for (const form of document.querySelectorAll(forms)) {
    const found = {};
    for (const [part, css] of Object.entries(parts)) {
      const hit = Array.from(form.querySelectorAll(css)).find(shown);
      if (hit) found[part] = name(hit);
    }
    const pw = Array.from(form.querySelectorAll(password)).some(shown);
    out.push({shown: shown(form), found, password: pw});
  }
  const inContent = Array.from(document.querySelectorAll(password)).some(e => shown(e)
    && !e.closest('[role=banner], header, nav, [role=navigation]'));
  const anywhere = Array.from(document.querySelectorAll(password)).some(shown);
  return {forms: out, inContent, anywhere};
}"""


@dataclass
class FormsSeen:
    """What the page's forms hold: the first form with every part, and password fields."""

    index: int | None = None
    """The first visible form with every part and no password field (`page.locator(FORMS)`)."""
    parts: dict[str, str] = field(default_factory=dict)
    """That form's parts, each described by its element (`input#email`)."""
    login: bool = False
    """A form with the parts' e-mail field (or every part) also has a password field."""
    password_in_content: bool = False
    """A visible password field outside the banner, header and navigation."""
    password_anywhere: bool = False


async def forms_seen(page: Page, parts: list[str]) -> FormsSeen:
    """Look at the page's forms for the parts of `target.form` (nothing found when the page
    cannot say right now)."""
    wanted = {p: FORM_PARTS[p] for p in parts}
    try:
        data = await bounded(page.evaluate(_FORMS_JS, [FORMS, wanted, PASSWORD]))
    except PlaywrightError:
        return FormsSeen()
    seen = FormsSeen(
        password_in_content=bool(data["inContent"]), password_anywhere=bool(data["anywhere"])
    )
    for i, form in enumerate(data["forms"]):
        found: dict[str, str] = form["found"]
        if form["password"] and ("email" in found or set(found) == set(wanted)):
            seen.login = True
        if (
            seen.index is None
            and form["shown"]
            and not form["password"]
            and set(found) == set(wanted)
        ):
            seen.index, seen.parts = i, found
    return seen


def form_elements(page: Page, index: int, parts: list[str]) -> list[PWLocator]:
    """The elements of form `index`'s parts, for the check that nothing covers them."""
    form = page.locator(FORMS).nth(index)
    return [form.locator(FORM_PARTS[p]).filter(visible=True).first for p in parts]
