"""What the report's pages show, as plain data: links, the overview's rows, changes, flows.

The templates only lay these out. Every string here is still raw text from a run or a
flow; escaping is the templates' job (Jinja2 autoescaping), never this module's.
Every `href` and `src` is relative to the report folder; pages add their own prefix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from optout.check.verdict import Verdict
from optout.report.images import Diff, Thumb
from optout.store.history import LETTERS, STRIP_MAX, Change, Point, Series
from optout.store.writer import slug


def when(moment: datetime) -> str:
    """`2026-11-29 14:48 UTC`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(moment: datetime) -> str:
    """`2026-11-29`."""
    return moment.astimezone(UTC).date().isoformat()


def run_href(run_id: str, anchor: str | None = None) -> str:
    return f"runs/{quote(slug(run_id))}.html" + (f"#{anchor}" if anchor else "")


def flow_href(flow: str) -> str:
    return f"flows/{quote(slug(flow))}.html"


def change_href(run_id: str, flow: str, locale: str) -> str:
    return f"changes/{quote(slug(run_id))}-{quote(slug(flow))}-{quote(slug(locale))}.html"


def anchor(flow: str, locale: str) -> str:
    """The id of one flow × locale's section on a run page."""
    return f"{slug(flow)}--{slug(locale)}"


@dataclass
class Shot:
    """A screenshot on a page: the full image, its thumbnail if there is one, its alt text."""

    href: str
    alt: str
    sha256: str | None = None
    thumb: Thumb | None = None

    @property
    def src(self) -> str:
        if self.thumb is not None and self.thumb.ok:
            return f"assets/{quote(self.thumb.name)}"
        return self.href


# --- the overview, the changes, the flows ------------------------------------------------


@dataclass
class Cell:
    """One run in a row's strip."""

    href: str
    letter: str
    verdict: Verdict
    label: str


@dataclass
class Row:
    """One flow × locale on the overview."""

    series: Series
    name: str
    latest: Point
    latest_href: str
    last_change: Change | None
    last_change_href: str | None
    state: Verdict | None
    """The form's state: the latest conclusive verdict (None: no run could see the form)."""
    since: datetime | None
    """Since when the form has been in that state."""
    last_conclusive: Point | None
    """The latest conclusive point, when the latest point is inconclusive."""
    strip: list[Cell]
    earlier: int
    """How many older runs the strip leaves out."""

    @property
    def flow_href(self) -> str:
        return flow_href(self.series.flow)


def row(s: Series, name: str) -> Row:
    latest = s.points[-1]
    conclusive = [p for p in s.points if p.verdict.conclusive]
    last_change = s.changes[-1] if s.changes else None
    since = last_change.at if last_change else (conclusive[0].at if conclusive else None)
    shown = s.points[-STRIP_MAX:]
    return Row(
        series=s,
        name=name,
        latest=latest,
        latest_href=run_href(latest.run_id, anchor(s.flow, s.locale)),
        last_change=last_change,
        last_change_href=(
            change_href(last_change.run_id, s.flow, s.locale) if last_change else None
        ),
        state=conclusive[-1].verdict if conclusive else None,
        since=since,
        last_conclusive=conclusive[-1] if conclusive and not latest.verdict.conclusive else None,
        strip=[
            Cell(
                href=run_href(p.run_id, anchor(s.flow, s.locale)),
                letter=LETTERS[p.verdict],
                verdict=p.verdict,
                label=f"{when(p.at)}: {p.verdict}",
            )
            for p in shown
        ],
        earlier=len(s.points) - len(shown),
    )


@dataclass
class Side:
    """One side of a change: the run, its verdict and reason, its final screenshot."""

    point: Point
    href: str
    shot: Shot | None
    final: Path | None = None
    """The final screenshot's file, for the pixel difference."""


@dataclass
class ChangeView:
    flow: str
    name: str
    locale: str
    change: Change
    before: Side | None
    after: Side
    between: int
    """Inconclusive runs between the two sides (they never change the form's state)."""
    diff: Diff | None = None
    identical: bool = False
    href: str = ""
    flow_href: str = field(default="")


@dataclass
class HistoryRow:
    point: Point
    href: str
    change_href: str | None


@dataclass
class LocaleHistory:
    locale: str
    series: Series
    rows: list[HistoryRow]
    """Newest first."""


@dataclass
class FlowView:
    flow: str
    name: str
    description: str
    file: str
    """The flow file's path as given, or "" when it was not found."""
    yaml: list[list[tuple[str, str]]]
    """The flow file, line by line, as (kind, text) tokens for light highlighting."""
    plain: list[str]
    walls: list[str]
    target: list[str]
    problems: list[str]
    histories: list[LocaleHistory]
