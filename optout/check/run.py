"""One run: a browser, a context per flow × locale, workers, retries, the summary.

The run writes nothing itself: it emits events on a bus and the evidence
writer, the progress display and the logger listen.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from optout import __version__
from optout.browser import proxy, sessions
from optout.browser.launch import BrowserNotFound, find_browser
from optout.browser.origins import OriginMap, Router
from optout.browser.pool import BrowserPool, Endpoint
from optout.browser.proxy import Proxy
from optout.check.events import (
    AttemptFinished,
    AttemptStarted,
    Bus,
    Listener,
    RunFinished,
    RunStarted,
    StepFinished,
)
from optout.check.results import FinalCapture, FlowResult, RunSummary, StepRecord
from optout.check.runner import FlowRunner, Timeouts
from optout.check.shard import shard_jobs
from optout.check.verdict import (
    ExitCode,
    Outcome,
    Signals,
    Verdict,
    decide,
    exit_code,
    is_change,
    is_regression,
)
from optout.flow.model import Flow

if TYPE_CHECKING:
    pass

DEFAULT_TIMEZONE = "Europe/Paris"
VIEWPORT = {"width": 1280, "height": 900}


class CheckerError(RuntimeError):
    """The checker itself could not work: no browser, a crash (exit code 3)."""


@dataclass
class RunOptions:
    """Everything `optout verify` can be told, as plain values."""

    recordings: Path = Path("recordings")
    locales: list[str] = field(default_factory=list)
    maps: list[OriginMap] = field(default_factory=list)
    proxies: list[Proxy] = field(default_factory=list)
    """`--proxy` values: the network exit of each locale's browser contexts."""
    timeout: float | None = None
    page_timeout: float | None = None
    """`--page-timeout`: seconds for a page load, apart from `timeout` (the steps')."""
    retries: int = 0
    confirm: int = 1
    """Re-runs that must agree before a changed verdict counts."""
    workers: int = 1
    headed: bool = False
    browser_path: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    sessions: dict[str, Path] = field(default_factory=dict)
    """`--session NAME=PATH` values."""
    last: dict[tuple[str, str], Verdict] = field(default_factory=dict)
    """The last conclusive verdict of each (flow, locale), read from the recordings by the
    command: a run compares with it but never reads the recordings folder itself."""
    deadline: float | None = None
    """Seconds the whole run may take; flows it cuts off are `unreachable` ("run deadline")."""
    run_id: str | None = None
    """The run's id when the command has allocated its folder already."""
    endpoints: list[Endpoint] = field(default_factory=list)
    """`--connect`/`--cdp` browsers to use instead of a local one (jobs spread over them)."""
    shard: tuple[int, int] | None = None
    """`--shard I/N`: run only this deterministic slice of the jobs."""
    durations: dict[tuple[str, str], float] = field(default_factory=dict)
    """Recent durations of the (flow, locale) pairs, to balance the shards."""


@dataclass
class Stop:
    """Set by the command when a signal asks the run to stop (SIGINT, SIGTERM)."""

    signal: int | None = None
    summary: RunSummary | None = None
    """The run's summary, finished even when the run was cancelled."""


def accept_language(locale: str) -> str:
    """`fr-FR` → `fr-FR,fr;q=0.9`."""
    lang = locale.split("-")[0]
    return f"{locale},{lang};q=0.9" if lang != locale else locale


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def plan(
    flows: list[Flow],
    locales: list[str],
    shard: tuple[int, int] | None = None,
    durations: dict[tuple[str, str], float] | None = None,
) -> list[tuple[Flow, str]]:
    """The (flow, locale) jobs of a run, in order, filtered by `--locale` and `--shard`."""
    jobs = [(f, loc) for f in flows for loc in f.locales if not locales or loc in locales]
    if shard is not None:
        jobs = shard_jobs(jobs, shard[0], shard[1], durations or {})
    return jobs


@dataclass
class AttemptPolicy:
    """Decides, after each attempt, whether to stop, retry or confirm (no browser here).

    An inconclusive verdict is re-run up to `retries` times. A conclusive verdict that
    differs from the last conclusive one recorded (a change) is re-run `confirm` times,
    and stands only if every re-run agrees; inconclusive results never count as a change.
    """

    retries: int
    confirm: int
    last: Verdict | None
    candidate: Verdict | None = None
    confirmed: int = 0
    retried: int = 0

    def is_change(self, verdict: Verdict) -> bool:
        return is_change(verdict, self.last)

    def after(self, verdict: Verdict) -> str | None:
        """`None` to stop, else why to run again: "retry" or "confirm"."""
        if self.candidate is not None:
            if verdict == self.candidate:
                self.confirmed += 1
                return "confirm" if self.confirmed < self.confirm else None
            self.candidate, self.confirmed = None, 0  # the re-run disagrees: not confirmed
        if not verdict.conclusive:
            if self.retried < self.retries:
                self.retried += 1
                return "retry"
            return None
        if self.is_change(verdict) and self.confirm > 0:
            self.candidate = verdict
            return "confirm"
        return None


async def _attempt(
    pool: BrowserPool,
    slot: int,
    flow: Flow,
    locale: str,
    attempt: int,
    options: RunOptions,
    bus: Bus,
    storage_state: Path | None,
) -> tuple[FlowResult, FinalCapture]:
    """One attempt of one flow in a fresh browser context."""
    default = Timeouts()
    timeouts = Timeouts(
        step=options.timeout or default.step,
        navigation=options.page_timeout or options.timeout or default.navigation,
        forced=options.timeout is not None,
    )
    browser = await pool.get(slot)
    context = await browser.new_context(
        locale=locale,
        timezone_id=options.timezone,
        extra_http_headers={"Accept-Language": accept_language(locale)},
        viewport=VIEWPORT,  # type: ignore[arg-type]
        storage_state=storage_state,
        proxy=proxy.settings(options.proxies, locale),  # type: ignore[arg-type]
    )
    try:
        router = Router(options.maps, timeout=timeouts.navigation)
        await router.attach(context)
        page = await context.new_page()

        def on_step(record: StepRecord, png: bytes | None) -> None:
            bus.emit(StepFinished(flow.id, locale, attempt, record, png))

        runner = FlowRunner(
            flow, locale, page, router=router, timeouts=timeouts, on_step=on_step, attempt=attempt
        )
        result, final = await runner.run()
        if not browser.is_connected():  # the page "failed" because the browser died
            why = f"the browser crashed during the flow ({result.reason})"
            return _cut(flow, locale, attempt, why)
        return result, final
    except PlaywrightError as exc:
        if browser.is_connected():
            raise
        # The browser died under this flow: the flow could not look, which says nothing
        # of the form. The next attempt or flow gets a new browser.
        message = str(exc).splitlines()[0]
        return _cut(flow, locale, attempt, f"the browser crashed during the flow ({message})")
    finally:
        with contextlib.suppress(PlaywrightError):
            await context.close()


def _cut(flow: Flow, locale: str, attempt: int, why: str) -> tuple[FlowResult, FinalCapture]:
    """An attempt that could not look at the page: unreachable, with `why` as its reason."""
    return _without_page(flow, locale, attempt, Signals(network_error=why)), FinalCapture()


def _without_page(flow: Flow, locale: str, attempt: int, signals: Signals) -> FlowResult:
    """The result of an attempt decided without looking at a page (no session, no time...)."""
    verdict, reason, rule = decide(signals)
    return FlowResult(
        flow=flow.id,
        name=flow.name,
        start=flow.start,
        locale=locale,
        verdict=verdict,
        reason=reason,
        rule=rule,
        final_url="",
        attempt=attempt,
        started_at=_timestamp(_utcnow()),
        duration_s=0.0,
        session=flow.session or "",
    )


async def _run_job(
    pool: BrowserPool,
    slot: int,
    flow: Flow,
    locale: str,
    options: RunOptions,
    bus: Bus,
    last: Verdict | None,
    deadline_at: float | None = None,
) -> FlowResult:
    """Every attempt of one flow × locale: retries of inconclusive ones, confirmations."""
    expected = flow.expected or last
    storage_state = sessions.resolve(flow.session, options.sessions) if flow.session else None
    if flow.session and storage_state is None:
        return _no_session(flow, locale, bus, expected)
    policy = AttemptPolicy(retries=options.retries, confirm=options.confirm, last=last)
    attempt = 0
    while True:
        attempt += 1
        bus.emit(AttemptStarted(flow.id, locale, attempt))
        job = _attempt(pool, slot, flow, locale, attempt, options, bus, storage_state)
        if deadline_at is None:
            result, final = await job
        else:
            result, final = await _before_deadline(job, deadline_at, flow, locale, attempt, options)
        again = policy.after(result.verdict)
        result.attempts = attempt
        result.expected = expected
        result.regression = is_regression(result.verdict, expected)
        result.change = policy.is_change(result.verdict)
        result.changed_from = last if result.change else None
        result.confirmations = policy.confirmed
        bus.emit(AttemptFinished(result, final, again is not None, again or ""))
        if again is None:
            return result


async def _before_deadline(
    job: Coroutine[Any, Any, tuple[FlowResult, FinalCapture]],
    deadline_at: float,
    flow: Flow,
    locale: str,
    attempt: int,
    options: RunOptions,
) -> tuple[FlowResult, FinalCapture]:
    """Run one attempt, cut off (unreachable, "run deadline") when the run's time is up."""
    why = f"run deadline: the run's {options.deadline:g} s were up"
    remaining = deadline_at - asyncio.get_running_loop().time()
    if remaining <= 0:
        job.close()
        return _cut(flow, locale, attempt, f"{why} before this flow started")
    try:
        return await asyncio.wait_for(job, remaining)
    except TimeoutError:
        return _cut(flow, locale, attempt, f"{why} while this flow ran")


def _no_session(flow: Flow, locale: str, bus: Bus, expected: Verdict | None) -> FlowResult:
    """A flow that needs a saved login nobody saved: blocked, without opening a page."""
    assert flow.session is not None
    bus.emit(AttemptStarted(flow.id, locale, 1))
    signals = Signals(blocked_marker=sessions.missing_reason(flow.session))
    result = _without_page(flow, locale, 1, signals)
    result.expected = expected
    bus.emit(AttemptFinished(result, FinalCapture(), retry=False))
    return result


def check_sessions(flows: list[Flow], options: RunOptions) -> None:
    """Fail early (SessionError) on a session file that exists but cannot be used."""
    for flow in flows:
        if flow.session:
            sessions.resolve(flow.session, options.sessions)


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def run_flows(
    flows: list[Flow],
    options: RunOptions,
    critical: list[Listener],
    listeners: list[Listener] | None = None,
    stop: Stop | None = None,
) -> RunSummary:
    """Run every flow × locale and return the summary (its exit code included).

    `critical` listeners (evidence, sealing) stop the run when they fail; the others
    (progress, logs) are only logged. When the run is cancelled (a signal, noted in
    `stop`), the results finished so far are still summarised and `RunFinished` emitted,
    so that they are written and sealed, and the summary says the run was interrupted.
    """
    from playwright.async_api import async_playwright

    bus = Bus(critical, listeners)
    started = _utcnow()
    jobs = plan(flows, options.locales, options.shard, options.durations)
    loop = asyncio.get_running_loop()
    deadline_at = loop.time() + options.deadline if options.deadline else None
    summary = RunSummary(
        run_id=options.run_id or started.strftime("%Y%m%dT%H%M%SZ"),
        started_at=_timestamp(started),
        tool={"name": "optout", "version": __version__, "python": sys.version.split()[0]},
        options={
            "locales": options.locales,
            "map_origin": [f"{m.source}={m.target}" for m in options.maps],
            "proxy": proxy.recorded(options.proxies),
            "timeout": options.timeout,
            "page_timeout": options.page_timeout,
            "retries": options.retries,
            "confirm": options.confirm,
            "workers": options.workers,
            "deadline": options.deadline,
            "shard": f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
            "browsers": [e.describe() for e in options.endpoints] or None,
        },
    )
    async with async_playwright() as playwright:
        local = not options.endpoints
        choice = find_browser(playwright, options.browser_path) if local else None
        pool = BrowserPool(
            playwright, choice, options.headed, options.endpoints, options.browser_path
        )
        browsers = [await pool.get(slot) for slot in range(len(pool.endpoints))]
        summary.browser = {
            "name": "chromium",
            "version": browsers[0].version,
            "source": choice.source if choice else pool.describe(),
        }
        if stop is not None:
            stop.summary = summary
        bus.emit(RunStarted(summary.run_id, summary.started_at, [(f.id, loc) for f, loc in jobs]))
        gate = asyncio.Semaphore(max(1, options.workers))
        results: dict[int, FlowResult] = {}

        async def one(i: int, flow: Flow, locale: str) -> None:
            async with gate:
                last = options.last.get((flow.id, locale))
                results[i] = await _run_job(pool, i, flow, locale, options, bus, last, deadline_at)

        try:
            await asyncio.gather(*(one(i, f, loc) for i, (f, loc) in enumerate(jobs)))
        finally:
            summary.results = [results[i] for i in sorted(results)]
            summary.finished_at = _timestamp(_utcnow())
            complete = len(results) == len(jobs)
            summary.exit_code = int(
                exit_code(Outcome(r.verdict, r.regression) for r in summary.results)
                if complete
                else ExitCode.CHECKER_FAILED
            )
            if stop is not None and stop.signal is not None:
                summary.interrupted = signal.Signals(stop.signal).name
                summary.exit_code = 128 + stop.signal  # 130, 143: ExitCode.INTERRUPTED...
            summary.options["complete"] = complete
            summary.options["browser_launches"] = pool.launches
            bus.emit(RunFinished(summary))
            await pool.close()
    return summary


__all__ = ["BrowserNotFound", "CheckerError", "RunOptions", "accept_language", "plan", "run_flows"]
