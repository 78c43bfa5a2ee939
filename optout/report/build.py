"""The static HTML evidence report: an overview, then a page per run, per change and per flow.

`build_report` reads the recordings (the verdicts over time through `history.series`,
the details of each run from its saved summary and manifest), makes the thumbnails and pixel
differences it needs under `assets/` (once: they are named by the SHA-256 of their
source), and writes the pages with Jinja2 templates, autoescaping on: every string from a
page or a flow file reaches the HTML escaped. The pages work offline from `file://`: no
script, no remote resource, one local style sheet; images link to the evidence files
themselves, by relative path. A page is only rewritten when its content changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import jinja2

from optout import __version__
from optout.check.verdict import Verdict
from optout.report import feed
from optout.report.flows import plain_steps, read_flow_file, target_checks, walls
from optout.report.images import Assets
from optout.report.runs import Evidence, RunRecord, load_runs
from optout.report.views import (
    ChangeView,
    FlowView,
    HistoryRow,
    LocaleHistory,
    Side,
    anchor,
    change_href,
    day,
    flow_href,
    row,
    run_href,
    when,
)
from optout.store.history import LETTERS, STRIP_MAX, Change, Series, series
from optout.store.writer import evidence_dir, write_atomic

REPORT_DIR = "report"
"""The report's folder inside the recordings folder, unless told otherwise."""
PAGE_DIRS = ("runs", "changes", "flows", "source")
MEANINGS = {
    Verdict.AVAILABLE: "the form was reached and everything that makes it the form was seen",
    Verdict.MISSING: "the page loaded and shows that the form (or the link to it) is not there",
    Verdict.BLOCKED: "a login wall, checkpoint or cookie dialog stopped the check",
    Verdict.UNREACHABLE: "the page did not load (network error, timeout, HTTP error)",
    Verdict.BROKEN: "the page did not look as the flow expects (site or flow changed)",
}
"""One line per verdict for the overview's legend (see docs/verdicts.md)."""


def build_report(
    recordings: Path, out: Path | None = None, *, flows_dir: Path | None = None
) -> Path:
    """Write the report of every run under `recordings` into `out`; return its index.html.

    `out` defaults to `recordings/report`. With `flows_dir`, each flow's page shows
    `flows_dir/<flow>.yaml` and what it does in plain words.
    """
    out = out if out is not None else recordings / REPORT_DIR
    all_series = series(recordings)
    runs = load_runs(recordings)
    assets = Assets(out / "assets")
    evidence = Evidence(recordings, out, assets)
    changes = {(c.run_id, s.flow, s.locale): c for s in all_series for c in s.changes}
    names = _names(runs)

    run_views = [evidence.run(run, changes) for run in runs]
    for before, after in pairwise(run_views):
        before.next, after.previous = after.run_id, before.run_id
    by_id = {run.run_id: run for run in runs}
    change_views = [
        _change_view(s, change, by_id, evidence, names.get(s.flow, s.flow))
        for s in all_series
        for change in s.changes
    ]
    flow_views = [_flow_view(flow, group, names, flows_dir) for flow, group in _by_flow(all_series)]
    rows = [row(s, names.get(s.flow, s.flow)) for s in all_series]
    assets.make_pending()

    site = _Site(out)
    site.page(
        "index.html",
        "index.html",
        rows=rows,
        changes=_newest_first(change_views),
        runs=run_views[::-1][:10],
        run_count=len(runs),
        latest=runs[-1].at if runs else None,
        meanings=MEANINGS,
    )
    site.page("runs/index.html", "runs.html", runs=run_views[::-1])
    for run_view in run_views:
        site.page(run_href(run_view.run_id), "run.html", run=run_view)
    for change_view in change_views:
        site.page(change_view.href, "change.html", change=change_view)
    for flow_view in flow_views:
        site.page(flow_href(flow_view.flow), "flow.html", flow=flow_view)
    for href, source in evidence.sources.items():
        site.page(href, "source.html", source=source)
    site.write("assets/report.css", _stylesheet())
    latest = runs[-1].at if runs else None
    site.write(feed.FEED, feed.atom(_newest_first(change_views), _first_run(runs), latest))
    site.remove_stale()
    return out / "index.html"


def _names(runs: list[RunRecord]) -> dict[str, str]:
    """Each flow's human name, as the latest run that ran it recorded it."""
    names: dict[str, str] = {}
    for run in runs:
        for result in run.results:
            if result.name:
                names[result.flow] = result.name
    return names


def _first_run(runs: list[RunRecord]) -> str:
    """What names these recordings in the feed's id: their first run."""
    return runs[0].run_id if runs else "none"


def _by_flow(all_series: list[Series]) -> Iterable[tuple[str, list[Series]]]:
    groups: dict[str, list[Series]] = {}
    for s in all_series:
        groups.setdefault(s.flow, []).append(s)
    return groups.items()


def _newest_first(views: list[ChangeView]) -> list[ChangeView]:
    return sorted(views, key=lambda v: (v.change.at, v.change.run_id), reverse=True)


def _change_view(
    s: Series, change: Change, runs: dict[str, RunRecord], evidence: Evidence, name: str
) -> ChangeView:
    """Before and after a change: the last conclusive point before it, and the change's own."""
    index = next(i for i, p in enumerate(s.points) if p.run_id == change.run_id)
    before_index = next(
        (i for i in range(index - 1, -1, -1) if s.points[i].verdict.conclusive), None
    )

    def side(i: int, what: str) -> Side:
        point = s.points[i]
        run = runs.get(point.run_id)
        folder = point.evidence or evidence_dir(s.flow, s.locale)
        alt = (
            f"{name} ({s.flow}), {s.locale}, {what} the change: the final page on "
            f"{when(point.at)}; verdict: {point.verdict}"
        )
        shot = evidence.shot(run, f"{folder}/final.png", alt) if run else None
        final = run.folder / folder / "final.png" if run and shot else None
        return Side(point, run_href(point.run_id, anchor(s.flow, s.locale)), shot, final)

    after = side(index, "after")
    before = side(before_index, "before") if before_index is not None else None
    view = ChangeView(
        flow=s.flow,
        name=name,
        locale=s.locale,
        change=change,
        before=before,
        after=after,
        between=index - before_index - 1 if before_index is not None else 0,
        href=change_href(change.run_id, s.flow, s.locale),
        flow_href=flow_href(s.flow),
    )
    if before and before.final and after.final:
        try:
            view.identical = evidence.assets.digest(before.final) == evidence.assets.digest(
                after.final
            )
        except OSError:
            return view
        if not view.identical:
            view.diff = evidence.assets.diff(before.final, after.final)
    return view


def _flow_view(
    flow: str, group: list[Series], names: dict[str, str], flows_dir: Path | None
) -> FlowView:
    found = read_flow_file(flows_dir, flow)
    histories = [
        LocaleHistory(
            locale=s.locale,
            series=s,
            rows=[
                HistoryRow(
                    point=p,
                    href=run_href(p.run_id, anchor(s.flow, s.locale)),
                    change_href=(
                        change_href(p.run_id, s.flow, s.locale)
                        if any(c.run_id == p.run_id for c in s.changes)
                        else None
                    ),
                )
                for p in reversed(s.points)
            ],
        )
        for s in group
    ]
    loaded = found.flow
    return FlowView(
        flow=flow,
        name=loaded.name if loaded else names.get(flow, flow),
        description=(loaded.description or "") if loaded else "",
        file=str(found.path) if found.path else "",
        yaml=found.yaml,
        plain=plain_steps(loaded) if loaded else [],
        walls=walls(loaded) if loaded else [],
        target=target_checks(loaded) if loaded else [],
        problems=found.problems,
        histories=histories,
    )


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("optout.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, day=day, seconds=_seconds, size=_size, percent=_percent)
    env.globals.update(
        LETTERS=LETTERS,
        STRIP_MAX=STRIP_MAX,
        version=__version__,
        run_href=run_href,
        flow_href=flow_href,
    )
    env.tests["web_url"] = _is_web_url
    return env


def _stylesheet() -> str:
    env = _environment()
    assert env.loader is not None
    return env.loader.get_source(env, "report.css")[0]


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} s"


def _size(value: int | None) -> str:
    if value is None:
        return ""
    return f"{value} B" if value < 1024 else f"{value / 1024:.1f} KiB"


def _percent(value: float) -> str:
    return f"{value * 100:.2f} %" if value < 0.01 else f"{value * 100:.1f} %"


def _is_web_url(value: Any) -> bool:
    """Only http(s) addresses become links: a `javascript:` URL from a page stays text."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


class _Site:
    """Renders pages into the report folder and writes only what changed."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: set[Path] = set()

    def page(self, href: str, template: str, **context: Any) -> None:
        root = "../" * href.count("/")
        html = _environment().get_template(template).render(root=root, **context)
        self.write(href, html)

    def write(self, href: str, text: str) -> None:
        path = self.out / href
        self.written.add(path)
        data = text.encode("utf-8")
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            pass
        write_atomic(path, data)

    def remove_stale(self) -> None:
        """Delete pages of runs, changes and flows that are no longer in the recordings."""
        for name in PAGE_DIRS:
            for path in (self.out / name).glob("*.html"):
                if path not in self.written:
                    path.unlink()
