"""The events a run emits. Evidence writing, progress and logging listen to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog

from optout.check.results import FinalCapture, FlowResult, RunSummary, StepRecord


@dataclass(frozen=True)
class RunStarted:
    run_id: str
    started_at: str
    jobs: list[tuple[str, str]]
    """(flow id, locale) pairs, in order."""


@dataclass(frozen=True)
class AttemptStarted:
    flow: str
    locale: str
    attempt: int


@dataclass(frozen=True)
class StepFinished:
    flow: str
    locale: str
    attempt: int
    step: StepRecord
    screenshot: bytes | None


@dataclass(frozen=True)
class AttemptFinished:
    result: FlowResult
    final: FinalCapture
    retry: bool
    """Whether another attempt follows."""
    why: str = ""
    """Why another attempt follows: "retry" (inconclusive) or "confirm" (a change)."""


@dataclass(frozen=True)
class RunFinished:
    summary: RunSummary


Event = RunStarted | AttemptStarted | StepFinished | AttemptFinished | RunFinished
Listener = Callable[[Event], None]


class Bus:
    """Delivers each event to every listener, critical ones first, in subscription order.

    A critical listener (the evidence writer, the sealer) that fails stops the run: its
    error propagates. Any other listener (progress display, logger) that fails is logged
    once per event and the run goes on.
    """

    def __init__(
        self, critical: list[Listener] | None = None, listeners: list[Listener] | None = None
    ) -> None:
        self.critical: list[Listener] = list(critical or [])
        self.listeners: list[Listener] = list(listeners or [])

    def emit(self, event: Event) -> None:
        for listener in self.critical:
            listener(event)
        for listener in self.listeners:
            try:
                listener(event)
            except Exception as exc:  # a display or log failure never stops a run
                structlog.get_logger("optout").error(
                    "listener.failed",
                    listener=getattr(listener, "__qualname__", type(listener).__qualname__),
                    on=type(event).__name__,
                    error=f"{type(exc).__name__}: {exc}",
                )
