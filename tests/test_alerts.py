"""Alerts without noise: one message per run with a confirmed change, GitHub outputs, --fail-on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, invoke
from inbox import free_port, http_inbox

FORM_FLOW = FLOWS / "facebook-form.yaml"


def test_form_disappearing_gives_exactly_one_alert(
    verify: Any, tmp_path: Path, webhook: tuple[str, list[Any]]
) -> None:
    """Day 1 available, day 2 missing (confirmed): one message per target, the JSON service
    with both days' final screenshots; day 3, still missing, sends nothing."""
    url, received = webhook
    recordings = tmp_path / "rec"
    with http_inbox() as inbox:
        notify = ["--notify", url, "--notify", f"json://{inbox.origin}/apprise"]
        notify += ["--report-url", "https://example.org/optout"]
        day1 = verify(FORM_FLOW, "form-available", *notify, recordings=recordings)
        assert received == [] and inbox.posts == [] and day1.exit_code == 0
        day2 = verify(FORM_FLOW, "form-missing", *notify, recordings=recordings)
        assert day2.exit_code == 1
        day3 = verify(FORM_FLOW, "form-missing", *notify, recordings=recordings)
        assert day3.exit_code == 0
    [message] = received
    assert message["kind"] == "digest" and message["run_id"] == day2.summary["run_id"]
    [change] = message["changes"]
    assert (change["flow"], change["locale"], change["from"], change["to"]) == (
        "facebook-form",
        "en-GB",
        "available",
        "missing",
    )
    assert message["text"].startswith("optout: facebook-form en-GB: available → missing")
    assert change["link"] == (
        f"https://example.org/optout/changes/{day2.summary['run_id']}-facebook-form-en-GB.html"
    )
    [post] = inbox.posts
    files = [a["filename"] for a in post.json()["attachments"]]
    assert files == [
        "facebook-form-en-GB-missing-after.png",
        "facebook-form-en-GB-available-before.png",
    ]


def test_stale_flow_is_notified_once(
    verify: Any, tmp_path: Path, webhook: tuple[str, list[Any]]
) -> None:
    """A flow inconclusive for --stale-after runs in a row gives one message, not one a day."""
    url, received = webhook
    recordings = tmp_path / "rec"
    for _ in range(3):
        verify(FORM_FLOW, "http-500", "--notify", url, "--stale-after", "2", recordings=recordings)
    [message] = received
    assert message["kind"] == "problems"
    assert [p["kind"] for p in message["problems"]] == ["stale"]
    assert "no conclusive verdict for 2 runs" in message["text"]


def test_failed_notification_keeps_the_run(
    verify: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unreachable notification server (given as a CI secret with a trailing newline)
    changes neither the verdicts nor the exit code, and the failed delivery is recorded next
    to run.json without the URL's secret."""
    recordings = tmp_path / "rec"
    verify(FORM_FLOW, "form-available", recordings=recordings)
    dead = f"http://127.0.0.1:{free_port()}/hooks/SECRET"
    monkeypatch.setenv("OPTOUT_NOTIFY_URL", dead + "\n")
    run = verify(FORM_FLOW, "form-missing", recordings=recordings)
    assert run.exit_code == 1 and run.summary["results"][0]["verdict"] == "missing"
    assert "could not notify" in run.result.stderr
    assert "SECRET" not in run.result.stderr
    record = json.loads((run.run_dir / "notifications.json").read_text(encoding="utf-8"))
    [delivery] = record["deliveries"]
    assert delivery["status"] == "failed" and delivery["url"].endswith("/****")
    assert "refused" in delivery["error"].lower()
    assert "SECRET" not in json.dumps(record)
    assert "notifications.json" not in (run.run_dir / "manifest.json").read_text()


def test_recorded_deliveries_do_not_break_evidence_verify(verify: Any, tmp_path: Path) -> None:
    """`optout evidence verify` ignores the notifications.json written after the seal."""
    recordings = tmp_path / "rec"
    dead = f"http://127.0.0.1:{free_port()}/x"
    run = verify(
        FORM_FLOW, "http-500", "--notify", dead, "--stale-after", "1", recordings=recordings
    )
    assert (run.run_dir / "notifications.json").is_file()
    checked = invoke("evidence", "verify", "--recordings", recordings)
    assert checked.exit_code == 0, checked.output


def test_a_run_that_cannot_work_tells_the_ops_target_once(tmp_path: Path) -> None:
    """Two runs without a browser (exit 3) send one checker-problem message to --notify-ops."""
    with http_inbox() as inbox:
        for _ in range(2):
            result = invoke(
                "verify",
                FORM_FLOW,
                "--locale",
                "en-GB",
                "--recordings",
                tmp_path / "rec",
                "--browser-path",
                tmp_path / "no-chromium",
                "--notify-ops",
                f"http://{inbox.origin}/ops",
            )
            assert result.exit_code == 3
    [post] = inbox.posts
    assert post.json()["text"].startswith("optout checker problem: optout could not run")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--notify", "https://hooks.example.com/a b", "not a URL: a part without scheme://"),
        ("--notify", "https://hooks.example.com/a\x07", "contains a space or a control character"),
        ("--notify", "tgram://", "not a URL Apprise can use"),
        ("--notify-ops", "hooks.example.com/x", "not a URL: a part without scheme://"),
        ("--report-url", "ftp://example.org/r", "give the http(s) address where the report is"),
        ("--notify-config", "no-such-file.yml", "File 'no-such-file.yml' does not exist."),
    ],
)
def test_an_unusable_notification_option_is_a_usage_error(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    """A bad notification option exits 2 with one line, before anything is run or written."""
    result = invoke("verify", FORM_FLOW, "--recordings", tmp_path / "rec", option, value)
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"optout: verify: Invalid value for '{option}': ")
    assert message in line
    assert not (tmp_path / "rec").exists()


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
