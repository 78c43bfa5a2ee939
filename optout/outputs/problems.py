"""Checker problems: what is wrong with optout itself rather than with a form, told once.

A problem is about the checker, never about the form: the run could not work (exit 3),
a flow × locale has been inconclusive for `--stale-after` runs in a row, a saved login
expired, a notification could not be delivered. Each has a key (which problem) and a
signature (what it is now). `ProblemBook` keeps, in the recordings folder, the problems
still open and whether they have been told: a problem is told once, again only when its
signature changes, and once more as "recovered" when it clears. A problem that could not
be told (every delivery failed) is tried again at the next run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import structlog

from optout.check.results import RunSummary
from optout.store.history import Series
from optout.store.writer import write_json

STATE_FILE = "notify-state.json"
"""In the recordings folder: the open problems and whether they were told."""
SESSION_RULE = "session expired"
_SESSION_NAME = re.compile(r"session '([^']+)'")

Kind = Literal["checker", "stale", "session", "delivery"]


@dataclass
class Problem:
    """One thing wrong with the checker."""

    key: str
    """Which problem: `checker`, `stale facebook-form/fr-FR`, `session facebook`, `delivery URL`."""
    kind: Kind
    signature: str
    """What the problem is now; a new signature is told again."""
    subject: str
    """What it is about, short: `saved login 'facebook'`."""
    detail: str
    """What is wrong and what to do, one line."""
    since: str = ""
    """When it was first seen (ISO 8601, UTC)."""

    @property
    def text(self) -> str:
        return f"{self.subject}: {self.detail}"

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "detail": self.detail,
            "since": self.since,
        }


@dataclass
class Entry:
    """A problem as the book keeps it."""

    problem: Problem
    told: str = ""
    """The signature last told ("" when never told)."""
    cleared: bool = False
    """Gone, but its recovery is still to be told."""


@dataclass
class News:
    """What a message should tell about the checker."""

    problems: list[Problem] = field(default_factory=list)
    """New problems, or problems whose signature changed."""
    recovered: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems or self.recovered)


def _steady(text: str) -> str:
    """A signature that ignores numbers (a process id, a duration, an HTTP status)."""
    return re.sub(r"\d+", "#", text)


def checker_failed(message: str, at: str) -> Problem:
    """The run could not work (exit code 3)."""
    return Problem(
        key="checker",
        kind="checker",
        signature=_steady(message),
        subject="optout could not run",
        detail=f"{message} (exit code 3; no verdict was recorded)",
        since=at,
    )


def delivery_failed(masked: str, error: str, at: str) -> Problem:
    return Problem(
        key=f"delivery {masked}",
        kind="delivery",
        signature=_steady(error),
        subject=f"notifications to {masked}",
        detail=f"could not be delivered: {error}",
        since=at,
    )


def session_name(reason: str, session: str) -> str:
    """The saved login a session-expired result names."""
    if session:
        return session
    found = _SESSION_NAME.search(reason)
    return found.group(1) if found else "?"


def run_problems(
    summary: RunSummary, all_series: list[Series], stale_after: int | None
) -> tuple[list[Problem], set[str]]:
    """The problems a finished run shows, and the keys it can tell about (its scope).

    A key in the scope but not found has cleared: a finished run clears `checker`; a
    flow × locale that ran clears its `stale` (given a threshold); a session some flow ran
    under clears its `session`. A flow that met an expired login is a session problem,
    never a stale one.
    """
    at = summary.started_at
    found: list[Problem] = []
    scope = {"checker"}
    by_key = {(s.flow, s.locale): s for s in all_series}
    expired: dict[str, list[str]] = {}
    for result in summary.results:
        if stale_after is not None:  # without --stale-after, stale problems are left as they are
            scope.add(f"stale {result.flow}/{result.locale}")
        if result.session:
            scope.add(f"session {result.session}")
        if result.rule == SESSION_RULE:
            name = session_name(result.reason, result.session)
            scope.add(f"session {name}")
            expired.setdefault(name, []).append(f"{result.flow} {result.locale}")
            continue
        if stale_after is None or result.verdict.conclusive:
            continue
        runs, since = _inconclusive_streak(by_key.get((result.flow, result.locale)))
        if runs >= stale_after:
            found.append(
                Problem(
                    key=f"stale {result.flow}/{result.locale}",
                    kind="stale",
                    signature=str(result.verdict),
                    subject=f"{result.flow} {result.locale}",
                    detail=(
                        f"no conclusive verdict for {runs} runs (since {since[:10]}), "
                        f"now {result.verdict}: {result.reason} "
                        f"(run {summary.run_id}, evidence {result.evidence or '-'})"
                    ),
                    since=since,
                )
            )
    for name, where in expired.items():
        found.append(
            Problem(
                key=f"session {name}",
                kind="session",
                signature=SESSION_RULE,
                subject=f"saved login '{name}'",
                detail=(
                    f"log in again with `optout login {name}`: the session expired or was "
                    f"logged out (flows that need it: {', '.join(where)})"
                ),
                since=at,
            )
        )
    return found, scope


def _inconclusive_streak(s: Series | None) -> tuple[int, str]:
    """How many runs in a row, up to the latest, a series ended inconclusive, and since when."""
    runs, since = 0, ""
    for point in reversed(s.points if s else []):
        if point.verdict.conclusive:
            break
        runs, since = runs + 1, point.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return runs, since


class ProblemBook:
    """The open problems of a recordings folder, and what has been told of them."""

    def __init__(self, path: Path, entries: dict[str, Entry] | None = None) -> None:
        self.path = path
        self.entries: dict[str, Entry] = entries or {}

    @classmethod
    def load(cls, recordings: Path) -> ProblemBook:
        """The book in `recordings` (empty when there is none or it cannot be read)."""
        path = recordings / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = {
                key: Entry(
                    problem=Problem(**value["problem"]),
                    told=str(value.get("told", "")),
                    cleared=bool(value.get("cleared", False)),
                )
                for key, value in data["problems"].items()
            }
        except FileNotFoundError:
            entries = {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            structlog.get_logger("optout").warning("notify.state_unreadable", error=str(exc))
            entries = {}
        return cls(path, entries)

    def observe(self, found: Iterable[Problem], scope: Iterable[str]) -> None:
        """Record what a run (or a delivery) saw: `found` is open now; every other key of
        `scope` has cleared (dropped at once if it was never told)."""
        found = list(found)
        seen = {p.key for p in found}
        for problem in found:
            entry = self.entries.get(problem.key)
            if entry is None or entry.cleared:
                self.entries[problem.key] = Entry(problem, told=entry.told if entry else "")
            else:
                problem.since = entry.problem.since or problem.since
                entry.problem = problem
        for key in set(scope) - seen:
            entry = self.entries.get(key)
            if entry is None or entry.cleared:
                continue
            if entry.told:
                entry.cleared = True
            else:
                del self.entries[key]

    def forget_deliveries(self, keep: Iterable[str]) -> None:
        """Drop, untold, the delivery problems of URLs not in `keep` (no longer configured)."""
        wanted = {f"delivery {masked}" for masked in keep}
        for key in [k for k, e in self.entries.items() if e.problem.kind == "delivery"]:
            if key not in wanted:
                del self.entries[key]

    def news(self) -> News:
        """Problems not told yet (or changed since), and recoveries not told yet."""
        news = News()
        for entry in self.entries.values():
            if entry.cleared:
                news.recovered.append(entry.problem)
            elif entry.told != entry.problem.signature:
                news.problems.append(entry.problem)
        return news

    def told(self, news: News) -> None:
        """`news` reached someone: its problems are told, its recoveries done with."""
        for problem in news.problems:
            entry = self.entries.get(problem.key)
            if entry is not None and not entry.cleared:
                entry.told = problem.signature
        for problem in news.recovered:
            entry = self.entries.get(problem.key)
            if entry is not None and entry.cleared:
                del self.entries[problem.key]

    def save(self) -> None:
        """Write the book; a folder that cannot be written is logged (problems are then
        told again next time), never raised."""
        if not self.entries and not self.path.exists():
            return
        data = {
            "format": "optout-notify-state/1",
            "problems": {
                key: {"problem": asdict(e.problem), "told": e.told, "cleared": e.cleared}
                for key, e in sorted(self.entries.items())
            },
        }
        try:
            write_json(self.path, data)
        except OSError as exc:
            structlog.get_logger("optout").warning(
                "notify.state_not_saved", path=str(self.path), error=str(exc)
            )


def now_iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
