"""Pruning: delete the screenshots and page captures of old runs, keep what proves something.

A pruned run keeps its run.json, its result.json files, its manifest.json (and
timestamp), and gets a PRUNED.json: the hash chain stays whole and verifiable, and
the verdicts stay in the history. Runs where a verdict changed are never pruned
(unless asked), nor is the latest run, nor a run whose files no longer match its
manifest (that mismatch is itself evidence).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from optout.check.verdict import Verdict, is_change
from optout.integrity.manifest import PRUNED, parse_manifest
from optout.integrity.verify import verify_runs
from optout.store.records import saved_runs
from optout.store.runids import parse_run_id, utc
from optout.store.writer import MANIFEST, RESULT_JSON, RUN_JSON, run_folders, write_json

BLOCKING = frozenset({"modified", "missing", "added", "manifest"})
"""Problems that stop a run from being pruned: deleting its files would hide them."""


def change_runs(recordings: Path) -> set[str]:
    """The runs that show a change of the form's state, on both sides of each change.

    For each (flow, locale): the run of its first conclusive verdict (available or
    missing), every run whose conclusive verdict differs from the previous conclusive
    one, and that previous run too (the last evidence of the old state). A result that
    says `"change": true` also counts.
    """
    keep: set[str] = set()
    readable: set[str] = set()
    last: dict[tuple[str, str], tuple[Verdict, str]] = {}
    for run in saved_runs(recordings, details=False):
        readable.add(run.run_id)
        for result in run.results:
            if result.change:
                keep.add(run.run_id)
            if not result.verdict.conclusive:
                continue
            key = (result.flow, result.locale)
            before = last.get(key)
            if before is None:
                keep.add(run.run_id)
            elif is_change(result.verdict, before[0]):
                keep.update((run.run_id, before[1]))
            last[key] = (result.verdict, run.run_id)
    # unreadable: nobody can tell it is unimportant
    keep.update(f.name for f in run_folders(recordings) if f.name not in readable)
    return keep


def _kept(rel: str) -> bool:
    """Files a pruned run keeps: its summary and the verdict of each flow."""
    return rel in (RUN_JSON, RESULT_JSON) or rel.endswith("/" + RESULT_JSON)


def prune(
    recordings: Path,
    *,
    keep_days: int,
    keep_changes: bool = True,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Delete the evidence files of runs older than `keep_days` days; the run ids pruned.

    Never the latest run, never a run that is not sealed or whose files do not match
    its manifest, and with `keep_changes` never a run of `change_runs`. With `dry_run`,
    only say which runs would be pruned.
    """
    if keep_days < 0:
        raise ValueError("keep_days must be 0 or more")
    moment = utc(now or datetime.now(UTC))
    cutoff = moment - timedelta(days=keep_days)
    runs = run_folders(recordings)
    protected = change_runs(recordings) if keep_changes else set()
    candidates = []
    for folder in runs[:-1]:
        if folder.name in protected or (folder / PRUNED).exists():
            continue
        try:
            started = parse_run_id(folder.name)
        except ValueError:  # not a real date: nobody can tell how old it is
            continue
        if started < cutoff:
            candidates.append(folder)
    if not candidates:
        return []
    problems = verify_runs(recordings, [f.name for f in candidates])
    damaged = {p.run_id for p in problems if p.kind in BLOCKING}
    pruned = []
    for folder in candidates:
        if folder.name in damaged:
            continue
        if not dry_run:
            _prune_run(folder, keep_days, moment)
        pruned.append(folder.name)
    return pruned


def _prune_run(folder: Path, keep_days: int, moment: datetime) -> None:
    """Mark the run pruned, then delete its evidence files (only this run's links to them)."""
    listed = parse_manifest((folder / MANIFEST).read_bytes())["files"]
    doomed = [folder / rel for rel in sorted(listed) if not _kept(rel)]
    doomed = [p for p in doomed if p.is_file() or p.is_symlink()]
    write_json(
        folder / PRUNED,
        {
            "pruned_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "files_removed": len(doomed),
            "keep_days": keep_days,
            "kept": sorted(rel for rel in listed if _kept(rel)),
        },
    )
    for path in doomed:
        path.unlink(missing_ok=True)
    for sub in sorted({p.parent for p in doomed}, key=lambda p: len(p.parts), reverse=True):
        for parent in (sub, *sub.parents):
            if parent == folder or folder not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break
