"""`optout login`: a person logs in by hand in a visible browser; optout saves the session.

optout never types a password or touches the login form: it opens the page, waits until
the page is no longer a login wall or checkpoint (or until the person presses Enter), and
saves the browser's storage state (cookies, local storage, IndexedDB).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from optout.browser import sessions
from optout.browser.launch import LAUNCH_ARGS, BrowserNotFound, find_browser

if TYPE_CHECKING:
    from playwright.async_api import Page

# A page is still a wall while its address says so or it asks for a password.
WALL_URL = re.compile(
    r"/login|login\.php|/checkpoint/|/accounts/login|two_step|two_factor|/recover/", re.I
)
POLL_S = 1.0
SETTLE_S = 2.0


class LoginError(RuntimeError):
    """The login could not be done here (no display, browser closed); exit code 3."""


def has_display(env: dict[str, str] | None = None) -> bool:
    """Whether a visible browser can open: on Linux, an X11 or Wayland display is set."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


NO_DISPLAY = (
    "no display (DISPLAY and WAYLAND_DISPLAY are unset), so no browser window can open for "
    "you to log in. Either log in on a desktop with `optout login {name}` and copy "
    "{path} to this machine (mode 0600), or save a storage state with any Playwright tool "
    "(e.g. `playwright codegen --save-storage=state.json https://www.facebook.com/`) and "
    "run `optout login {name} --import state.json`"
)


async def still_a_wall(page: Page) -> bool:
    """Whether the page is a login wall or checkpoint: by its URL, or a password field."""
    if WALL_URL.search(page.url):
        return True
    try:
        return await page.locator("input[type=password]").first.is_visible()
    except PlaywrightError:
        return True  # navigating: not settled yet


async def login(
    name: str,
    url: str,
    *,
    browser_path: str | None = None,
    debugging_port: int | None = None,
    enter_pressed: Callable[[], Awaitable[object]] | None = None,
    say: Callable[[str], None] = print,
) -> Path:
    """Open `url` in a visible browser and save the session once the person is logged in."""
    from playwright.async_api import async_playwright

    sessions.check_name(name)
    if not has_display():
        path = sessions.sessions_dir() / f"{name}.json"
        raise LoginError(NO_DISPLAY.format(name=name, path=path))
    extra = [f"--remote-debugging-port={debugging_port}"] if debugging_port else []
    async with async_playwright() as pw:
        choice = find_browser(pw, browser_path)
        with tempfile.TemporaryDirectory(prefix="optout-login-") as profile:
            try:
                # One window with a fresh, temporary profile: nothing of it stays but the
                # storage state saved below.
                context = await pw.chromium.launch_persistent_context(
                    profile,
                    executable_path=choice.path,
                    headless=False,
                    args=[*LAUNCH_ARGS, *extra],
                    no_viewport=True,
                )
            except PlaywrightError as exc:
                raise BrowserNotFound(f"the browser did not start: {exc}") from exc
            try:
                page = context.pages[0] if context.pages else await context.new_page()
                await page.goto(url, wait_until="domcontentloaded")
                say(
                    f"log in to {name} in the browser window; optout saves the session when "
                    "you are past the login page (or press Enter here when done)"
                )
                await _wait_until_logged_in(page, enter_pressed)
                state = await context.storage_state(indexed_db=True)
            except PlaywrightError as exc:
                raise LoginError(
                    f"the browser was closed before the login was saved ({exc})"
                ) from exc
            finally:
                with contextlib.suppress(PlaywrightError):
                    await context.close()
    if not state.get("cookies"):
        raise LoginError("the browser holds no cookies: nothing to save (were you logged in?)")
    return sessions.save(name, dict(state))


async def _wait_until_logged_in(
    page: Page, enter_pressed: Callable[[], Awaitable[object]] | None
) -> None:
    enter = asyncio.ensure_future(enter_pressed()) if enter_pressed else None
    try:
        while True:
            if enter is not None and enter.done():
                return
            if page.is_closed():
                raise LoginError("the browser window was closed before the login was saved")
            if not await still_a_wall(page):
                await asyncio.sleep(SETTLE_S)  # let redirects after the login finish
                if not await still_a_wall(page):
                    return
            await asyncio.sleep(POLL_S)
    finally:
        if enter is not None and not enter.done():
            enter.cancel()
