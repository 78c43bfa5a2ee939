"""Flows that need a saved login: `session: NAME`, `--session`, the sessions folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import FLOWS, invoke

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


def write_session(path: Path) -> Path:
    """A Playwright storage state with a logged-in-looking Facebook cookie."""
    state = {
        "cookies": [
            {
                "name": "c_user",
                "value": "100000000000001",
                "domain": ".facebook.com",
                "path": "/",
                "expires": -1,
                "httpOnly": False,
                "secure": True,
                "sameSite": "None",
            }
        ],
        "origins": [],
    }
    path.write_text(json.dumps(state))
    return path
