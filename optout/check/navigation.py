"""Watching a page's main document: navigations, statuses, failures, router redirects.

Everything here is observation: the HTTP status and URL of the document the page
shows, the network error of a navigation that failed, the redirect chain, and
whether a navigation is still in flight. It writes into the runner's `Signals`.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from optout.browser.origins import MAX_PAGE_REDIRECTS
from optout.check.bounded import bounded
from optout.check.results import Navigation
from optout.check.verdict import Signals

if TYPE_CHECKING:
    from playwright.async_api import Page, Request, Response

    from optout.browser.origins import Router


QUIET_JS = "() => [document.readyState, document.getElementsByTagName('*').length, location.href]"


class MainDocument:
    """Follows the main frame's navigations of one page."""

    def __init__(self, page: Page, router: Router | None, signals: Signals) -> None:
        self.page = page
        self.router = router
        self.signals = signals
        self.navigations: list[Navigation] = []
        self.pending: set[Request] = set()
        self._answered: set[Request] = set()
        """Main-document requests that got a response (a stub redirect's page, a document)."""
        self.in_flight: set[Request] = set()
        """Every request of the page not answered yet (images, scripts, XHR...)."""
        self._awaiting_redirect: str | None = None
        self._network_at = time.monotonic()
        self._dom: list[object] | None = None
        self._dom_at = self._network_at
        page.on("request", self._on_request)
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)
        page.on("requestfinished", self._on_request_finished)

    def _is_main_navigation(self, request: Request) -> bool:
        try:
            return request.is_navigation_request() and request.frame == self.page.main_frame
        except PlaywrightError:
            return False

    def _on_request(self, request: Request) -> None:
        self.in_flight.add(request)
        self._network_at = time.monotonic()
        if self._is_main_navigation(request):
            self.pending.add(request)

    def _on_request_finished(self, request: Request) -> None:
        self.pending.discard(request)
        self._request_ended(request)

    def _request_ended(self, request: Request) -> None:
        self.in_flight.discard(request)
        self._network_at = time.monotonic()

    async def quiet_for(self) -> float:
        """Seconds the page has been quiet: loaded, no request in flight, and as many
        elements as before. 0 while it loads, fetches or grows, or when it cannot say.

        Used to stop waiting for something that may or may not come (a cookie dialog) once
        the page has nothing more on the way; never to decide that something is missing.
        """
        now = time.monotonic()
        try:
            state = await bounded(self.page.evaluate(QUIET_JS))
        except PlaywrightError:
            state = None
        if (
            not isinstance(state, list)
            or state[0] != "complete"
            or self.pending
            or (self.in_flight)
        ):
            self._dom = None
            return 0.0
        if state != self._dom:
            self._dom, self._dom_at = state, now
        return now - max(self._dom_at, self._network_at)

    def _on_response(self, response: Response) -> None:
        request = response.request
        if not self._is_main_navigation(request):
            return
        self.pending.discard(request)
        self._answered.add(request)
        chain: list[Request] = []
        previous = request.redirected_from
        while previous is not None:
            chain.insert(0, previous)
            previous = previous.redirected_from
        for hop_request in chain:
            nxt = hop_request.redirected_to
            self.navigations.append(
                Navigation(url=hop_request.url, redirected_to=nxt.url if nxt else None)
            )
        hop = self.router.hops.get(response.url) if self.router else None
        self._awaiting_redirect = None
        if hop is not None:
            self.navigations.append(
                Navigation(
                    url=hop.url, status=hop.status, redirected_to=hop.location, via_router=True
                )
            )
            self._awaiting_redirect = hop.url
            return
        self.navigations.append(Navigation(url=response.url, status=response.status))
        self.signals.http_status = response.status
        self.signals.http_url = response.url
        self.signals.network_error = None

    def _on_request_failed(self, request: Request) -> None:
        self._request_ended(request)
        if not self._is_main_navigation(request):
            return
        self.pending.discard(request)
        failure = request.failure or "failed"
        if self.router is not None and self.router.loop_at == request.url:
            failure = (
                "net::ERR_TOO_MANY_REDIRECTS (a redirect loop, or more than "
                f"{MAX_PAGE_REDIRECTS} redirects)"
            )
        if request in self._answered and "ERR_ABORTED" in failure:
            return  # answered, then its body cut short by the next navigation: not a failure
        self.navigations.append(Navigation(url=request.url, error=failure))
        if "ERR_ABORTED" in failure:  # superseded by another navigation, or a download
            return
        self.signals.network_error = f"{failure} loading {request.url}"
        self._awaiting_redirect = None

    async def settle(self, timeout: float) -> None:
        """Wait for navigations in flight (and router redirects) to land, then for the DOM."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            redirecting = self._awaiting_redirect and self.page.url == self._awaiting_redirect
            if self.pending or redirecting:
                await asyncio.sleep(0.05)
            else:
                break
        else:
            if self.signals.network_error is None:
                what = next(iter(self.pending)).url if self.pending else self.page.url
                self.signals.network_error = f"timed out after {timeout:g} s loading {what}"
            return
        remaining = max(deadline - time.monotonic(), 0.1)
        for state, wait in (("domcontentloaded", remaining), ("load", min(remaining, 5.0))):
            try:
                await self.page.wait_for_load_state(state, timeout=wait * 1000)  # type: ignore[arg-type]
            except PlaywrightError:
                if state == "domcontentloaded" and self.signals.network_error is None:
                    self.signals.network_error = (
                        f"timed out after {timeout:g} s loading {self.page.url}"
                    )
                return
        await self.quiet_for()  # the page's quiet is counted from here, not from the next look
