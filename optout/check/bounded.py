"""Page calls that Playwright gives no timeout (`page.evaluate`, `evaluate_all`, `content`,
`title`), bounded: a page whose main thread is flooded or stuck must never hang a run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from playwright.async_api import Error as PlaywrightError

T = TypeVar("T")

CALL_TIMEOUT_S = 10.0
"""Longest wait for the page to answer one such call; then it counts as a failed call."""


async def bounded(call: Awaitable[T], what: str = "the page") -> T:
    """Await `call` for at most `CALL_TIMEOUT_S`; past that, a `PlaywrightError`, which every
    caller already treats as "the page cannot say right now"."""
    try:
        return await asyncio.wait_for(call, CALL_TIMEOUT_S)
    except TimeoutError:
        raise PlaywrightError(f"{what} did not answer within {CALL_TIMEOUT_S:g} s") from None
