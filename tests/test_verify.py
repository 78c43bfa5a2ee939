"""`optout verify` end to end: the shipped flows against the replica, through --map-origin."""

from __future__ import annotations

import hashlib
import json
import socket
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, PAIR, TEST_FLOWS, Verified, invoke

FORM = "https://www.facebook.com/help/contact/6359191084165019"
FACEBOOK_FORM = FLOWS / "facebook-form.yaml"
POLICY = FLOWS / "facebook-policy.yaml"

# What the replica's English "unavailable" page says, as the reason must quote it.
GONE_QUOTE = 'unavailable page: "This content isn'

# (scenario, verdict, a part of the reason, exit code) for the direct form flow.
FORM_STATES = [
    ("form-available", "available", f"form found at {FORM}", 0),
    ("form-missing", "missing", GONE_QUOTE, 0),
    ("form-missing-404", "missing", GONE_QUOTE, 0),
    (
        "login-wall",
        "blocked",
        "login wall or checkpoint (URL) at https://www.facebook.com/login/?next=",
        4,
    ),
    (
        "checkpoint",
        "blocked",
        "login wall or checkpoint (URL) at https://www.facebook.com/checkpoint/?next=",
        4,
    ),
    ("cookie-dialog", "available", f"form found at {FORM}", 0),
    ("cookie-dialog-stuck", "blocked", f"cookie dialog could not be closed at {FORM}", 4),
    ("late-render", "available", f"form found at {FORM}", 0),
    # Meta's 500 page says "Sorry, something went wrong": a failure, quoted as such.
    ("http-500", "unreachable", f'Meta\'s error page: "Sorry, something went wrong." at {FORM}', 4),
    (
        "redesigned",
        "broken",
        f"page at {FORM} is neither the form nor an unavailable page "
        "(not found: a form with email, free_text, submit and no password field, "
        "textbox (email words), button (send words))",
        4,
    ),
    (
        "form-redirect",
        "available",
        "form found at https://www.facebook.com/help/contact/712876720715583",
        0,
    ),
]


@pytest.mark.parametrize(
    ("scenario", "verdict", "reason", "code"), FORM_STATES, ids=[s[0] for s in FORM_STATES]
)
def test_form_flow_verdicts(
    verify: Any, scenario: str, verdict: str, reason: str, code: int
) -> None:
    """Each page state of the form gives its verdict, for the right reason, and its exit code."""
    run: Verified = verify(FACEBOOK_FORM, scenario)
    result = run.only()
    assert (result["verdict"], run.exit_code) == (verdict, code), result["reason"]
    assert reason in result["reason"]


def test_unavailable_page_is_recognised_in_french(verify: Any) -> None:
    """The French unavailable page (curly apostrophe) is `missing` too."""
    result = verify(FACEBOOK_FORM, "form-missing", locale="fr-FR").only()
    assert result["verdict"] == "missing"
    assert result["locale"] == "fr-FR"


def test_cookie_dialog_declined(verify: Any) -> None:
    """The consent step presses "Decline optional cookies" and the evidence says so."""
    result = verify(FACEBOOK_FORM, "cookie-dialog").only()
    dismiss = next(s for s in result["steps"] if s["action"] == "dismiss")
    assert dismiss["status"] == "ok"
    assert dismiss["detail"] == "pressed 'Decline optional cookies'"
    assert dismiss["matched"] == "css [data-cookiebanner='accept_only_essential_button']"


def test_hang_is_unreachable_not_missing(verify: Any) -> None:
    """A server that never answers gives `unreachable` within the timeout."""
    run = verify(FACEBOOK_FORM, "hang", timeout=2)
    result = run.only()
    assert result["verdict"] == "unreachable"
    assert "ERR_TIMED_OUT" in result["reason"] or "timed out" in result["reason"]
    assert result["duration_s"] < 15
    assert run.exit_code == 4


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound (so nobody else takes it), never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_connection_refused_is_unreachable(verify: Any, closed_port: int) -> None:
    """A mapped origin that refuses connections gives `unreachable`, with the network error."""
    run = verify(FACEBOOK_FORM, "", origin=f"http://127.0.0.1:{closed_port}")
    assert run.exit_code == 4
    assert run.only()["verdict"] == "unreachable"
    assert run.only()["reason"] == f"net::ERR_CONNECTION_REFUSED loading {FORM}"


def test_redirect_chain_is_kept_in_evidence(verify: Any) -> None:
    """A redirect answered by the router keeps the real URLs and the status in the evidence."""
    result = verify(FACEBOOK_FORM, "form-redirect").only()
    assert result["final_url"] == "https://www.facebook.com/help/contact/712876720715583"
    first = result["navigations"][0]
    assert first == {
        "url": FORM,
        "status": 301,
        "via_router": True,
        "redirected_to": "https://www.facebook.com/help/contact/712876720715583",
    }
    assert result["navigations"][-1]["status"] == 200


def test_login_redirect_lands_on_the_real_login_url(verify: Any) -> None:
    """A 302 to the login page ends on https://www.facebook.com/login/..., not on the replica."""
    result = verify(FACEBOOK_FORM, "login-wall").only()
    assert result["final_url"].startswith("https://www.facebook.com/login/?next=https%3A%2F%2F")
    assert result["navigations"][0]["status"] == 302


def test_redirect_out_of_the_mapped_origin_goes_out(verify: Any, closed_port: int) -> None:
    """A redirect to another origin is followed as a real URL (here mapped to a closed port)."""
    run = verify(
        FACEBOOK_FORM,
        "help-redirect",
        "--map-origin",
        f"https://help.meta.com=http://127.0.0.1:{closed_port}",
    )
    result = run.only()
    assert result["verdict"] == "unreachable"
    assert result["reason"] == (
        "net::ERR_CONNECTION_REFUSED loading https://help.meta.com/support/privacy"
    )


POLICY_STATES = [
    ("form-available", "available", f"form found at {FORM}"),
    (
        "policy-no-link",
        "missing",
        "declared absent: missing) on https://www.facebook.com/privacy/policy/",
    ),
    # Meta's 500 page says "Sorry, something went wrong": a failure, quoted as such.
    (
        "http-500",
        "unreachable",
        ': "Sorry, something went wrong." at https://www.facebook.com/privacy/policy/',
    ),
    ("login-wall", "blocked", "login wall or checkpoint (URL)"),
]


@pytest.mark.parametrize(
    ("scenario", "verdict", "reason"), POLICY_STATES, ids=[s[0] for s in POLICY_STATES]
)
def test_policy_flow(verify: Any, scenario: str, verdict: str, reason: str) -> None:
    """The policy flow follows the banner link; a page that failed to load is never `missing`."""
    result = verify(POLICY, scenario).only()
    assert result["verdict"] == verdict
    assert reason in result["reason"]


def test_policy_hang_is_not_missing(verify: Any) -> None:
    """A policy page that never loads is `unreachable`, though its link step is absent: missing."""
    result = verify(POLICY, "hang", timeout=2).only()
    assert result["verdict"] == "unreachable"


def test_every_step_type(verify: Any) -> None:
    """open, wait, dismiss, see, skip on absence and click with alternatives all work together."""
    result = verify(TEST_FLOWS / "valid" / "every-step.yaml", "form-available").only()
    assert result["verdict"] == "available", result["reason"]
    actions = [(s["action"], s["status"]) for s in result["steps"]]
    assert actions == [
        ("open-start", "ok"),
        ("open", "ok"),
        ("wait", "ok"),
        ("dismiss", "skipped"),
        ("see", "ok"),
        ("see", "skipped"),
        ("click", "ok"),
        ("check-form", "ok"),
    ]
    click = result["steps"][6]
    assert click["alternative"] == 2  # the fallback matched: visible selector drift
    assert click["matched"].startswith('link "right to object"')


def test_absence_needs_proof_of_place(verify: Any) -> None:
    """`absent: missing` with an unmet `on_page` proof is broken, not missing."""
    result = verify(TEST_FLOWS / "valid" / "wrong-page-proof.yaml", "form-available").only()
    assert result["verdict"] == "broken"
    assert "not on the expected page" in result["reason"]


def test_absence_with_proof_of_place_is_missing(verify: Any) -> None:
    """`absent: missing` on a page proven by `on_page` is missing, naming the step."""
    result = verify(TEST_FLOWS / "valid" / "absent-with-proof.yaml", "form-available").only()
    assert result["verdict"] == "missing"
    assert result["reason"] == (
        'no link "a link no page has" (step 2, declared absent: missing) on '
        "https://www.facebook.com/privacy/policy/"
    )


def test_step_that_finds_nothing_is_broken(verify: Any) -> None:
    """Without `absent: missing`, a step that finds nothing makes the flow broken."""
    result = verify(TEST_FLOWS / "valid" / "absent-broken.yaml", "form-available").only()
    assert result["verdict"] == "broken"
    assert result["reason"].startswith('step 2: link "a link no page has" not found')


# --- the summary and the evidence -------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_summary_and_evidence(verify: Any) -> None:
    """run.json, result.json, screenshots, DOM, ARIA snapshot and a manifest that matches."""
    run = verify(FACEBOOK_FORM, "cookie-dialog", locale=PAIR)
    summary = run.summary
    assert set(summary) >= {
        "run_id",
        "started_at",
        "finished_at",
        "exit_code",
        "tool",
        "browser",
        "results",
    }
    assert summary["tool"]["name"] == "optout"
    assert summary["browser"]["name"] == "chromium" and summary["browser"]["version"]
    assert summary["exit_code"] == run.exit_code == 0
    assert [(r["flow"], r["locale"]) for r in summary["results"]] == [
        ("facebook-form", "en-GB"),  # the flow's order: `locales: all` is the catalogue's
        ("facebook-form", "fr-FR"),
    ]
    assert json.loads((run.run_dir / "run.json").read_text()) == summary

    for result in summary["results"]:
        folder = run.run_dir / result["evidence"]
        assert json.loads((folder / "result.json").read_text()) == result
        for step in result["steps"]:
            width, height = _png_size((folder / step["screenshot"]).read_bytes())
            assert (width, height) == (1280, 900)
        assert _png_size((folder / "final.png").read_bytes())[1] >= 900
        assert 'type="email"' in (folder / "final.html").read_text()
        assert 'textbox "' in (folder / "final.aria.yaml").read_text()
        assert [s["screenshot"] for s in result["steps"]] == [
            "01-open-start.png",
            "02-dismiss.png",
            "03-click.png",
            "04-check-form.png",
        ]

    manifest = json.loads((run.run_dir / "manifest.json").read_text())
    files = {
        p.relative_to(run.run_dir).as_posix()
        for p in run.run_dir.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert set(manifest["files"]) == files
    for name, entry in manifest["files"].items():
        data = (run.run_dir / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def test_retries_keep_every_attempt(verify: Any) -> None:
    """--retries re-runs an inconclusive flow and keeps the earlier attempt's evidence."""
    run = verify(FACEBOOK_FORM, "http-500", "--retries", "1")
    result = run.only()
    assert result["attempts"] == 2
    folder = run.run_dir / result["evidence"]
    earlier = json.loads((folder / "attempt-1" / "result.json").read_text())
    assert earlier["verdict"] == "unreachable" and earlier["attempt"] == 1
    assert (folder / "attempt-1" / "01-open-start.png").is_file()
    assert (folder / "01-open-start.png").is_file()


def test_regression_against_last_conclusive_verdict(verify: Any, tmp_path: Path) -> None:
    """Available yesterday, missing today: exit 1 with `regression` and what was expected."""
    recordings = tmp_path / "shared-recordings"
    assert verify(FACEBOOK_FORM, "form-available", recordings=recordings).exit_code == 0
    run = verify(FACEBOOK_FORM, "form-missing", recordings=recordings)
    result = run.only()
    assert (result["verdict"], result["expected"], result["regression"]) == (
        "missing",
        "available",
        True,
    )
    assert run.exit_code == 1
    # an inconclusive day in between is not a regression and does not change what is expected
    later = verify(FACEBOOK_FORM, "http-500", recordings=recordings)
    assert later.exit_code == 4
    assert later.only()["expected"] == "missing"


def test_expect_in_the_flow(verify: Any, tmp_path: Path) -> None:
    """A flow's `expect: available` makes a `missing` verdict exit 1 on the first run."""
    flow = tmp_path / "flows" / "facebook-form.yaml"
    flow.parent.mkdir()
    (tmp_path / "flows" / "fragments").symlink_to(FLOWS / "fragments")
    flow.write_text(FACEBOOK_FORM.read_text().replace("locales:", "expect: available\nlocales:"))
    run = verify(flow, "form-missing")
    assert run.exit_code == 1
    assert run.only()["regression"] is True


def test_junit_report(verify: Any, tmp_path: Path) -> None:
    """--junit writes one testcase per flow × locale; inconclusive ones are errors."""
    junit = tmp_path / "junit.xml"
    verify(FACEBOOK_FORM, "http-500", "--junit", str(junit))
    text = junit.read_text()
    assert 'tests="1"' in text and 'errors="1"' in text
    assert '<testcase classname="facebook-form" name="en-GB"' in text
    assert "unreachable: Meta&apos;s error page" in text or "unreachable: Meta's error page" in text


def test_json_to_stdout(replica: Any, tmp_path: Path) -> None:
    """--json - prints the summary on stdout, and the table goes to stderr."""
    result = invoke(
        "verify",
        FACEBOOK_FORM,
        "--locale",
        "en-GB",
        "--recordings",
        tmp_path,
        "--map-origin",
        f"https://www.facebook.com={replica.origin_for('form-available')}",
        "--json",
        "-",
        "--timeout",
        "4",
    )
    summary = json.loads(result.stdout)
    assert summary["results"][0]["verdict"] == "available"
    assert "evidence:" in result.stderr


def test_workers_run_flows_concurrently(verify: Any) -> None:
    """--workers 2 runs several flows × locales and keeps the results in plan order."""
    run = verify(FLOWS, "demo", "--workers", "2", locale="en-GB")
    verdicts = run.verdicts()
    assert verdicts[("facebook-form", "en-GB")] == "available"
    assert verdicts[("facebook-form-2025", "en-GB")] == "missing"
    assert verdicts[("meta-third-party-form", "en-GB")] == "blocked"
    assert verdicts[("instagram-form", "en-GB")] == "unreachable"
    assert verdicts[("instagram-form-2024", "en-GB")] == "broken"
    assert run.exit_code == 4


def test_no_browser_exits_3(tmp_path: Path) -> None:
    """A browser path that does not exist is the checker's failure: exit 3, one message."""
    result = invoke(
        "verify", FACEBOOK_FORM, "--recordings", tmp_path, "--browser-path", "/nonexistent/chromium"
    )
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines()[-1] == (
        "optout: browser not found at /nonexistent/chromium (from --browser-path/OPTOUT_BROWSER)"
    )


def test_unwritable_recordings_exit_3(tmp_path: Path, replica: Any) -> None:
    """Recordings that cannot be written stop the run with exit 3 before any flow runs."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = invoke(
        "verify",
        FACEBOOK_FORM,
        "--recordings",
        blocker / "recordings",
        "--map-origin",
        f"https://www.facebook.com={replica.origin_for('hang')}",
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("optout: cannot create the recordings folder")
    assert len(result.stderr.strip().splitlines()) == 1


def test_error_page_is_evidence_too(verify: Any, closed_port: int) -> None:
    """A navigation that fails still leaves a screenshot of what the browser showed."""
    run = verify(FACEBOOK_FORM, "", origin=f"http://127.0.0.1:{closed_port}", timeout=3)
    result = run.only()
    folder = run.run_dir / result["evidence"]
    assert result["steps"][0]["status"] == "failed"
    assert _png_size((folder / "01-open-start.png").read_bytes()) == (1280, 900)
    assert (folder / "final.png").is_file() and (folder / "final.html").is_file()


def test_canonical_log_lines(verify: Any) -> None:
    """With --log-format json, each step and each flow is one JSON log line on stderr."""
    run = verify(FACEBOOK_FORM, "form-available")
    events = [json.loads(line) for line in run.result.stderr.splitlines() if line.startswith("{")]
    steps = [e for e in events if e["event"] == "step"]
    flows = [e for e in events if e["event"] == "flow"]
    assert [s["index"] for s in steps] == [1, 2, 3, 4]
    assert flows[0]["verdict"] == "available" and flows[0]["flow"] == "facebook-form"
    assert {e["event"] for e in events} >= {"run.start", "run.end"}


def test_refuses_to_click_a_submit_button(verify: Any) -> None:
    """A flow that clicks the form's Send button is refused: broken, and nothing is sent."""
    result = verify(TEST_FLOWS / "valid" / "click-send.yaml", "form-available").only()
    assert result["verdict"] == "broken"
    assert "it would send a form, and optout never sends forms" in result["reason"]
