"""One run at a time per recordings folder: a file lock, and who holds it.

Two runs that seal into one folder at the same time would both chain their manifest to
the same previous one and fork the hash chain. `filelock` (a maintained library) does the
locking; next to the lock, a small file says which process holds it, so that the run
that has to give up can name it.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from optout.store.writer import RecordingsError

LOCK = ".optout.lock"
OWNER = ".optout.lock.owner"


class Busy(RecordingsError):
    """Another optout run holds the recordings folder (exit code 3)."""


@contextlib.contextmanager
def recordings_lock(recordings: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the recordings folder's lock for the block; wait up to `wait` seconds for it."""
    try:
        recordings.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RecordingsError(f"cannot create the recordings folder {recordings}: {exc}") from exc
    lock = FileLock(recordings / LOCK, mode=0o644)
    try:
        lock.acquire(timeout=wait, poll_interval=0.2)
    except Timeout:
        raise Busy(
            f"another optout run is using {recordings} ({holder(recordings)}); "
            f"waited {wait:g} s (--wait-lock SECONDS waits longer)"
        ) from None
    except OSError as exc:
        raise RecordingsError(f"cannot lock the recordings folder {recordings}: {exc}") from exc
    owner = recordings / OWNER
    try:
        started = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        with contextlib.suppress(OSError):
            owner.write_text(f"pid {os.getpid()} on {socket.gethostname()} since {started}\n")
        yield
    finally:
        with contextlib.suppress(OSError):
            owner.unlink()
        lock.release()


def holder(recordings: Path) -> str:
    """Who holds the lock, as the owner file says (or that it cannot be told)."""
    try:
        return (recordings / OWNER).read_text().strip() or "holder unknown"
    except OSError:
        return "holder unknown"
