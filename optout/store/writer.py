"""The recordings folder: run folders, evidence files, manifest, atomic writes.

Every path under `recordings/` is built here. Files are written to a temporary
name and renamed into place, so a crash or a kill never leaves a half-written
file, and a run never touches another run's folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from optout.check.events import (
    AttemptFinished,
    AttemptStarted,
    Event,
    RunFinished,
    RunStarted,
    StepFinished,
)
from optout.store.runids import format_run_id, is_run_id, run_key

RUN_JSON = "run.json"
MANIFEST = "manifest.json"
RESULT_JSON = "result.json"
NOTIFICATIONS = "notifications.json"
"""The alerts sent about a run (written after the seal, so not in its manifest)."""


class RecordingsError(OSError):
    """The recordings folder cannot be written (exit code 3)."""


def slug(text: str) -> str:
    """A safe single path component from flow data."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:80] or "x"


def _file_mode() -> int:
    """0666 less the process's umask: what `open()` would give a new file."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


FILE_MODE = _file_mode()


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that readers only ever see the old or the complete new content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600; evidence follows the umask (0644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def create_run_folder(recordings: Path, run_id: str) -> Path:
    """Create a new, empty run folder; `-2`, `-3`... if the name is taken."""
    try:
        recordings.mkdir(parents=True, exist_ok=True)
        for n in range(1, 1000):
            name = run_id if n == 1 else f"{run_id}-{n}"
            folder = recordings / name
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return folder
    except OSError as exc:
        raise RecordingsError(f"cannot write recordings to {recordings}: {exc.strerror}") from exc
    raise RecordingsError(f"too many runs named {run_id} in {recordings}")


def allocate_run(recordings: Path, moment: datetime) -> Path:
    """Create the folder of a run starting now; its name (with `-2`... if taken) is the run id
    that the run records, so `run.json`'s `run_id` always equals its folder's name."""
    return create_run_folder(recordings, format_run_id(moment))


def evidence_dir(flow: str, locale: str) -> str:
    """The evidence folder of one flow and locale, relative to the run folder."""
    return f"{slug(flow)}/{slug(locale)}"


def step_file(index: int, action: str) -> str:
    """`01-open-start.png`: the step's number and short action name."""
    return f"{index:02d}-{slug(action)}.png"


class EvidenceWriter:
    """Listens to a run's events and writes its evidence as it happens."""

    def __init__(self, recordings: Path, run_dir: Path | None = None) -> None:
        self.recordings = recordings
        self.run_dir: Path | None = run_dir
        """The run folder: allocated by the command (`allocate_run`), else at RunStarted."""

    def __call__(self, event: Event) -> None:
        try:
            self._handle(event)
        except RecordingsError:
            raise
        except OSError as exc:
            where = self.run_dir or self.recordings
            raise RecordingsError(f"cannot write evidence in {where}: {exc}") from exc

    def _handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            if self.run_dir is None:
                self.run_dir = create_run_folder(self.recordings, event.run_id)
            assert self.run_dir.name == event.run_id, "run.json's run_id is its folder's name"
        elif isinstance(event, AttemptStarted):
            self._start_attempt(event)
        elif isinstance(event, StepFinished):
            self._step(event)
        elif isinstance(event, AttemptFinished):
            self._finish_attempt(event)
        elif isinstance(event, RunFinished):
            self._finish_run(event)

    def _dir(self, flow: str, locale: str) -> Path:
        assert self.run_dir is not None, "RunStarted comes first"
        return self.run_dir / evidence_dir(flow, locale)

    def _start_attempt(self, event: AttemptStarted) -> None:
        folder = self._dir(event.flow, event.locale)
        if event.attempt > 1 and folder.exists():
            keep = folder / f"attempt-{event.attempt - 1}"
            keep.mkdir()
            for item in list(folder.iterdir()):
                if item.is_file():
                    item.rename(keep / item.name)
        folder.mkdir(parents=True, exist_ok=True)

    def _step(self, event: StepFinished) -> None:
        if event.screenshot is None:
            return
        name = step_file(event.step.index, event.step.action)
        write_atomic(self._dir(event.flow, event.locale) / name, event.screenshot)
        event.step.screenshot = name

    def _finish_attempt(self, event: AttemptFinished) -> None:
        result, final = event.result, event.final
        folder = self._dir(result.flow, result.locale)
        result.evidence = evidence_dir(result.flow, result.locale)
        if final.png is not None:
            write_atomic(folder / "final.png", final.png)
        if final.html is not None:
            write_atomic(folder / "final.html", final.html)
        if final.aria is not None:
            write_atomic(folder / "final.aria.yaml", final.aria + "\n")
        write_json(folder / RESULT_JSON, result.to_json())

    def _finish_run(self, event: RunFinished) -> None:
        assert self.run_dir is not None
        write_json(self.run_dir / RUN_JSON, event.summary.to_json())


def run_folders(recordings: Path) -> list[Path]:
    """Every complete run folder (one with a run.json), oldest first."""
    if not recordings.is_dir():
        return []
    return sorted(
        (p for p in recordings.iterdir() if is_run_id(p.name) and (p / RUN_JSON).is_file()),
        key=lambda p: run_key(p.name),
    )
