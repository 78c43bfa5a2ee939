"""Verdicts, and the one table of signals that decides them.

Nothing here touches a browser: the runner collects `Signals` while it works,
and `decide` turns them into a verdict with a one-line reason by walking
`RULES` in order. The first rule that fires wins, so the order *is* the policy:
a wall beats everything; a page that says it failed and to try again (a
transient error) beats an "unavailable" marker shown on the same page; markers
on the page beat HTTP statuses (Meta serves some "unavailable" pages with 404);
and nothing inconclusive can ever become `missing`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from optout.flow.verdicts import Verdict


class ExitCode(IntEnum):
    """Exit codes of `optout verify` (see the product contract), and of the other commands."""

    OK = 0
    REGRESSION = 1
    BAD_INPUT = 2
    CHECKER_FAILED = 3
    INCONCLUSIVE = 4
    EVIDENCE_PROBLEMS = 1
    """`optout evidence verify`: a file, a manifest or the hash chain is not intact."""
    INTERRUPTED = 130
    """SIGINT (Ctrl-C) stopped the run; what finished is written and sealed."""
    TERMINATED = 143
    """SIGTERM (systemd, CI cancellation) stopped the run; what finished is written and sealed."""


class FailOn(StrEnum):
    """`--fail-on`: which results make `optout verify` exit non-zero."""

    INCONCLUSIVE = "inconclusive"
    """Exit 4 when a flow ends blocked, unreachable or broken (the contract's default)."""
    REGRESSION = "regression"
    """Exit 0 on an only-inconclusive run, so that only a change fails a scheduled CI job."""


@dataclass
class Signals:
    """What the runner observed during one attempt of one flow.

    Every field is a plain observation; none of them is a verdict yet.
    """

    final_url: str = ""
    session_expired: str | None = None
    """A flow with a saved login met a login wall or checkpoint: the session expired."""
    blocked_marker: str | None = None
    """The `blocked_when` rule (or declared wall) that matched, with the words it matched."""
    transient_marker: str | None = None
    """A `transient_when` marker: the page says it failed and to try again (quoted)."""
    missing_marker: str | None = None
    """The `missing_when` marker that was visible at the target, with the words it matched."""
    network_error: str | None = None
    """A failed or timed-out main-document load (`net::ERR_...`, timeout)."""
    http_status: int | None = None
    """Status of the last main-document response."""
    http_url: str | None = None
    """URL of the last main-document response."""
    absent_step: str | None = None
    """A step declared `absent: missing` found nothing on a page that loaded."""
    absent_instead: str | None = None
    """What the page showed in its place (the step's `instead` markers), if anything."""
    failed_step: str | None = None
    """A step failed and no rule explains it."""
    reached_target: bool = False
    """The flow got as far as checking the target."""
    target_url_pattern: str | None = None
    target_url_ok: bool | None = None
    """Whether the final URL matched `target.url` (None when not declared)."""
    present_found: list[str] = field(default_factory=list)
    present_not_found: list[str] = field(default_factory=list)
    covered_by: str | None = None
    """Something on top of the form's elements (quoted) when the target check ended."""
    login_form: str | None = None
    """A login form (a password field) where the form should be, described."""
    needs_login: str | None = None
    """Without a saved login, the page says the forms may need one (quoted)."""
    page_language: str | None = None
    """The language the last page declared (`<html lang>`), or the run's locale."""
    unknown_words: list[str] = field(default_factory=list)
    """Keys of Meta's wording the catalogue lacks in the page's language (not looked for)."""
    unknown_note: str | None = None
    """The reason's note for `unknown_words`, written when the verdict is decided."""
    region: str | None = None
    """The regional version of Meta's pages seen: "eu", "non-eu", or None (not shown)."""
    region_evidence: str | None = None
    """What showed the region (or why it could not be told)."""
    region_required: str | None = None
    """The flow's `region:`: a `missing` needs a page of this version."""


Rule = tuple[str, Callable[[Signals], bool], Verdict, Callable[[Signals], str]]


def _http_error(s: Signals) -> bool:
    return s.http_status is not None and s.http_status >= 400


def would_be_missing(s: Signals) -> bool:
    """Whether the rules below would end `missing`: an unavailable marker, or a declared
    absence on a page that loaded."""
    if s.missing_marker is not None:
        return True
    return s.absent_step is not None and s.network_error is None and not _http_error(s)


def _note(s: Signals) -> str:
    return f"; {s.unknown_note}" if s.unknown_note else ""


RULES: tuple[Rule, ...] = (
    (
        "session expired",
        lambda s: s.session_expired is not None,
        Verdict.BLOCKED,
        lambda s: f"{s.session_expired}" + (f" at {s.final_url}" if s.final_url else ""),
    ),
    (
        "blocked marker",
        lambda s: s.blocked_marker is not None,
        Verdict.BLOCKED,
        lambda s: f"{s.blocked_marker}" + (f" at {s.final_url}" if s.final_url else ""),
    ),
    (
        "transient error",
        lambda s: s.transient_marker is not None,
        Verdict.UNREACHABLE,
        lambda s: f"{s.transient_marker} at {s.final_url}",
    ),
    (
        "forms need a login",
        lambda s: s.needs_login is not None and would_be_missing(s),
        Verdict.BLOCKED,
        lambda s: f"the page says the forms may need a login: {s.needs_login} at {s.final_url}",
    ),
    (
        "other region",
        lambda s: s.region == "non-eu" and s.region_required is not None and would_be_missing(s),
        Verdict.BLOCKED,
        lambda s: (
            f"Meta served its non-EU version ({s.region_evidence}): run from the EU/EEA, or "
            f"with --proxy through an EU exit; what it showed at {s.final_url} says nothing "
            "of the EU form"
        ),
    ),
    (
        "region not shown",
        lambda s: s.region_required is not None and s.region != "eu" and would_be_missing(s),
        Verdict.BROKEN,
        lambda s: (
            f"no page showed which region's version Meta served ({s.region_evidence}), so "
            f"what {s.final_url} showed cannot be told from another region's version"
        ),
    ),
    (
        "unavailable marker",
        lambda s: s.missing_marker is not None,
        Verdict.MISSING,
        lambda s: f"{s.missing_marker} at {s.final_url}",
    ),
    (
        "network failure",
        lambda s: s.network_error is not None,
        Verdict.UNREACHABLE,
        lambda s: f"{s.network_error}",
    ),
    (
        "HTTP error status",
        _http_error,
        Verdict.UNREACHABLE,
        lambda s: f"HTTP {s.http_status} for {s.http_url}",
    ),
    (
        "declared absence",
        lambda s: s.absent_step is not None,
        Verdict.MISSING,
        lambda s: (
            f"{s.absent_step} on {s.final_url}"
            + (f"; instead: {s.absent_instead}" if s.absent_instead else "")
        ),
    ),
    (
        "step failed",
        lambda s: s.failed_step is not None,
        Verdict.BROKEN,
        lambda s: f"{s.failed_step} at {s.final_url}{_note(s)}",
    ),
    (
        "login form",
        lambda s: s.reached_target and s.login_form is not None,
        Verdict.BLOCKED,
        lambda s: f"{s.login_form} at {s.final_url}, not the objection form{_note(s)}",
    ),
    (
        "wrong page at target",
        lambda s: s.reached_target and s.target_url_ok is False,
        Verdict.BROKEN,
        lambda s: (
            f"ended at {s.final_url}, which does not match the form URL pattern "
            f"{s.target_url_pattern!r}"
        ),
    ),
    (
        "form covered",
        lambda s: s.reached_target and not s.present_not_found and s.covered_by is not None,
        Verdict.BLOCKED,
        lambda s: f"the form at {s.final_url} is covered by {s.covered_by}",
    ),
    (
        "form recognised",
        lambda s: s.reached_target and not s.present_not_found and bool(s.present_found),
        Verdict.AVAILABLE,
        lambda s: (
            f"form found at {s.final_url}"
            + (f" (by its address and structure; {s.unknown_note})" if s.unknown_note else "")
        ),
    ),
    (
        "form not recognised",
        lambda s: s.reached_target,
        Verdict.BROKEN,
        lambda s: (
            f"page at {s.final_url} is neither the form nor an unavailable page "
            f"(not found: {', '.join(s.present_not_found) or 'nothing to look for'}){_note(s)}"
        ),
    ),
)


def decide(signals: Signals) -> tuple[Verdict, str, str]:
    """Return (verdict, reason, rule name) for what an attempt observed."""
    for name, applies, verdict, reason in RULES:
        if applies(signals):
            return verdict, reason(signals), name
    return Verdict.BROKEN, f"the flow stopped early at {signals.final_url}", "no rule"


@dataclass(frozen=True)
class Outcome:
    """The part of a result that decides the exit code."""

    verdict: Verdict
    regression: bool


def exit_code(outcomes: Iterable[Outcome]) -> ExitCode:
    """Map the run's results to the exit code of `optout verify`."""
    outcomes = list(outcomes)
    if any(o.regression for o in outcomes):
        return ExitCode.REGRESSION
    if any(not o.verdict.conclusive for o in outcomes):
        return ExitCode.INCONCLUSIVE
    return ExitCode.OK


def final_exit_code(code: ExitCode, fail_on: FailOn) -> ExitCode:
    """The process's exit code for a run whose summary says `code`, under `--fail-on`.

    The run's own record (`run.json`) keeps `code`; only the process exit changes.
    """
    if code is ExitCode.INCONCLUSIVE and fail_on is FailOn.REGRESSION:
        return ExitCode.OK
    return code


def is_change(verdict: Verdict, last: Verdict | None) -> bool:
    """Whether `verdict` changes the form's state after `last`, the last conclusive verdict.

    Only a conclusive verdict that differs from a known earlier conclusive one is a change;
    an inconclusive verdict never is, and neither is the first conclusive one.
    """
    return verdict.conclusive and last is not None and verdict != last


def is_regression(verdict: Verdict, expected: Verdict | None) -> bool:
    """A conclusive verdict that differs from what was expected."""
    return verdict.conclusive and expected is not None and verdict != expected


__all__ = [
    "RULES",
    "ExitCode",
    "FailOn",
    "Outcome",
    "Signals",
    "Verdict",
    "decide",
    "exit_code",
    "final_exit_code",
    "is_change",
    "is_regression",
    "would_be_missing",
]
