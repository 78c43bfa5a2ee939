"""Every shipped flow against every page state it can meet, in both locales.

One `optout verify` per replica scenario runs the flows that scenario is about, in
fr-FR and en-GB, with two workers; each (flow, locale) must give the verdict in the
table, and a reason that starts with the text given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS
from test_sessions import write_session

FORM = "https://www.facebook.com/help/contact/6359191084165019"
GONE = '"content isn\'t available" page shown at '
WALL = "stopped by login wall or checkpoint (URL) at https://www.facebook.com/"
NO_POLICY_LINK = 'no link "droit d.opposition|opposer|right to object|object"'
NO_CENTER_LINK = 'no link "vous opposer|s.opposer|opposer|object"'
GENERIC = "instead: a link to the generic GDPR objection form (help/contact/1994830130782319)"
THIRD_PARTY = "instead: a link to the third-party-information form (help/contact/1266025207620918)"

# scenario → {flow: (verdict, reason prefix, text the reason must also contain)}
MATRIX: dict[str, dict[str, tuple[str, str, str]]] = {
    "form-available": {
        "facebook-form": ("available", f"form found at {FORM}", ""),
        "facebook-form-2025": ("available", "form found at https://fr-fr.facebook.com/", ""),
        "facebook-policy": ("available", f"form found at {FORM}", ""),
        "facebook-privacy-center": ("available", f"form found at {FORM}", ""),
        "instagram-form": ("available", "form found at https://help.instagram.com/contact/", ""),
        "instagram-form-2024": ("available", "form found at https://help.instagram.com/", ""),
        "meta-third-party-form": ("available", "form found at https://www.facebook.com/", ""),
    },
    "form-missing": {
        "facebook-form": ("missing", f"{GONE}{FORM}", ""),
        "facebook-form-2025": ("missing", GONE, ""),
        "instagram-form": ("missing", GONE, ""),
        "meta-third-party-form": ("missing", GONE, ""),
        "facebook-policy": ("missing", f"{GONE}{FORM}", ""),
    },
    "form-missing-curly": {
        "facebook-form": ("missing", f"{GONE}{FORM}", ""),
        "instagram-form-2024": ("missing", GONE, ""),
    },
    "form-missing-404": {"facebook-privacy-center": ("missing", f"{GONE}{FORM}", "")},
    "page-missing": {
        "facebook-form-2025": ("missing", GONE, ""),
        "instagram-form-2024": ("missing", GONE, ""),
    },
    "login-wall": {
        flow: ("blocked", WALL, "")
        for flow in (
            "facebook-form",
            "facebook-form-2025",
            "facebook-policy",
            "facebook-privacy-center",
            "instagram-form",
            "instagram-form-2024",
            "meta-third-party-form",
        )
    },
    "checkpoint": {
        "facebook-policy": ("blocked", WALL + "checkpoint/", ""),
        "meta-third-party-form": ("blocked", WALL + "checkpoint/", ""),
    },
    "cookie-dialog": {
        "facebook-form-2025": ("available", "form found at", ""),
        "facebook-policy": ("available", f"form found at {FORM}", ""),
        "instagram-form": ("available", "form found at", ""),
    },
    "cookie-dialog-stuck": {
        "facebook-form": ("blocked", f"cookie dialog could not be closed at {FORM}", ""),
        "facebook-privacy-center": ("blocked", "cookie dialog could not be closed at", ""),
    },
    "http-500": {
        "facebook-form": ("unreachable", f"HTTP 500 for {FORM}", ""),
        "facebook-form-2025": ("unreachable", "HTTP 500 for https://fr-fr.facebook.com/", ""),
        "facebook-policy": ("unreachable", "HTTP 500 for https://www.facebook.com/privacy/", ""),
        "facebook-privacy-center": ("unreachable", "HTTP 500 for https://www.facebook.com/", ""),
        "instagram-form": ("unreachable", "HTTP 500 for https://help.instagram.com/", ""),
        "instagram-form-2024": ("unreachable", "HTTP 500 for https://help.instagram.com/", ""),
        "meta-third-party-form": ("unreachable", "HTTP 500 for https://www.facebook.com/", ""),
    },
    "form-article": {
        "facebook-form-2025": ("broken", "page at https://fr-fr.facebook.com/", ""),
        "facebook-policy": ("broken", f"page at {FORM} is neither the form", ""),
        "facebook-privacy-center": ("broken", f"page at {FORM} is neither the form", ""),
        "instagram-form": ("broken", "page at https://help.instagram.com/", ""),
        "instagram-form-2024": ("broken", "page at https://help.instagram.com/", ""),
    },
    "redesigned": {
        "facebook-form": ("broken", f"page at {FORM} is neither the form", ""),
        "meta-third-party-form": ("broken", "page at https://www.facebook.com/", ""),
        "facebook-policy": ("missing", NO_POLICY_LINK, ""),
    },
    "policy-no-link": {
        "facebook-policy": ("missing", NO_POLICY_LINK, GENERIC),
        "facebook-privacy-center": ("missing", NO_CENTER_LINK, THIRD_PARTY),
    },
    "policy-generic-only": {
        "facebook-policy": ("missing", NO_POLICY_LINK, GENERIC),
        "facebook-privacy-center": ("missing", NO_CENTER_LINK, THIRD_PARTY),
    },
    "policy-collapsed": {
        "facebook-policy": ("available", f"form found at {FORM}", ""),
    },
    "preform": {
        "facebook-form": ("available", f"form found at {FORM}?from=preform", ""),
        "facebook-policy": ("available", f"form found at {FORM}?from=preform", ""),
    },
    "header-login": {
        "facebook-form": ("available", f"form found at {FORM}", ""),
        "facebook-policy": ("available", f"form found at {FORM}", ""),
    },
}


@pytest.mark.parametrize("scenario", list(MATRIX))
def test_shipped_flows(verify: Any, scenario: str) -> None:
    """Each shipped flow gives the expected verdict and reason for this page state."""
    expected = MATRIX[scenario]
    run = verify(
        [FLOWS / f"{f}.yaml" for f in expected], scenario, "--workers", "2", locale=None, timeout=4
    )
    got = {(r["flow"], r["locale"]): r for r in run.summary["results"]}
    assert set(got) == {(f, loc) for f in expected for loc in ("fr-FR", "en-GB")}
    for (flow, locale), result in got.items():
        verdict, prefix, contains = expected[flow]
        where = f"{flow} {locale}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] == verdict, where
        assert result["reason"].startswith(prefix), where
        assert contains in result["reason"], where


NOTIFICATION_STATES = {
    "notification-ai": ("available", f"form found at {FORM}"),
    "http-500": ("unreachable", "HTTP 500 for https://www.facebook.com/notifications"),
    "notification-none": ("missing", 'no link "IA de Meta|IA chez Meta|\\bIA\\b|AI at Meta"'),
    "notification-no-link": ("missing", NO_POLICY_LINK),
    "login-wall": ("blocked", WALL + "login/"),
}


@pytest.mark.parametrize("scenario", list(NOTIFICATION_STATES))
def test_notification_flow_with_a_session(verify: Any, tmp_path: Path, scenario: str) -> None:
    """With a saved login, the notification flow follows the AI notification to the form."""
    session = write_session(tmp_path / "facebook.json")
    verdict, prefix = NOTIFICATION_STATES[scenario]
    run = verify(
        FLOWS / "facebook-notification.yaml",
        scenario,
        "--session",
        f"facebook={session}",
        "--workers",
        "2",
        locale=None,
        timeout=3,
    )
    for result in run.summary["results"]:
        where = f"{result['locale']}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] == verdict, where
        assert result["reason"].startswith(prefix), where


def test_expired_session_meets_the_login_wall(verify: Any, tmp_path: Path) -> None:
    """A saved session the site no longer accepts (no c_user cookie) ends blocked, not missing."""
    empty = tmp_path / "facebook.json"
    empty.write_text('{"cookies": [], "origins": []}')
    run = verify(
        FLOWS / "facebook-notification.yaml", "notification-ai", "--session", f"facebook={empty}"
    )
    assert run.only()["verdict"] == "blocked"
    assert run.only()["final_url"].startswith("https://www.facebook.com/login/?next=")


def test_help_meta_redirect_is_its_own_state(verify: Any, replica: Any) -> None:
    """A form that redirects to help.meta.com ends broken at that address, never available."""
    run = verify(
        FLOWS / "facebook-form.yaml",
        "help-redirect",
        "--map-origin",
        f"https://help.meta.com={replica.origin_for('form-available')}",
    )
    result = run.only()
    assert result["verdict"] == "broken"
    assert result["reason"].startswith(
        "ended at https://help.meta.com/support/privacy, which does not match the form URL"
    )
