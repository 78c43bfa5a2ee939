"""Reading past runs from the recordings folder: verdicts over time, changes and streaks.

Every run folder's `run.json` is one point in time for each flow × locale it ran.
A *change* is a conclusive verdict (available, missing) that differs from the last
conclusive verdict of the same flow × locale; inconclusive runs (blocked, unreachable,
broken) never change the form's state, they only show that nothing could be seen.
The *streak* is about the latest verdict, inconclusive or not: how many runs in a row
ended that way, and since when.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from optout.check.verdict import Verdict
from optout.store.writer import RUN_JSON, run_folders

RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass
class Point:
    """One flow × locale in one run."""

    run_id: str
    at: datetime
    """When the run started (UTC)."""
    verdict: Verdict
    reason: str
    evidence: str
    """The evidence folder, relative to the run folder (`facebook-form/fr-FR`)."""


@dataclass
class Change:
    """A conclusive verdict that differs from the previous conclusive one."""

    run_id: str
    at: datetime
    from_: Verdict
    to: Verdict


@dataclass
class Series:
    """The verdicts of one flow × locale over time, oldest first."""

    flow: str
    locale: str
    points: list[Point] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    streak: tuple[Verdict, int, datetime] | None = None
    """The latest verdict, how many runs in a row ended with it, and since when."""


def _run_time(run_id: str, run: dict[str, Any]) -> datetime:
    """When a run started: its `started_at`, else the time in its folder name."""
    started = run.get("started_at")
    if isinstance(started, str) and started:
        try:
            moment = datetime.fromisoformat(started)
        except ValueError:
            pass
        else:
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return datetime.strptime(run_id[:16], RUN_ID_FORMAT).replace(tzinfo=UTC)


def _iter_runs(recordings: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(run id, summary) of every readable run, oldest first."""
    for folder in run_folders(recordings):
        try:
            run = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(run, dict):
            yield folder.name, run


def _results(run: dict[str, Any]) -> Iterator[tuple[tuple[str, str], Verdict, dict[str, Any]]]:
    """((flow, locale), verdict, result) of every well-formed result of a run."""
    results = run.get("results")
    if not isinstance(results, list):
        return
    for result in results:
        try:
            verdict = Verdict(result["verdict"])
            key = (str(result["flow"]), str(result["locale"]))
        except (KeyError, ValueError, TypeError):
            continue
        yield key, verdict, result


def load_runs(recordings: Path) -> list[dict[str, Any]]:
    """Every complete run's summary, oldest first; unreadable runs are skipped."""
    return [run for _, run in _iter_runs(recordings)]


def last_conclusive(recordings: Path) -> dict[tuple[str, str], Verdict]:
    """The last conclusive verdict recorded for each (flow, locale)."""
    last: dict[tuple[str, str], Verdict] = {}
    for run in load_runs(recordings):
        for key, verdict, _ in _results(run):
            if verdict.conclusive:
                last[key] = verdict
    return last


def change_of(verdict: Verdict, last: Verdict | None) -> bool:
    """Whether `verdict` changes the form's state after the last conclusive verdict `last`."""
    return verdict.conclusive and last is not None and verdict != last


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def series(
    recordings: Path, flows: list[str] | None = None, since: datetime | None = None
) -> list[Series]:
    """The verdicts over time of every flow × locale (or only `flows`), oldest first.

    With `since` (a naive datetime is taken as UTC), only points and changes from then
    on are kept, and a flow × locale without a run since then is left out; changes and
    the streak are still worked out from the whole history, so the first run after
    `since` can be a change, and a streak can have begun before it.
    """
    wanted = set(flows) if flows else None
    cutoff = _utc(since) if since is not None else None
    all_series: dict[tuple[str, str], Series] = {}
    last: dict[tuple[str, str], Verdict] = {}
    for run_id, run in _iter_runs(recordings):
        at: datetime | None = None
        for key, verdict, result in _results(run):
            if wanted is not None and key[0] not in wanted:
                continue
            if at is None:
                try:
                    at = _run_time(run_id, run)
                except ValueError:
                    break
            s = all_series.get(key)
            if s is None:
                s = all_series[key] = Series(flow=key[0], locale=key[1])
            if s.streak is not None and s.streak[0] == verdict:
                s.streak = (verdict, s.streak[1] + 1, s.streak[2])
            else:
                s.streak = (verdict, 1, at)
            keep = cutoff is None or at >= cutoff
            if change_of(verdict, last.get(key)) and keep:
                s.changes.append(Change(run_id=run_id, at=at, from_=last[key], to=verdict))
            if verdict.conclusive:
                last[key] = verdict
            if keep:
                s.points.append(
                    Point(
                        run_id=run_id,
                        at=at,
                        verdict=verdict,
                        reason=str(result.get("reason") or ""),
                        evidence=str(result.get("evidence") or ""),
                    )
                )
    ordered = sorted(all_series.values(), key=lambda s: s.flow)  # stable: locales keep run order
    return [s for s in ordered if s.points]


def inconclusive_streak(recordings: Path) -> dict[tuple[str, str], int]:
    """How many runs in a row each (flow, locale) has ended inconclusive, up to the latest run.

    Every (flow, locale) ever recorded is in the answer; 0 when its latest verdict is
    conclusive. Runs that did not include a flow × locale neither extend nor break its streak.
    """
    streaks: dict[tuple[str, str], int] = {}
    for _, run in _iter_runs(recordings):
        for key, verdict, _ in _results(run):
            streaks[key] = 0 if verdict.conclusive else streaks.get(key, 0) + 1
    return streaks
