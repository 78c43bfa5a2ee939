"""A daily job's bad days: signals, a run deadline, a dying browser, overlapping runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
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
