"""What the runner looks at on a page: the page's language, Meta's words in it, markers and
links, shown or hidden. `FlowRunner` is built on it; nothing here decides a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from optout.check.bounded import bounded
from optout.check.locate import any_visible, first_visible
from optout.check.steps import Found
from optout.check.target import QUOTE_CHARS
from optout.check.verdict import Signals
from optout.flow import wording
from optout.flow.locators import Locator, Marker
from optout.flow.patterns import compile_pattern

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator
    from playwright.async_api import Page


async def _quote(element: PWLocator) -> str:
    """The first words of an element's text, on one line (empty when it cannot be read)."""
    try:
        text = await element.inner_text(timeout=1000)
    except PlaywrightError:
        try:
            text = await element.text_content(timeout=1000) or ""
        except PlaywrightError:
            return ""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


class PageLook:
    """Looking at one page in the words of its own language."""

    page: Page
    locale: str
    signals: Signals
    _langs: dict[str, str | None]

    # --- the page's language and Meta's words in it -------------------------------------

    async def page_language(self) -> str | None:
        """The catalogue language of the page (its `<html lang>`; the run's locale when the
        page declares none). None for a language the catalogue does not have."""
        url = self.page.url
        if url not in self._langs:
            try:
                declared = await bounded(self.page.evaluate("document.documentElement.lang || ''"))
            except PlaywrightError:
                return wording.language_of(self.locale)
            declared = declared if isinstance(declared, str) else ""
            self._langs[url] = wording.language_of(declared or self.locale)
            self.signals.page_language = declared or self.locale
        return self._langs[url]

    async def spec(self, locator: Locator) -> dict[str, Any] | None:
        """The locator as `optout.check.locate` takes it, its `words` in the page's language;
        None when the catalogue has no such words for that language (noted for the reason)."""
        spec = locator.spec()
        if locator.words is None:
            return spec
        lang = await self.page_language()
        resolved = wording.resolve(spec, lang)
        if resolved is None and locator.words not in self.signals.unknown_words:
            self.signals.unknown_words.append(locator.words)
        return resolved

    async def first_seen(self, markers: Sequence[Marker]) -> str | None:
        """The first of `markers` the page shows now: what it means and the words it matched."""
        for marker in await self.maybe_shown(markers):
            seen = await self.seen(marker)
            if seen is not None:
                return seen
        return None

    async def maybe_shown(self, markers: Sequence[Marker]) -> Sequence[Marker]:
        """`markers`, less the element markers when one query shows that none is visible, and
        less those whose words the catalogue does not have in the page's language."""
        specs = [(m, await self.spec(m) if m.url is None else None) for m in markers]
        lookable = [m for m, spec in specs if m.url is not None or spec is not None]
        elements = [spec for _, spec in specs if spec is not None]
        if len(elements) > 1 and not await any_visible(self.page, elements):
            return [m for m in lookable if m.url is not None]
        return lookable

    async def seen(self, marker: Marker) -> str | None:
        """`None` if the page does not show the marker, else its meaning and what matched.

        A text or element marker quotes the first words of the element that matched, so the
        reason says what the page showed, not the pattern that was looked for.
        """
        if marker.url is not None:
            return marker.describe() if await self.marker_visible(marker) else None
        spec = await self.spec(marker)
        hit = await first_visible(self.page, spec) if spec is not None else None
        if hit is None:
            return None
        quote = await _quote(hit[0])
        return f'{marker.describe()}: "{quote}"' if quote else marker.describe()

    async def marker_visible(self, marker: Marker) -> bool:
        if marker.url is not None:
            return bool(compile_pattern(marker.url).search(self.page.url))
        spec = await self.spec(marker)
        return spec is not None and await first_visible(self.page, spec) is not None

    async def on_page(self, marker: Marker) -> bool:
        """Whether the page holds what the marker describes, shown or in a hidden part."""
        if marker.url is not None:
            return await self.marker_visible(marker)
        spec = await self.spec(marker)
        return spec is not None and await first_visible(self.page, spec, visible=False) is not None

    async def find_hidden_link(self, alternatives: Sequence[Locator]) -> Found | None:
        """A matching link that is in the page but not shown (e.g. a collapsed section)."""
        for i, locator in enumerate(alternatives):
            spec = await self.spec(locator)
            hit = await first_visible(self.page, spec, visible=False) if spec else None
            if hit is not None and hit[1] and hit[1].startswith(("http://", "https://")):
                return Found(element=hit[0], locator=locator, alternative=i, href=hit[1])
        return None

    async def find(self, alternatives: Sequence[Locator]) -> Found | None:
        for i, locator in enumerate(alternatives):
            spec = await self.spec(locator)
            hit = await first_visible(self.page, spec) if spec is not None else None
            if hit is not None:
                return Found(element=hit[0], locator=locator, alternative=i, href=hit[1])
        return None

    async def lookable(self, alternatives: Sequence[Locator]) -> bool:
        """Whether one of `alternatives` can be looked for on this page at all (its words, if
        any, are known in the page's language)."""
        return any([await self.spec(loc) is not None for loc in alternatives])
