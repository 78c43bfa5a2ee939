"""Saved logins (Playwright storage states) that flows with `session: NAME` run under.

A session is looked up in `--session NAME=PATH`, then in
`$XDG_CONFIG_HOME/optout/sessions/NAME.json` (default `~/.config`). These
files are secrets: they log a browser into someone's account.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


class SessionError(ValueError):
    """A session file that exists but cannot be used (bad input, exit code 2)."""


def sessions_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "optout" / "sessions"


def parse_option(text: str) -> tuple[str, Path]:
    """`facebook=/path/state.json` → ("facebook", Path(...))."""
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise SessionError(f"expected NAME=PATH, got {text!r}")
    return name, Path(path)


def check(path: Path) -> Path:
    """Make sure a storage-state file is readable JSON of the right shape."""
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
    return path


def resolve(name: str, explicit: dict[str, Path]) -> Path | None:
    """The storage-state file for session `name`, or None when none is saved."""
    if name in explicit:
        return check(explicit[name])
    saved = sessions_dir() / f"{name}.json"
    return check(saved) if saved.exists() else None


def missing_reason(name: str) -> str:
    return f"no saved session {name!r} (see optout login)"
