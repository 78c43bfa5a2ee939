"""Check runs against their manifests: files, the hash chain of manifests, timestamps.

Checking only reads: each run's files against its manifest (a pruned run: only the
files it kept), its link to the previous run's manifest, and its RFC 3161 timestamp if
it has one. See docs/evidence.md for what this proves and how to check it by hand.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from optout.integrity.manifest import (
    PRUNED,
    TSR,
    Hasher,
    Problem,
    check_files,
    check_identity,
    check_link,
    check_tsr,
    parse_manifest,
    scan_run,
)
from optout.store.runids import is_run_id, run_key
from optout.store.writer import MANIFEST, run_folders


def verify_runs(
    recordings: Path, run_ids: list[str] | None = None, *, tsa_ca: Path | None = None
) -> list[Problem]:
    """Everything that does not match in the given runs (default: every complete run).

    Each run's files against its manifest (a pruned run: only the files it kept), its
    link to the previous manifest of the chain, and its timestamp if it has one.
    """
    if run_ids is None:
        folders = run_folders(recordings)
    else:
        folders = [recordings / name for name in run_ids if is_run_id(name)]
    problems = [
        Problem(name, None, "missing", f"{name} is not a run id")
        for name in run_ids or []
        if not is_run_id(name)
    ]
    loaded: dict[str, tuple[bytes, dict[str, Any], dict[str, os.stat_result]]] = {}
    unreadable: dict[str, Problem] = {}
    hasher = Hasher()
    for folder in folders:
        if not folder.is_dir():
            continue
        raw, manifest, problem = _load(folder)
        if problem is not None:
            unreadable[folder.name] = problem
            continue
        assert raw is not None and manifest is not None
        loaded[folder.name] = (raw, manifest, scan_run(folder))
    hasher.digest_many(
        (recordings / run_id / rel, st)
        for run_id, (_, manifest, found) in loaded.items()
        for rel, st in found.items()
        if rel in manifest["files"] and st.st_size == manifest["files"][rel]["size"]
    )

    def previous_manifest(prev_id: str) -> bytes | None:
        if prev_id in loaded:
            return loaded[prev_id][0]
        try:
            return (recordings / prev_id / MANIFEST).read_bytes() if is_run_id(prev_id) else None
        except OSError:
            return None

    for folder in folders:
        run_id = folder.name
        if run_id in unreadable:
            problems.append(unreadable[run_id])
            continue
        if run_id not in loaded:
            problems.append(Problem(run_id, None, "missing", f"no run {run_id} in {recordings}"))
            continue
        raw, manifest, found = loaded[run_id]
        pruned = (folder / PRUNED).is_file()
        sizes = {rel: st.st_size for rel, st in found.items()}

        def digest(
            rel: str, folder: Path = folder, found: dict[str, os.stat_result] = found
        ) -> str | None:
            try:
                return hasher.digest(folder / rel, found[rel])
            except OSError:
                return None

        extra = [PRUNED] if pruned else []
        problems += check_identity(run_id, manifest)
        problems += check_files(run_id, manifest, sizes, digest, pruned=pruned, extra=extra)
        problems += check_link(run_id, manifest, previous_manifest)
        tsr = folder / TSR
        reply = tsr.read_bytes() if tsr.is_file() else None
        problems += check_tsr(run_id, reply, raw, tsa_ca)
    problems += check_forks({run_id: m for run_id, (_, m, _) in loaded.items()})
    return problems


def check_forks(manifests: dict[str, dict[str, Any]]) -> list[Problem]:
    """Runs that point to the same previous manifest: the chain forked (two runs sealed at
    once into one folder), so it no longer proves the order of the runs."""
    pointing: dict[str | None, list[str]] = {}
    for run_id, manifest in manifests.items():
        if "format" not in manifest:
            continue  # from before the chain
        previous = manifest.get("previous")
        pointing.setdefault(previous["run_id"] if previous else None, []).append(run_id)
    problems: list[Problem] = []
    for prev_id, runs in sorted(pointing.items(), key=lambda item: str(item[0])):
        runs = sorted(runs, key=run_key)
        for later in runs[1:]:
            what = f"the run {prev_id}" if prev_id else "no earlier run (both start a chain)"
            problems.append(
                Problem(later, None, "chain", f"fork: {later} and {runs[0]} both point to {what}")
            )
    return problems


def _load(folder: Path) -> tuple[bytes | None, dict[str, Any] | None, Problem | None]:
    """A run's manifest bytes and JSON, or the problem that stops reading it."""
    try:
        raw = (folder / MANIFEST).read_bytes()
    except FileNotFoundError:
        return None, None, Problem(folder.name, MANIFEST, "manifest", "the run was never sealed")
    except OSError as exc:
        detail = f"manifest.json cannot be read ({exc.strerror})"
        return None, None, Problem(folder.name, MANIFEST, "manifest", detail)
    try:
        return raw, parse_manifest(raw), None
    except ValueError as exc:
        return None, None, Problem(folder.name, MANIFEST, "manifest", str(exc))
