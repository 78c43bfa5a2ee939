"""What the integrity modules share: names, problems, fast hashing, manifests and their checks.

Nothing here writes: checking a run only reads its folder (or a zip) and says what
differs from the manifest, and whether the hash chain of manifests holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optout.integrity.tsa import check_timestamp
from optout.store.runids import is_run_id
from optout.store.writer import MANIFEST, NOTIFICATIONS

FORMAT = "optout-manifest/1"
TSR = MANIFEST + ".tsr"
PRUNED = "PRUNED.json"
SUMS = "SHA256SUMS"
README = "README.txt"
CHAIN = "chain"
KINDS = ("modified", "missing", "added", "chain", "manifest", "timestamp")
SEAL_FILES = frozenset({MANIFEST, TSR, NOTIFICATIONS})
"""Top-level files not listed in a run's own manifest: the seal itself, and the record of
the alerts sent about the run, written after the seal (a delivery log, not evidence)."""
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files a file manager drops into folders it shows: never evidence, never reported."""


class IntegrityError(Exception):
    """An evidence operation cannot be done (unknown run, pruned run, unreadable manifest)."""


@dataclass(frozen=True)
class Problem:
    """One thing that does not match: a file, a manifest, a link of the chain, a timestamp."""

    run_id: str
    path: str | None
    """The file concerned, relative to the run folder; None for the run as a whole."""
    kind: str
    """modified, missing, added, chain, manifest or timestamp."""
    detail: str

    def __str__(self) -> str:
        where = f"{self.run_id}/{self.path}" if self.path else self.run_id
        return f"{where}: {self.kind}: {self.detail}"


def is_ignored(name: str) -> bool:
    """A half-written file of `write_atomic`, a link in progress, or file-manager litter."""
    return (name.startswith(".") and name.endswith(".tmp")) or name in OS_LITTER


def scan_run(run_dir: Path) -> dict[str, os.stat_result]:
    """Every file of a run folder (relative POSIX path → stat), but the seal files."""
    found: dict[str, os.stat_result] = {}
    stack = [(run_dir, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), rel + "/"))
                elif is_ignored(entry.name) or (not prefix and entry.name in SEAL_FILES):
                    continue
                else:
                    try:
                        found[rel] = entry.stat()
                    except OSError:
                        continue  # a dangling symlink: nothing to hash
    return found


def _inode(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


PARALLEL_BYTES = 64 << 20
"""Below this much to read, threads cost more than they save."""


class Hasher:
    """SHA-256 of files, each inode read once: hard-linked duplicates cost nothing."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int, int, int], str] = {}

    def digest(self, path: Path, st: os.stat_result | None = None) -> str:
        """The SHA-256 of one file."""
        key = _inode(st or path.stat())
        if key not in self._cache:
            self._cache[key] = _digest(path)
        return self._cache[key]

    def digest_many(self, files: Iterable[tuple[Path, os.stat_result]]) -> None:
        """Hash many files ahead of `digest`, in parallel, each inode once."""
        todo: dict[tuple[int, int, int, int], Path] = {}
        for path, st in files:
            key = _inode(st)
            if key not in self._cache:
                todo.setdefault(key, path)
        if sum(key[2] for key in todo) < PARALLEL_BYTES:
            for key, path in todo.items():
                self._cache[key] = _digest(path)
            return
        workers = min(8, (os.cpu_count() or 1) + 2)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for key, value in zip(todo, pool.map(_safe_digest, todo.values()), strict=True):
                if value is not None:
                    self._cache[key] = value


def _safe_digest(path: Path) -> str | None:
    try:
        return _digest(path)
    except OSError:
        return None


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def parse_manifest(raw: bytes) -> dict[str, Any]:
    """A manifest's JSON, checked for shape; ValueError says what is wrong."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ValueError("manifest.json has no list of files")
    for rel, entry in manifest["files"].items():
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int)
        ):
            raise ValueError(f"manifest.json: the entry of {rel} has no sha256 and size")
    if manifest.get("algorithm", "sha256") != "sha256":
        raise ValueError(f"manifest.json uses an unknown algorithm {manifest['algorithm']}")
    if "format" in manifest:
        previous = manifest.get("previous")
        if previous is not None and not (
            isinstance(previous, dict)
            and isinstance(previous.get("run_id"), str)
            and is_run_id(previous["run_id"])
            and isinstance(previous.get("manifest_sha256"), str)
        ):
            raise ValueError("manifest.json: the link to the previous run is malformed")
    return manifest


def check_files(
    run_id: str,
    manifest: Mapping[str, Any],
    sizes: Mapping[str, int],
    digest: Callable[[str], str | None],
    *,
    pruned: bool = False,
    extra: Iterable[str] = (),
) -> list[Problem]:
    """Compare the files present (`sizes`, hashed by `digest`) with the manifest's list.

    A pruned run reports no missing file; names in `extra` are allowed without being listed.
    """
    problems: list[Problem] = []
    listed: Mapping[str, Any] = manifest["files"]
    allowed = set(extra)
    for rel in sorted(set(listed) | set(sizes)):
        entry = listed.get(rel)
        if entry is None:
            if rel not in allowed:
                problems.append(Problem(run_id, rel, "added", "not in the manifest"))
        elif rel not in sizes:
            if not pruned:
                problems.append(Problem(run_id, rel, "missing", "listed in the manifest, gone"))
        elif sizes[rel] != entry["size"]:
            detail = f"{sizes[rel]} bytes, the manifest says {entry['size']}"
            problems.append(Problem(run_id, rel, "modified", detail))
        else:
            actual = digest(rel)
            if actual is None:
                problems.append(Problem(run_id, rel, "modified", "cannot be read"))
            elif actual != entry["sha256"]:
                detail = f"SHA-256 {actual}, the manifest says {entry['sha256']}"
                problems.append(Problem(run_id, rel, "modified", detail))
    return problems


def check_link(
    run_id: str, manifest: Mapping[str, Any], previous_manifest: Callable[[str], bytes | None]
) -> list[Problem]:
    """Whether the run's link to the previous manifest of the chain holds."""
    previous = manifest.get("previous")
    if "format" not in manifest or previous is None:
        return []  # the first run of the chain, or a manifest from before the chain
    prev_id, expected = previous["run_id"], previous["manifest_sha256"]
    raw = previous_manifest(prev_id)
    if raw is None:
        detail = f"the run {prev_id} that this run's manifest points to is missing"
        return [Problem(run_id, None, "chain", f"{detail} (or its manifest.json is gone)")]
    actual = sha256_bytes(raw)
    if actual != expected:
        detail = (
            f"the manifest of {prev_id} was edited after {run_id} was sealed "
            f"(its SHA-256 is {actual}, {run_id} recorded {expected})"
        )
        return [Problem(run_id, None, "chain", detail)]
    return []


def check_identity(run_id: str, manifest: Mapping[str, Any]) -> list[Problem]:
    """The manifest belongs to this run."""
    named = manifest.get("run_id")
    if named != run_id:
        detail = f"manifest.json is the manifest of {named}, not of {run_id}"
        return [Problem(run_id, MANIFEST, "manifest", detail)]
    return []


def check_tsr(
    run_id: str, reply: bytes | None, manifest_raw: bytes, tsa_ca: Path | None, where: str = TSR
) -> list[Problem]:
    """Problems with the run's timestamp reply, if it has one."""
    if reply is None:
        return []
    return [
        Problem(run_id, where, "timestamp", why)
        for why in check_timestamp(reply, manifest_raw, tsa_ca=tsa_ca)
    ]


def sums_line(digest: str, name: str) -> str:
    """One line of a `sha256sum -c` file, escaping names as GNU sha256sum does."""
    if "\\" in name or "\n" in name or "\r" in name:
        escaped = name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return f"\\{digest}  {escaped}\n"
    return f"{digest}  {name}\n"


def parse_sums(text: str) -> dict[str, str] | None:
    """Name → digest of a `sha256sum` file; None when a line is not in that format."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        escaped = line.startswith("\\")
        body = line[1:] if escaped else line
        digest, sep, name = body.partition(" ")
        if not sep or len(digest) != 64 or not name or name[0] not in " *":
            return None
        name = name[1:]
        if escaped:
            name = name.replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
        found[name] = digest.lower()
    return found
