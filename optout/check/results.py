"""What a run produces: step records, flow results and the run summary (plain data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from optout.check.verdict import Verdict


class StepStatus(StrEnum):
    """How one step ended (a closed set)."""

    OK = "ok"
    SKIPPED = "skipped"
    ABSENT = "absent"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass
class Navigation:
    """One main-document response (or failure) the page went through."""

    url: str
    status: int | None = None
    redirected_to: str | None = None
    error: str | None = None
    via_router: bool = False


@dataclass
class StepRecord:
    """One step of one attempt, as it happened."""

    index: int
    action: str
    """A short name for the step: open-start, dismiss, click, see, wait, check-form."""
    description: str
    status: StepStatus
    duration_s: float
    url: str = ""
    detail: str | None = None
    matched: str | None = None
    """Which locator matched (and which alternative, when there are several)."""
    alternative: int | None = None
    screenshot: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        return {k: v for k, v in data.items() if v is not None}


@dataclass
class FinalCapture:
    """The page where the flow ended: full-page PNG, DOM and accessibility snapshot."""

    png: bytes | None = None
    html: str | None = None
    aria: str | None = None
    title: str = ""


@dataclass
class FlowResult:
    """The outcome of one attempt of one flow in one locale."""

    flow: str
    locale: str
    verdict: Verdict
    reason: str
    rule: str
    final_url: str
    attempt: int
    started_at: str
    duration_s: float
    steps: list[StepRecord] = field(default_factory=list)
    navigations: list[Navigation] = field(default_factory=list)
    http_status: int | None = None
    expected: Verdict | None = None
    regression: bool = False
    attempts: int = 1
    change: bool = False
    """A conclusive verdict that differs from the last conclusive one recorded (confirmed)."""
    changed_from: Verdict | None = None
    confirmations: int = 0
    evidence: str = ""
    name: str = ""
    start: str = ""
    title: str = ""
    """The `<title>` of the page where the flow ended."""
    session: str = ""
    """The name of the saved login the flow ran under (never its content)."""

    region: str | None = None
    """The regional version of Meta's pages the check saw ("eu", "non-eu"), if a page said."""
    region_evidence: str | None = None
    """What showed that region, or why it could not be told."""
    page_language: str | None = None
    """The language the final page declared (`<html lang>`), or the run's locale."""

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "name": self.name,
            "locale": self.locale,
            "verdict": str(self.verdict),
            "expected": str(self.expected) if self.expected else None,
            "regression": self.regression,
            "change": self.change,
            "changed_from": str(self.changed_from) if self.changed_from else None,
            "confirmations": self.confirmations,
            "reason": self.reason,
            "rule": self.rule,
            "start": self.start,
            "final_url": self.final_url,
            "title": self.title,
            "session": self.session,
            "http_status": self.http_status,
            "region": self.region,
            "region_evidence": self.region_evidence,
            "page_language": self.page_language,
            "attempt": self.attempt,
            "attempts": self.attempts,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 2),
            "evidence": self.evidence,
            "navigations": [
                {k: v for k, v in asdict(n).items() if v not in (None, False)}
                for n in self.navigations
            ],
            "steps": [s.to_json() for s in self.steps],
        }


@dataclass
class RunSummary:
    """The JSON summary of one run (`run.json`, `--json`)."""

    run_id: str
    started_at: str
    finished_at: str = ""
    exit_code: int = 0
    tool: dict[str, str] = field(default_factory=dict)
    browser: dict[str, str] = field(default_factory=dict)
    results: list[FlowResult] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    interrupted: str = ""
    """The signal that stopped the run (SIGINT, SIGTERM); empty for a run that finished."""

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "exit_code": self.exit_code,
            "tool": self.tool,
            "browser": self.browser,
            "options": self.options,
            "interrupted": self.interrupted or None,
            "results": [r.to_json() for r in self.results],
        }
