"""`optout report` and `optout verify --report` from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import FLOWS, invoke


def test_verify_report_builds_the_site(verify: Any, tmp_path: Path) -> None:
    """`verify --report` leaves recordings/report/index.html naming the flow and its verdict."""
    recordings = tmp_path / "rec"
    run = verify(FLOWS / "facebook-form.yaml", "form-missing", "--report", recordings=recordings)
    index = recordings / "report" / "index.html"
    assert f"report: {index}" in run.result.stdout
    html = index.read_text()
    assert "facebook-form" in html and "missing" in html
    assert (recordings / "report" / "runs" / f"{run.summary['run_id']}.html").is_file()


def test_report_command(verify: Any, tmp_path: Path) -> None:
    """`optout report --out DIR` writes the site elsewhere; a missing folder is exit 2."""
    recordings = tmp_path / "rec"
    verify(FLOWS / "facebook-form.yaml", "form-available", recordings=recordings)
    result = invoke("report", "--recordings", recordings, "--out", tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").is_file()
    missing = invoke("report", "--recordings", tmp_path / "nope")
    assert missing.exit_code == 2
    assert "no recordings folder at" in missing.stderr
