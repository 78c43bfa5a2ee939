"""The verdict table as a pure unit: signals in, verdict and reason out."""

from __future__ import annotations

import pytest

from optout.check.verdict import (
    ExitCode,
    Outcome,
    Signals,
    Verdict,
    decide,
    exit_code,
    is_regression,
)

URL = "https://www.facebook.com/help/contact/6359191084165019"


def signals(**kw: object) -> Signals:
    base = Signals(final_url=URL)
    for key, value in kw.items():
        setattr(base, key, value)
    return base


AT_TARGET = {"reached_target": True, "target_url_ok": True, "http_status": 200}

CASES = [
    # (what, signals, verdict, rule)
    (
        "form fields seen",
        {**AT_TARGET, "present_found": ["textbox", "button"]},
        Verdict.AVAILABLE,
        "form recognised",
    ),
    (
        "unavailable marker",
        {**AT_TARGET, "missing_marker": "unavailable page"},
        Verdict.MISSING,
        "unavailable marker",
    ),
    (
        "marker beats a 404",
        {**AT_TARGET, "http_status": 404, "missing_marker": "unavailable page"},
        Verdict.MISSING,
        "unavailable marker",
    ),
    (
        "HTTP 500 without marker",
        {**AT_TARGET, "http_status": 500, "present_not_found": ["textbox"]},
        Verdict.UNREACHABLE,
        "HTTP error status",
    ),
    (
        "network error",
        {"network_error": "net::ERR_CONNECTION_REFUSED loading x"},
        Verdict.UNREACHABLE,
        "network failure",
    ),
    (
        "login wall",
        {"blocked_marker": "login wall", "http_status": 200},
        Verdict.BLOCKED,
        "blocked marker",
    ),
    (
        "wall beats a missing marker",
        {**AT_TARGET, "blocked_marker": "login wall", "missing_marker": "unavailable page"},
        Verdict.BLOCKED,
        "blocked marker",
    ),
    (
        "declared absence on a loaded page",
        {"absent_step": "no link", "http_status": 200},
        Verdict.MISSING,
        "declared absence",
    ),
    (
        "declared absence on an error page is not missing",
        {"absent_step": "no link", "http_status": 503},
        Verdict.UNREACHABLE,
        "HTTP error status",
    ),
    (
        "declared absence after a failed load is not missing",
        {"absent_step": "no link", "network_error": "timed out after 5 s loading x"},
        Verdict.UNREACHABLE,
        "network failure",
    ),
    (
        "declared absence behind a wall is not missing",
        {"absent_step": "no link", "blocked_marker": "checkpoint"},
        Verdict.BLOCKED,
        "blocked marker",
    ),
    (
        "a step that found nothing",
        {"failed_step": "step 2: link not found", "http_status": 200},
        Verdict.BROKEN,
        "step failed",
    ),
    (
        "wrong page at the target",
        {**AT_TARGET, "target_url_ok": False},
        Verdict.BROKEN,
        "wrong page at target",
    ),
    (
        "fields not seen",
        {**AT_TARGET, "present_not_found": ["textbox"]},
        Verdict.BROKEN,
        "form not recognised",
    ),
    (
        "some fields seen, others not",
        {**AT_TARGET, "present_found": ["button"], "present_not_found": ["textbox"]},
        Verdict.BROKEN,
        "form not recognised",
    ),
    (
        "a transient error beats an unavailable heading on the same page",
        {**AT_TARGET, "transient_marker": "failure", "missing_marker": "unavailable page"},
        Verdict.UNREACHABLE,
        "transient error",
    ),
    (
        "a transient error beats a declared absence",
        {"absent_step": "no link", "transient_marker": "failure", "http_status": 200},
        Verdict.UNREACHABLE,
        "transient error",
    ),
    (
        "a transient error beats a page that is not the form",
        {**AT_TARGET, "transient_marker": "failure", "present_not_found": ["textbox"]},
        Verdict.UNREACHABLE,
        "transient error",
    ),
    (
        "a wall beats a transient error",
        {"blocked_marker": "rate-limited", "transient_marker": "failure"},
        Verdict.BLOCKED,
        "blocked marker",
    ),
    (
        "a form under a layer is blocked, not available",
        {**AT_TARGET, "present_found": ["textbox"], "covered_by": '"Open the app"'},
        Verdict.BLOCKED,
        "form covered",
    ),
    (
        "a covered page that is not the form is still not recognised",
        {**AT_TARGET, "present_not_found": ["textbox"], "covered_by": '"Open the app"'},
        Verdict.BROKEN,
        "form not recognised",
    ),
    ("nothing observed", {}, Verdict.BROKEN, "no rule"),
]


def test_no_inconclusive_signal_ever_gives_a_conclusive_verdict() -> None:
    """Whatever else was seen, a wall, a failure, a failed load or an error is inconclusive."""
    inconclusive = [
        {"blocked_marker": "login wall"},
        {"transient_marker": 'the page reports a failure: "try reloading"'},
        {"network_error": "net::ERR_TIMED_OUT"},
        {"http_status": 503},
    ]
    conclusive = [
        {},
        {"missing_marker": "unavailable page"},
        {"absent_step": "no link"},
        {"present_found": ["textbox"]},
    ]
    for bad in inconclusive:
        for good in conclusive:
            observed = {**AT_TARGET, **good, **bad}
            if "missing_marker" in good and ("http_status" in bad or "network_error" in bad):
                continue  # an "unavailable" page seen loaded is missing, whatever came after
            verdict = decide(signals(**observed))[0]
            assert not verdict.conclusive, (observed, verdict)


@pytest.mark.parametrize(("what", "observed", "verdict", "rule"), CASES, ids=[c[0] for c in CASES])
def test_decide(what: str, observed: dict[str, object], verdict: Verdict, rule: str) -> None:
    """Each combination of signals gives the verdict of the first rule that applies."""
    got, reason, name = decide(signals(**observed))
    assert (got, name) == (verdict, rule)
    assert reason and "\n" not in reason


def test_never_available_without_seeing_the_form() -> None:
    """Reaching the form URL with a 200 but no field seen is never `available`."""
    got, _, _ = decide(signals(reached_target=True, target_url_ok=True, http_status=200))
    assert got is not Verdict.AVAILABLE


def test_reasons_name_what_was_seen() -> None:
    """The reason names the marker, the status or the error behind the verdict."""
    assert decide(signals(**{**AT_TARGET, "http_status": 500, "http_url": URL}))[1] == (
        f"HTTP 500 for {URL}"
    )
    s = signals(**AT_TARGET, missing_marker='unavailable page: "This content isn\'t available"')
    assert decide(s)[1] == f'unavailable page: "This content isn\'t available" at {URL}'
    assert decide(signals(network_error="net::ERR_NAME_NOT_RESOLVED loading x"))[1] == (
        "net::ERR_NAME_NOT_RESOLVED loading x"
    )


@pytest.mark.parametrize(
    ("outcomes", "code"),
    [
        ([], ExitCode.OK),
        ([Outcome(Verdict.AVAILABLE, False), Outcome(Verdict.MISSING, False)], ExitCode.OK),
        (
            [Outcome(Verdict.AVAILABLE, False), Outcome(Verdict.BLOCKED, False)],
            ExitCode.INCONCLUSIVE,
        ),
        ([Outcome(Verdict.MISSING, True), Outcome(Verdict.BROKEN, False)], ExitCode.REGRESSION),
        ([Outcome(Verdict.UNREACHABLE, False)], ExitCode.INCONCLUSIVE),
    ],
)
def test_exit_code(outcomes: list[Outcome], code: ExitCode) -> None:
    """A regression wins over an inconclusive result, which wins over success."""
    assert exit_code(outcomes) is code


@pytest.mark.parametrize(
    ("verdict", "expected", "regression"),
    [
        (Verdict.MISSING, Verdict.AVAILABLE, True),
        (Verdict.AVAILABLE, Verdict.AVAILABLE, False),
        (Verdict.BLOCKED, Verdict.AVAILABLE, False),
        (Verdict.MISSING, None, False),
    ],
)
def test_regression(verdict: Verdict, expected: Verdict | None, regression: bool) -> None:
    """Only a conclusive verdict that differs from the expectation is a regression."""
    assert is_regression(verdict, expected) is regression


def test_conclusive_verdicts() -> None:
    """Only available and missing say something about the form."""
    assert {v for v in Verdict if v.conclusive} == {Verdict.AVAILABLE, Verdict.MISSING}
