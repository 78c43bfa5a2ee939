"""The step handlers: what `open`, `click`, `see`, `wait` and `dismiss` do on the page.

Each step type of the flow format has exactly one handler in `HANDLERS` (a test checks
that the table covers the step union). Handlers observe through the runner and record
`Signals`; none of them decides a verdict or writes a file.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from optout.check.results import StepStatus
from optout.flow.locators import Locator
from optout.flow.model import (
    Absent,
    ClickStep,
    DismissStep,
    FindStep,
    OpenStep,
    RunnableStep,
    SeeStep,
    WaitStep,
)

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator

    from optout.check.runner import FlowRunner

POLL_S = 0.2


@dataclass
class Found:
    """An element a locator found, which alternative it was, and its link target."""

    element: PWLocator
    locator: Locator
    alternative: int
    href: str | None


@dataclass
class Outcome:
    """How a step ended, what it says about it, and what it found."""

    status: StepStatus
    detail: str | None = None
    found: Found | None = None
    alternatives: int = 1


# A control that submits its form when clicked (a <button> defaults to type=submit).
SENDS_A_FORM_JS = """e => {
  const tag = e.tagName.toLowerCase();
  const type = (e.getAttribute('type') || '').toLowerCase();
  const submits = (tag === 'button' && (type === '' || type === 'submit'))
    || (tag === 'input' && (type === 'submit' || type === 'image'));
  return submits && e.form !== null;
}"""


async def sends_a_form(element: PWLocator) -> bool:
    """Whether clicking the element would submit a form: the checker looks, it never acts."""
    try:
        return bool(await element.evaluate(SENDS_A_FORM_JS))
    except PlaywrightError:
        return True  # cannot tell: do not click


def action_of(step: RunnableStep) -> str:
    """The short action name of a step, used in file names."""
    return type(step).__name__.removesuffix("Step").lower()


async def open_step(r: FlowRunner, step: OpenStep, index: int) -> Outcome:
    return await r.open(step.open)


async def absent(
    r: FlowRunner,
    step: FindStep | WaitStep,
    what: str,
    index: int,
    looked_for: list[Locator] | None = None,
) -> Outcome:
    """Apply the step's `absent` rule when what it looked for is not there.

    What could not be looked for at all (its words are not in the catalogue for the page's
    language) is not absent: the step fails, and the reason says which words are missing.
    """
    if r.signals.blocked_marker or r.signals.network_error:
        return Outcome(StepStatus.BLOCKED if r.signals.blocked_marker else StepStatus.FAILED)
    if step.absent is not Absent.SKIP and await r.check_transient():
        return Outcome(StepStatus.FAILED, r.signals.transient_marker)
    if step.absent is Absent.SKIP:
        return Outcome(StepStatus.SKIPPED, f"not found: {what}")
    if looked_for is not None and not await r.lookable(looked_for):
        r.signals.failed_step = f"step {index}: {what} cannot be looked for on this page"
        return Outcome(StepStatus.FAILED, r.signals.failed_step)
    if step.absent is Absent.MISSING:
        proof = getattr(step, "on_page", None)
        if proof and await r.find(proof) is None:
            r.signals.failed_step = (
                f"step {index}: not on the expected page (none of "
                f"{' or '.join(p.describe() for p in proof)} is shown), so the absence of "
                f"{what} proves nothing"
            )
            return Outcome(StepStatus.FAILED, r.signals.failed_step)
        await r.note_needs_login()
        r.signals.absent_step = f"no {what} (step {index}, declared absent: missing)"
        seen = [m.describe() for m in getattr(step, "instead", []) if await r.on_page(m)]
        r.signals.absent_instead = "; ".join(seen) or None
        detail = f"not found: {what}" + (f"; instead: {'; '.join(seen)}" if seen else "")
        return Outcome(StepStatus.ABSENT, detail)
    r.signals.failed_step = f"step {index}: {what} not found"
    return Outcome(StepStatus.FAILED, f"not found: {what}")


async def click(r: FlowRunner, step: ClickStep, index: int) -> Outcome:
    found = await r.wait_for(step.click, r.step_timeout(step))
    if found is None and not (r.signals.network_error or r.signals.blocked_marker):
        hidden = await r.find_hidden_link(step.click)
        if hidden is not None and hidden.href:
            # The link is there, in a part of the page that is not shown: a person would
            # open that part; following its address reaches the same page.
            await r.open(hidden.href)
            if r.signals.network_error:
                return Outcome(StepStatus.FAILED, r.signals.network_error, hidden)
            detail = (
                f"{hidden.locator.describe()} is in a hidden part of the page; "
                f"followed its address {hidden.href}"
            )
            return Outcome(StepStatus.OK, detail, hidden, len(step.click))
    if found is None:
        what = " or ".join(loc.describe() for loc in step.click)
        return await absent(r, step, what, index, step.click)
    if await sends_a_form(found.element):
        r.signals.failed_step = (
            f"step {index}: refused to click {found.locator.describe()}: it would send a "
            "form, and optout never sends forms"
        )
        return Outcome(StepStatus.FAILED, r.signals.failed_step, found, len(step.click))
    timeout_ms = r.step_timeout(step) * 1000
    detail = f"clicked {found.locator.describe()}" + (f" → {found.href}" if found.href else "")
    try:
        new_tab = found.href and await found.element.get_attribute("target") == "_blank"
        if new_tab and found.href:
            # Follow a new-tab link in this page, so one page holds the whole path: check
            # that a person could click it (visible, enabled, nothing on top), without the
            # click, and open its address here rather than load it twice in a new tab.
            await found.element.click(trial=True, timeout=timeout_ms)
            await r.open(found.href)
            detail += " (opens a new tab: followed in this one)"
        else:
            await found.element.click(timeout=timeout_ms)
    except PlaywrightError as exc:
        r.signals.failed_step = (
            f"step {index}: could not click {found.locator.describe()}: {str(exc).splitlines()[0]}"
        )
        return Outcome(StepStatus.FAILED, r.signals.failed_step, found, len(step.click))
    await r.doc.settle(r.timeouts.navigation)
    if r.signals.network_error:
        return Outcome(StepStatus.FAILED, r.signals.network_error, found, len(step.click))
    return Outcome(StepStatus.OK, detail, found, len(step.click))


async def see(r: FlowRunner, step: SeeStep, index: int) -> Outcome:
    found = await r.wait_for(step.see, r.step_timeout(step))
    if found is None:
        what = " or ".join(loc.describe() for loc in step.see)
        return await absent(r, step, what, index, step.see)
    return Outcome(StepStatus.OK, f"saw {found.locator.describe()}", found, len(step.see))


async def wait(r: FlowRunner, step: WaitStep, index: int) -> Outcome:
    deadline = time.monotonic() + r.step_timeout(step)
    while True:
        if await r.marker_visible(step.wait):
            return Outcome(StepStatus.OK, f"saw {step.wait.describe()}")
        if r.signals.network_error or await r.check_blocked():
            break
        if time.monotonic() >= deadline:
            break
        await asyncio.sleep(POLL_S)
    return await absent(r, step, step.wait.describe(), index, [step.wait])


async def dismiss(r: FlowRunner, step: DismissStep, index: int) -> Outcome:
    spec = step.dismiss
    dialog = await r.wait_for(
        spec.dialog, min(spec.appear_timeout, r.step_timeout(step)), maybe=True
    )
    if dialog is None:
        return Outcome(StepStatus.SKIPPED, f"no {spec.reason} shown")
    button = await r.find(spec.buttons)
    if button is None:
        r.signals.blocked_marker = f"{spec.reason} could not be closed (no known button)"
        return Outcome(StepStatus.BLOCKED, r.signals.blocked_marker)
    try:
        label = " ".join((await button.element.inner_text(timeout=2000)).split())
        await button.element.click(timeout=r.step_timeout(step) * 1000)
    except PlaywrightError as exc:
        label = f"{button.locator.describe()} ({str(exc).splitlines()[0]})"
    deadline = time.monotonic() + r.step_timeout(step)
    while await r.find(spec.dialog) is not None:
        if time.monotonic() >= deadline:
            r.signals.blocked_marker = f"{spec.reason} could not be closed"
            return Outcome(StepStatus.BLOCKED, f"pressed {label!r}; the dialog stayed", button)
        await asyncio.sleep(POLL_S)
    await r.doc.settle(r.timeouts.navigation)
    return Outcome(StepStatus.OK, f"pressed {label!r}", button, len(spec.buttons))


Handler = Callable[["FlowRunner", Any, int], Awaitable[Outcome]]

HANDLERS: dict[type[RunnableStep], Handler] = {
    OpenStep: open_step,
    ClickStep: click,
    SeeStep: see,
    WaitStep: wait,
    DismissStep: dismiss,
}
"""One handler per runnable step type (tests/test_runner.py checks it covers the union)."""


async def execute(r: FlowRunner, step: RunnableStep, index: int) -> Outcome:
    """Run one step with its handler."""
    return await HANDLERS[type(step)](r, step, index)
