"""The language matrix in the browser: every catalogue locale on the states that matter for
truth (issue 17). An error page is never `missing`, a login wall is never `available`, and
Meta's non-EU version is never `missing`, in every language; the form is found by its
structure where Meta's words are not known; `missing` only where Meta's own "unavailable"
wording is known in the page's language.

One `optout verify` per state runs one flow in every locale (slow-marked; `make test` runs
it), so the cost is one browser run per (state, locale).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FLOWS

from optout.flow import wording

pytestmark = pytest.mark.slow

LOCALES = wording.locales()
FORM = FLOWS / "facebook-form.yaml"
POLICY = FLOWS / "facebook-policy.yaml"
KNOWS_UNAVAILABLE = {loc for loc in LOCALES if wording.knows("unavailable", loc[:2])}


def _run(verify: Any, flows: list[Any], scenario: str) -> dict[tuple[str, str], dict[str, Any]]:
    run = verify(flows, scenario, "--workers", "3", locale=LOCALES, timeout=6)
    got = {(r["flow"], r["locale"]): r for r in run.summary["results"]}
    assert {loc for _, loc in got} == set(LOCALES)
    return got


def test_every_locale_on_meta_error_page_is_unreachable(verify: Any) -> None:
    """Meta's "technical error, try reloading" page, in each language, is `unreachable`."""
    for (_, locale), r in _run(verify, [FORM], "transient-error").items():
        assert r["verdict"] == "unreachable", (locale, r["reason"])


def test_every_locale_on_an_in_place_login_form_is_blocked(verify: Any) -> None:
    """A login form served at the form's address is `blocked` in every language: by Meta's
    wall words where they are known, by its password field where they are not."""
    for (_, locale), r in _run(verify, [FORM], "login-in-place").items():
        assert r["verdict"] == "blocked", (locale, r["reason"])


def test_every_locale_on_the_non_eu_version_is_never_missing(verify: Any) -> None:
    """Meta's non-EU version (the policy names Meta Platforms, Inc.; the form is gone) is
    `blocked` for the policy and the form flows alike, never `missing`."""
    for (flow, locale), r in _run(verify, [FORM, POLICY], "non-eu").items():
        assert r["verdict"] == "blocked", (flow, locale, r["reason"])
        assert r["reason"].startswith("Meta served its non-EU version"), (flow, locale)
        assert r["region"] == "non-eu"


def test_every_locale_finds_the_form_and_says_missing_only_in_meta_words(verify: Any) -> None:
    """The form is `available` in every language (by its address and structure); Meta's
    unavailable page is `missing` only where its wording is known in that language, and
    `broken` with the reason saying so elsewhere."""
    for (_, locale), r in _run(verify, [FORM], "form-available").items():
        assert r["verdict"] == "available", (locale, r["reason"])
    for (_, locale), r in _run(verify, [FORM], "form-missing").items():
        if locale in KNOWS_UNAVAILABLE:
            assert r["verdict"] == "missing", (locale, r["reason"])
            assert r["region"] == "eu", (locale, r["region_evidence"])
        else:
            assert r["verdict"] == "broken", (locale, r["reason"])
            assert "optout knows no Meta wording" in r["reason"], (locale, r["reason"])
