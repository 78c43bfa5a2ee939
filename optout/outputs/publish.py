"""What a finished run publishes besides its evidence: JSON, JUnit, notifications, GitHub output.

`publish` is called once the run is recorded and sealed. It writes the JSON summary
(to a file, or to stdout for `-`), the JUnit file, sends the notifications (a chat
outage never fails a run: each failure is logged and told on stderr) and, on GitHub
Actions, the job summary and annotations, on stderr when stdout carries the JSON.

The deliveries are recorded in `notifications.json` next to the run's `run.json`. They
happen after the run is sealed, so that file is not in the run's manifest and is no
evidence of the page: it says what optout told whom, and `optout evidence verify`
leaves it out. `publish_failure` tells the checker-problem targets that a run could
not work (exit code 3); there is no run folder then, so only the log keeps it.
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
from optout.outputs.notify import Channels
from optout.outputs.send import Delivery
from optout.store.writer import NOTIFICATIONS, write_atomic, write_json

STDOUT = "-"
"""`json_out` that means the standard output."""
"""Next to run.json: the deliveries of the run's notifications (not sealed: see above)."""


@dataclass(frozen=True)
class PublishTargets:
    """Where a run's results go besides the evidence folder."""

    json_out: str | None = None
    """A file for the JSON summary, or `-` for stdout."""
    junit_out: Path | None = None
    notify: tuple[str, ...] = ()
    """Webhook and Apprise URLs that get the run's digest (each value may hold several)."""
    stale_after: int | None = None
    """A flow inconclusive for this many runs in a row is a checker problem."""
    tsa_url: str | None = None
    """The RFC 3161 authority the sealer asks for a timestamp (not used by `publish`)."""
    notify_ops: tuple[str, ...] = ()
    """URLs that get the checker's problems; without any they go to `notify`, marked."""
    notify_config: Path | None = None
    """An Apprise configuration file: more targets (tagged `ops`: checker problems)."""
    report_url: str | None = None
    """Where the report is published: messages link each change's page there."""

    def channels(self, at: str = "") -> tuple[Channels, list[Delivery]]:
        return notify.channels(
            self.notify,
            self.notify_ops,
            self.notify_config,
            report_url=self.report_url,
            stale_after=self.stale_after,
            at=at,
        )


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
    failed: list[str] = []
    try:
        channels, deliveries = targets.channels()
        deliveries += notify.notify_run(summary, recordings, channels)
        if deliveries:
            _record(recordings / summary.run_id, summary.run_id, deliveries)
        failed = [d.line for d in _tell_failures(deliveries, err)]
    finally:  # even if building a message hits a bug, the GitHub outputs are written
        github.write_github_outputs(summary, env, err if to_stdout else stdout, failed)
    return failed


def publish_failure(
    message: str, recordings: Path, targets: PublishTargets, *, stderr: TextIO | None = None
) -> list[str]:
    """Tell the checker-problem targets that the run could not work (exit code 3); the
    deliveries that failed, one line each. Never raises for a delivery."""
    err = stderr if stderr is not None else sys.stderr
    channels, deliveries = targets.channels()
    deliveries += notify.notify_failure(message, recordings, channels)
    return [d.line for d in _tell_failures(deliveries, err)]


def _tell_failures(deliveries: list[Delivery], err: TextIO) -> list[Delivery]:
    log = structlog.get_logger("optout")
    failed = [d for d in deliveries if not d.ok]
    for d in deliveries:
        if d.ok:
            log.info("notify.sent", url=d.url, what=d.what, attachments=d.attachments)
        else:
            log.warning("notify.failed", url=d.url, what=d.what, error=d.error)
            print(f"optout: could not notify: {d.line}", file=err, flush=True)
    return failed


def _record(run_dir: Path, run_id: str, deliveries: list[Delivery]) -> None:
    """Write the run's `notifications.json`; a folder that cannot be written is logged."""
    data = {
        "format": "optout-notifications/1",
        "run_id": run_id,
        "note": "written after the run was sealed: not evidence, not in manifest.json",
        "deliveries": [d.to_json() for d in deliveries],
    }
    try:
        write_json(run_dir / NOTIFICATIONS, data)
    except OSError as exc:
        structlog.get_logger("optout").warning(
            "notify.not_recorded", path=str(run_dir / NOTIFICATIONS), error=str(exc)
        )
