"""Seal each run when it finishes: the chained manifest, deduplication, a timestamp if asked."""

from __future__ import annotations

import structlog

from optout.check.events import Event, RunFinished
from optout.integrity.tsa import TimestampError
from optout.integrity.verify import seal_run
from optout.store.writer import EvidenceWriter, RecordingsError


class Sealer:
    """Listens after the evidence writer and seals the run folder it wrote."""

    def __init__(self, writer: EvidenceWriter, tsa_url: str | None = None) -> None:
        self.writer = writer
        self.tsa_url = tsa_url

    def __call__(self, event: Event) -> None:
        if not isinstance(event, RunFinished) or self.writer.run_dir is None:
            return
        summary = event.summary
        try:
            seal_run(
                self.writer.run_dir,
                started_at=summary.started_at,
                finished_at=summary.finished_at,
                tool=summary.tool,
                browser=summary.browser,
                tsa_url=self.tsa_url,
            )
        except TimestampError as exc:  # the run is sealed, only without a trusted timestamp
            structlog.get_logger("optout").error("timestamp.failed", error=str(exc))
        except OSError as exc:
            raise RecordingsError(f"cannot seal {self.writer.run_dir}: {exc}") from exc
