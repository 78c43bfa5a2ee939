"""Which regional version of Meta's pages was served: told from the page, never from its language.

Meta picks a page's version by where the request comes from. The EU/EEA version names its
controller, "Meta Platforms Ireland Limited" (WhatsApp's: "WhatsApp Ireland Limited"), and
links forms that exist only there (`help/contact/1994830130782319`, the legal bases, and
`540977946302970`, the Data Protection Officer). Another region's version names "Meta
Platforms, Inc." (or "WhatsApp LLC") and none of those. Proper names and addresses are the
same in every language, so this works for every locale. The EU policy also names Meta
Platforms, Inc. (for transfers): only a page that names it *and* shows nothing of the EU
version counts as another region's.

A page that shows neither (a form, an "unavailable" page) says nothing of the region; when a
flow about the EU forms would end `missing` without a page of the EU version, the runner opens
`PROBE_URL` to see which version this network exit is served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from optout.check.bounded import bounded

if TYPE_CHECKING:
    from playwright.async_api import Page

EU, NON_EU = "eu", "non-eu"
PROBE_URL = "https://www.facebook.com/privacy/policy/"
"""The privacy policy: it names its controller in every language and region."""
EU_CONTROLLERS = ("Meta Platforms Ireland Limited", "WhatsApp Ireland Limited")
OTHER_CONTROLLERS = ("Meta Platforms, Inc.", "WhatsApp LLC")
EU_ONLY_FORMS = ("1994830130782319", "540977946302970")

# The page's text (hidden parts too: a collapsed section still names the controller) and
# the addresses of its links, looked at in the page so that only the findings travel.
_JS = """([eu, other, forms]) => {
  const text = (document.body ? document.body.textContent : '').replace(/\\s+/g, ' ');
  const named = names => names.filter(n => text.includes(n));
  const links = Array.from(document.querySelectorAll('a[href]'), a => a.href || '');
  return {eu: named(eu), other: named(other),
          forms: forms.filter(f => links.some(h => h.includes('/help/contact/' + f)))};
}"""


@dataclass(frozen=True)
class RegionSeen:
    """The version a page showed, and what showed it."""

    region: str
    evidence: str


def classify(eu: list[str], other: list[str], forms: list[str], url: str) -> RegionSeen | None:
    """The region a page shows by the controllers it names and the EU-only forms it links."""
    if eu:
        return RegionSeen(EU, f"controller {eu[0]} named at {url}")
    if forms:
        return RegionSeen(EU, f"the EU-only form help/contact/{forms[0]} linked at {url}")
    if other:
        return RegionSeen(
            NON_EU,
            f"controller {other[0].rstrip('.')} named at {url}, and neither "
            f"{' nor '.join(EU_CONTROLLERS)} nor an EU-only form",
        )
    return None


async def region_of(page: Page) -> RegionSeen | None:
    """The region the page shows now; None when it shows none or cannot be read."""
    try:
        names = [list(EU_CONTROLLERS), list(OTHER_CONTROLLERS), list(EU_ONLY_FORMS)]
        found = await bounded(page.evaluate(_JS, names))
    except PlaywrightError:
        return None
    if not isinstance(found, dict):
        return None
    return classify(found["eu"], found["other"], found["forms"], _short(page.url))


def _short(url: str) -> str:
    return re.sub(r"[?#].*$", "", url)


def merge(earlier: RegionSeen | None, now: RegionSeen | None) -> RegionSeen | None:
    """The region of a flow so far: another region's version, once seen, is kept."""
    if earlier is None or (now is not None and now.region == NON_EU):
        return now or earlier
    return earlier
