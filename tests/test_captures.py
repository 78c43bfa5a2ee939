"""The shipped flows and fragments on real captures of Meta's pages (scripts stripped).

The captures live in ../shared/captures beside the repository (see its README); they
are Meta's pages, served by the replica at /capture/<file-stem>/..., never copied here.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS

from optout.replica import ReplicaServer

pytestmark = pytest.mark.usefixtures("captures")

DIALOG_CAPTURES = [
    ("2022-03-06_fb-privacy-explanation_fr_cookie-manage-dialog", "Tout accepter"),
    (
        "2022-03-30_fb-privacy-explanation_fr_cookie-dialog",
        "Uniquement autoriser les cookies essentiels",
    ),
    ("2022-02-26_ig-terms_fr_cookie-manage-dialog", "Tout accepter"),
    # German (de-de.facebook.com, 2021): data-testid="cookie-policy-dialog", no decline button
    ("2021-07-03_fb-community-standards_cookie-dialog_de", "Alle akzeptieren"),
]


@pytest.fixture
def captures(replica: ReplicaServer) -> Path:
    """The real captures folder, or a skip that says where it was looked for."""
    folder = replica.captures_dir
    if folder is None or not folder.is_dir():
        pytest.skip("no ../shared/captures beside the repository (set OPTOUT_CAPTURES)")
    return folder


def _consent_flow(tmp_path: Path) -> Path:
    """A flow that only dismisses the cookie dialog, with the shipped fragments."""
    shutil.copytree(FLOWS / "fragments", tmp_path / "flows" / "fragments")
    flow = tmp_path / "flows" / "consent.yaml"
    flow.write_text(
        "name: cookie dialog on a real capture\n"
        "locales: [fr-FR]\n"
        "start: https://www.facebook.com/privacy/explanation\n"
        "steps:\n  - use: meta-cookie-consent\n"
        "target:\n"
        "  present: [{css: body}]\n"
        "  missing_when:\n"
        "    - css: \"[data-cookiebanner='accept_button']\"\n"
        "      reason: the cookie banner is still up\n",
        encoding="utf-8",
    )
    return flow


@pytest.mark.parametrize(
    ("stem", "pressed"), DIALOG_CAPTURES, ids=[c[0][:10] for c in DIALOG_CAPTURES]
)
def test_consent_fragment_closes_real_dialogs(
    verify: Any, tmp_path: Path, stem: str, pressed: str
) -> None:
    """The shared consent fragment closes each real dialog variant, preferring essential-only."""
    run = verify(_consent_flow(tmp_path), f"capture/{stem}", locale=None)
    result = run.only()
    dismiss = result["steps"][1]
    assert dismiss["status"] == "ok", dismiss
    assert dismiss["detail"] == f"pressed {pressed!r}"
    assert result["verdict"] == "available", result["reason"]


def test_privacy_center_capture_links_only_the_third_party_form(verify: Any) -> None:
    """On the real 2026 Privacy Center page, with the real 2026 EU privacy policy beside it,
    the flow is missing, naming the third-party form: the page itself names no controller,
    so optout opens the policy, which names Meta Platforms Ireland Limited."""
    run = verify(FLOWS / "facebook-privacy-center.yaml", "capture-eu-2026")
    result = run.only()
    assert result["verdict"] == "missing", result["reason"]
    assert result["reason"].endswith(
        "instead: a link to the third-party-information form (help/contact/1266025207620918), "
        "not an AI objection form"
    )
    assert result["region"] == "eu"
    assert "Meta Platforms Ireland Limited" in result["region_evidence"]
    assert result["steps"][-1]["action"] == "check-region"


def test_a_page_that_does_not_show_its_region_is_never_missing(verify: Any) -> None:
    """The same real page served at every address, the policy included: no page names a
    controller, so which region's version it is cannot be told, and the absence of the EU
    form's link is `broken`, not `missing`."""
    run = verify(FLOWS / "facebook-privacy-center.yaml", "capture/2026_fb-privacy-genai_mbasic_en")
    result = run.only()
    assert result["verdict"] == "broken", result["reason"]
    assert result["reason"].startswith("no page showed which region's version Meta served")


def test_printable_policy_capture_links_only_the_generic_form(verify: Any) -> None:
    """On the real 2026 printable policy the flow is missing: only the generic form is linked."""
    run = verify(
        FLOWS / "facebook-policy.yaml", "capture/2026-08-22_fb-privacy-policy-printable_mbasic_en"
    )
    result = run.only()
    assert result["verdict"] == "missing", result["reason"]
    assert "instead: a link to the generic GDPR objection form" in result["reason"]


def test_header_login_form_is_not_a_wall(verify: Any) -> None:
    """A logged-out page with a login form in its top bar is not reported as blocked."""
    run = verify(FLOWS / "facebook-form.yaml", "capture/2026-08-22_fb-legal-eu-ai-terms_www_en")
    result = run.only()
    assert result["verdict"] == "broken", result["reason"]
    assert result["reason"].startswith(
        "page at https://www.facebook.com/help/contact/6359191084165019 is neither the form"
    )


# --- issue 11: the shipped flows on the real banner, login wall and rate-limit page --------

FORM = "https://www.facebook.com/help/contact/6359191084165019"
LOGIN_WALL = "2022-08-30_fb-login-wall_fr"
RATE_LIMIT = "2022-09-24_fb-feature-temporarily-blocked_fr"


def test_policy_flow_on_the_2024_banner_reaches_the_ai_form(verify: Any) -> None:
    """The real 2024 printable policy (under its own heading, a banner linking "right to
    object" to help/contact/6359191084165019; other sections link other forms with the same
    words): the policy flow follows the banner's link and finds the AI form there."""
    run = verify(FLOWS / "facebook-policy.yaml", "capture-policy-2024")
    result = run.only()
    assert result["verdict"] == "available", result["reason"]
    assert result["reason"] == f"form found at {FORM}"
    click = next(s for s in result["steps"] if s["action"] == "click")
    assert click["detail"].startswith("clicked link (object words)")
    assert f"→ {FORM}" in click["detail"]
    assert click.get("alternative") in (None, 1)  # found by its words, not only its address


def test_form_redirected_to_the_real_login_wall_is_blocked(verify: Any) -> None:
    """A form URL that redirects to /login/?next=… where the real French login wall is served
    ends blocked, never missing."""
    flows = [FLOWS / "facebook-form.yaml", FLOWS / "meta-third-party-form.yaml"]
    run = verify(flows, "capture-login-wall", "--workers", "2", locale="fr-FR")
    for result in run.summary["results"]:
        assert result["verdict"] == "blocked", result["reason"]
        assert result["reason"].startswith(
            "login wall or checkpoint (URL) at https://www.facebook.com/login/?next="
        ), result["reason"]
        assert result["title"] == "Se connecter à Facebook"


def test_real_login_wall_served_in_place_is_blocked(verify: Any) -> None:
    """The same wall served at the form's own URL (HTTP 200, no redirect) is told by its
    header « Se connecter à Facebook » (a div, not a heading)."""
    flows = [FLOWS / "facebook-form.yaml", FLOWS / "instagram-form.yaml"]
    run = verify(flows, f"capture/{LOGIN_WALL}", "--workers", "2", locale="fr-FR")
    for result in run.summary["results"]:
        assert result["verdict"] == "blocked", result["reason"]
        assert result["reason"].startswith('login wall: "Se connecter à Facebook" at https://')


def test_real_rate_limit_page_is_blocked(verify: Any) -> None:
    """Meta's real rate-limit page (HTTP 200, role=main, a login form in the top bar) is
    `blocked`, reason "rate-limited" with the page's own words, on any flow."""
    flows = [FLOWS / "facebook-form.yaml", FLOWS / "facebook-policy.yaml"]
    run = verify(flows, f"capture/{RATE_LIMIT}", "--workers", "2", locale="fr-FR")
    for result in run.summary["results"]:
        assert result["verdict"] == "blocked", result["reason"]
        assert result["reason"].startswith(
            'rate-limited: "Cette fonction est temporairement bloquée" at https://'
        ), result["reason"]


def _capture_stems() -> list[str]:
    """Every capture but the two printable policies: those are long pages (a minute per run)
    whose verdicts the policy-flow tests above already pin down."""
    from optout.replica.captures import available, default_captures_dir

    return [s for s in available(default_captures_dir()) if "printable" not in s]


@pytest.mark.parametrize("stem", _capture_stems())
def test_no_real_capture_is_taken_for_a_form_or_its_absence(verify: Any, stem: str) -> None:
    """No real capture is an objection form or an "unavailable" page: a direct form flow and
    the WhatsApp flow, served any of them, are never `available` nor `missing`."""
    flows = [FLOWS / "facebook-form.yaml", FLOWS / "whatsapp-objection.yaml"]
    run = verify(flows, f"capture/{stem}", "--workers", "2", locale="fr-FR", timeout=3)
    for result in run.summary["results"]:
        where = f"{result['flow']}: {result['verdict']}: {result['reason']}"
        assert result["verdict"] in ("blocked", "unreachable", "broken"), where
