"""optout as a separate process: killed runs, the doctor, the console script."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, invoke

from optout.integrity import verify_runs
from optout.store.history import last_conclusive
from optout.store.writer import run_folders

FORM_FLOW = FLOWS / "facebook-form.yaml"


def _verify_cmd(replica: Any, scenario: str, recordings: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from optout.cli import main; main()",
        "verify",
        str(FORM_FLOW),
        "--locale",
        "en-GB",
        "--recordings",
        str(recordings),
        "--map-origin",
        f"https://www.facebook.com={replica.origin_for(scenario)}",
        *extra,
    ]


@pytest.mark.parametrize("after_s", [0.5, 3.0, 7.0], ids=["starting", "loading", "mid-run"])
def test_a_killed_run_leaves_earlier_runs_intact(
    replica: Any, tmp_path: Path, after_s: float
) -> None:
    """SIGKILL at any point of a run corrupts nothing: the earlier run still verifies, history
    and the report still work, and the unfinished run is not taken for a result."""
    recordings = tmp_path / "recordings"
    done = subprocess.run(
        _verify_cmd(replica, "form-available", recordings, "--timeout", "5"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [earlier] = run_folders(recordings)
    before = {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()}

    # The form, then a flow whose page never finishes (one at a time): the run is in the
    # middle of starting, of loading a page, or between a finished flow and a hanging one.
    hang = tmp_path / "flows" / "hang.yaml"
    hang.parent.mkdir()
    hang.write_text(
        "name: a form page that never finishes\n"
        "start: https://m.facebook.com/help/contact/6359191084165019\n"
        "target: {present: [{role: textbox, name: e-mail}]}\n"
    )
    stalled = f"https://m.facebook.com={replica.origin_for('stall')}"
    cmd = _verify_cmd(replica, "form-available", recordings, "--map-origin", stalled,
                      "--timeout", "60", "--workers", "1")  # fmt: skip
    cmd.insert(cmd.index("--locale"), str(hang))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after_s)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    assert {p: p.read_bytes() for p in earlier.rglob("*") if p.is_file()} == before
    assert verify_runs(recordings) == []
    assert run_folders(recordings) == [earlier]
    assert last_conclusive(recordings) == {("facebook-form", "en-GB"): "available"}
    for path in recordings.rglob("*.json"):
        json.loads(path.read_text())  # no half-written JSON anywhere
    assert invoke("history", "--recordings", recordings).exit_code == 0
    report = invoke("report", "--recordings", recordings, "--out", tmp_path / "report")
    assert report.exit_code == 0, report.output
    assert invoke("evidence", "verify", "--recordings", recordings).exit_code == 0


def test_doctor_reports_versions() -> None:
    """`optout doctor` names the Python, Playwright and browser it will use."""
    result = invoke("doctor")
    assert result.exit_code == 0, result.output
    assert "playwright " in result.stdout
    assert "browser    chromium " in result.stdout


def test_doctor_without_browser_exits_3() -> None:
    """`optout doctor` exits 3 with a clear message when the browser cannot be found."""
    result = invoke("doctor", "--browser-path", "/nonexistent/chromium")
    assert result.exit_code == 3
    assert "browser not found at /nonexistent/chromium" in result.stderr


def test_console_script_help_shows_a_minimal_flow() -> None:
    """The installed `optout verify --help` shows a complete minimal flow and the exit codes."""
    exe = Path(sys.executable).parent / "optout"
    out = subprocess.run([str(exe), "verify", "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert "start: https://www.facebook.com/help/contact/6359191084165019" in out.stdout
    assert "4  inconclusive" in out.stdout
