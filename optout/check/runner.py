"""One flow in one browser page: walls, failures, the target check; no files written.

The runner looks at the page and records `Signals` (the steps themselves are in
`optout.check.steps`); `optout.check.verdict.decide` turns them into the verdict.
Everything the page goes through is reported through the `on_step` callback; the
evidence writer listens.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from playwright.async_api import Error as PlaywrightError

from optout.browser import sessions
from optout.check.bounded import bounded
from optout.check.locate import FormsSeen
from optout.check.looking import PageLook
from optout.check.navigation import MainDocument
from optout.check.privacy import MASK_COLOR, mask_locators, scrub
from optout.check.region import EU, PROBE_URL, RegionSeen, merge, region_of
from optout.check.results import FinalCapture, FlowResult, StepRecord, StepStatus
from optout.check.steps import POLL_S, Found, Outcome, action_of, execute
from optout.check.target import ERROR_PAGE_GRACE_S, check_target, confirm
from optout.check.verdict import Signals, decide, would_be_missing
from optout.flow import wording
from optout.flow.locators import BUILTIN_BLOCKED, BUILTIN_TRANSIENT, Locator, Marker
from optout.flow.model import Flow, OpenStep, RunnableStep
from optout.flow.verdicts import Verdict

if TYPE_CHECKING:
    from playwright.async_api import Page

    from optout.browser.origins import Router

QUIET_S = 0.5
"""A page loaded, with nothing in flight and no new element for this long, is done loading."""
ARIA_TIMEOUT_MS = 5000
NEEDS_LOGIN = Marker.model_validate({"words": "needs_login", "reason": "Meta's note"})

StepCallback = Callable[[StepRecord, bytes | None], None]


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait: for one step's condition, and for a page to load."""

    step: float = 15.0
    navigation: float = 30.0
    forced: bool = False
    """`--timeout` was given: it wins over the flow's own timeouts."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FlowRunner(PageLook):
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
        self.seen_at: float | None = None
        """When the target check found the form (monotonic seconds), for the second look."""
        self.doc = MainDocument(page, router, self.signals)
        self._langs: dict[str, str | None] = {}
        self.forms = FormsSeen()
        """What the target check last saw of the page's forms."""
        self.region: RegionSeen | None = None
        """The regional version of Meta's pages the flow's pages showed so far."""

    async def transient_now(self) -> str | None:
        """What the page shows now that says it failed and to try again, if anything."""
        return await self.first_seen([*self.flow.transient_when, *BUILTIN_TRANSIENT])

    async def check_transient(self) -> bool:
        """Record a transient error the page shows; only called when the flow stops.

        It is never recorded while the flow still progresses, so that a page that mentions
        "try again" somewhere and then shows the form stays `available`.
        """
        if self.signals.transient_marker is None:
            self.signals.transient_marker = await self.transient_now()
        return self.signals.transient_marker is not None

    async def note_needs_login(self) -> None:
        """Without a saved login, record Meta's note that the forms may need one, if the page
        shows it (in any language of the catalogue; hidden parts too): what such a page lacks
        logged out proves nothing of the form."""
        if self.flow.session or self.signals.needs_login is not None:
            return
        if await self.on_page(NEEDS_LOGIN):
            quoted = await self.seen(NEEDS_LOGIN)
            self.signals.needs_login = quoted or f"{NEEDS_LOGIN.describe()} (in a hidden part)"

    async def wait_for(
        self, alternatives: Sequence[Locator], timeout: float, *, maybe: bool = False
    ) -> Found | None:
        """Poll until one alternative is visible; give up early on a wall or a failed load.

        `maybe`: the element may never come (a cookie dialog), so waiting also ends once the
        page has been quiet for `QUIET_S` (loaded, nothing in flight, not growing).
        """
        start = time.monotonic()
        deadline = start + timeout
        while True:
            found = await self.find(alternatives)
            if found is not None:
                return found
            if self.signals.network_error or await self.check_blocked():
                return None
            if maybe and await self.doc.quiet_for() >= QUIET_S:
                return None
            grace_over = time.monotonic() >= start + ERROR_PAGE_GRACE_S
            if grace_over and await self.transient_now() is not None:
                return None  # the page says it failed: no use waiting for the element
            if time.monotonic() >= min(deadline, self.error_page_deadline(start)):
                return None
            await asyncio.sleep(POLL_S)

    def error_page_deadline(self, start: float) -> float:
        """On an HTTP error page, looking for the form's elements stops after a short grace."""
        if self.signals.http_status is not None and self.signals.http_status >= 400:
            return start + ERROR_PAGE_GRACE_S
        return float("inf")

    async def check_blocked(self) -> bool:
        """Record a wall the page shows; under a saved login, a wall means it expired."""
        if self.signals.blocked_marker is None:
            for marker in await self.maybe_shown([*self.flow.blocked_when, *BUILTIN_BLOCKED]):
                seen = await self.seen(marker)
                if seen is None:
                    continue
                if marker.logged_out and self.flow.session:
                    self.signals.session_expired = (
                        f"{sessions.expired_reason(self.flow.session)}; the page showed {seen}"
                    )
                self.signals.blocked_marker = seen
                break
        return self.signals.blocked_marker is not None

    def step_timeout(self, step: RunnableStep) -> float:
        if self.timeouts.forced:
            return self.timeouts.step
        return step.timeout or self.flow.timeout or self.timeouts.step

    # --- steps -------------------------------------------------------------------------

    async def open(self, url: str) -> Outcome:
        try:
            await self.page.goto(url, wait_until="commit", timeout=self.timeouts.navigation * 1000)
        except PlaywrightError as exc:
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

    # --- the attempt ---------------------------------------------------------------------

    async def _record(
        self, index: int, action: str, description: str, started: float, outcome: Outcome
    ) -> StepRecord:
        screenshot: bytes | None = None
        for retry in (False, True):  # once more when the page was between two documents
            try:
                screenshot = await self.page.screenshot(
                    timeout=10_000, mask=mask_locators(self.page, self.flow), mask_color=MASK_COLOR
                )
                break
            except PlaywrightError:
                if not retry:
                    await asyncio.sleep(0.5)
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
        self.region = merge(self.region, await region_of(self.page))
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
                outcome = await check_target(self)
            elif step.when is not None and not await self.marker_visible(step.when):
                outcome = Outcome(
                    StepStatus.SKIPPED, f"not needed: {step.when.describe()} not shown"
                )
            else:
                outcome = await execute(self, step, index)
                if outcome.status is StepStatus.OK and await self.check_blocked():
                    outcome.status = StepStatus.BLOCKED
                    outcome.detail = self.signals.blocked_marker
            stopped = outcome.status not in (StepStatus.OK, StepStatus.SKIPPED)
            explained = self.signals.blocked_marker or self.signals.network_error
            if stopped and not (explained or self.signals.covered_by):
                await self.check_transient()  # a failing page explains the stop
            observed = self._observed() if stopped or step is None else None
            await self._record(index, action, description, began, outcome)
            if observed is not None:
                break
        assert observed is not None, "the target check always ends the plan"
        final = await self._capture()
        if self.flow.region == EU and observed.region != EU and would_be_missing(observed):
            observed = await self._probe_region(observed, len(plan) + 1)
        verdict, reason, rule = decide(observed)
        if verdict is Verdict.AVAILABLE and self.seen_at is not None:
            began = time.monotonic()
            outcome = await confirm(self, self.seen_at)
            if outcome.status is not StepStatus.OK:  # the page changed under the check
                if not (
                    self.signals.blocked_marker
                    or self.signals.network_error
                    or (self.signals.covered_by)
                ):
                    await self.check_transient()
                observed = self._observed()
                await self._record(len(plan) + 1, "check-form", "check the form again",
                                   began, outcome)  # fmt: skip
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
            http_status=observed.http_status,
            region=observed.region,
            region_evidence=observed.region_evidence,
            page_language=observed.page_language,
            title=final.title,
            session=self.flow.session or "",
        )
        return result, final

    async def _probe_region(self, observed: Signals, index: int) -> Signals:
        """A `missing` for the EU forms, and no page of the flow showed the EU version: open
        the privacy policy, which names its controller, to see which version this network
        exit is served. The verdict is decided on `observed`, the signals of the flow's own
        pages; only the region comes from here. The final capture stays the flow's page."""
        began = time.monotonic()
        outcome = await self.open(PROBE_URL)
        seen = await region_of(self.page) if outcome.status is StepStatus.OK else None
        if seen is not None:
            observed.region, observed.region_evidence = seen.region, seen.evidence
            outcome = Outcome(StepStatus.OK, seen.evidence)
        else:
            observed.region_evidence = (
                f"the privacy policy at {PROBE_URL} did not load: {outcome.detail}"
                if outcome.status is not StepStatus.OK
                else f"the privacy policy at {PROBE_URL} named no controller"
            )
            outcome = Outcome(StepStatus.FAILED, observed.region_evidence)
        description = "check which region's version Meta serves here (its privacy policy)"
        await self._record(index, "check-region", description, began, outcome)
        return observed

    def _observed(self) -> Signals:
        """The signals as they are now, frozen: what loads later cannot change the verdict."""
        if self.doc.pending and self.signals.network_error is None:
            self.signals.network_error = f"{next(iter(self.doc.pending)).url} was still loading"
        self.signals.final_url = self.page.url
        self.signals.region_required = self.flow.region
        if self.region is not None:
            self.signals.region = self.region.region
            self.signals.region_evidence = self.region.evidence
        elif self.signals.region_evidence is None:
            self.signals.region_evidence = "no page of this check named a controller"
        if self.signals.unknown_words:
            lang = wording.language_of(self.signals.page_language)
            self.signals.unknown_note = wording.unknown_note(self.signals.unknown_words, lang)
        return copy.deepcopy(self.signals)

    async def _capture(self) -> FinalCapture:
        capture = FinalCapture()
        try:
            capture.png = await self.page.screenshot(
                full_page=True,
                timeout=15_000,
                mask=mask_locators(self.page, self.flow),
                mask_color=MASK_COLOR,
            )
        except PlaywrightError:
            capture.png = None
        try:
            await scrub(self.page, self.flow)
        except PlaywrightError:
            # The DOM could not be cleaned: keep no DOM rather than one with personal data.
            return capture
        try:
            capture.title = " ".join((await bounded(self.page.title())).split())
        except PlaywrightError:
            capture.title = ""
        try:
            capture.html = await bounded(self.page.content())
        except PlaywrightError:
            capture.html = None
        try:
            capture.aria = await self.page.locator("body").aria_snapshot(timeout=ARIA_TIMEOUT_MS)
        except PlaywrightError:
            capture.aria = None
        return capture
