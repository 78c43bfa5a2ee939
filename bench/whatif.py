"""`python bench/whatif.py CHANGE[+CHANGE...] verify ARGS...`: optout with proposed engine
changes applied as monkeypatches, to measure a proposal before the engine is edited.

Changes (`none` is the unpatched engine in the same process shape, the baseline):

- `poll=S`: the locators poll every S seconds instead of every 0.2 s.
- `on-change`: a locator that found nothing is not evaluated again until the page changed:
  each document counts its DOM mutations (a MutationObserver added by an init script), and
  a miss is remembered with the (document, mutation count, URL, scroll, focus) it was
  observed at; the state is read at most every 100 ms per page. Hits are never cached.
- `reuse-shots`: a step whose page state (as above) did not change since the previous
  step's screenshot reuses that screenshot's bytes instead of taking a new one. Every step
  still has its screenshot file; identical files are hard-linked by the seal anyway.
- `appear=S`: a cookie dialog is awaited at most S seconds (the flows say 2 s): the bound of
  what ending that wait early (once the page is loaded and quiet) would save.
- `no-fsync`: evidence files are renamed into place without an fsync each.
- `count`: nothing changes; the locator queries, screenshots and popups are counted
  (printed at exit when BENCH_WHATIF_COUNTS is set).

These are measurements of ideas, not the engine: the code here patches private functions
and only has to work with the engine as it is at the time of the benchmark.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

import optout.check.locate as locate
import optout.check.runner as runner
import optout.check.steps as steps
from optout.flow.model import DismissStep

if TYPE_CHECKING:
    from playwright.async_api import Page

COUNTER_JS = """(() => {
  if (window.__benchChange) return;
  const state = window.__benchChange = {doc: Math.random(), n: 0};
  new MutationObserver(() => { state.n++; }).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true});
})()"""
STATE_JS = """() => {
  const s = window.__benchChange;
  if (!s) return null;
  const a = document.activeElement;
  const focus = a && a !== document.body ? a.outerHTML.slice(0, 200) : '';
  return [s.doc, s.n, location.href, scrollX, scrollY, focus];
}"""
STATE_TTL_S = 0.1

_states: dict[int, tuple[float, str | None]] = {}
_misses: dict[tuple[int, str, bool], str] = {}
_counts = {"reused": 0, "taken": 0, "skipped": 0, "queried": 0}


async def page_state(page: Page, ttl: float = STATE_TTL_S) -> str | None:
    """The page's change state, read again when older than `ttl` (None: cannot tell)."""
    now = time.monotonic()
    cached = _states.get(id(page))
    if cached is not None and now - cached[0] < ttl:
        return cached[1]
    try:
        raw = await page.evaluate(STATE_JS)
    except PlaywrightError:
        raw = None
    state = json.dumps(raw) if raw is not None else None
    _states[id(page)] = (now, state)
    return state


def poll(seconds: float) -> None:
    steps.POLL_S = seconds
    runner.POLL_S = seconds  # type: ignore[attr-defined]


def _install_counter() -> None:
    if getattr(runner.FlowRunner, "_bench_counter", False):
        return
    original = runner.FlowRunner.run

    async def run(self: runner.FlowRunner) -> Any:
        await self.page.add_init_script(COUNTER_JS)
        return await original(self)

    runner.FlowRunner.run = run  # type: ignore[method-assign]
    runner.FlowRunner._bench_counter = True  # type: ignore[attr-defined]


def on_change() -> None:
    _install_counter()
    original = locate.first_visible

    async def first_visible(page: Page, spec: dict[str, Any], *, visible: bool = True) -> Any:
        state = await page_state(page)
        key = (id(page), json.dumps(spec, sort_keys=True), visible)
        if state is not None and _misses.get(key) == state:
            _counts["skipped"] += 1
            return None
        _counts["queried"] += 1
        hit = await original(page, spec, visible=visible)
        if hit is None and state is not None:
            _misses[key] = state
        return hit

    locate.first_visible = first_visible
    runner.first_visible = first_visible  # type: ignore[attr-defined]


def reuse_shots() -> None:
    _install_counter()
    original = runner.FlowRunner._record

    async def _record(self: runner.FlowRunner, *args: Any) -> Any:
        page: Any = self.page
        before = await page_state(page, ttl=0)
        last: tuple[str, bytes] | None = getattr(self, "_bench_shot", None)
        real = page.screenshot
        taken: list[bytes] = []

        async def screenshot(**kwargs: Any) -> bytes:
            if last is not None and before is not None and last[0] == before:
                _counts["reused"] += 1
                return last[1]
            _counts["taken"] += 1
            png: bytes = await real(**kwargs)
            taken.append(png)
            return png

        page.screenshot = screenshot
        try:
            return await original(self, *args)
        finally:
            del page.screenshot
            if taken:
                after = await page_state(page, ttl=0)
                self._bench_shot = (after, taken[0]) if after else None  # type: ignore[attr-defined]

    runner.FlowRunner._record = _record  # type: ignore[method-assign,assignment]


def count() -> None:
    """Count the locator queries and screenshots (printed at exit with BENCH_WHATIF_COUNTS)."""
    original = locate.first_visible

    async def first_visible(page: Page, spec: dict[str, Any], *, visible: bool = True) -> Any:
        _counts["first_visible"] = _counts.get("first_visible", 0) + 1
        return await original(page, spec, visible=visible)

    locate.first_visible = first_visible
    runner.first_visible = first_visible  # type: ignore[attr-defined]
    from playwright.async_api import Page as PageClass

    shot = PageClass.screenshot

    async def screenshot(self: Page, **kwargs: Any) -> bytes:
        _counts["screenshots"] = _counts.get("screenshots", 0) + 1
        return await shot(self, **kwargs)

    PageClass.screenshot = screenshot  # type: ignore[method-assign]
    popup = PageClass.expect_popup

    def expect_popup(self: Page, *args: Any, **kwargs: Any) -> Any:
        _counts["popups"] = _counts.get("popups", 0) + 1
        return popup(self, *args, **kwargs)

    PageClass.expect_popup = expect_popup  # type: ignore[method-assign]


def appear(seconds: float) -> None:
    """Wait at most `seconds` for a cookie dialog to appear (the flows say 2 s)."""
    original = steps.dismiss

    async def dismiss(r: runner.FlowRunner, step: Any, index: int) -> Any:
        spec = step.dismiss.model_copy(
            update={"appear_timeout": min(seconds, step.dismiss.appear_timeout)}
        )
        return await original(r, step.model_copy(update={"dismiss": spec}), index)

    steps.HANDLERS[DismissStep] = dismiss


def no_fsync() -> None:
    os.fsync = lambda fd: None


def apply(changes: str) -> None:
    for change in changes.split("+"):
        name, _, value = change.partition("=")
        if name == "none":
            continue
        elif name == "poll":
            poll(float(value))
        elif name == "on-change":
            on_change()
        elif name == "reuse-shots":
            reuse_shots()
        elif name == "appear":
            appear(float(value))
        elif name == "count":
            count()
        elif name == "no-fsync":
            no_fsync()
        else:
            raise SystemExit(f"unknown change {change!r}")


if __name__ == "__main__":
    apply(sys.argv[1])
    from optout.cli import main

    if os.environ.get("BENCH_WHATIF_COUNTS"):
        import atexit

        atexit.register(lambda: print(f"whatif counts: {_counts}", file=sys.stderr))
    main(sys.argv[2:])
