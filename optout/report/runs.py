"""The run pages' content: each run's results, steps, pages visited and files, as views.

Reads what `history.series` does not keep: each run's summary in full, its manifest,
and the result.json of earlier attempts, all through the typed reader of saved runs.
Strings stay raw; the templates escape them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from optout.check.results import FlowResult, RunSummary, StepRecord
from optout.check.verdict import Verdict
from optout.integrity.manifest import PRUNED, parse_manifest
from optout.report.images import Assets
from optout.report.views import Shot, anchor, change_href, run_href, when
from optout.store.history import Change
from optout.store.records import read_result, saved_runs
from optout.store.writer import MANIFEST, RESULT_JSON, evidence_dir

ATTEMPT_RE = re.compile(r"^attempt-(\d+)$")


def _inside(rel: str) -> bool:
    """Whether a path from a run's JSON stays inside the run folder."""
    parts = PurePosixPath(rel).parts
    return bool(parts) and parts[0] != "/" and ".." not in parts and "\\" not in rel


# --- runs as read from the recordings folder ---------------------------------------------


@dataclass
class RunRecord:
    """One run folder: its summary, its results and its manifest."""

    run_id: str
    folder: Path
    at: datetime
    summary: RunSummary
    files: dict[str, dict[str, Any]]
    """The manifest's `files`: {path relative to the run: {sha256, size}}."""
    pruned: bool

    @property
    def results(self) -> list[FlowResult]:
        return self.summary.results


def load_runs(recordings: Path) -> list[RunRecord]:
    """Every complete run, oldest first."""
    return [
        RunRecord(
            run_id=run.run_id,
            folder=run.folder,
            at=run.at,
            summary=run.summary,
            files=_manifest_files(run.folder / MANIFEST),
            pruned=(run.folder / PRUNED).is_file(),
        )
        for run in saved_runs(recordings)
    ]


def _manifest_files(path: Path) -> dict[str, dict[str, Any]]:
    """The files a run's manifest lists; none when it cannot be read."""
    try:
        files: dict[str, dict[str, Any]] = parse_manifest(path.read_bytes())["files"]
    except (OSError, ValueError):
        return {}
    return files


# --- what pages show -----------------------------------------------------------------------


ACTIVE_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".xml", ".xht", ".mht", ".mhtml")
"""Files a browser would render and run scripts of: the report shows them as text."""


@dataclass(frozen=True)
class SourceView:
    """A captured document, shown in the report as escaped text (its scripts never run)."""

    path: str
    file: Path
    sha256: str

    def text(self, limit: int = 5_000_000) -> str:
        try:
            data = self.file.read_bytes()[:limit]
        except OSError:
            return ""
        return data.decode("utf-8", errors="replace")


@dataclass
class FileView:
    path: str
    """Relative to the flow × locale folder (or to the run folder for run-level files)."""
    href: str | None
    """None when the file is no longer there (a pruned run)."""
    sha256: str
    size: int | None


@dataclass
class StepView:
    index: int
    description: str
    status: str
    duration_s: float | None
    url: str
    detail: str
    matched: str
    alternative: int | None
    shot: Shot | None


@dataclass
class NavView:
    url: str
    status: str
    redirected_to: str
    error: str
    via_router: bool


@dataclass
class AttemptView:
    number: int
    verdict: Verdict | None
    reason: str
    steps: list[StepView]


@dataclass
class ChangeLink:
    href: str
    from_: Verdict
    to: Verdict


@dataclass
class ResultView:
    """One flow × locale of one run, everything its section on the run page shows."""

    flow: str
    name: str
    locale: str
    anchor: str
    folder: str
    """The evidence folder, relative to the run folder."""
    verdict: Verdict
    reason: str
    rule: str
    start: str
    final_url: str
    title: str
    """The `<title>` of the final page, as recorded (raw text; the template escapes it)."""
    session: str
    http_status: str
    started_at: str
    duration_s: float | None
    attempts: int
    expected: str
    regression: bool
    final: Shot | None
    steps: list[StepView]
    navigations: list[NavView]
    files: list[FileView]
    earlier: list[AttemptView]
    change: ChangeLink | None = None


@dataclass
class RunView:
    run_id: str
    at: datetime
    summary: RunSummary
    results: list[ResultView]
    files: list[FileView]
    pruned: bool
    previous: str | None = None
    next: str | None = None

    @property
    def href(self) -> str:
        return run_href(self.run_id)

    def counts(self) -> list[tuple[Verdict, int]]:
        """How many results of each verdict, in the verdicts' order."""
        found = [r.verdict for r in self.results]
        return [(v, found.count(v)) for v in Verdict if v in found]


class Evidence:
    """Turns a run's JSON into views: links to evidence files, thumbnails, alt texts."""

    def __init__(self, recordings: Path, out: Path, assets: Assets) -> None:
        self.base = Path(os.path.relpath(recordings, out)).as_posix()
        self.assets = assets
        self._listings: dict[Path, dict[str, bool]] = {}
        self.sources: dict[str, SourceView] = {}
        """Pages that show a captured document as escaped text, by their href."""

    def listing(self, folder: Path) -> dict[str, bool]:
        """{name: is a folder} of one folder's entries, read once per build."""
        found = self._listings.get(folder)
        if found is None:
            try:
                with os.scandir(folder) as entries:
                    found = {e.name: e.is_dir() for e in entries}
            except OSError:
                found = {}
            self._listings[folder] = found
        return found

    def exists(self, run: RunRecord, rel: str) -> bool:
        """Whether `rel` is a file of the run; paths leading out of the run folder never are."""
        if not _inside(rel):
            return False
        path = run.folder / rel
        return self.listing(path.parent).get(path.name) is False

    def href(self, run: RunRecord, rel: str) -> str:
        """A link from the report folder to an evidence file of a run."""
        return quote(f"{self.base}/{run.run_id}/{rel}")

    def file_href(self, run: RunRecord, rel: str, sha256: str) -> str:
        """A link to an evidence file; a captured document (HTML, SVG, XML) is never linked
        as itself, which a browser would run, but through a page showing it as text."""
        if not rel.lower().endswith(ACTIVE_SUFFIXES):
            return self.href(run, rel)
        href = f"source/{sha256 or quote(run.run_id + '-' + rel, safe='')}.html"
        if href not in self.sources:
            self.sources[href] = SourceView(
                path=f"{run.run_id}/{rel}", file=run.folder / rel, sha256=sha256
            )
        return href

    def shot(self, run: RunRecord, rel: str, alt: str, thumbnail: bool = False) -> Shot | None:
        """The screenshot `rel` of a run, if the file is there (pruned runs lose them)."""
        if not rel or not self.exists(run, rel):
            return None
        sha = run.files.get(rel, {}).get("sha256")
        thumb = self.assets.thumbnail(run.folder / rel) if thumbnail else None
        return Shot(self.href(run, rel), alt, str(sha) if sha else None, thumb)

    def run(self, run: RunRecord, changes: dict[tuple[str, str, str], Change]) -> RunView:
        results = [self.result(run, r, changes) for r in run.results]
        prefixes = tuple(f"{r.folder}/" for r in results)
        loose = {k: v for k, v in run.files.items() if not k.startswith(prefixes)}
        return RunView(
            run_id=run.run_id,
            at=run.at,
            summary=run.summary,
            results=results,
            files=self.files(run, loose, ""),
            pruned=run.pruned,
        )

    def files(
        self, run: RunRecord, entries: dict[str, dict[str, Any]], prefix: str
    ) -> list[FileView]:
        views = []
        for rel, entry in sorted(entries.items()):
            size = entry.get("size")
            views.append(
                FileView(
                    path=rel[len(prefix) :],
                    href=self.file_href(run, rel, str(entry.get("sha256") or ""))
                    if self.exists(run, rel)
                    else None,
                    sha256=str(entry.get("sha256") or ""),
                    size=size if isinstance(size, int) else None,
                )
            )
        return views

    def steps(
        self, run: RunRecord, folder: str, steps: list[StepRecord], label: str, verdict: str
    ) -> list[StepView]:
        views = []
        for step in steps:
            alt = (
                f"{label}, step {step.index} ({step.status}): {step.description}; "
                f"the flow's verdict: {verdict}"
            )
            shot_name = step.screenshot or ""
            views.append(
                StepView(
                    index=step.index,
                    description=step.description,
                    status=str(step.status),
                    duration_s=step.duration_s,
                    url=step.url,
                    detail=step.detail or "",
                    matched=step.matched or "",
                    alternative=step.alternative,
                    shot=self.shot(run, f"{folder}/{shot_name}", alt) if shot_name else None,
                )
            )
        return views

    def result(
        self, run: RunRecord, r: FlowResult, changes: dict[tuple[str, str, str], Change]
    ) -> ResultView:
        name = r.name or r.flow
        folder = r.evidence if _inside(r.evidence) else evidence_dir(r.flow, r.locale)
        label = f"{name} ({r.flow}), {r.locale}, run of {when(run.at)}"
        final = self.shot(
            run,
            f"{folder}/final.png",
            f"{label}: the final page, where the flow ended; verdict: {r.verdict}",
            thumbnail=True,
        )
        change = changes.get((run.run_id, r.flow, r.locale))
        prefix = f"{folder}/"
        return ResultView(
            flow=r.flow,
            name=name,
            locale=r.locale,
            anchor=anchor(r.flow, r.locale),
            folder=folder,
            verdict=r.verdict,
            reason=r.reason,
            rule=r.rule,
            start=r.start,
            final_url=r.final_url,
            title=r.title,
            session=r.session,
            http_status="" if r.http_status is None else str(r.http_status),
            started_at=r.started_at,
            duration_s=r.duration_s,
            attempts=r.attempts,
            expected=str(r.expected) if r.expected else "",
            regression=r.regression,
            final=final,
            steps=self.steps(run, folder, r.steps, label, str(r.verdict)),
            navigations=[
                NavView(
                    url=n.url,
                    status="" if n.status is None else str(n.status),
                    redirected_to=n.redirected_to or "",
                    error=n.error or "",
                    via_router=n.via_router,
                )
                for n in r.navigations
            ],
            files=self.files(
                run, {k: v for k, v in run.files.items() if k.startswith(prefix)}, prefix
            ),
            earlier=self.earlier(run, folder, label),
            change=(
                ChangeLink(change_href(run.run_id, r.flow, r.locale), change.from_, change.to)
                if change
                else None
            ),
        )

    def earlier(self, run: RunRecord, folder: str, label: str) -> list[AttemptView]:
        """The attempts before the last one, kept in `attempt-N/` when a flow was retried."""
        base = run.folder / folder
        found: list[tuple[int, Path]] = []
        for name, is_dir in self.listing(base).items():
            match = ATTEMPT_RE.match(name)
            if match and is_dir:
                found.append((int(match.group(1)), base / name))
        views = []
        for number, path in sorted(found):
            attempt = read_result(path / RESULT_JSON)
            verdict = attempt.verdict if attempt else None
            views.append(
                AttemptView(
                    number=number,
                    verdict=verdict,
                    reason=attempt.reason if attempt else "",
                    steps=self.steps(
                        run,
                        f"{folder}/{path.name}",
                        attempt.steps if attempt else [],
                        f"{label}, attempt {number}",
                        str(verdict or "unknown"),
                    ),
                )
            )
        return views
