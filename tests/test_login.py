"""`optout login`: import, list and delete saved sessions; the no-display explanation."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import in_thread, invoke

from optout.replica import ReplicaServer

STATE = {
    "cookies": [
        {
            "name": "c_user",
            "value": "cookie-secret-4242",
            "domain": ".facebook.com",
            "path": "/",
            "expires": time.time() + 3 * 86400,
            "httpOnly": False,
            "secure": True,
            "sameSite": "None",
        }
    ],
    "origins": [],
}


def saved_path(config: Path, name: str = "facebook") -> Path:
    return config / "optout" / "sessions" / f"{name}.json"


def test_import_stores_the_state_privately(tmp_path: Path, no_user_config: Path) -> None:
    """An imported storage state is stored as NAME.json, mode 0600 in a 0700 folder."""
    source = tmp_path / "state.json"
    source.write_text(json.dumps(STATE))
    result = invoke("login", "facebook", "--import", source)
    assert result.exit_code == 0, result.output
    saved = saved_path(no_user_config)
    assert json.loads(saved.read_text()) == STATE
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert "cookie-secret-4242" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"cookies": [\n oops]}', "{path}:2: not a JSON session file: Expecting value"),
        ('{"origins": []}', "{path}:1: not a Playwright storage state (no 'cookies' list)"),
        (
            '{"cookies": [{"name": "c_user"}]}',
            "{path}:1: not a Playwright storage state (cookie 1 lacks name, value or domain)",
        ),
    ],
    ids=["not-json", "no-cookies", "bad-cookie"],
)
def test_import_refuses_what_is_not_a_storage_state(
    tmp_path: Path, no_user_config: Path, content: str, message: str
) -> None:
    """Importing a file that is not a storage state exits 2 naming the file, and saves nothing."""
    source = tmp_path / "state.json"
    source.write_text(content)
    result = invoke("login", "facebook", "--import", source)
    assert result.exit_code == 2
    assert result.stderr.strip() == "optout: " + message.format(path=source)
    assert not saved_path(no_user_config).exists()


def test_a_name_that_climbs_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    """A session name is a plain file name: `../x` is bad input."""
    source = tmp_path / "state.json"
    source.write_text(json.dumps(STATE))
    result = invoke("login", "../evil", "--import", source)
    assert result.exit_code == 2
    assert "is not a session name" in result.stderr


def test_list_and_delete(tmp_path: Path, no_user_config: Path) -> None:
    """--list shows each session's age and cookie expiry; --delete removes it."""
    source = tmp_path / "state.json"
    source.write_text(json.dumps(STATE))
    invoke("login", "facebook", "--import", source)
    listed = invoke("login", "--list", "--recordings", tmp_path / "none")
    assert listed.exit_code == 0
    assert listed.output.startswith("facebook ")
    assert "cookies expire from 20" in listed.output and "never used" in listed.output
    assert "cookie-secret-4242" not in listed.output
    deleted = invoke("login", "--delete", "facebook")
    assert deleted.exit_code == 0
    assert not saved_path(no_user_config).exists()
    assert invoke("login", "--delete", "facebook").exit_code == 2


def test_without_a_display_it_explains_the_two_ways_out() -> None:
    """With no DISPLAY nor WAYLAND_DISPLAY, login says so in one line and exits 3."""
    result = invoke("login", "facebook", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("optout: no display")
    assert "copy" in lines[0] and "optout login facebook --import state.json" in lines[0]


def test_doctor_names_missing_and_expiring_sessions(tmp_path: Path, no_user_config: Path) -> None:
    """doctor lists sessions the flows need but nobody saved, and those expiring within 7 days."""
    source = tmp_path / "state.json"
    source.write_text(json.dumps(STATE))
    invoke("login", "insta", "--import", source)
    result = invoke("doctor", "flows", "--recordings", tmp_path / "none")
    assert "session    facebook: missing, needed by flows (run: optout login facebook)" in (
        result.output
    )
    assert "session    insta: cookies expire" in result.output
    assert "(log in again soon)" in result.output


@pytest.fixture
def display() -> Iterator[str]:
    """A virtual screen (Xvfb, which `make install` installs) for a visible browser."""
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is not installed (make install installs Debian's xvfb)"
    args = [xvfb, f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.1)
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


def test_login_in_a_visible_browser_saves_the_session(
    replica: ReplicaServer, display: str, no_user_config: Path
) -> None:
    """optout login waits while the page is a login wall, and saves the state (0600) once the
    person is past it; the test plays the person through the browser's DevTools endpoint."""
    origin = replica.origin_for("notification-ai")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DISPLAY": display, "XDG_CONFIG_HOME": str(no_user_config)}
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "optout"), "login", "facebook", "--url",
         f"{origin}/login/", "--remote-debugging-port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip

    def play_the_person() -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            deadline = time.monotonic() + 60
            while True:
                try:
                    browser = pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                    break
                except Exception:
                    assert time.monotonic() < deadline, "the login browser never opened"
                    time.sleep(0.5)
            while True:
                pages = [p for c in browser.contexts for p in c.pages]
                found = [p for p in pages if "/login/" in p.url]
                if found:
                    page = found[0]
                    break
                assert time.monotonic() < deadline, [p.url for p in pages]
                if pages:
                    pages[0].wait_for_timeout(300)  # lets Playwright take in new events
                else:
                    time.sleep(0.3)
            page.wait_for_timeout(2000)  # still a login wall: nothing is saved yet
            assert proc.poll() is None
            page.context.add_cookies([{"name": "c_user", "value": "4242", "url": origin + "/"}])
            page.goto(f"{origin}/notifications")  # what logging in does
            browser.close()

    in_thread(play_the_person)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    saved = saved_path(no_user_config)
    assert out.strip() == f"saved {saved} (mode 0600)"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    state = json.loads(saved.read_text())
    assert {c["name"]: c["value"] for c in state["cookies"]}["c_user"] == "4242"
