"""The run pages' content: each run's results, steps, pages visited and files, as views.

Reads what `history.series` does not keep: each run's run.json in full, its manifest,
and the result.json of earlier attempts. Strings stay raw; the templates escape them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from optout.check.verdict import Verdict
from optout.report.images import Assets
from optout.report.views import Shot, anchor, change_href, run_href, when
from optout.store.history import RUN_ID_FORMAT, Change
from optout.store.writer import MANIFEST, RESULT_JSON, RUN_JSON, evidence_dir, run_folders

ATTEMPT_RE = re.compile(r"^attempt-(\d+)$")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _inside(rel: str) -> bool:
    """Whether a path from a run's JSON stays inside the run folder."""
    parts = PurePosixPath(rel).parts
    return bool(parts) and parts[0] != "/" and ".." not in parts and "\\" not in rel


def _verdict(value: Any) -> Verdict | None:
    try:
        return Verdict(str(value))
    except ValueError:
        return None


# --- runs as read from the recordings folder ---------------------------------------------


@dataclass
class RunRecord:
    """One run folder: its summary, its well-formed results and its manifest."""

    run_id: str
    folder: Path
    at: datetime
    summary: dict[str, Any]
    results: list[dict[str, Any]]
    files: dict[str, dict[str, Any]]
    """The manifest's `files`: {path relative to the run: {sha256, size}}."""
    pruned: bool


def load_runs(recordings: Path, times: dict[str, datetime]) -> list[RunRecord]:
    """Every complete run, oldest first, with the start times `history.series` worked out."""
    runs: list[RunRecord] = []
    for folder in run_folders(recordings):
        try:
            summary = json.loads((folder / RUN_JSON).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(summary, dict):
            continue
        at = times.get(folder.name)
        if at is None:
            try:
                at = datetime.strptime(folder.name[:16], RUN_ID_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                continue
        results = [
            r
            for r in _dicts(summary.get("results"))
            if _verdict(r.get("verdict")) and "flow" in r and "locale" in r
        ]
        runs.append(
            RunRecord(
                run_id=folder.name,
                folder=folder,
                at=at,
                summary=summary,
                results=results,
                files=_manifest_files(folder / MANIFEST),
                pruned=(folder / "PRUNED.json").is_file(),
            )
        )
    return runs


def _manifest_files(path: Path) -> dict[str, dict[str, Any]]:
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {str(k): v for k, v in files.items() if isinstance(v, dict)}


# --- what pages show -----------------------------------------------------------------------


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
    summary: dict[str, Any]
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
                    href=self.href(run, rel) if self.exists(run, rel) else None,
                    sha256=str(entry.get("sha256") or ""),
                    size=size if isinstance(size, int) else None,
                )
            )
        return views

    def steps(
        self, run: RunRecord, folder: str, data: dict[str, Any], label: str, verdict: str
    ) -> list[StepView]:
        views = []
        for step in _dicts(data.get("steps")):
            index = int(_number(step, "index") or 0)
            description = _text(step, "description")
            status = _text(step, "status")
            shot_name = _text(step, "screenshot")
            alt = (
                f"{label}, step {index} ({status}): {description}; the flow's verdict: {verdict}"
            )
            alternative = _number(step, "alternative")
            views.append(
                StepView(
                    index=index,
                    description=description,
                    status=status,
                    duration_s=_number(step, "duration_s"),
                    url=_text(step, "url"),
                    detail=_text(step, "detail"),
                    matched=_text(step, "matched"),
                    alternative=int(alternative) if alternative is not None else None,
                    shot=self.shot(run, f"{folder}/{shot_name}", alt) if shot_name else None,
                )
            )
        return views

    def result(
        self,
        run: RunRecord,
        data: dict[str, Any],
        changes: dict[tuple[str, str, str], Change],
    ) -> ResultView:
        flow, locale = str(data["flow"]), str(data["locale"])
        verdict = Verdict(str(data["verdict"]))
        name = _text(data, "name") or flow
        folder = _text(data, "evidence")
        if not _inside(folder):
            folder = evidence_dir(flow, locale)
        label = f"{name} ({flow}), {locale}, run of {when(run.at)}"
        final = self.shot(
            run,
            f"{folder}/final.png",
            f"{label}: the final page, where the flow ended; verdict: {verdict}",
            thumbnail=True,
        )
        status = data.get("http_status")
        change = changes.get((run.run_id, flow, locale))
        prefix = f"{folder}/"
        return ResultView(
            flow=flow,
            name=name,
            locale=locale,
            anchor=anchor(flow, locale),
            folder=folder,
            verdict=verdict,
            reason=_text(data, "reason"),
            rule=_text(data, "rule"),
            start=_text(data, "start"),
            final_url=_text(data, "final_url"),
            http_status="" if status is None else str(status),
            started_at=_text(data, "started_at"),
            duration_s=_number(data, "duration_s"),
            attempts=int(_number(data, "attempts") or 1),
            expected=_text(data, "expected"),
            regression=data.get("regression") is True,
            final=final,
            steps=self.steps(run, folder, data, label, str(verdict)),
            navigations=[
                NavView(
                    url=_text(n, "url"),
                    status=_text(n, "status"),
                    redirected_to=_text(n, "redirected_to"),
                    error=_text(n, "error"),
                    via_router=n.get("via_router") is True,
                )
                for n in _dicts(data.get("navigations"))
            ],
            files=self.files(
                run, {k: v for k, v in run.files.items() if k.startswith(prefix)}, prefix
            ),
            earlier=self.earlier(run, folder, label),
            change=(
                ChangeLink(change_href(run.run_id, flow, locale), change.from_, change.to)
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
            try:
                data = json.loads((path / RESULT_JSON).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                data = {}
            data = data if isinstance(data, dict) else {}
            verdict = _verdict(data.get("verdict"))
            views.append(
                AttemptView(
                    number=number,
                    verdict=verdict,
                    reason=_text(data, "reason"),
                    steps=self.steps(
                        run,
                        f"{folder}/{path.name}",
                        data,
                        f"{label}, attempt {number}",
                        str(verdict or "unknown"),
                    ),
                )
            )
        return views
