"""Every shipped flow against every page state it can meet, in both locales.

One `optout verify` per replica scenario runs the flows that scenario is about, in
fr-FR and en-GB, with two workers; each (flow, locale) must give the verdict in the
table, and a reason that starts with the text given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS, PAIR
from helpers import storage_state

FORM = "https://www.facebook.com/help/contact/6359191084165019"
WA_ARTICLE = "https://faq.whatsapp.com/1285115568956956/"
WA_FORM = "https://www.whatsapp.com/contact/forms/1534459096974129"
GONE = 'unavailable page: "'  # then the words the page showed, then " at <url>"
ERROR = "Meta's error page: \""
WALL = "login wall or checkpoint (URL) at https://www.facebook.com/"
NO_POLICY_LINK = "no link (object words) → /help/contact/"
NO_CENTER_LINK = "no link (object words) → /help/contact/"
NO_WA_LINK = "no link (contact words) → whatsapp"
GENERIC = "instead: a link to the generic GDPR objection form (help/contact/1994830130782319)"
THIRD_PARTY = "instead: a link to the third-party-information form (help/contact/1266025207620918)"
WA_GENERAL = "instead: a link to WhatsApp's general contact page (whatsapp.com/contact)"
# the flows that need no saved session; facebook-notification has its own tests below
FB_IG = (
    "facebook-form",
    "facebook-form-2025",
    "facebook-policy",
    "facebook-privacy-center",
    "instagram-form",
    "instagram-form-2024",
    "meta-third-party-form",
)
ALL = (*FB_IG, "whatsapp-objection")
# the flows that reach the form through a link, and one that opens a form directly
LINKED = ("facebook-policy", "facebook-privacy-center", "whatsapp-objection", "instagram-form")
WALLED = ("facebook-form", "instagram-form-2024", "facebook-policy")
# where each flow meets the form (or the page it is told apart from)
FORM_OF = {
    "facebook-form": FORM,
    "facebook-form-2025": "https://fr-fr.facebook.com/help/contact/712876720715583",
    "facebook-policy": FORM,
    "facebook-privacy-center": FORM,
    "instagram-form": "https://help.instagram.com/contact/233964459562201",
    "instagram-form-2024": "https://help.instagram.com/contact/767264225370182",
    "meta-third-party-form": "https://www.facebook.com/help/contact/1266025207620918",
    "whatsapp-objection": WA_FORM,
}
START_OF = {
    **FORM_OF,
    "facebook-policy": "https://www.facebook.com/privacy/policy/",
    "facebook-privacy-center": "https://www.facebook.com/privacy/genai",
    "whatsapp-objection": WA_ARTICLE,
}

# scenario → {flow: (verdict, reason prefix, text the reason must also contain)}
MATRIX: dict[str, dict[str, tuple[str, str, str]]] = {
    "form-available": {flow: ("available", f"form found at {FORM_OF[flow]}", "") for flow in ALL},
    "form-missing": {
        "facebook-form": ("missing", GONE, f" at {FORM}"),
        "facebook-form-2025": ("missing", GONE, " at https://fr-fr.facebook.com/"),
        "instagram-form": ("missing", GONE, '" at https://help.instagram.com/contact/'),
        "meta-third-party-form": ("missing", GONE, ""),
        "facebook-policy": ("missing", GONE, f" at {FORM}"),
    },
    "form-missing-curly": {
        "facebook-form": ("missing", GONE, f" at {FORM}"),
        "instagram-form-2024": ("missing", GONE, ""),
    },
    "form-missing-404": {"facebook-privacy-center": ("missing", GONE, f" at {FORM}")},
    "page-missing": {
        "facebook-form-2025": ("missing", GONE, ""),
        "instagram-form-2024": ("missing", GONE, ""),
    },
    "login-wall": {flow: ("blocked", WALL, "") for flow in FB_IG},
    "checkpoint": {
        "facebook-policy": ("blocked", WALL + "checkpoint/", ""),
        "meta-third-party-form": ("blocked", WALL + "checkpoint/", ""),
    },
    "cookie-dialog": {
        "facebook-form-2025": ("available", "form found at", ""),
        "facebook-policy": ("available", f"form found at {FORM}", ""),
        "instagram-form": ("available", "form found at", ""),
        "whatsapp-objection": ("available", f"form found at {WA_FORM}", ""),
    },
    "cookie-dialog-stuck": {
        "facebook-form": ("blocked", f"cookie dialog could not be closed at {FORM}", ""),
        "facebook-privacy-center": ("blocked", "cookie dialog could not be closed at", ""),
        "whatsapp-objection": ("blocked", f"cookie dialog could not be closed at {WA_ARTICLE}", ""),
    },
    # Meta's 500 page says "Sorry, something went wrong.": a failure, quoted
    "http-500": {flow: ("unreachable", ERROR, f" at {START_OF[flow]}") for flow in FB_IG},
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
    # issue 11: a page that says it failed and to try again is `unreachable`, never
    # `missing`, even under an "isn't available" heading; at the start page (wording A) ...
    "transient-error": {flow: ("unreachable", ERROR, f" at {START_OF[flow]}") for flow in ALL},
    # ... and at the form, reached through the links (wording B, typewriter apostrophes,
    # under Meta's 2026 cookie dialog)
    "transient-error-form+straight+cookies-2026": {
        flow: ("unreachable", ERROR, f" at {FORM_OF[flow]}") for flow in LINKED
    },
    # walls served with HTTP 200: a direct Facebook form, a direct Instagram form, and a
    # form reached through a link (the same rules apply to every flow: they share meta-walls)
    "rate-limit+curly": {
        flow: ("blocked", 'rate-limited: "', f" at {START_OF[flow]}") for flow in WALLED
    },
    "login-in-place+cookies-2026": {
        flow: ("blocked", 'login wall: "', f" at {FORM_OF[flow]}") for flow in WALLED
    },
    "cookie-dialog-2026": {
        "facebook-form-2025": ("available", "form found at", ""),
        "facebook-policy": ("available", f"form found at {FORM}", ""),
        "instagram-form-2024": ("available", "form found at", ""),
        "whatsapp-objection": ("available", f"form found at {WA_FORM}", ""),
    },
    "whatsapp-no-link": {"whatsapp-objection": ("missing", NO_WA_LINK, WA_GENERAL)},
    "whatsapp-article-gone+straight": {
        "whatsapp-objection": ("missing", GONE, f" at {WA_ARTICLE}")
    },
    "whatsapp-form-unavailable+cookies-2026": {
        "whatsapp-objection": ("missing", GONE, f'" at {WA_FORM}')
    },
}
QUOTED = ("unavailable page", "Meta's error page", "rate-limited", "login wall:")


@pytest.mark.parametrize("scenario", list(MATRIX))
def test_shipped_flows(verify: Any, scenario: str) -> None:
    """Each shipped flow gives the expected verdict and reason for this page state."""
    expected = MATRIX[scenario]
    run = verify(
        [FLOWS / f"{f}.yaml" for f in expected], scenario, "--workers", "2", locale=PAIR, timeout=4
    )
    got = {(r["flow"], r["locale"]): r for r in run.summary["results"]}
    assert set(got) == {(f, loc) for f in expected for loc in ("fr-FR", "en-GB")}
    for (flow, locale), result in got.items():
        verdict, prefix, contains = expected[flow]
        where = f"{flow} {locale}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] == verdict, where
        assert result["reason"].startswith(prefix), where
        assert contains in result["reason"], where
        if result["reason"].startswith(QUOTED):  # quotes what the page showed
            assert re.search(r': "[^"]{3,}" at https://', result["reason"]), where


NOTIFICATION_STATES = {
    "notification-ai": ("available", f"form found at {FORM}"),
    "http-500": ("unreachable", ERROR),
    "notification-none": ("missing", "no link (ai words)"),
    "notification-no-link": ("missing", NO_POLICY_LINK),
    "login-wall": ("blocked", WALL + "login/"),
    "transient-error+cookies-2026": ("unreachable", ERROR),
    "rate-limit": ("blocked", 'rate-limited: "'),
}


@pytest.mark.parametrize("scenario", list(NOTIFICATION_STATES))
def test_notification_flow_with_a_session(verify: Any, tmp_path: Path, scenario: str) -> None:
    """With a saved login, the notification flow follows the AI notification to the form."""
    session = storage_state(tmp_path / "facebook.json")
    verdict, prefix = NOTIFICATION_STATES[scenario]
    run = verify(
        FLOWS / "facebook-notification.yaml",
        scenario,
        "--session",
        f"facebook={session}",
        "--workers",
        "2",
        locale=PAIR,
        timeout=3,
    )
    for result in run.summary["results"]:
        where = f"{result['locale']}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] == verdict, where
        assert prefix in result["reason"], where


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
