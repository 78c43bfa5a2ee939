"""The browsers a run uses: a local Chromium, Playwright browser servers, or a CDP endpoint.

One `Endpoint` per browser. A local browser is launched (and launched again when it
crashed); `--connect WS_URL` attaches to a Playwright browser server (`playwright
run-server`, the official Docker image...), `--cdp URL` to any Chromium that exposes its
DevTools endpoint. Jobs are spread over the endpoints by slot. An endpoint that cannot be
reached, or a server whose Playwright version differs from ours, is `BrowserNotFound`
(exit code 3) with one line that says which.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from optout.browser.launch import LAUNCH_ARGS, BrowserChoice, BrowserNotFound, launch

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

RELAUNCH_TRIES = 3
RELAUNCH_PAUSE_S = 1.0
CONNECT_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Endpoint:
    """Where one browser comes from: "launch" (local), "connect" (WS_URL) or "cdp" (URL)."""

    kind: str
    url: str = ""

    def describe(self) -> str:
        return "local browser" if self.kind == "launch" else f"{self.kind} {self.url}"


def parse_endpoint(kind: str, url: str) -> Endpoint:
    """Check a `--connect`/`--cdp` value (ValueError with one clear line otherwise)."""
    allowed = ("ws", "wss") if kind == "connect" else ("http", "https", "ws", "wss")
    parts = urlsplit(url)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValueError(
            f"{url!r} is not a {'/'.join(allowed)} URL with a host "
            f"(e.g. {'ws://127.0.0.1:3000/' if kind == 'connect' else 'http://127.0.0.1:9222'})"
        )
    return Endpoint(kind, url)


def _version_mismatch(message: str) -> str | None:
    lines = [line.strip(" -") for line in message.splitlines() if "version" in line.lower()]
    if "mismatch" in message.lower() or len(lines) >= 2:
        return "; ".join(lines) or "Playwright versions differ"
    return None


class BrowserPool:
    """The run's browsers, one per endpoint; a dead one is started or joined again."""

    def __init__(
        self,
        playwright: Playwright,
        choice: BrowserChoice | None,
        headed: bool = False,
        endpoints: list[Endpoint] | None = None,
        executable: str | None = None,
    ) -> None:
        self.playwright, self.choice, self.headed = playwright, choice, headed
        self.endpoints = endpoints or [Endpoint("launch")]
        self.executable = executable
        """For `--connect`: the browser path the server should launch (its own by default)."""
        self.browsers: dict[int, Browser] = {}
        self.launches = 0
        self._lock = asyncio.Lock()

    async def get(self, slot: int = 0) -> Browser:
        """A connected browser for this job slot (exit 3 if none can be had)."""
        index = slot % len(self.endpoints)
        async with self._lock:
            browser = self.browsers.get(index)
            if browser is None or not browser.is_connected():
                if browser is not None:
                    with contextlib.suppress(PlaywrightError):
                        await browser.close()
                browser = await self._open(self.endpoints[index], again=browser is not None)
                self.browsers[index] = browser
                self.launches += 1
            return browser

    async def _open(self, endpoint: Endpoint, again: bool) -> Browser:
        """Launch or join. A local launch is tried a few times: on a loaded machine, or right
        after a crash while the dead browser's processes go away, Chromium can fail to start
        once and start the next time; a remote endpoint that does not answer fails at once."""
        tries = RELAUNCH_TRIES if endpoint.kind == "launch" or again else 1
        for n in range(1, tries + 1):
            try:
                return await self._open_once(endpoint)
            except BrowserNotFound:
                if n == tries:
                    raise
                await asyncio.sleep(RELAUNCH_PAUSE_S)
        raise AssertionError("unreachable")

    async def _open_once(self, endpoint: Endpoint) -> Browser:
        if endpoint.kind == "launch":
            assert self.choice is not None
            return await launch(self.playwright, self.choice, headed=self.headed)
        try:
            if endpoint.kind == "connect":
                headers = {}
                if self.executable:
                    # The server launches this executable with our flags; a server allows
                    # that only when started with `playwright run-server --unsafe`.
                    options = {"executablePath": self.executable, "args": list(LAUNCH_ARGS)}
                    headers["x-playwright-launch-options"] = json.dumps(options)
                return await self.playwright.chromium.connect(
                    endpoint.url, timeout=CONNECT_TIMEOUT_MS, headers=headers
                )
            return await self.playwright.chromium.connect_over_cdp(
                endpoint.url, timeout=CONNECT_TIMEOUT_MS
            )
        except PlaywrightError as exc:
            message = str(exc)
            mismatch = _version_mismatch(message)
            if mismatch:
                raise BrowserNotFound(
                    f"the Playwright server at {endpoint.url} runs another Playwright version "
                    f"than this optout's ({mismatch}); use a server of the same version"
                ) from exc
            first = message.splitlines()[0] if message else type(exc).__name__
            raise BrowserNotFound(f"cannot reach the browser at {endpoint.url}: {first}") from exc

    def describe(self) -> str:
        return ", ".join(e.describe() for e in self.endpoints)

    async def close(self) -> None:
        for index, browser in self.browsers.items():
            if self.endpoints[index].kind == "launch" or browser.is_connected():
                with contextlib.suppress(PlaywrightError):
                    await browser.close()
