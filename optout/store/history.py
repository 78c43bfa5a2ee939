"""Reading past runs from the recordings folder: verdicts over time, changes and streaks.

Every run folder's `run.json` is one point in time for each flow × locale it ran.
A *change* is a conclusive verdict (available, missing) that differs from the last
conclusive verdict of the same flow × locale; inconclusive runs (blocked, unreachable,
broken) never change the form's state, they only show that nothing could be seen.
The *streak* is about the latest verdict, inconclusive or not: how many runs in a row
ended that way, and since when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from optout.check.verdict import Verdict, is_change
from optout.store.records import saved_runs
from optout.store.runids import utc

LETTERS = {
    Verdict.AVAILABLE: "A",
    Verdict.MISSING: "M",
    Verdict.BLOCKED: "b",
    Verdict.UNREACHABLE: "u",
    Verdict.BROKEN: "x",
}
"""One character per run: capitals for the conclusive verdicts, so they stand out uncoloured."""

STRIP_MAX = 60
"""The strip shows at most this many runs (the latest); `--since` narrows it down."""


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


def last_conclusive(recordings: Path) -> dict[tuple[str, str], Verdict]:
    """The last conclusive verdict recorded for each (flow, locale)."""
    last: dict[tuple[str, str], Verdict] = {}
    for run in saved_runs(recordings, details=False):
        for result in run.results:
            if result.verdict.conclusive:
                last[(result.flow, result.locale)] = result.verdict
    return last


def recent_durations(recordings: Path, runs: int = 5) -> dict[tuple[str, str], float]:
    """The mean duration of each (flow, locale) over its last `runs` runs (for `--shard`)."""
    seen: dict[tuple[str, str], list[float]] = {}
    for run in saved_runs(recordings, details=False) if recordings.is_dir() else []:
        for result in run.results:
            seen.setdefault((result.flow, result.locale), []).append(result.duration_s)
    return {key: sum(d[-runs:]) / len(d[-runs:]) for key, d in seen.items() if d}


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
    cutoff = utc(since) if since is not None else None
    all_series: dict[tuple[str, str], Series] = {}
    last: dict[tuple[str, str], Verdict] = {}
    for run in saved_runs(recordings, details=False):
        at = run.at
        for result in run.results:
            key, verdict = (result.flow, result.locale), result.verdict
            if wanted is not None and key[0] not in wanted:
                continue
            s = all_series.get(key)
            if s is None:
                s = all_series[key] = Series(flow=key[0], locale=key[1])
            if s.streak is not None and s.streak[0] == verdict:
                s.streak = (verdict, s.streak[1] + 1, s.streak[2])
            else:
                s.streak = (verdict, 1, at)
            keep = cutoff is None or at >= cutoff
            if is_change(verdict, last.get(key)) and keep:
                s.changes.append(Change(run_id=run.run_id, at=at, from_=last[key], to=verdict))
            if verdict.conclusive:
                last[key] = verdict
            if keep:
                s.points.append(
                    Point(
                        run_id=run.run_id,
                        at=at,
                        verdict=verdict,
                        reason=result.reason,
                        evidence=result.evidence,
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
    for run in saved_runs(recordings, details=False):
        for result in run.results:
            key = (result.flow, result.locale)
            streaks[key] = 0 if result.verdict.conclusive else streaks.get(key, 0) + 1
    return streaks
