"""Flows that need a saved login: `session: NAME`, `--session`, the sessions folder."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from conftest import FLOWS, invoke
from helpers import storage_state

NOTIFICATION = FLOWS / "facebook-notification.yaml"


def test_no_saved_session_is_blocked_without_a_page(verify: Any) -> None:
    """Without a saved session the flow is blocked with a reason that says what to do."""
    run = verify(NOTIFICATION, "form-available")
    result = run.only()
    assert result["verdict"] == "blocked"
    assert result["reason"] == "no saved session 'facebook' (run: optout login facebook)"
    assert result["steps"] == [] and result["navigations"] == []
    assert run.exit_code == 4
    folder = run.run_dir / result["evidence"]
    assert sorted(p.name for p in folder.iterdir()) == ["result.json"]


def test_missing_session_file_is_bad_input(tmp_path: Path) -> None:
    """`--session NAME=PATH` naming a file that does not exist exits 2 before running."""
    result = invoke("verify", NOTIFICATION, "--session", f"facebook={tmp_path / 'nope.json'}")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"optout: {tmp_path / 'nope.json'}: no such session file"


def test_corrupt_session_file_is_bad_input(no_user_config: Path) -> None:
    """A session file in the sessions folder that is not JSON exits 2, naming file and line."""
    saved = no_user_config / "optout" / "sessions" / "facebook.json"
    saved.parent.mkdir(parents=True)
    saved.write_text('{"cookies": [\n  oops\n]}')
    result = invoke("verify", NOTIFICATION)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"optout: {saved}:2: not a JSON session file: Expecting value")


def test_session_option_needs_name_and_path() -> None:
    """A malformed --session value is a usage error."""
    result = invoke("verify", NOTIFICATION, "--session", "facebook")
    assert result.exit_code == 2
    assert "expected NAME=PATH" in result.stderr


SECRET_USER = "cookie-secret-5f3a9c1e77"


def test_published_evidence_never_shows_the_account(
    verify: Any, tmp_path: Path, replica: Any, page: Any
) -> None:
    """After a logged-in run, neither the cookie nor the profile name is in the recordings, the
    logs, the report or a bundle, and the masked top bar is one flat colour."""
    from io import BytesIO

    from PIL import Image

    from optout.replica.scenarios import profile_name

    name = profile_name(SECRET_USER)
    state = storage_state(tmp_path / "state.json", SECRET_USER)
    run = verify(NOTIFICATION, "notification-ai", "--session", f"facebook={state}",
                 "--log-level", "debug")  # fmt: skip
    result = run.only()
    assert result["verdict"] == "available", result["reason"]
    assert result["session"] == "facebook"
    # A run that ends on the notifications page itself: its DOM and snapshot hold the top bar.
    ended = verify(NOTIFICATION, "notification-none", "--session", f"facebook={state}",
                   recordings=run.recordings)  # fmt: skip
    assert ended.only()["verdict"] == "missing"
    final_html = (ended.run_dir / ended.only()["evidence"] / "final.html").read_text()
    assert "[masked]" in final_html and "Notifications" in final_html
    report = invoke("report", "--recordings", run.recordings, "--out", tmp_path / "report")
    assert report.exit_code == 0
    bundle = tmp_path / "bundle.zip"
    assert invoke("evidence", "bundle", run.run_dir.name, "--recordings", run.recordings,
                  "-o", bundle).exit_code == 0  # fmt: skip
    logs = run.result.stderr + run.result.output + ended.result.stderr + ended.result.output
    texts: dict[str, bytes] = {"logs": logs.encode()}
    for root in (run.recordings, tmp_path / "report"):
        texts |= {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with zipfile.ZipFile(bundle) as zf:
        texts |= {f"bundle:{n}": zf.read(n) for n in zf.namelist()}
    for secret in (SECRET_USER, name, name.split()[1]):
        leaks = [where for where, data in texts.items() if secret.encode() in data]
        assert leaks == [], f"{secret!r} found in {leaks}"

    # Where the profile is on the page, the first screenshot is one flat colour.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "c_user", "value": SECRET_USER,
                               "url": replica.origin_for("notification-ai") + "/"}])  # fmt: skip
    page.goto(replica.origin_for("notification-ai") + "/notifications")
    box = page.get_by_test_id("account-menu").bounding_box()
    assert box is not None
    first = run.run_dir / result["evidence"] / "01-open-start.png"
    shot = Image.open(BytesIO(first.read_bytes()))
    inner = (int(box["x"]) + 2, int(box["y"]) + 2,
             int(box["x"] + box["width"]) - 2, int(box["y"] + box["height"]) - 2)  # fmt: skip
    colours = {c for _, c in shot.convert("RGB").crop(inner).getcolors(1 << 16) or []}
    assert colours == {(255, 0, 255)}


def test_an_expired_session_is_blocked_as_expired(verify: Any, tmp_path: Path) -> None:
    """A saved login that Meta logged out gives the expired reason and exit 4, never 1."""
    state = storage_state(tmp_path / "state.json")
    run = verify(NOTIFICATION, "session-expired", "--session", f"facebook={state}")
    result = run.only()
    assert result["verdict"] == "blocked"
    assert result["rule"] == "session expired"
    assert result["reason"].startswith(
        "session 'facebook' expired or was logged out (run: optout login facebook)"
    )
    assert run.exit_code == 4
