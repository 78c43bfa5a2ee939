"""Evidence integrity: seal a finished run, check runs and bundles, bundle a run, prune old runs.

Sealing a run writes its `manifest.json`: the SHA-256 and size of every file, who
made them (tool, browser, times), and the SHA-256 of the previous run's manifest,
so that the runs form a hash chain: editing any earlier manifest breaks the link
of the run after it. Optionally an RFC 3161 timestamp authority stamps the
manifest (`manifest.json.tsr`). Files identical to a file of an earlier run become
hard links to it, so a year of daily runs of an unchanged page costs little more
than one run. See docs/evidence.md for what this proves and how to check it by hand.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from optout.integrity.bundle import bundle_run, verify_bundle
from optout.integrity.manifest import (
    FORMAT,
    KINDS,
    PRUNED,
    TSR,
    Hasher,
    IntegrityError,
    Problem,
    check_files,
    check_identity,
    check_link,
    check_tsr,
    is_run_id,
    parse_manifest,
    run_key,
    scan_run,
    sha256_bytes,
)
from optout.integrity.prune import change_runs, prune
from optout.integrity.tsa import TimestampError, TimestampInfo, read_timestamp, request_timestamp
from optout.store.writer import MANIFEST, run_folders, write_atomic, write_json

__all__ = [
    "FORMAT",
    "KINDS",
    "PRUNED",
    "TSR",
    "IntegrityError",
    "Problem",
    "TimestampError",
    "TimestampInfo",
    "bundle_run",
    "change_runs",
    "prune",
    "read_timestamp",
    "seal_run",
    "verify_bundle",
    "verify_runs",
]

DEDUP_WINDOW = 60
"""How many earlier runs (newest first) are searched for identical files when sealing."""


def seal_run(
    run_dir: Path,
    *,
    started_at: str,
    finished_at: str,
    tool: dict[str, str],
    browser: dict[str, str],
    tsa_url: str | None = None,
) -> dict[str, Any]:
    """Deduplicate a finished run's files, write its chained manifest, timestamp it if asked.

    Raises IntegrityError if a later run's manifest already points to this run (sealing
    it again would break the chain), TimestampError if the TSA fails (the manifest is
    written by then: the run stays sealed, only without a timestamp).
    """
    run_dir = Path(run_dir)
    run_id, recordings = run_dir.name, run_dir.parent
    if not is_run_id(run_id) or not run_dir.is_dir():
        raise IntegrityError(f"{run_dir} is not a run folder")
    runs = run_folders(recordings)
    earlier = [p for p in runs if run_key(p.name) < run_key(run_id)]
    for later in (p for p in runs if run_key(p.name) > run_key(run_id)):
        if _points_to(later, run_id):
            raise IntegrityError(f"{run_id} is already sealed and {later.name} points to it")
    hasher = Hasher()
    found = scan_run(run_dir)
    hasher.digest_many((run_dir / rel, st) for rel, st in found.items())
    files = {
        rel: {"sha256": hasher.digest(run_dir / rel, st), "size": st.st_size}
        for rel, st in sorted(found.items())
    }
    _deduplicate(run_dir, files, earlier, hasher)
    previous = next((p for p in reversed(earlier) if (p / MANIFEST).is_file()), None)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "tool": dict(tool),
        "browser": dict(browser),
        "algorithm": "sha256",
        "files": files,
        "previous": None,
    }
    if previous is not None:
        raw = (previous / MANIFEST).read_bytes()
        manifest["previous"] = {"run_id": previous.name, "manifest_sha256": sha256_bytes(raw)}
    (run_dir / TSR).unlink(missing_ok=True)
    write_json(run_dir / MANIFEST, manifest)
    if tsa_url:
        reply = request_timestamp(tsa_url, (run_dir / MANIFEST).read_bytes())
        write_atomic(run_dir / TSR, reply)
    return manifest


def _points_to(run_dir: Path, run_id: str) -> bool:
    """Whether the run's manifest names `run_id` as its previous run."""
    try:
        manifest = parse_manifest((run_dir / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return False
    previous = manifest.get("previous")
    return isinstance(previous, dict) and previous.get("run_id") == run_id


def _deduplicate(
    run_dir: Path, files: dict[str, dict[str, Any]], earlier: list[Path], hasher: Hasher
) -> None:
    """Replace each file identical to one of an earlier run (or earlier in this run) by a link."""
    index: dict[tuple[str, int], list[tuple[Path, str]]] = {}
    for folder in reversed(earlier[-DEDUP_WINDOW:]):
        if (folder / PRUNED).exists():
            continue
        try:
            listed = parse_manifest((folder / MANIFEST).read_bytes())["files"]
        except (OSError, ValueError):
            continue
        for rel, entry in listed.items():
            index.setdefault((entry["sha256"], entry["size"]), []).append((folder, rel))
    for rel, entry in files.items():
        target = run_dir / rel
        key = (entry["sha256"], entry["size"])
        candidates = [folder / name for folder, name in index.get(key, [])[:3]]
        source = _identical(target, candidates, entry["sha256"], hasher)
        if source is not None:
            _link(source, target)
        index.setdefault(key, []).insert(0, (run_dir, rel))


def _identical(target: Path, candidates: list[Path], digest: str, hasher: Hasher) -> Path | None:
    """The first candidate whose content really is `digest` (earlier manifests may lie)."""
    try:
        mine = target.lstat()
    except OSError:
        return None
    if not target.is_file() or target.is_symlink():
        return None
    for candidate in candidates:
        try:
            st = candidate.lstat()
            if (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino):
                return None  # already one file
            if candidate.is_symlink() or st.st_size != mine.st_size:
                continue
            if hasher.digest(candidate, st) == digest:
                return candidate
        except OSError:
            continue
    return None


def _link(source: Path, target: Path) -> bool:
    """Make `target` a hard link to `source`, atomically; keep the copy if that fails."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.link.tmp")
    try:
        os.link(source, tmp)
    except OSError:
        return False
    try:
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)
        return False
    return True


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
