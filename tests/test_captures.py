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
    """On the real 2026 Privacy Center page the flow is missing, naming the third-party form."""
    run = verify(FLOWS / "facebook-privacy-center.yaml", "capture/2026_fb-privacy-genai_mbasic_en")
    result = run.only()
    assert result["verdict"] == "missing", result["reason"]
    assert result["reason"].endswith(
        "instead: a link to the third-party-information form (help/contact/1266025207620918), "
        "not an AI objection form"
    )


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
