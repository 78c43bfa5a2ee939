"""A daily job's bad days: signals, a run deadline, a dying browser, overlapping runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FLOWS, invoke

from optout.replica import ReplicaServer
from optout.store.lock import recordings_lock

FACEBOOK_FORM = FLOWS / "facebook-form.yaml"
INSTAGRAM_FORM = FLOWS / "instagram-form.yaml"


def start_verify(
    replica: ReplicaServer, recordings: Path, facebook: str, instagram: str, *extra: str
) -> subprocess.Popen[str]:
    """`optout verify` of the Facebook form, then the Instagram form, as a child process."""
    args = [
        str(Path(sys.executable).parent / "optout"), "verify",
        str(FACEBOOK_FORM), str(INSTAGRAM_FORM),
        "--locale", "en-GB", "--workers", "1", "--recordings", str(recordings),
        "--log-format", "json", "--log-level", "info",
        "--map-origin", f"https://www.facebook.com={replica.origin_for(facebook)}",
        "--map-origin", f"https://help.instagram.com={replica.origin_for(instagram)}",
        *extra,
    ]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_log(proc: subprocess.Popen[str], event: str, timeout: float = 60) -> dict[str, object]:
    """Read the child's JSON log lines until one has this event (and return it)."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("event") == event:
            return dict(entry)
    raise AssertionError(f"no {event!r} log line")


def only_run(recordings: Path) -> dict[str, object]:
    runs = [p for p in recordings.iterdir() if (p / "run.json").is_file()]
    assert len(runs) == 1, runs
    data: dict[str, object] = json.loads((runs[0] / "run.json").read_text())
    return data


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_writes_and_seals_what_finished(
    replica: ReplicaServer, tmp_path: Path, signum: int, code: int
) -> None:
    """SIGTERM/SIGINT mid-run: the finished result is written and sealed, the run is marked."""
    recordings = tmp_path / "rec"
    proc = start_verify(replica, recordings, "form-available", "hang", "--timeout", "30")
    wait_for_log(proc, "flow")  # the Facebook form is done; the Instagram one hangs
    time.sleep(0.5)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert "Traceback" not in err
    run = only_run(recordings)
    assert run["interrupted"] == signal.Signals(signum).name
    assert run["exit_code"] == code
    assert [r["verdict"] for r in run["results"]] == ["available"]  # type: ignore[index,union-attr]
    checked = invoke("evidence", "verify", "--recordings", recordings)
    assert checked.exit_code == 0, checked.output


def test_the_run_deadline_cuts_flows_off_as_unreachable(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    """A flow still running when --deadline is up ends unreachable, reason "run deadline"."""
    started = time.monotonic()
    proc = start_verify(
        replica, tmp_path / "rec", "hang", "hang", "--timeout", "60", "--deadline", "4"
    )
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 4, err
    results = only_run(tmp_path / "rec")["results"]
    assert [r["verdict"] for r in results] == ["unreachable", "unreachable"]  # type: ignore[attr-defined]
    reasons = [r["reason"] for r in results]  # type: ignore[attr-defined]
    assert reasons[0].startswith("run deadline: the run's 4 s were up while this flow ran")
    assert reasons[1].startswith("run deadline: the run's 4 s were up before this flow started")


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def browser_processes(pid: int) -> list[int]:
    """The main browser processes started under `pid` (not its renderers and helpers)."""
    found = []
    for child in descendants(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_text(errors="replace")
        except OSError:
            continue
        if "chrom" in cmdline and "--type=" not in cmdline and "crashpad" not in cmdline:
            found.append(child)
    return found


def test_a_browser_that_dies_mid_run_is_replaced(replica: ReplicaServer, tmp_path: Path) -> None:
    """Killing the browser makes the flow in flight unreachable; the next flow gets a new one."""
    recordings = tmp_path / "rec"
    before = len(replica.requests)
    proc = start_verify(replica, recordings, "hang", "form-available", "--timeout", "30")
    deadline = time.monotonic() + 60
    while len(replica.requests) == before:  # the first flow's page is requested, and hangs
        assert time.monotonic() < deadline, "the first flow never asked for its page"
        time.sleep(0.2)
    browsers = browser_processes(proc.pid)
    assert browsers, "no browser process found"
    for pid in browsers:
        os.kill(pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err
    run = only_run(recordings)
    results = run["results"]
    assert results[0]["verdict"] == "unreachable"  # type: ignore[index]
    assert "the browser crashed during the flow" in results[0]["reason"]  # type: ignore[index]
    assert results[1]["verdict"] == "available", results[1]["reason"]  # type: ignore[index]
    assert run["options"]["browser_launches"] == 2  # type: ignore[index]


def test_a_second_run_on_the_same_folder_says_who_holds_it(tmp_path: Path) -> None:
    """While a run holds the recordings folder, another exits 3 at once naming the holder."""
    recordings = tmp_path / "rec"
    with recordings_lock(recordings):
        result = invoke("verify", FACEBOOK_FORM, "--recordings", recordings, "--timeout", "1")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"optout: another optout run is using {recordings} (pid ")
    assert not [p for p in recordings.iterdir() if not p.name.startswith(".")]


def test_wait_lock_waits_for_the_other_run(replica: ReplicaServer, tmp_path: Path) -> None:
    """With --wait-lock, a run waits for the folder to be free, then runs."""
    recordings = tmp_path / "rec"
    released = threading.Event()

    def hold() -> None:
        with recordings_lock(recordings):
            time.sleep(1.5)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.3)
    origin = replica.origin_for("form-available")
    result = invoke(
        "verify", FACEBOOK_FORM, "--recordings", recordings, "--locale", "en-GB",
        "--map-origin", f"https://www.facebook.com={origin}", "--wait-lock", "20",
    )  # fmt: skip
    holder.join()
    assert released.is_set()
    assert result.exit_code == 0, result.output


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs: a disk that can be filled up (needs root, as CI and make install have)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (not root?): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_run_in_one_line_and_spares_earlier_runs(
    replica: ReplicaServer, small_disk: Path
) -> None:
    """When the disk fills up mid-run, the run exits 3 in one line; earlier runs stay intact."""
    recordings = small_disk / "rec"
    origin = replica.origin_for("form-available")
    args = ["verify", FACEBOOK_FORM, "--locale", "en-GB", "--recordings", recordings,
            "--map-origin", f"https://www.facebook.com={origin}", "--timeout", "5"]  # fmt: skip
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * max(free - 30_000, 0))
    second = invoke(*args)
    assert second.exit_code == 3, second.output
    lines = [line for line in second.stderr.splitlines() if not line.startswith("{")]  # logs
    assert len(lines) == 1 and lines[0].startswith("optout: cannot write evidence"), lines
    assert "No space left on device" in lines[0]
    (small_disk / "filler").unlink()
    checked = invoke("evidence", "verify", "--recordings", recordings)
    assert checked.exit_code == 0, checked.output  # the first run is intact
