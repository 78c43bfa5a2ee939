"""Saved logins (Playwright storage states) that flows with `session: NAME` run under.

A session is looked up in `--session NAME=PATH`, then in
`$XDG_CONFIG_HOME/optout/sessions/NAME.json` (default `~/.config`). These files are
secrets: they log a browser into someone's account. They are written with mode 0600 in
a 0700 folder, and nothing of their content (cookies, tokens) is ever logged, recorded
or reported: a result records the session's name only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
EXPIRES_SOON_S = 7 * 24 * 3600

# Where `optout login NAME` opens the browser when no --url is given.
LOGIN_URLS = {
    "facebook": "https://www.facebook.com/login/",
    "instagram": "https://www.instagram.com/accounts/login/",
}


class SessionError(ValueError):
    """A session name or file that cannot be used (bad input, exit code 2)."""


def sessions_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "optout" / "sessions"


def check_name(name: str) -> str:
    """A session name is a file name: letters, digits, `-` and `_`, nothing that climbs out."""
    if not NAME_RE.match(name):
        raise SessionError(
            f"{name!r} is not a session name (letters, digits, '-' and '_', e.g. facebook)"
        )
    return name


def parse_option(text: str) -> tuple[str, Path]:
    """`facebook=/path/state.json` → ("facebook", Path(...))."""
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise SessionError(f"expected NAME=PATH, got {text!r}")
    return check_name(name), Path(path)


def read_state(path: Path) -> dict[str, Any]:
    """Read a storage-state file and check that it is one (SessionError otherwise)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SessionError(f"{path}: no such session file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}: cannot read session file: {exc}") from None
    except json.JSONDecodeError as exc:
        raise SessionError(f"{path}:{exc.lineno}: not a JSON session file: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cookies"), list):
        raise SessionError(f"{path}:1: not a Playwright storage state (no 'cookies' list)")
    if not isinstance(data.get("origins", []), list):
        raise SessionError(f"{path}:1: not a Playwright storage state ('origins' is not a list)")
    for i, cookie in enumerate(data["cookies"]):
        if not isinstance(cookie, dict) or not {"name", "value", "domain"} <= set(cookie):
            raise SessionError(
                f"{path}:1: not a Playwright storage state (cookie {i + 1} lacks "
                "name, value or domain)"
            )
    return data


def check(path: Path) -> Path:
    """Make sure a storage-state file is readable JSON of the right shape."""
    read_state(path)
    return path


def resolve(name: str, explicit: dict[str, Path]) -> Path | None:
    """The storage-state file for session `name`, or None when none is saved."""
    if name in explicit:
        return check(explicit[name])
    saved = sessions_dir() / f"{check_name(name)}.json"
    return check(saved) if saved.exists() else None


def save(name: str, state: dict[str, Any]) -> Path:
    """Store a storage state as NAME.json, mode 0600 in a 0700 folder, atomically."""
    folder = sessions_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    target = folder / f"{check_name(name)}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(state, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def import_file(name: str, source: Path) -> Path:
    """Check that `source` is a Playwright storage state and store it as session `name`."""
    return save(name, read_state(source))


def delete(name: str) -> Path:
    path = sessions_dir() / f"{check_name(name)}.json"
    if not path.exists():
        raise SessionError(f"no saved session {name!r} in {sessions_dir()}")
    path.unlink()
    return path


@dataclass(frozen=True)
class SessionInfo:
    """What `optout login --list` and `optout doctor` say of a saved session."""

    name: str
    path: Path
    saved_at: float
    """Modification time of the file (seconds since the epoch)."""
    earliest_expiry: float | None
    """The earliest expiry among its cookies that expire (None: only session cookies)."""
    cookies: int

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return self.earliest_expiry is not None and self.earliest_expiry - now <= seconds


def info(path: Path) -> SessionInfo:
    state = read_state(path)
    expiries = [
        float(c["expires"])
        for c in state["cookies"]
        if isinstance(c.get("expires"), int | float) and c["expires"] > 0
    ]
    return SessionInfo(
        name=path.stem,
        path=path,
        saved_at=path.stat().st_mtime,
        earliest_expiry=min(expiries) if expiries else None,
        cookies=len(state["cookies"]),
    )


def saved() -> list[SessionInfo]:
    """Every readable saved session, by name (unreadable files are skipped)."""
    found: list[SessionInfo] = []
    folder = sessions_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        with contextlib.suppress(SessionError, OSError):
            found.append(info(path))
    return found


def missing_reason(name: str) -> str:
    return f"no saved session {name!r} (run: optout login {name})"


def expired_reason(name: str) -> str:
    return f"session {name!r} expired or was logged out (run: optout login {name})"
