"""What a person sees: a line per finished flow × locale, the verdict table, log lines."""

from __future__ import annotations

from typing import IO

import structlog
from rich.console import Console
from rich.table import Table

from optout.check.events import AttemptFinished, Event, RunFinished, RunStarted, StepFinished
from optout.check.results import FlowResult
from optout.check.verdict import Verdict
from optout.flow import wording
from optout.flow.model import Flow

STYLES = {
    Verdict.AVAILABLE: "bold green",
    Verdict.MISSING: "bold red",
    Verdict.BLOCKED: "bold yellow",
    Verdict.UNREACHABLE: "bold magenta",
    Verdict.BROKEN: "bold cyan",
}


def make_console(file: IO[str] | None = None, stderr: bool = False) -> Console:
    """A rich console; 140 columns wide when it does not write to a terminal (CI logs)."""
    console = Console(file=file, stderr=stderr, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(file=file, stderr=stderr, highlight=False, soft_wrap=False, width=140)
    return console


class Progress:
    """Prints one line per flow × locale as it finishes (and per retry)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.total = 0
        self.done = 0

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.total = len(event.jobs)
            self.console.print(f"[bold]optout[/] run {event.run_id}: {self.total} flow × locale")
        elif isinstance(event, AttemptFinished):
            r = event.result
            if event.retry:
                why = "confirming the change" if event.why == "confirm" else "trying again"
                self.console.print(
                    f"  [dim]{event.why}[/] {r.flow} {r.locale}: attempt {r.attempt} was "
                    f"[{STYLES[r.verdict]}]{r.verdict}[/], {why}"
                )
                return
            self.done += 1
            self.console.print(
                f"  [{self.done}/{self.total}] {r.flow} {r.locale} "
                f"[{STYLES[r.verdict]}]{r.verdict}[/] ({r.duration_s:.1f} s)"
            )


def flows_table(flows: list[Flow]) -> Table:
    """The flows as `optout list` shows them: id, name, start URL, locales, expectation."""
    table = Table()
    for column in ("id", "name", "start", "locales", "expect"):
        table.add_column(column, overflow="fold")
    for f in flows:
        table.add_row(f.id, f.name, f.start, _locales(f.locales), str(f.expect or "-"))
    return table


def verdict_table(results: list[FlowResult], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("flow", "locale", "verdict", "expected", "reason"):
        table.add_column(column, overflow="fold")
    for r in results:
        verdict = f"[{STYLES[r.verdict]}]{r.verdict}[/]"
        if r.change:
            verdict += f" [bold red]CHANGED[/] (was {r.changed_from})"
        elif r.regression:
            verdict += " [bold red]REGRESSION[/]"
        table.add_row(r.flow, r.locale, verdict, str(r.expected or "-"), r.reason)
    return table


class EventLogger:
    """One canonical structlog line per step and per flow × locale attempt."""

    def __init__(self) -> None:
        self.log = structlog.get_logger("optout")

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self.log.info("run.start", run_id=event.run_id, jobs=len(event.jobs))
        elif isinstance(event, StepFinished):
            s = event.step
            self.log.info(
                "step",
                flow=event.flow,
                locale=event.locale,
                attempt=event.attempt,
                index=s.index,
                description=s.description,
                status=str(s.status),
                duration_s=s.duration_s,
                url=s.url,
                detail=s.detail,
                matched=s.matched,
                alternative=s.alternative,
            )
        elif isinstance(event, AttemptFinished):
            r = event.result
            method = (
                self.log.info if r.verdict.conclusive and not r.regression else self.log.warning
            )
            method(
                "flow",
                flow=r.flow,
                locale=r.locale,
                attempt=r.attempt,
                verdict=str(r.verdict),
                expected=str(r.expected) if r.expected else None,
                regression=r.regression,
                reason=r.reason,
                rule=r.rule,
                final_url=r.final_url,
                http_status=r.http_status,
                duration_s=round(r.duration_s, 2),
                retry=event.retry,
            )
        elif isinstance(event, RunFinished):
            self.log.info(
                "run.end",
                run_id=event.summary.run_id,
                exit_code=event.summary.exit_code,
                results=len(event.summary.results),
            )


def _locales(locales: list[str]) -> str:
    """A flow's locales; every catalogue language (`locales: all`) as "all N"."""
    if sorted(locales) == sorted(wording.locales()):
        return f"all {len(locales)} (optout list --locales)"
    return ", ".join(locales)


def locales_table() -> Table:
    """`optout list --locales`: per language, how many of Meta's strings optout knows."""
    table = Table(title="Meta's wording known to optout (C confirmed, L likely, U uncertain)")
    for column in ("locale", "language", *wording.GROUPS):
        table.add_column(column)
    for row in wording.summary_rows():
        table.add_row(*row)
    return table
