"""The language matrix in the browser: every shipped flow × every catalogue locale on the
states that matter for truth (issue 17). An error page is never `missing`, a login wall is
never `available`, Meta's non-EU version is never `missing`, in every language; the form is
found by its structure where Meta's words are not known; `missing` only where Meta's own
"unavailable" wording is known in the page's language.

One `optout verify` per state runs every flow in every locale (slow-marked; `make test` and
CI run it), so the cost is one browser run per (state, flow, locale).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FLOWS
from helpers import storage_state

from optout.flow import wording

pytestmark = pytest.mark.slow

LOCALES = wording.locales()
SHIPPED = sorted(FLOWS.glob("*.yaml"))
FORM = FLOWS / "facebook-form.yaml"
KNOWS_UNAVAILABLE = {loc for loc in LOCALES if wording.knows("unavailable", loc[:2])}
WHATSAPP = "whatsapp-objection"


def _run(
    verify: Any, tmp_path: Path, flows: list[Path], scenario: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every (flow, locale) of one state, in one run (the notification flow with a saved
    login, so that it gets past its start page)."""
    session = storage_state(tmp_path / "facebook.json")
    run = verify(
        flows,
        scenario,
        "--workers",
        "3",
        "--session",
        f"facebook={session}",
        "--confirm",
        "0",
        locale=LOCALES,
        timeout=6,
        page_timeout=90,  # a page load may take long on a busy machine; the steps wait 6 s
    )
    got = {(r["flow"], r["locale"]): r for r in run.summary["results"]}
    assert set(got) == {(path.stem, loc) for path in flows for loc in LOCALES}
    return got


def test_every_flow_and_locale_on_meta_error_page_is_unreachable(
    verify: Any, tmp_path: Path
) -> None:
    """Meta's "technical error, try reloading" page, in each language, at each flow's start:
    `unreachable` because the page says so (not because it timed out), never `missing`."""
    for (flow, locale), r in _run(verify, tmp_path, SHIPPED, "transient-error").items():
        assert r["verdict"] == "unreachable", (flow, locale, r["reason"])
        assert r["rule"] == "transient error", (flow, locale, r["reason"])


def test_every_flow_and_locale_on_an_in_place_login_form_is_blocked(
    verify: Any, tmp_path: Path
) -> None:
    """A login form served at the form's address is never `available`, in any language, for
    any flow that reaches a Meta form; it is `blocked` (by Meta's wall words where they are
    known, by its password field where they are not) wherever the flow reaches it. The
    notification flow cannot find the notification in a language whose words for AI optout
    does not know: `broken`, and it says so. (WhatsApp's forms have no login.)"""
    flows = [p for p in SHIPPED if p.stem != WHATSAPP]
    for (flow, locale), r in _run(verify, tmp_path, flows, "login-in-place").items():
        if flow == "facebook-notification" and not wording.knows("ai", locale[:2]):
            assert r["verdict"] == "broken", (flow, locale, r["reason"])
            assert "cannot be looked for" in r["reason"], (flow, locale, r["reason"])
            continue
        assert r["verdict"] == "blocked", (flow, locale, r["reason"])


def test_every_flow_and_locale_on_the_non_eu_version_is_never_missing(
    verify: Any, tmp_path: Path
) -> None:
    """Meta's non-EU version (the policy names Meta Platforms, Inc.; the EU forms are gone,
    the policy and the Privacy Center link none, WhatsApp's article is gone) is `blocked` for
    every flow in every language, never `missing`: `blocked` with the region in the reason
    wherever the page would have said `missing`; `broken` where optout knows no Meta words
    that could have said it there."""
    for (flow, locale), r in _run(verify, tmp_path, SHIPPED, "non-eu").items():
        assert r["verdict"] != "missing", (flow, locale, r["reason"])
        if r["verdict"] == "broken":
            assert "optout knows no Meta wording" in r["reason"], (flow, locale, r["reason"])
            continue
        assert r["verdict"] == "blocked", (flow, locale, r["reason"])
        assert r["reason"].startswith("Meta served its non-EU version"), (flow, locale)
        assert r["region"] == "non-eu", (flow, locale)


def test_every_locale_finds_the_form_and_says_missing_only_in_meta_words(
    verify: Any, tmp_path: Path
) -> None:
    """The form is `available` in every language (by its address and structure); Meta's
    unavailable page is `missing` only where its wording is known in that language, and
    `broken` with the reason saying so elsewhere."""
    for (_, locale), r in _run(verify, tmp_path, [FORM], "form-available").items():
        assert r["verdict"] == "available", (locale, r["reason"])
    for (_, locale), r in _run(verify, tmp_path, [FORM], "form-missing").items():
        if locale in KNOWS_UNAVAILABLE:
            assert r["verdict"] == "missing", (locale, r["reason"])
            assert r["region"] == "eu", (locale, r["region_evidence"])
        else:
            assert r["verdict"] == "broken", (locale, r["reason"])
            assert "optout knows no Meta wording" in r["reason"], (locale, r["reason"])
