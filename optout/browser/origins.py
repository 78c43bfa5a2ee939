"""`--map-origin FROM=TO`: serve one origin's requests from another, invisibly to the page.

The page keeps seeing the FROM URL (flows, URL checks, screenshots and evidence
keep the real addresses). Redirects are followed here, not by Chromium: a
routed request cannot be answered with a 3xx (microsoft/playwright#39480, the
follow-up escapes the router). A navigation that redirects is answered with a
tiny page that calls `location.replace(<target mapped back to FROM>)`, and the
hop is remembered so the evidence keeps the redirect chain.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Route
    from playwright.async_api import Request as PWRequest

MAX_REDIRECTS = 10
MAX_PAGE_REDIRECTS = 20
"""Redirects one page load may go through (answered as stubs); a URL seen twice is a loop."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Hop-by-hop and browser-managed headers that must not be forwarded as they are.
DROP_REQUEST_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding"})
DROP_RESPONSE_HEADERS = frozenset(
    {"content-length", "content-encoding", "transfer-encoding", "connection"}
)


class MappingError(ValueError):
    """A `--map-origin` value that cannot be used."""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass(frozen=True)
class OriginMap:
    """Requests for `source` (scheme://host[:port]) go to `target` (origin + optional prefix)."""

    source: str
    target: str

    @classmethod
    def parse(cls, text: str) -> OriginMap:
        """Parse `FROM=TO`, e.g. `https://www.facebook.com=http://127.0.0.1:8765/form-missing`."""
        source, sep, target = text.partition("=")
        if not sep or not source or not target:
            raise MappingError(f"expected FROM=TO, got {text!r}")
        for label, value in (("FROM", source), ("TO", target)):
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise MappingError(f"{label} must be an http(s) origin, got {value!r}")
            if parts.query or parts.fragment:
                raise MappingError(f"{label} cannot have a query or fragment: {value!r}")
        if urlsplit(source).path not in ("", "/"):
            raise MappingError(f"FROM must be an origin without a path, got {source!r}")
        return cls(source=_origin(source), target=target.rstrip("/"))

    def forward(self, url: str) -> str | None:
        """The TO address for a FROM URL, or None when the URL is not under FROM."""
        if _origin(url) != self.source:
            return None
        parts = urlsplit(url)
        rest = parts.path or "/"
        return self.target + rest + (f"?{parts.query}" if parts.query else "")

    def back(self, url: str) -> str | None:
        """The FROM address for a URL under TO, or None when it is not under TO."""
        target = urlsplit(self.target)
        parts = urlsplit(url)
        if _origin(url) != _origin(self.target):
            return None
        prefix = target.path.rstrip("/")
        if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
            return None
        rest = parts.path[len(prefix) :] or "/"
        return self.source + rest + (f"?{parts.query}" if parts.query else "")


@dataclass
class Hop:
    """One redirect the router followed on the page's behalf."""

    url: str
    status: int
    location: str


def _stub(location: str) -> str:
    target = json.dumps(location).replace("<", "\\u003c")
    return (
        "<!doctype html><meta charset=utf-8><title>redirect</title>"
        f"<p>Redirecting to {html.escape(location)}</p>"
        f"<script>location.replace({target})</script>"
    )


@dataclass
class Router:
    """Routes a browser context's requests through the origin maps."""

    maps: list[OriginMap]
    timeout: float = 30.0
    hops: dict[str, Hop] = field(default_factory=dict)
    """Redirect stubs served for navigations, by the URL the page asked for."""
    loop_at: str | None = None
    """The URL whose load was stopped after MAX_PAGE_REDIRECTS redirects in a row."""
    _chain: list[str] = field(default_factory=list)
    _expected: str | None = None

    def map(self, url: str) -> str | None:
        for origin_map in self.maps:
            mapped = origin_map.forward(url)
            if mapped is not None:
                return mapped
        return None

    def unmap(self, url: str) -> str:
        for origin_map in self.maps:
            back = origin_map.back(url)
            if back is not None:
                return back
        return url

    async def attach(self, context: BrowserContext) -> None:
        if self.maps:
            await context.route(lambda url: self.map(url) is not None, self._handle)

    async def _handle(self, route: Route, request: PWRequest) -> None:
        url = request.url
        target = self.map(url)
        if target is None:  # pragma: no cover - the route predicate excludes these
            await route.continue_()
            return
        headers = {
            k: v for k, v in (await request.all_headers()).items() if k not in DROP_REQUEST_HEADERS
        }
        method = request.method
        body = request.post_data_buffer
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = await route.fetch(
                    url=target,
                    method=method,
                    headers=headers,
                    post_data=body,
                    max_redirects=0,
                    timeout=self.timeout * 1000,
                )
            except PlaywrightError as exc:  # connection refused, reset, timeout...
                await route.abort(_abort_code(str(exc)))
                return
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                headers_out = {
                    k: v for k, v in response.headers.items() if k not in DROP_RESPONSE_HEADERS
                }
                # The body stays in Playwright's driver: a 50 MB page is not copied through
                # Python, where it would hold up every other page of the run.
                await route.fulfill(response=response, status=response.status, headers=headers_out)
                return
            next_real = urljoin(target, location)
            next_url = self.unmap(next_real)  # the address the page should see
            if request.is_navigation_request():
                # Chromium's own redirect limit never sees stubs: count them here.
                # A loop shows as a URL seen again in the same chain of redirects.
                self._chain = [*self._chain, url] if url == self._expected else [url]
                self._expected = next_url
                if len(self._chain) > MAX_PAGE_REDIRECTS or next_url in self._chain:
                    self.loop_at, self._chain, self._expected = url, [], None
                    await route.abort("failed")
                    return
                self.hops[url] = Hop(url=url, status=response.status, location=next_url)
                await route.fulfill(
                    status=200,
                    content_type="text/html; charset=utf-8",
                    body=_stub(next_url),
                )
                return
            mapped_next = self.map(next_url)
            if mapped_next is None:
                # A sub-resource redirected out of the mapped origins: let it go out as usual.
                await route.fulfill(status=response.status, headers={"location": next_url})
                return
            url, target = next_url, mapped_next
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
        await route.abort("failed")


def _abort_code(message: str) -> str:
    """Translate a fetch failure into the network error the browser should see."""
    text = message.lower()
    if "timeout" in text or "timed out" in text:
        return "timedout"
    if "econnrefused" in text or "refused" in text:
        return "connectionrefused"
    if "econnreset" in text or "reset" in text:
        return "connectionreset"
    if "enotfound" in text or "getaddrinfo" in text:
        return "namenotresolved"
    return "failed"
