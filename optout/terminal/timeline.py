"""`optout history`: the verdicts of each flow × locale over time, as a table or as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from optout.store.history import LETTERS, STRIP_MAX, Series
from optout.terminal.console import STYLES

__all__ = ["LETTERS", "STRIP_MAX", "changes", "current", "render", "strip", "to_json"]


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def strip(s: Series, limit: int = STRIP_MAX) -> Text:
    """One coloured letter per run, oldest first; `…` first when older runs are left out."""
    text = Text()
    points = s.points
    if len(points) > limit:
        text.append("…", style="dim")
        points = points[-limit:]
    for point in points:
        text.append(LETTERS[point.verdict], style=STYLES[point.verdict])
    return text


def current(s: Series) -> Text:
    """`missing for 3 runs since 2026-05-24`: the latest verdict and its streak."""
    if s.streak is None:
        return Text("-")
    verdict, runs, since = s.streak
    text = Text()
    text.append(str(verdict), style=STYLES[verdict])
    text.append(f" for {runs} run{'s' if runs != 1 else ''} since {_day(since)}")
    return text


def changes(s: Series) -> Text:
    """`2026-05-23 available → missing`, one line per change."""
    text = Text()
    for i, change in enumerate(s.changes):
        if i:
            text.append("\n")
        text.append(f"{_day(change.at)} ")
        text.append(str(change.from_), style=STYLES[change.from_])
        text.append(" → ")
        text.append(str(change.to), style=STYLES[change.to])
    return text if s.changes else Text("-")


def render(series: list[Series], console: Console) -> None:
    """Print one row per flow × locale: the strip of verdicts, the streak and the changes."""
    if not series:
        console.print("no runs recorded")
        return
    table = Table(title="verdicts over time (oldest run first)", show_lines=False)
    table.add_column("flow", overflow="fold")
    table.add_column("locale", no_wrap=True)
    table.add_column("runs", overflow="fold")
    table.add_column("now", overflow="fold")
    table.add_column("changes", overflow="fold")
    for s in series:
        table.add_row(s.flow, s.locale, strip(s), current(s), changes(s))
    console.print(table)
    console.print(
        "A available  M missing  b blocked  u unreachable  x broken "
        "(only A and M say something about the form)",
        style="dim",
    )


def to_json(series: list[Series]) -> list[dict[str, Any]]:
    """The series as plain data, for `optout history --json`."""
    out: list[dict[str, Any]] = []
    for s in series:
        streak = None
        if s.streak is not None:
            verdict, runs, since = s.streak
            streak = {"verdict": str(verdict), "runs": runs, "since": _stamp(since)}
        out.append(
            {
                "flow": s.flow,
                "locale": s.locale,
                "current": streak,
                "changes": [
                    {
                        "run_id": c.run_id,
                        "at": _stamp(c.at),
                        "from": str(c.from_),
                        "to": str(c.to),
                    }
                    for c in s.changes
                ],
                "points": [
                    {
                        "run_id": p.run_id,
                        "at": _stamp(p.at),
                        "verdict": str(p.verdict),
                        "reason": p.reason,
                        "evidence": p.evidence,
                    }
                    for p in s.points
                ],
            }
        )
    return out
