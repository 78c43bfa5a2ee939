"""Personal data stays on the machine: masks for screenshots, scrubbing of the final DOM.

A flow's `mask:` locators (and, for flows with a saved login, the fields that carry an
e-mail address or a phone number) are painted over in every screenshot. Before the final
DOM and accessibility snapshot are taken, the text and the identifying attributes of the
masked elements and the value of every form field are replaced by a placeholder, and,
under a saved login, the page's scripts (which embed account data) are emptied. The
saved evidence then shows what the page offered, never whose account it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from optout.check.bounded import bounded
from optout.check.locate import build

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator
    from playwright.async_api import Page

    from optout.flow.model import Flow

MASK_COLOR = "#FF00FF"
PLACEHOLDER = "[masked]"

# Fields that carry the account's own data when a form is pre-filled for a logged-in user.
PERSONAL_FIELDS = (
    "input[type=email], input[type=tel], input[autocomplete*=email i], "
    "input[autocomplete*=tel i], input[name*=mail i], input[name*=phone i]"
)

SCRUB_ELEMENTS_JS = """(els, placeholder) => {
  const attrs = ['aria-label', 'title', 'alt', 'href', 'src', 'srcset', 'value',
                 'data-name', 'data-email', 'content', 'style'];
  for (const el of els) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const texts = [];
    while (walker.nextNode()) texts.push(walker.currentNode);
    texts.forEach((n, i) => { if (n.nodeValue.trim()) n.nodeValue = i ? '' : placeholder; });
    for (const e of [el, ...el.querySelectorAll('*')]) {
      for (const a of attrs) {
        if (!e.hasAttribute(a)) continue;
        e.setAttribute(a, (a === 'src' || a === 'srcset' || a === 'style') ? '' : placeholder);
      }
      if (e.tagName === 'IMG') e.removeAttribute('srcset');
    }
  }
}"""

SCRUB_PAGE_JS = """([placeholder, scripts]) => {
  const keep = new Set(['submit', 'button', 'reset', 'image']);
  for (const e of document.querySelectorAll('input, textarea, select')) {
    if (e.tagName === 'SELECT' || keep.has((e.type || '').toLowerCase())) continue;
    if (e.tagName === 'TEXTAREA') {
      if (e.value || e.textContent) { e.value = placeholder; e.textContent = placeholder; }
    } else if (e.value || e.getAttribute('value')) {
      e.value = placeholder;
      e.setAttribute('value', placeholder);
    }
  }
  if (scripts) for (const s of document.querySelectorAll('script')) s.textContent = '';
}"""


def mask_locators(page: Page, flow: Flow) -> list[PWLocator]:
    """The locators to paint over in screenshots of this flow."""
    masks = [build(page, m.spec()) for m in flow.mask]
    if flow.session:
        masks.append(page.locator(PERSONAL_FIELDS))
    return masks


async def scrub(page: Page, flow: Flow) -> None:
    """Replace personal data in the live page before its DOM and snapshot are saved.

    Only called for the final capture, after the final screenshot: the page is not used
    again. A failure leaves the page as it is and is reported by the caller's capture.
    """
    for locator in mask_locators(page, flow):
        try:
            await bounded(locator.evaluate_all(SCRUB_ELEMENTS_JS, PLACEHOLDER))
        except PlaywrightError:
            continue
    await bounded(page.evaluate(SCRUB_PAGE_JS, [PLACEHOLDER, bool(flow.session)]))
