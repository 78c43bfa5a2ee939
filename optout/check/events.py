"""The events a run emits. Evidence writing, progress and logging listen to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    """Delivers each event to every listener, in the order they subscribed."""

    def __init__(self, listeners: list[Listener] | None = None) -> None:
        self.listeners: list[Listener] = list(listeners or [])

    def emit(self, event: Event) -> None:
        for listener in self.listeners:
            listener(event)
