"""Seal a finished run: deduplicate its files, write its chained manifest, timestamp it.

Sealing a run writes its `manifest.json`: the SHA-256 and size of every file, who
made them (tool, browser, times), and the SHA-256 of the previous run's manifest,
so that the runs form a hash chain: editing any earlier manifest breaks the link
of the run after it. Optionally an RFC 3161 timestamp authority stamps the
manifest (`manifest.json.tsr`). Files identical to a file of an earlier run become
hard links to it, so a year of daily runs of an unchanged page costs little more
than one run. `Sealer` does this for each run as it finishes.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import structlog

from optout.check.events import Event, RunFinished
from optout.integrity.manifest import (
    FORMAT,
    PRUNED,
    TSR,
    Hasher,
    IntegrityError,
    parse_manifest,
    scan_run,
    sha256_bytes,
)
from optout.integrity.tsa import TimestampError, request_timestamp
from optout.store.runids import is_run_id, run_key
from optout.store.writer import (
    MANIFEST,
    EvidenceWriter,
    RecordingsError,
    run_folders,
    write_atomic,
    write_json,
)

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


class Sealer:
    """Listens after the evidence writer and seals the run folder it wrote."""

    def __init__(self, writer: EvidenceWriter, tsa_url: str | None = None) -> None:
        self.writer = writer
        self.tsa_url = tsa_url

    def __call__(self, event: Event) -> None:
        if not isinstance(event, RunFinished) or self.writer.run_dir is None:
            return
        summary = event.summary
        try:
            seal_run(
                self.writer.run_dir,
                started_at=summary.started_at,
                finished_at=summary.finished_at,
                tool=summary.tool,
                browser=summary.browser,
                tsa_url=self.tsa_url,
            )
        except TimestampError as exc:  # the run is sealed, only without a trusted timestamp
            structlog.get_logger("optout").error("timestamp.failed", error=str(exc))
        except OSError as exc:
            raise RecordingsError(f"cannot seal {self.writer.run_dir}: {exc}") from exc
