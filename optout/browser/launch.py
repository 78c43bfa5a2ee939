"""Finding and launching the browser.

Order of preference: an explicit path (`--browser-path` / `OPTOUT_BROWSER`),
Playwright's own download, then a system Chromium. Launched with the flags
that keep Chromium's own background traffic off a closed network.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

LAUNCH_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
SYSTEM_CHROMIUMS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
)


class BrowserNotFound(RuntimeError):
    """No usable browser: the checker cannot work (exit code 3)."""


@dataclass(frozen=True)
class BrowserChoice:
    """Which executable will be launched, and why."""

    path: str | None
    """None means Playwright's own download."""
    source: str


def _playwright_download(playwright: Playwright) -> str | None:
    try:
        path = playwright.chromium.executable_path
    except PlaywrightError:
        return None
    return path if path and Path(path).exists() else None


def find_browser(playwright: Playwright, explicit: str | None = None) -> BrowserChoice:
    """Pick the browser executable, in the documented order of preference."""
    explicit = explicit or os.environ.get("OPTOUT_BROWSER") or None
    if explicit:
        resolved = shutil.which(explicit) or explicit
        if not Path(resolved).is_file():
            raise BrowserNotFound(
                f"browser not found at {explicit} (from --browser-path/OPTOUT_BROWSER)"
            )
        return BrowserChoice(resolved, "explicit")
    downloaded = _playwright_download(playwright)
    if downloaded:
        return BrowserChoice(None, f"playwright download ({downloaded})")
    for candidate in (
        *SYSTEM_CHROMIUMS,
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return BrowserChoice(candidate, "system")
    raise BrowserNotFound(
        "no browser found: run `make install` (installs Playwright's Chromium, or Debian's "
        "`chromium` when that download is impossible), or pass --browser-path / set OPTOUT_BROWSER"
    )


async def launch(
    playwright: Playwright,
    choice: BrowserChoice,
    headed: bool = False,
    extra_args: list[str] | None = None,
) -> Browser:
    """Launch Chromium with the closed-network flags."""
    try:
        return await playwright.chromium.launch(
            executable_path=choice.path,
            headless=not headed,
            args=[*LAUNCH_ARGS, *(extra_args or [])],
        )
    except PlaywrightError as exc:
        raise BrowserNotFound(
            f"the browser at {choice.path or choice.source} did not start: {exc}"
        ) from exc


async def probe_browser(explicit: str | None = None) -> tuple[str, str]:
    """Start the browser optout would use: (where it is and how it was found, its version)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        choice = find_browser(pw, explicit)
        browser = await launch(pw, choice)
        try:
            return f"{choice.path or 'playwright download'} ({choice.source})", browser.version
        finally:
            await browser.close()


def _main(argv: list[str]) -> int:
    """`python -m optout.browser.launch [--playwright-only]`: print the browser to use."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        downloaded = _playwright_download(pw)  # type: ignore[arg-type]
        if "--playwright-only" in argv:
            if downloaded:
                print(downloaded)
                return 0
            return 1
        for candidate in (downloaded, *SYSTEM_CHROMIUMS, shutil.which("chromium")):
            if candidate and Path(candidate).is_file():
                print(candidate)
                return 0
    return 1


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))
