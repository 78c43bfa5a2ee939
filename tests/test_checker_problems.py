"""Checker problems: told once, again when they change, once "recovered", and kept apart
from the forms' changes (to --notify-ops, or marked inside the --notify message)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import flow_result as result
from helpers import run_summary
from inbox import Inbox, changed, free_port, http_inbox, record

from optout.outputs.notify import Channels, channels, notify_failure, notify_run
from optout.outputs.problems import ProblemBook

EXPIRED = "session 'facebook' expired or was logged out (run: optout login facebook)"


def run_id(day: int) -> str:
    return f"202611{day:02d}T063000Z"


def day_run(recordings: Path, day: int, *results: Any) -> Any:
    """Record a run of that day in November and return its summary."""
    return record(recordings, run_summary(*results, run_id=run_id(day)), shots=False)


def hook(inbox: Inbox, path: str = "/hook") -> Channels:
    to, bad = channels([f"http://{inbox.origin}{path}"], stale_after=2)
    assert bad == []
    return to


def texts(inbox: Inbox) -> list[str]:
    return [post.json()["text"] for post in inbox.posts]


def test_a_repeated_checker_failure_is_one_message_then_one_recovered(tmp_path: Path) -> None:
    """Three runs that cannot start send one problem; the next run that works, one recovery."""
    with http_inbox() as inbox:
        to = hook(inbox)
        for _ in range(3):
            notify_failure("no browser found (pid 4242)", tmp_path, to)
        assert len(inbox.posts) == 1
        notify_run(day_run(tmp_path, 1, result("facebook-form", "available")), tmp_path, to)
        notify_run(day_run(tmp_path, 2, result("facebook-form", "available")), tmp_path, to)
    first, second = inbox.posts
    assert first.json()["kind"] == "problems"
    assert first.json()["text"].startswith("optout checker problem: optout could not run\n")
    assert "no browser found" in first.json()["text"]
    assert second.json()["text"].startswith("optout recovered: optout could not run\n")
    assert ProblemBook.load(tmp_path).entries == {}


def test_a_changed_checker_failure_is_told_again(tmp_path: Path) -> None:
    """A different failure is a new message; the same one with other numbers is not."""
    with http_inbox() as inbox:
        to = hook(inbox)
        notify_failure("browser crashed after 12 s", tmp_path, to)
        notify_failure("browser crashed after 31 s", tmp_path, to)
        notify_failure("recordings folder is not writable", tmp_path, to)
    assert len(inbox.posts) == 2
    assert "not writable" in texts(inbox)[1]


def test_a_stale_flow_is_told_once_per_stretch(tmp_path: Path) -> None:
    """Inconclusive for 2 runs: one message; a 3rd day says nothing; conclusive: recovered."""
    with http_inbox() as inbox:
        to = hook(inbox)
        for day, verdict in enumerate(["available", "unreachable", "unreachable", "unreachable"]):
            notify_run(day_run(tmp_path, day + 1, result("instagram-form", verdict)), tmp_path, to)
        assert len(inbox.posts) == 1
        notify_run(day_run(tmp_path, 5, result("instagram-form", "available")), tmp_path, to)
    problem, recovered = texts(inbox)
    assert "instagram-form fr-FR: no conclusive verdict for 2 runs (since 2026-11-02)" in problem
    assert "Checker problems (about optout, not about the forms):" in problem
    assert recovered.startswith("optout recovered: instagram-form fr-FR\n")


def test_an_expired_login_says_log_in_again_and_nothing_about_the_form(tmp_path: Path) -> None:
    """A session-expired result gives one "log in again" message per stretch, no form news."""
    expired = result(
        "facebook-notification",
        "blocked",
        rule="session expired",
        reason=EXPIRED,
        session="facebook",
    )
    with http_inbox() as inbox:
        to = hook(inbox)
        for day in (1, 2, 3):
            notify_run(day_run(tmp_path, day, expired), tmp_path, to)
        [post] = inbox.posts
        body = post.json()
        title = "optout checker problem: log in again (saved login 'facebook')"
        assert body["text"].startswith(title)
        assert "`optout login facebook`" in body["text"]
        assert body["changes"] == [] and "stale" not in str(body["problems"])
        assert not any(w in body["text"] for w in ("missing", "available", "blocked"))
        back = result("facebook-notification", "available", session="facebook")
        notify_run(day_run(tmp_path, 4, back), tmp_path, to)
    assert texts(inbox)[1].startswith("optout recovered: saved login 'facebook'")


def test_changes_and_problems_go_apart_with_notify_ops(tmp_path: Path) -> None:
    """With an ops target, the digest has only the change and the ops target only problems,
    among them the content target that could not be reached."""
    day_run(tmp_path, 1, result("facebook-form", "available"), result("instagram-form", "broken"))
    summary = day_run(tmp_path, 2, changed("facebook-form"), result("instagram-form", "broken"))
    port = free_port()
    with http_inbox() as content, http_inbox() as ops:
        dead = f"http://127.0.0.1:{port}/SECRET"
        to, _ = channels(
            [f"http://{content.origin}/c", dead], [f"http://{ops.origin}/o"], stale_after=2
        )
        deliveries = notify_run(summary, tmp_path, to)
    [digest] = texts(content)
    [problems] = texts(ops)
    assert "facebook-form fr-FR: available → missing" in digest and "Checker" not in digest
    assert "instagram-form fr-FR: no conclusive verdict for 2 runs" in problems
    assert f"notifications to http://127.0.0.1:{port}/****: could not be delivered" in problems
    assert "SECRET" not in problems and "missing" not in problems
    assert [d.status for d in deliveries] == ["sent", "failed", "sent"]


def test_without_notify_ops_problems_ride_along_marked(tmp_path: Path) -> None:
    """Without an ops target the one message carries the change, then the problems under
    their own heading."""
    day_run(tmp_path, 1, result("facebook-form", "available"), result("instagram-form", "broken"))
    summary = day_run(tmp_path, 2, changed("facebook-form"), result("instagram-form", "broken"))
    with http_inbox() as inbox:
        notify_run(summary, tmp_path, hook(inbox))
    [text] = texts(inbox)
    assert text.startswith("optout: facebook-form fr-FR: available → missing + 1 checker problem")
    change, problems = text.split("Checker problems (about optout, not about the forms):")
    assert "instagram-form" not in change and "instagram-form fr-FR" in problems


def test_a_problem_nobody_received_is_tried_again(tmp_path: Path) -> None:
    """When every delivery failed, the problem is not marked told and goes out next time,
    with the failed delivery."""
    dead = f"http://127.0.0.1:{free_port()}/x"
    notify_failure("no browser found", tmp_path, channels([dead])[0])
    with http_inbox() as inbox:
        notify_failure("no browser found", tmp_path, channels([f"http://{inbox.origin}/", dead])[0])
    [text] = texts(inbox)
    assert "optout could not run: no browser found" in text
    assert "notifications to http://127.0.0.1" in text  # yesterday's failed delivery, told once


def test_a_target_no_longer_given_leaves_no_problem_behind(tmp_path: Path) -> None:
    """The failed delivery of a URL that is not configured any more is forgotten, untold."""
    notify_failure("no browser found", tmp_path, channels([f"http://127.0.0.1:{free_port()}/x"])[0])
    with http_inbox() as inbox:
        notify_failure("no browser found", tmp_path, hook(inbox))
    [text] = texts(inbox)
    assert "notifications to" not in text
    assert [e.problem.kind for e in ProblemBook.load(tmp_path).entries.values()] == ["checker"]
