"""Hostile and broken pages at the form's address: every run ends in time with a verdict,
its evidence and a reason that says what happened (issue 12, robustness).

The replica's hostile scenarios answer the Facebook form ids (see `optout/replica/hostile.py`).
To run several of them in one `optout verify` (one browser, several workers), each state gets
its own copy of `flows/facebook-form.yaml` that starts at `https://<state>.hostile.test`,
mapped to the scenario of that name.
"""

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
from conftest import FLOWS, Verified

from optout.replica import ReplicaServer

FACEBOOK_FORM = FLOWS / "facebook-form.yaml"
FORM_PATH = "/help/contact/6359191084165019"
FORM = "https://www.facebook.com" + FORM_PATH
# A whole `optout verify` run with --timeout 4 (6 for the 50 MB page) must end well within
# this, even on a loaded machine; the flows' own durations are checked against it too.
BUDGET_S = 60.0
# The 50 MB page's run may take this many times the plain form's run on the same machine.
HUGE_FACTOR = 5.0


def origin(state: str) -> str:
    return f"https://{state}.hostile.test"


def hostile_flows(folder: Path, states: list[str]) -> list[Path]:
    """One copy of the Facebook form flow per state, named after it, starting at its origin."""
    folder.mkdir(exist_ok=True)
    if not (folder / "fragments").exists():
        (folder / "fragments").symlink_to(FLOWS / "fragments")
    text = FACEBOOK_FORM.read_text(encoding="utf-8")
    assert f"start: {FORM}\n" in text
    flows = []
    for state in states:
        flow = folder / f"{state}.yaml"
        flow.write_text(text.replace(f"start: {FORM}\n", f"start: {origin(state)}{FORM_PATH}\n"))
        flows.append(flow)
    return flows


def run_states(
    verify: Any, replica: ReplicaServer, tmp_path: Path, states: list[str]
) -> tuple[Verified, dict[str, dict[str, Any]]]:
    """Run the states' flows together (one worker each), within the budget; results by state."""
    extra = ["--workers", str(len(states))]
    for state in states:
        extra += ["--map-origin", f"{origin(state)}={replica.origin_for(state)}"]
    started = time.monotonic()
    run: Verified = verify(hostile_flows(tmp_path / "flows", states), "form-available", *extra)
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_S, f"the run took {elapsed:.0f} s"
    results = {r["flow"]: r for r in run.summary["results"]}
    assert sorted(results) == sorted(states)
    return run, results


def evidence(run: Verified, result: dict[str, Any]) -> list[str]:
    """The names of the files a result left in its evidence folder."""
    return sorted(p.name for p in (run.run_dir / result["evidence"]).iterdir())


def check_ended_with_evidence(run: Verified, state: str, result: dict[str, Any]) -> None:
    """The flow ended within the budget and left its result and final screenshot."""
    assert result["duration_s"] < BUDGET_S, (state, result["duration_s"])
    files = evidence(run, result)
    assert {"result.json", "final.png"} <= set(files), (state, files)
    saved = json.loads((run.run_dir / result["evidence"] / "result.json").read_text())
    assert (saved["verdict"], saved["reason"]) == (result["verdict"], result["reason"])


# The console flood keeps a core busy: it runs alone, so as not to slow the others down.
SHOWS_THE_FORM = [["js-dialogs", "popup-window", "infinite-scroll"], ["console-flood"]]


@pytest.mark.parametrize("states", SHOWS_THE_FORM, ids=["+".join(s) for s in SHOWS_THE_FORM])
def test_a_form_page_with_dialogs_a_popup_endless_content_or_console_spam_is_available(
    verify: Any, replica: ReplicaServer, tmp_path: Path, states: list[str]
) -> None:
    """Dialogs (dismissed), a popup (another window, never the flow's page), a feed that keeps
    growing and a flooded console do not hide the form, so each such page is `available`."""
    before = len(replica.requests)
    run, results = run_states(verify, replica, tmp_path, states)
    for state in states:
        result = results[state]
        where = f"{state}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] == "available", where
        assert result["reason"] == f"form found at {origin(state)}{FORM_PATH}", where
        check_ended_with_evidence(run, state, result)
    if "popup-window" in states:  # the popup did open (an unavailable page), and was ignored
        assert ("GET", "/popup-window/help/notice/popup") in replica.requests[before:]
    assert run.exit_code == 0


# (state, verdict, the part of the reason that says what happened)
NEVER_THE_FORM = [
    ("stall", "unreachable", f"net::ERR_TIMED_OUT loading {origin('stall')}{FORM_PATH}"),
    ("download", "unreachable", "Download is starting"),
    (
        "navigate-away",
        "broken",
        f"ended at {origin('navigate-away')}/, which does not match the form URL pattern",
    ),
]


def test_a_page_that_stalls_downloads_or_navigates_away_is_inconclusive_and_says_why(
    verify: Any, replica: ReplicaServer, tmp_path: Path
) -> None:
    """A form page that never finishes loading, is a download, or leaves for another page
    after 1 s ends `unreachable` or `broken`, never `missing`, with a reason naming it, and the
    stalled answer does not outlive the run."""
    states = [state for state, _, _ in NEVER_THE_FORM]
    run, results = run_states(verify, replica, tmp_path, states)
    for state, verdict, reason in NEVER_THE_FORM:
        result = results[state]
        where = f"{state}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] == verdict, where
        assert reason in result["reason"], where
        check_ended_with_evidence(run, state, result)
    away = [n["url"] for n in results["navigate-away"]["navigations"]]
    assert away == [f"{origin('navigate-away')}{FORM_PATH}", f"{origin('navigate-away')}/"]
    assert run.exit_code == 4
    deadline = time.monotonic() + 10  # the stalled answer ended with its client
    while replica.in_flight and time.monotonic() < deadline:
        time.sleep(0.1)
    assert replica.in_flight == 0


def test_a_redirect_loop_is_unreachable_too_many_redirects(verify: Any) -> None:
    """Two form ids that redirect to each other end `unreachable`, "too many redirects", in time."""
    started = time.monotonic()
    result = verify(FACEBOOK_FORM, "redirect-loop").only()
    assert time.monotonic() - started < BUDGET_S
    assert result["verdict"] == "unreachable", result["reason"]
    assert "redirect" in result["reason"].lower(), result["reason"]


def test_a_form_covered_by_an_overlay_is_not_available(verify: Any) -> None:
    """A form that an opaque layer covers 1 s after it loads is not `available`: nobody can see
    it, and neither can the final screenshot."""
    run = verify(FACEBOOK_FORM, "overlay-cover")
    result = run.only()
    assert result["verdict"] == "blocked", result["reason"]
    assert result["rule"] == "form covered", result["reason"]
    assert "is covered by" in result["reason"], result["reason"]
    assert "Get the most out of Facebook" in result["reason"], result["reason"]
    check_ended_with_evidence(run, "overlay-cover", result)


def verify_process(
    replica: ReplicaServer, folder: Path, scenario: str, limit: float
) -> tuple[float, dict[str, Any], Path]:
    """`optout verify` of the Facebook form on `scenario` (--timeout 6) as a child process,
    killed after `limit` seconds: (seconds it took, its result, its evidence folder)."""
    summary = folder / "summary.json"
    args = [
        str(Path(sys.executable).parent / "optout"), "verify", str(FACEBOOK_FORM),
        "--locale", "en-GB", "--timeout", "6", "--recordings", str(folder / "rec"),
        "--json", str(summary), "--log-format", "json",
        "--map-origin", f"https://www.facebook.com={replica.origin_for(scenario)}",
    ]  # fmt: skip
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    try:
        _, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the run, its driver and its browser
        proc.communicate()
        pytest.fail(f"{scenario}: optout verify was still running after {limit:.0f} s")
    elapsed = time.monotonic() - started
    assert "Traceback" not in err, err
    data = json.loads(summary.read_text())
    result: dict[str, Any] = data["results"][0]
    return elapsed, result, folder / "rec" / data["run_id"] / result["evidence"]


def test_a_50_mb_page_ends_in_time(replica: ReplicaServer, tmp_path: Path) -> None:
    """A 50 MB form page ends within five times the plain form's run (and the budget),
    `available` or `unreachable` on a timeout, with its evidence."""
    baseline, plain, _ = verify_process(replica, tmp_path / "plain", "form-available", BUDGET_S)
    assert plain["verdict"] == "available", plain["reason"]
    # Loading, capturing and sealing 50 MB costs a few plain runs; relaying it through Python
    # costs ten or more (about a minute on this machine, more under load).
    limit = min(BUDGET_S, max(HUGE_FACTOR * baseline, 20.0))
    _, result, folder = verify_process(replica, tmp_path / "huge", "huge-page", limit)
    if result["verdict"] != "available":
        assert result["verdict"] == "unreachable", result["reason"]
        assert "timed out" in result["reason"] or "ERR_TIMED_OUT" in result["reason"]
    files = {p.name for p in folder.iterdir()}
    assert {"result.json", "final.png"} <= files, files


# --- the replica's hostile pages do what they say, in a browser (no optout) --------------------


def test_js_dialogs_page_opens_its_dialogs(page: Any, replica: ReplicaServer) -> None:
    """The js-dialogs page raises alert() while loading, confirm() on load and alert() 1 s later."""
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.dismiss()))
    page.goto(replica.origin_for("js-dialogs") + FORM_PATH)
    page.wait_for_timeout(2500)
    assert seen == ["alert", "confirm", "alert"]


def test_popup_window_page_opens_an_unavailable_popup(page: Any, replica: ReplicaServer) -> None:
    """The popup-window page opens a popup saying "This page isn't available" on load."""
    with page.expect_popup(timeout=10_000) as popup_info:
        page.goto(replica.origin_for("popup-window") + FORM_PATH)
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == replica.origin_for("popup-window") + "/help/notice/popup"
    assert "This page isn't available" in popup.inner_text("body")


def test_overlay_covers_the_form_after_a_second(page: Any, replica: ReplicaServer) -> None:
    """After 1 s, the e-mail field is still visible but the overlay is what a click would hit."""
    page.goto(replica.origin_for("overlay-cover") + FORM_PATH)
    page.wait_for_selector("#replica_overlay", timeout=10_000)
    email = page.locator("input[type=email]")
    assert email.is_visible()
    box = email.bounding_box()
    hit = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('#replica_overlay')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit


def test_navigate_away_page_leaves_after_a_second(page: Any, replica: ReplicaServer) -> None:
    """The navigate-away page shows the form, then goes to the home page by itself."""
    page.goto(replica.origin_for("navigate-away") + FORM_PATH)
    assert page.locator("input[type=email]").count() == 1
    page.wait_for_url(replica.origin_for("navigate-away") + "/", timeout=10_000)
    assert "Facebook helps you connect" in page.inner_text("body")


def test_infinite_scroll_page_keeps_growing(page: Any, replica: ReplicaServer) -> None:
    """The infinite-scroll feed grows on its own and again when its end is scrolled into view."""
    page.goto(replica.origin_for("infinite-scroll") + FORM_PATH)
    articles = page.locator("#replica_feed article")
    first = articles.count()
    page.wait_for_timeout(500)
    timed = articles.count()
    page.mouse.wheel(0, 100_000)
    page.wait_for_timeout(300)
    assert first < timed < articles.count()


def test_console_flood_page_logs_thousands_of_lines_a_second(
    page: Any, replica: ReplicaServer
) -> None:
    """The console-flood page writes more than a thousand console lines a second."""
    # Counted in the page: a listener in the test would drown in the events it asked for.
    page.add_init_script(
        "window.__lines = {log: 0, error: 0};"
        "for (const kind of ['log', 'error']) {"
        "  const write = console[kind].bind(console);"
        "  console[kind] = (...args) => { window.__lines[kind]++; write(...args); };"
        "}"
    )
    page.goto(replica.origin_for("console-flood") + FORM_PATH)
    started = page.evaluate("[performance.now(), window.__lines.log]")
    page.wait_for_timeout(1000)
    ended = page.evaluate("[performance.now(), window.__lines.log, window.__lines.error]")
    per_second = (ended[1] - started[1]) / (ended[0] - started[0]) * 1000
    assert per_second > 1000 and ended[2] > 0, (per_second, ended)
