"""Alerts without noise: one webhook message per confirmed change, GitHub outputs, --fail-on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, invoke

FORM_FLOW = FLOWS / "facebook-form.yaml"


def test_form_disappearing_gives_exactly_one_alert(
    verify: Any, tmp_path: Path, webhook: tuple[str, list[Any]]
) -> None:
    """Day 1 available, day 2 missing (confirmed): one message, with evidence from both days."""
    url, received = webhook
    recordings = tmp_path / "rec"
    day1 = verify(FORM_FLOW, "form-available", "--notify", url, recordings=recordings)
    assert received == [] and day1.exit_code == 0
    day2 = verify(FORM_FLOW, "form-missing", "--notify", url, recordings=recordings)
    assert day2.exit_code == 1
    [message] = received
    assert (message["kind"], message["flow"], message["locale"]) == (
        "change",
        "facebook-form",
        "en-GB",
    )
    assert (message["from"], message["to"]) == ("available", "missing")
    assert message["run_id"] == day2.summary["run_id"]
    assert message["text"].startswith("optout: facebook-form en-GB changed available → missing")
    for day in (day1, day2):
        assert (day.run_dir / "facebook-form" / "en-GB" / "final.png").is_file()
    day3 = verify(FORM_FLOW, "form-missing", "--notify", url, recordings=recordings)
    assert len(received) == 1 and day3.exit_code == 0  # no change, no message


def test_stale_flow_is_notified_once(
    verify: Any, tmp_path: Path, webhook: tuple[str, list[Any]]
) -> None:
    """A flow inconclusive for --stale-after runs in a row gives one message, not one a day."""
    url, received = webhook
    recordings = tmp_path / "rec"
    for _ in range(3):
        verify(FORM_FLOW, "http-500", "--notify", url, "--stale-after", "2", recordings=recordings)
    assert [m["kind"] for m in received] == ["stale"]
    assert received[0]["streak"] == 2


def test_failed_notification_keeps_the_run(verify: Any, tmp_path: Path) -> None:
    """A webhook that cannot be reached is reported, and the run and its exit code stand."""
    recordings = tmp_path / "rec"
    verify(FORM_FLOW, "form-available", recordings=recordings)
    run = verify(
        FORM_FLOW, "form-missing", "--notify", "http://127.0.0.1:9/x", recordings=recordings
    )
    assert run.exit_code == 1
    assert "could not notify" in run.result.stderr
    assert (run.run_dir / "run.json").is_file()


def test_github_summary_and_annotations(
    verify: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On GitHub Actions the step summary is appended and the annotations printed."""
    summary_file = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    run = verify(FORM_FLOW, "http-500")
    text = summary_file.read_text()
    assert f"optout run {run.summary['run_id']}" in text
    assert "| facebook-form | en-GB |" in text
    assert "::warning title=optout inconclusive::" in run.result.stdout


def test_fail_on_regression_keeps_ci_green_on_inconclusive(verify: Any) -> None:
    """--fail-on regression exits 0 on an inconclusive run, and says so loudly."""
    run = verify(FORM_FLOW, "http-500", "--fail-on", "regression")
    assert run.exit_code == 0
    assert "WARNING: 1 result(s) inconclusive" in run.result.stderr
    assert run.summary["exit_code"] == 4  # the run's own record keeps the contract's code


def test_history_command(verify: Any, tmp_path: Path) -> None:
    """`optout history` shows one letter per run, the change and the current streak."""
    recordings = tmp_path / "rec"
    for scenario in ("form-available", "http-500", "form-missing"):
        verify(FORM_FLOW, scenario, recordings=recordings)
    result = invoke("history", "--recordings", recordings, "--json")
    [series] = json.loads(result.stdout)
    assert [p["verdict"] for p in series["points"]] == ["available", "unreachable", "missing"]
    assert [(c["from"], c["to"]) for c in series["changes"]] == [("available", "missing")]
    assert series["current"]["verdict"] == "missing"
    text = invoke("history", "--recordings", recordings).stdout
    assert "AuM" in text
