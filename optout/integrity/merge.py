"""`optout merge`: join the run folders of the shards of one run into one sealed run.

A CI matrix of N jobs runs `optout verify --shard I/N`, each into its own copy of the
recordings; the merge job joins their run folders into the real recordings folder: one
run folder, one `run.json` with every result, one manifest, one link in the hash chain.
Each shard is checked against its own manifest first, so nothing altered on the way
(an artifact store, a download) goes into the merged evidence unnoticed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import datetime
from pathlib import Path

from optout.check.results import FlowResult, RunSummary
from optout.check.verdict import ExitCode, Outcome, exit_code
from optout.integrity.manifest import Hasher, IntegrityError, parse_manifest, scan_run
from optout.integrity.seal import seal_run
from optout.store.records import read_run
from optout.store.runids import utc
from optout.store.writer import MANIFEST, RUN_JSON, allocate_run, write_json

ABNORMAL = {int(ExitCode.CHECKER_FAILED), int(ExitCode.INTERRUPTED), int(ExitCode.TERMINATED)}


def _check_shard(folder: Path) -> RunSummary:
    """Read a shard's run.json and check its files against its own manifest."""
    summary = read_run(folder / RUN_JSON)
    if summary is None:
        raise IntegrityError(f"{folder}: not a finished run folder (no readable {RUN_JSON})")
    try:
        manifest = parse_manifest((folder / MANIFEST).read_bytes())
    except (OSError, IntegrityError) as exc:
        raise IntegrityError(f"{folder}: no usable {MANIFEST} ({exc})") from exc
    hasher = Hasher()
    found = scan_run(folder)
    listed = manifest["files"]
    for rel in sorted(set(listed) | set(found)):
        entry, st = listed.get(rel), found.get(rel)
        if entry is None or st is None or hasher.digest(folder / rel, st) != entry["sha256"]:
            raise IntegrityError(f"{folder}: {rel} does not match the shard's manifest; not merged")
    return summary


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a shard's evidence folder; hard links when on the same file system."""
    for path in sorted(source.rglob("*")):
        dest = target / path.relative_to(source)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, dest)
        except OSError:
            shutil.copy2(path, dest)


def merge_runs(recordings: Path, shards: list[Path], tsa_url: str | None = None) -> RunSummary:
    """Join shard run folders into one new, sealed run of `recordings`; return its summary."""
    recordings = Path(recordings)
    folders = [Path(s) for s in shards]
    for folder in folders:
        if folder.resolve().parent == recordings.resolve():
            raise IntegrityError(
                f"{folder} is already a run of {recordings}: merge shard runs from their own "
                "recordings folders (e.g. CI artifacts), not from the target"
            )
    parts = [(folder, _check_shard(folder)) for folder in folders]
    seen: dict[tuple[str, str], Path] = {}
    for folder, summary in parts:
        for result in summary.results:
            key = (result.flow, result.locale)
            if key in seen:
                raise IntegrityError(
                    f"{result.flow} ({result.locale}) is in both {seen[key]} and {folder}: "
                    "these are not shards of one run"
                )
            seen[key] = folder
    started = min(s.started_at for _, s in parts)
    finished = max(s.finished_at for _, s in parts)
    run_dir = allocate_run(recordings, utc(datetime.fromisoformat(started)))
    try:
        results: list[FlowResult] = []
        for folder, summary in parts:
            for result in summary.results:
                if result.evidence and (folder / result.evidence).is_dir():
                    _copy_tree(folder / result.evidence, run_dir / result.evidence)
                results.append(result)
        results.sort(key=lambda r: (r.flow, r.locale))
        codes = {s.exit_code for _, s in parts} & ABNORMAL
        first = parts[0][1]
        merged = RunSummary(
            run_id=run_dir.name,
            started_at=started,
            finished_at=finished,
            exit_code=max(codes)
            if codes
            else int(exit_code(Outcome(r.verdict, r.regression) for r in results)),
            tool=first.tool,
            browser=first.browser,
            results=results,
            options={
                **first.options,
                "shard": None,
                "merged_from": [
                    {
                        "run_id": s.run_id,
                        "shard": s.options.get("shard"),
                        "started_at": s.started_at,
                        "finished_at": s.finished_at,
                        "results": len(s.results),
                        "manifest_sha256": Hasher().digest(folder / MANIFEST),
                    }
                    for folder, s in parts
                ],
            },
            interrupted=next((s.interrupted for _, s in parts if s.interrupted), ""),
        )
        write_json(run_dir / RUN_JSON, merged.to_json())
        seal_run(
            run_dir,
            started_at=started,
            finished_at=finished,
            tool=merged.tool,
            browser=merged.browser,
            tsa_url=tsa_url,
        )
    except BaseException:
        if not (run_dir / MANIFEST).exists():
            with contextlib.suppress(OSError):
                shutil.rmtree(run_dir)
        raise
    return merged
