"""Publishing a recorded run: the JSON summary, JUnit, notifications and GitHub output."""

from __future__ import annotations

import io
import json
from pathlib import Path

from helpers import RUN_ID, flow_result, run_summary, write_run
from inbox import free_port, http_inbox

from optout.check.results import RunSummary
from optout.outputs.publish import PublishTargets, publish, publish_failure
from optout.store.records import run_from_json

GITHUB = {"GITHUB_ACTIONS": "true"}


def recorded(recordings: Path) -> RunSummary:
    """A run with a change and an inconclusive result, recorded after an inconclusive one."""
    write_run(recordings, "20261128T063000Z", [flow_result("instagram-form", "blocked")])
    summary = run_summary(
        flow_result("facebook-form", "missing", change=True, changed_from="available"),
        flow_result("instagram-form", "blocked"),
        exit_code=1,
    )
    write_run(recordings, RUN_ID, summary.results)
    return summary


def test_json_to_stdout_moves_github_output_to_stderr(tmp_path: Path) -> None:
    """With `-` the summary is the only thing on stdout; annotations go to stderr."""
    summary = recorded(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    errors = publish(
        summary, tmp_path, PublishTargets(json_out="-"), stdout=out, stderr=err, env=GITHUB
    )
    assert errors == []
    assert run_from_json(json.loads(out.getvalue())) == summary
    assert out.getvalue() == json.dumps(summary.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert [line.split("::")[1] for line in err.getvalue().splitlines()] == [
        "error title=optout change",
        "warning title=optout inconclusive",
    ]


def test_files_are_written_and_github_output_goes_to_stdout(tmp_path: Path) -> None:
    """A JSON file and a JUnit file are written; annotations go to stdout; off GitHub, none."""
    summary = recorded(tmp_path / "rec")
    targets = PublishTargets(json_out=str(tmp_path / "out.json"), junit_out=tmp_path / "j.xml")
    out, err = io.StringIO(), io.StringIO()
    publish(summary, tmp_path / "rec", targets, stdout=out, stderr=err, env=GITHUB)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == summary.to_json()
    assert 'failures="0" errors="1"' in (tmp_path / "j.xml").read_text(encoding="utf-8")
    assert len(out.getvalue().splitlines()) == 2 and err.getvalue() == ""
    out = io.StringIO()
    publish(summary, tmp_path / "rec", PublishTargets(), stdout=out, stderr=err, env={})
    assert out.getvalue() == err.getvalue() == ""


def test_failed_notifications_are_told_on_stderr_recorded_and_returned(tmp_path: Path) -> None:
    """A delivery that fails is one `could not notify` line on stderr, a GitHub warning and an
    entry of the run's notifications.json, all without the URL's secret; the run goes on."""
    summary = recorded(tmp_path)
    url = f"http://127.0.0.1:{free_port()}/hooks/SECRET"
    targets = PublishTargets(notify=(url,), stale_after=2)
    out, err = io.StringIO(), io.StringIO()
    errors = publish(summary, tmp_path, targets, stdout=out, stderr=err, env=GITHUB)
    masked = url.rsplit("/", 2)[0] + "/****"
    assert len(errors) == 1 and errors[0].startswith(f"notify {masked}: ")
    assert err.getvalue() == f"optout: could not notify: {errors[0]}\n"
    assert out.getvalue().splitlines()[-1].startswith("::warning title=optout notify::notify ")
    record = json.loads((tmp_path / RUN_ID / "notifications.json").read_text(encoding="utf-8"))
    [delivery] = record["deliveries"]
    assert (delivery["url"], delivery["status"], delivery["what"]) == (
        masked,
        "failed",
        "changes+problems",
    )
    assert "SECRET" not in json.dumps(record) + err.getvalue() + out.getvalue()


def test_an_unusable_url_given_in_code_is_a_failed_delivery(tmp_path: Path) -> None:
    """A URL the command line would refuse, given directly, fails its delivery and raises
    nothing."""
    summary = recorded(tmp_path)
    targets = PublishTargets(notify=("https:///no-host",))
    err = io.StringIO()
    errors = publish(summary, tmp_path, targets, stdout=io.StringIO(), stderr=err, env={})
    assert errors == ["notify (unusable URL): https://…: no host"]


def test_a_checker_failure_is_told_to_the_ops_target(tmp_path: Path) -> None:
    """publish_failure sends the exit-3 problem to --notify-ops, and only once."""
    with http_inbox() as inbox:
        targets = PublishTargets(notify_ops=(f"http://{inbox.origin}/ops",))
        for _ in range(2):
            assert publish_failure("no browser found", tmp_path, targets) == []
    [post] = inbox.posts
    assert post.json()["text"].startswith("optout checker problem: optout could not run")
