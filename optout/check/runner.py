"""One flow in one browser page: steps, walls, the target check; no files written.

The runner observes and records `Signals`; `optout.verdict.decide` turns them
into the verdict. Everything the page goes through is reported as events
(through the `on_step` callback); the evidence writer listens.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, assert_never

from optout.check.locate import first_visible
from optout.check.navigation import MainDocument
from optout.check.results import FinalCapture, FlowResult, StepRecord, StepStatus
from optout.check.verdict import Signals, decide
from optout.flow.model import (
    Absent,
    ClickStep,
    DismissStep,
    FindStep,
    Flow,
    Locator,
    Marker,
    OpenStep,
    RunnableStep,
    SeeStep,
    WaitStep,
)
from optout.flow.patterns import compile_pattern

if TYPE_CHECKING:
    from playwright.async_api import Locator as PWLocator
    from playwright.async_api import Page

    from optout.browser.origins import Router

POLL_S = 0.2
WRONG_URL_GRACE_S = 2.0
ERROR_PAGE_GRACE_S = 1.0
ARIA_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait: for one step's condition, and for a page to load."""

    step: float = 15.0
    navigation: float = 30.0
    forced: bool = False
    """`--timeout` was given: it wins over the flow's own timeouts."""


@dataclass
class Found:
    element: PWLocator
    locator: Locator
    alternative: int
    href: str | None


@dataclass
class Outcome:
    status: StepStatus
    detail: str | None = None
    found: Found | None = None
    alternatives: int = 1


StepCallback = Callable[[StepRecord, bytes | None], None]


# A control that submits its form when clicked (a <button> defaults to type=submit).
SENDS_A_FORM_JS = """e => {
  const tag = e.tagName.toLowerCase();
  const type = (e.getAttribute('type') || '').toLowerCase();
  const submits = (tag === 'button' && (type === '' || type === 'submit'))
    || (tag === 'input' && (type === 'submit' || type === 'image'));
  return submits && e.form !== null;
}"""


async def _sends_a_form(element: PWLocator) -> bool:
    """Whether clicking the element would submit a form: the checker looks, it never acts."""
    try:
        return bool(await element.evaluate(SENDS_A_FORM_JS))
    except Exception:
        return True  # cannot tell: do not click


def action_of(step: RunnableStep) -> str:
    """The short action name of a step, used in file names."""
    return type(step).__name__.removesuffix("Step").lower()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FlowRunner:
    """Runs one attempt of one flow on a fresh page and decides its verdict."""

    def __init__(
        self,
        flow: Flow,
        locale: str,
        page: Page,
        *,
        router: Router | None = None,
        timeouts: Timeouts | None = None,
        on_step: StepCallback | None = None,
        attempt: int = 1,
    ) -> None:
        self.flow = flow
        self.locale = locale
        self.page = page
        self.router = router
        self.timeouts = timeouts or Timeouts()
        self.on_step = on_step or (lambda record, png: None)
        self.attempt = attempt
        self.signals = Signals()
        self.steps: list[StepRecord] = []
        self.doc = MainDocument(page, router, self.signals)

    # --- looking at the page -----------------------------------------------------------

    async def _blocked(self) -> str | None:
        """The first `blocked_when` marker the page shows now, described."""
        for marker in self.flow.blocked_when:
            if await self._marker_visible(marker):
                return f"stopped by {marker.describe()}"
        return None

    async def _marker_visible(self, marker: Marker) -> bool:
        if marker.url is not None:
            return bool(compile_pattern(marker.url).search(self.page.url))
        return await first_visible(self.page, marker.spec()) is not None

    async def _on_page(self, marker: Marker) -> bool:
        """Whether the page holds what the marker describes, shown or in a hidden part."""
        if marker.url is not None:
            return await self._marker_visible(marker)
        return await first_visible(self.page, marker.spec(), visible=False) is not None

    async def _find_hidden_link(self, alternatives: Sequence[Locator]) -> Found | None:
        """A matching link that is in the page but not shown (e.g. a collapsed section)."""
        for i, locator in enumerate(alternatives):
            hit = await first_visible(self.page, locator.spec(), visible=False)
            if hit is not None and hit[1] and hit[1].startswith(("http://", "https://")):
                return Found(element=hit[0], locator=locator, alternative=i, href=hit[1])
        return None

    async def _find(self, alternatives: Sequence[Locator]) -> Found | None:
        for i, locator in enumerate(alternatives):
            hit = await first_visible(self.page, locator.spec())
            if hit is not None:
                return Found(element=hit[0], locator=locator, alternative=i, href=hit[1])
        return None

    async def _wait_for(self, alternatives: Sequence[Locator], timeout: float) -> Found | None:
        """Poll until one alternative is visible; give up early on a wall or a failed load."""
        start = time.monotonic()
        deadline = start + timeout
        while True:
            found = await self._find(alternatives)
            if found is not None:
                return found
            if self.signals.network_error or await self._check_blocked():
                return None
            if time.monotonic() >= min(deadline, self._error_page_deadline(start)):
                return None
            await asyncio.sleep(POLL_S)

    def _error_page_deadline(self, start: float) -> float:
        """On an HTTP error page, looking for the form's elements stops after a short grace."""
        if self.signals.http_status is not None and self.signals.http_status >= 400:
            return start + ERROR_PAGE_GRACE_S
        return float("inf")

    async def _check_blocked(self) -> bool:
        if self.signals.blocked_marker is None:
            self.signals.blocked_marker = await self._blocked()
        return self.signals.blocked_marker is not None

    def _step_timeout(self, step: RunnableStep) -> float:
        if self.timeouts.forced:
            return self.timeouts.step
        return step.timeout or self.flow.timeout or self.timeouts.step

    # --- steps -------------------------------------------------------------------------

    async def _execute(self, step: RunnableStep, index: int) -> Outcome:
        """Dispatch one step to its handler (exhaustive over the step types)."""
        if isinstance(step, OpenStep):
            return await self._open(step.open)
        if isinstance(step, ClickStep):
            return await self._click(step, index)
        if isinstance(step, SeeStep):
            return await self._see(step, index)
        if isinstance(step, WaitStep):
            return await self._wait(step, index)
        if isinstance(step, DismissStep):
            return await self._dismiss(step)
        assert_never(step)

    async def _open(self, url: str) -> Outcome:
        try:
            await self.page.goto(url, wait_until="commit", timeout=self.timeouts.navigation * 1000)
        except Exception as exc:
            if self.signals.network_error is None:
                message = str(exc).splitlines()[0]
                self.signals.network_error = (
                    f"timed out after {self.timeouts.navigation:g} s loading {url}"
                    if "Timeout" in message
                    else message.removeprefix("Page.goto: ")
                )
        await self.doc.settle(self.timeouts.navigation)
        if self.signals.network_error:
            return Outcome(StepStatus.FAILED, self.signals.network_error)
        return Outcome(StepStatus.OK, f"HTTP {self.signals.http_status}")

    async def _absent(self, step: FindStep | WaitStep, what: str, index: int) -> Outcome:
        """Apply the step's `absent` rule when what it looked for is not there."""
        if self.signals.blocked_marker or self.signals.network_error:
            return Outcome(StepStatus.BLOCKED if self.signals.blocked_marker else StepStatus.FAILED)
        if step.absent is Absent.SKIP:
            return Outcome(StepStatus.SKIPPED, f"not found: {what}")
        if step.absent is Absent.MISSING:
            proof = getattr(step, "on_page", None)
            if proof and await self._find(proof) is None:
                self.signals.failed_step = (
                    f"step {index}: not on the expected page (none of "
                    f"{' or '.join(p.describe() for p in proof)} is shown), so the absence of "
                    f"{what} proves nothing"
                )
                return Outcome(StepStatus.FAILED, self.signals.failed_step)
            self.signals.absent_step = f"no {what} (step {index}, declared absent: missing)"
            seen = [m.describe() for m in getattr(step, "instead", []) if await self._on_page(m)]
            self.signals.absent_instead = "; ".join(seen) or None
            detail = f"not found: {what}" + (f"; instead: {'; '.join(seen)}" if seen else "")
            return Outcome(StepStatus.ABSENT, detail)
        self.signals.failed_step = f"step {index}: {what} not found"
        return Outcome(StepStatus.FAILED, f"not found: {what}")

    async def _click(self, step: ClickStep, index: int) -> Outcome:
        found = await self._wait_for(step.click, self._step_timeout(step))
        if found is None and not (self.signals.network_error or self.signals.blocked_marker):
            hidden = await self._find_hidden_link(step.click)
            if hidden is not None and hidden.href:
                # The link is there, in a part of the page that is not shown: a person would
                # open that part; following its address reaches the same page.
                await self._open(hidden.href)
                if self.signals.network_error:
                    return Outcome(StepStatus.FAILED, self.signals.network_error, hidden)
                detail = (
                    f"{hidden.locator.describe()} is in a hidden part of the page; "
                    f"followed its address {hidden.href}"
                )
                return Outcome(StepStatus.OK, detail, hidden, len(step.click))
        if found is None:
            return await self._absent(
                step, " or ".join(loc.describe() for loc in step.click), index
            )
        if await _sends_a_form(found.element):
            self.signals.failed_step = (
                f"step {index}: refused to click {found.locator.describe()}: it would send a "
                "form, and optout never sends forms"
            )
            return Outcome(StepStatus.FAILED, self.signals.failed_step, found, len(step.click))
        timeout_ms = self._step_timeout(step) * 1000
        detail = f"clicked {found.locator.describe()}" + (f" → {found.href}" if found.href else "")
        try:
            new_tab = found.href and await found.element.get_attribute("target") == "_blank"
            if new_tab and found.href:
                # Follow a new-tab link in this page, so one page holds the whole path.
                async with self.page.expect_popup(timeout=timeout_ms) as popup_info:
                    await found.element.click(timeout=timeout_ms)
                await (await popup_info.value).close()
                await self._open(found.href)
                detail += " (opens a new tab: followed in this one)"
            else:
                await found.element.click(timeout=timeout_ms)
        except Exception as exc:
            self.signals.failed_step = (
                f"step {index}: could not click {found.locator.describe()}: "
                f"{str(exc).splitlines()[0]}"
            )
            return Outcome(StepStatus.FAILED, self.signals.failed_step, found, len(step.click))
        await self.doc.settle(self.timeouts.navigation)
        if self.signals.network_error:
            return Outcome(StepStatus.FAILED, self.signals.network_error, found, len(step.click))
        return Outcome(StepStatus.OK, detail, found, len(step.click))

    async def _see(self, step: SeeStep, index: int) -> Outcome:
        found = await self._wait_for(step.see, self._step_timeout(step))
        if found is None:
            return await self._absent(step, " or ".join(loc.describe() for loc in step.see), index)
        return Outcome(StepStatus.OK, f"saw {found.locator.describe()}", found, len(step.see))

    async def _wait(self, step: WaitStep, index: int) -> Outcome:
        deadline = time.monotonic() + self._step_timeout(step)
        while True:
            if await self._marker_visible(step.wait):
                return Outcome(StepStatus.OK, f"saw {step.wait.describe()}")
            if self.signals.network_error or await self._check_blocked():
                break
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(POLL_S)
        return await self._absent(step, step.wait.describe(), index)

    async def _dismiss(self, step: DismissStep) -> Outcome:
        spec = step.dismiss
        dialog = await self._wait_for(
            spec.dialog, min(spec.appear_timeout, self._step_timeout(step))
        )
        if dialog is None:
            return Outcome(StepStatus.SKIPPED, f"no {spec.reason} shown")
        button = await self._find(spec.buttons)
        if button is None:
            self.signals.blocked_marker = f"{spec.reason} could not be closed (no known button)"
            return Outcome(StepStatus.BLOCKED, self.signals.blocked_marker)
        try:
            label = " ".join((await button.element.inner_text(timeout=2000)).split())
            await button.element.click(timeout=self._step_timeout(step) * 1000)
        except Exception as exc:
            label = f"{button.locator.describe()} ({str(exc).splitlines()[0]})"
        deadline = time.monotonic() + self._step_timeout(step)
        while await self._find(spec.dialog) is not None:
            if time.monotonic() >= deadline:
                self.signals.blocked_marker = f"{spec.reason} could not be closed"
                return Outcome(StepStatus.BLOCKED, f"pressed {label!r}; the dialog stayed", button)
            await asyncio.sleep(POLL_S)
        await self.doc.settle(self.timeouts.navigation)
        return Outcome(StepStatus.OK, f"pressed {label!r}", button, len(spec.buttons))

    async def _check_target(self) -> Outcome:
        """Race the form's `present` checks against the `missing_when` markers."""
        target = self.flow.target
        self.signals.reached_target = True
        self.signals.target_url_pattern = target.url
        url_re = compile_pattern(target.url) if target.url else None
        start = time.monotonic()
        deadline = start + (
            self.timeouts.step if self.timeouts.forced else self.flow.timeout or self.timeouts.step
        )
        wrong_url_since: float | None = None
        while True:
            if await self._check_blocked() or self.signals.network_error:
                return Outcome(
                    StepStatus.BLOCKED if self.signals.blocked_marker else StepStatus.FAILED
                )
            for marker in target.missing_when:
                if await self._marker_visible(marker):
                    self.signals.missing_marker = (
                        marker.reason or f"unavailable marker {marker.describe()}"
                    )
                    return Outcome(StepStatus.ABSENT, self.signals.missing_marker)
            found: list[str] = []
            not_found: list[str] = []
            for requirement in target.present:
                hit = await self._find(requirement)
                (found if hit else not_found).append(
                    (hit.locator if hit else requirement[0]).describe()
                )
            self.signals.present_found, self.signals.present_not_found = found, not_found
            url_ok = url_re is None or bool(url_re.search(self.page.url))
            self.signals.target_url_ok = None if url_re is None else url_ok
            if url_ok and not not_found:
                return Outcome(StepStatus.OK, "found " + ", ".join(found))
            now = time.monotonic()
            if not url_ok and not self.doc.pending:
                wrong_url_since = wrong_url_since or now
                if now - wrong_url_since >= WRONG_URL_GRACE_S:
                    break
            if now >= min(deadline, self._error_page_deadline(start)):
                break
            await asyncio.sleep(POLL_S)
        return Outcome(StepStatus.FAILED, "not found: " + ", ".join(not_found or ["the form URL"]))

    # --- the attempt ---------------------------------------------------------------------

    async def _record(
        self, index: int, action: str, description: str, started: float, outcome: Outcome
    ) -> StepRecord:
        screenshot: bytes | None = None
        try:
            screenshot = await self.page.screenshot(timeout=10_000)
        except Exception:
            screenshot = None
        found = outcome.found
        record = StepRecord(
            index=index,
            action=action,
            description=description,
            status=outcome.status,
            duration_s=round(time.monotonic() - started, 2),
            url=self.page.url,
            detail=outcome.detail,
            matched=found.locator.describe() if found else None,
            alternative=found.alternative + 1 if found and outcome.alternatives > 1 else None,
        )
        self.steps.append(record)
        self.on_step(record, screenshot)
        return record

    async def run(self) -> tuple[FlowResult, FinalCapture]:
        """Run the flow once; return its result and the capture of the final page."""
        started_at, t0 = _now(), time.monotonic()
        plan: list[tuple[str, str, RunnableStep | None]] = [
            (
                "open-start",
                f"open {self.flow.start}",
                OpenStep.model_validate({"open": self.flow.start}),
            )
        ]
        plan += [(action_of(s), s.describe(), s) for s in self.flow.runnable_steps()]
        plan.append(("check-form", "check the form", None))
        for index, (action, description, step) in enumerate(plan, start=1):
            began = time.monotonic()
            if step is None:
                outcome = await self._check_target()
            elif step.when is not None and not await self._marker_visible(step.when):
                outcome = Outcome(
                    StepStatus.SKIPPED, f"not needed: {step.when.describe()} not shown"
                )
            else:
                outcome = await self._execute(step, index)
                if outcome.status is StepStatus.OK and await self._check_blocked():
                    outcome.status = StepStatus.BLOCKED
                    outcome.detail = self.signals.blocked_marker
            stopped = outcome.status not in (StepStatus.OK, StepStatus.SKIPPED)
            observed = self._observed() if stopped or step is None else None
            await self._record(index, action, description, began, outcome)
            if observed is not None:
                break
        assert observed is not None, "the target check always ends the plan"
        verdict, reason, rule = decide(observed)
        final = await self._capture()
        result = FlowResult(
            flow=self.flow.id,
            name=self.flow.name,
            start=self.flow.start,
            locale=self.locale,
            verdict=verdict,
            reason=reason,
            rule=rule,
            final_url=observed.final_url,
            attempt=self.attempt,
            started_at=started_at,
            duration_s=time.monotonic() - t0,
            steps=self.steps,
            navigations=self.doc.navigations,
            http_status=self.signals.http_status,
        )
        return result, final

    def _observed(self) -> Signals:
        """The signals as they are now, frozen: what loads later cannot change the verdict."""
        if self.doc.pending and self.signals.network_error is None:
            self.signals.network_error = f"{next(iter(self.doc.pending)).url} was still loading"
        self.signals.final_url = self.page.url
        return copy.deepcopy(self.signals)

    async def _capture(self) -> FinalCapture:
        capture = FinalCapture()
        try:
            capture.png = await self.page.screenshot(full_page=True, timeout=15_000)
        except Exception:
            capture.png = None
        try:
            capture.html = await self.page.content()
        except Exception:
            capture.html = None
        try:
            capture.aria = await self.page.locator("body").aria_snapshot(timeout=ARIA_TIMEOUT_MS)
        except Exception:
            capture.aria = None
        return capture
