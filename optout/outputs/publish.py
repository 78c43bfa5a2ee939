"""What a finished run publishes besides its evidence: JSON, JUnit, notifications, GitHub output.

`publish` is called once the run is recorded and sealed. It writes the JSON summary
(to a file, or to stdout for `-`), the JUnit file, posts the notifications (a chat
outage never fails a run: each failure is logged and told on stderr) and, on GitHub
Actions, the job summary and annotations, on stderr when stdout carries the JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import structlog

from optout.check.results import RunSummary
from optout.outputs import github, notify
from optout.outputs.junit import junit_xml
from optout.store.history import inconclusive_streak
from optout.store.writer import write_atomic

STDOUT = "-"
"""`json_out` that means the standard output."""


@dataclass(frozen=True)
class PublishTargets:
    """Where a run's results go besides the evidence folder."""

    json_out: str | None = None
    """A file for the JSON summary, or `-` for stdout."""
    junit_out: Path | None = None
    notify_url: str | None = None
    stale_after: int | None = None
    """Also notify once when a flow has been inconclusive for this many runs in a row."""
    tsa_url: str | None = None
    """The RFC 3161 authority the sealer asks for a timestamp (not used by `publish`)."""


def publish(
    summary: RunSummary,
    recordings: Path,
    targets: PublishTargets,
    *,
    stdout: TextIO,
    env: Mapping[str, str],
    stderr: TextIO | None = None,
) -> list[str]:
    """Publish a recorded run to `targets`; the notifications that failed, one line each.

    `recordings` is the folder the run was recorded in (for the inconclusive streaks);
    `env` decides whether this is GitHub Actions. `stderr` defaults to `sys.stderr`.
    """
    err = stderr if stderr is not None else sys.stderr
    to_stdout = targets.json_out == STDOUT
    text = json.dumps(summary.to_json(), indent=2, ensure_ascii=False)
    if to_stdout:
        print(text, file=stdout, flush=True)
    elif targets.json_out:
        write_atomic(Path(targets.json_out), text + "\n")
    if targets.junit_out:
        write_atomic(targets.junit_out, junit_xml(summary))
    stale = inconclusive_streak(recordings) if targets.stale_after else {}
    messages = notify.messages(summary, stale, targets.stale_after)
    errors: list[str] = []
    if targets.notify_url and messages:
        errors = notify.post(targets.notify_url, messages)
        for error in errors:
            structlog.get_logger("optout").warning("notify.failed", error=error)
            print(f"optout: could not notify: {error}", file=err, flush=True)
    github.write_github_outputs(summary, env, err if to_stdout else stdout)
    return errors
