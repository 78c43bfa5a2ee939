"""`optout login`: save, import, list and delete the logins that flows with `session:` use."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from optout.browser import sessions
from optout.browser.launch import BrowserNotFound
from optout.browser.login import LoginError, login
from optout.check.verdict import ExitCode
from optout.cli.common import BROWSER_PATH, RECORDINGS, fail
from optout.store.records import saved_runs


def _enter_pressed() -> asyncio.Future[None]:
    """A future that completes when the person presses Enter (read in a daemon thread)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def finish() -> None:
        if not done.done():
            done.set_result(None)

    def read() -> None:
        try:
            sys.stdin.readline()
        finally:
            loop.call_soon_threadsafe(finish)

    if sys.stdin.isatty():
        threading.Thread(target=read, daemon=True).start()
    return done


def session_uses(recordings: Path) -> dict[str, tuple[str, str]]:
    """For each session name: the last run that used it, and that run's verdict for it
    ("session expired" when the session was found expired)."""
    uses: dict[str, tuple[str, str]] = {}
    for run in saved_runs(recordings) if recordings.is_dir() else []:
        for result in run.results:
            if result.session:
                expired = result.rule == "session expired"
                state = "session expired" if expired else str(result.verdict)
                uses[result.session] = (run.run_id, state)
    return uses


def _when(moment: float | None) -> str:
    if moment is None:
        return "-"
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _age(seconds: float) -> str:
    days = int(seconds // 86400)
    return f"{days} d" if days else f"{int(seconds // 3600)} h"


@click.command("login")
@click.argument("name", required=False)
@click.option("--url", help="Page to open (default: the service's login page).")
@click.option(
    "--import",
    "import_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Store a Playwright storage state saved elsewhere instead of logging in here.",
)
@click.option("--list", "list_", is_flag=True, help="Show the saved sessions.")
@click.option("--delete", "delete", is_flag=True, help="Delete the saved session NAME.")
@click.option("--remote-debugging-port", type=click.IntRange(1, 65535), hidden=True)
@RECORDINGS
@BROWSER_PATH
def login_cmd(
    name: str | None,
    url: str | None,
    import_file: Path | None,
    list_: bool,
    delete: bool,
    remote_debugging_port: int | None,
    recordings: Path,
    browser_path: str | None,
) -> None:
    """Log in once by hand; flows with `session: NAME` then run logged in.

    Opens a visible Chromium on the login page. Log in yourself (2FA and captchas
    included); optout never types a password. When you are past the login page, or when
    you press Enter here, optout saves the session to
    $XDG_CONFIG_HOME/optout/sessions/NAME.json (mode 0600).

    \b
    Examples:
      optout login facebook
      optout login facebook --import state.json   # e.g. from playwright codegen --save-storage
      optout login --list
      optout login --delete facebook
    """
    if list_:
        _list(recordings)
        return
    if not name:
        raise click.UsageError("give a session NAME (e.g. facebook), or --list")
    try:
        sessions.check_name(name)
        if delete:
            click.echo(f"deleted {sessions.delete(name)}")
            return
        if import_file is not None:
            click.echo(f"saved {sessions.import_file(name, import_file)}")
            return
    except sessions.SessionError as exc:
        fail(str(exc), ExitCode.BAD_INPUT)
    start = url or sessions.LOGIN_URLS.get(name)
    if not start:
        known = ", ".join(sessions.LOGIN_URLS)
        raise click.UsageError(f"no default login page for {name!r} (known: {known}); give --url")

    async def go() -> Path:
        return await login(
            name,
            start,
            browser_path=browser_path,
            debugging_port=remote_debugging_port,
            enter_pressed=_enter_pressed,
            say=lambda text: click.echo(text, err=True),
        )

    try:
        saved = asyncio.run(go())
    except (LoginError, BrowserNotFound) as exc:
        fail(str(exc), ExitCode.CHECKER_FAILED)
    click.echo(f"saved {saved} (mode 0600)")


def _list(recordings: Path) -> None:
    found = sessions.saved()
    if not found:
        click.echo(f"no saved sessions in {sessions.sessions_dir()}")
        return
    uses = session_uses(recordings)
    now = time.time()
    for s in found:
        last = uses.get(s.name)
        used = f"{last[0]} ({last[1]})" if last else "never used"
        click.echo(
            f"{s.name:<12} saved {_age(now - s.saved_at)} ago · cookies expire from "
            f"{_when(s.earliest_expiry)} · last run {used}"
        )


def session_problems(paths: tuple[Path, ...], recordings: Path) -> list[str]:
    """What `optout doctor` says of sessions: missing, expired last run, expiring soon."""
    from optout.flow.loader import FlowError, load_flows

    try:
        flows = load_flows(paths or (Path("flows"),))
    except (FlowError, OSError):
        flows = []
    needed = sorted({f.session for f in flows if f.session})
    known = {s.name: s for s in sessions.saved()}
    uses = session_uses(recordings)
    lines: list[str] = []
    for name in needed:
        if name not in known:
            lines.append(f"{name}: missing, needed by flows (run: optout login {name})")
    for name, s in known.items():
        last = uses.get(name)
        if last and last[1] == "session expired":
            lines.append(f"{name}: expired in run {last[0]} (run: optout login {name})")
        elif s.expires_within(sessions.EXPIRES_SOON_S):
            lines.append(f"{name}: cookies expire {_when(s.earliest_expiry)} (log in again soon)")
        else:
            lines.append(f"{name}: ok, cookies expire from {_when(s.earliest_expiry)}")
    return lines
