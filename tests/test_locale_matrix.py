"""The language matrix in the browser: every shipped flow × every catalogue locale on the
states that matter for truth (issue 17). An error page is never `missing`, a login wall is
never `available`, Meta's non-EU version is never `missing`, in every language; the form is
found by its structure where Meta's words are not known; `missing` only where Meta's own
"unavailable" wording is known in the page's language.

Every flow in every locale on every state is 207 browser runs per state, about six minutes
each on this 2-core machine: more than the suite's whole budget. So `make test` (and CI) runs
a covering design, `rotation(state)`: in each state every locale runs once and every flow at
least twice, and the three truth states together cover 69 distinct (flow, locale) pairs. The
full product is the `full_matrix` tests, `make test-matrix` (about 25 minutes).
"""

from __future__ import annotations

import re
import shutil
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
DIRECT = {"facebook-form", "facebook-form-2025", "instagram-form", "instagram-form-2024"}
"""The flows that open a form directly: where Meta's unavailable words are known, the non-EU
version's gone form would have been `missing`, and must be `blocked`."""


TRUTH_STATES = ("transient-error", "login-in-place", "non-eu")


def rotation(state: str, flows: list[Path]) -> list[tuple[Path, str]]:
    """The (flow, locale) pairs a state runs in `make test`: locale j with flow j + 8·s (s the
    state's place in TRUTH_STATES), so every locale runs once per state, every flow two or
    three times, and the states do not repeat each other's pairs."""
    shift = 8 * TRUTH_STATES.index(state)
    return [(flows[(j + shift) % len(flows)], loc) for j, loc in enumerate(LOCALES)]


def test_the_rotation_covers_every_flow_and_every_locale_in_every_state() -> None:
    """The covering design holds: in each state, every flow and every locale; no pair twice."""
    seen: set[tuple[str, str]] = set()
    for state in TRUTH_STATES:
        pairs = [(p.stem, loc) for p, loc in rotation(state, SHIPPED)]
        assert {f for f, _ in pairs} == {p.stem for p in SHIPPED}
        assert {loc for _, loc in pairs} == set(LOCALES)
        assert not seen & set(pairs)
        seen |= set(pairs)


def _run(
    verify: Any, tmp_path: Path, flows: list[Path], scenario: str, full: bool = False
) -> dict[tuple[str, str], dict[str, Any]]:
    """The (flow, locale) pairs of one state in one run: the rotation, or with `full` every
    flow in every locale (the notification flow with a saved login, so that it gets past its
    start page)."""
    session = storage_state(tmp_path / "facebook.json")
    if full or scenario not in TRUTH_STATES:
        pairs = [(path, loc) for path in flows for loc in LOCALES]
    else:
        pairs = [(path, loc) for path, loc in rotation(scenario, SHIPPED) if path in flows]
    run = verify(
        _flows_for(pairs, tmp_path / f"flows-{scenario}"),
        scenario,
        "--workers",
        "3",
        "--session",
        f"facebook={session}",
        "--confirm",
        "0",
        locale=None,
        timeout=4,
        page_timeout=90,  # a page load may take long on a busy machine; the steps wait 4 s
    )
    got = {(r["flow"], r["locale"]): r for r in run.summary["results"]}
    assert set(got) == {(path.stem, loc) for path, loc in pairs}
    return got


def _flows_for(pairs: list[tuple[Path, str]], folder: Path) -> list[Path]:
    """Copies of the pairs' flows (and the fragments), each with only its pairs' locales."""
    shutil.copytree(FLOWS / "fragments", folder / "fragments")
    locales: dict[Path, list[str]] = {}
    for path, loc in pairs:
        locales.setdefault(path, []).append(loc)
    out = []
    for path, locs in locales.items():
        line = f"locales: [{', '.join(locs)}]"
        text, n = re.subn(r"^locales:.*$", line, path.read_text(), flags=re.M)
        assert n == 1, path
        (folder / path.name).write_text(text)
        out.append(folder / path.name)
    return out


@pytest.mark.parametrize("full", [False, pytest.param(True, marks=pytest.mark.full_matrix)])
def test_every_flow_and_locale_on_meta_error_page_is_unreachable(
    verify: Any, tmp_path: Path, full: bool
) -> None:
    """Meta's "technical error, try reloading" page, in each language, at each flow's start:
    `unreachable` because the page says so (not because it timed out), never `missing`."""
    for (flow, locale), r in _run(verify, tmp_path, SHIPPED, "transient-error", full).items():
        assert r["verdict"] == "unreachable", (flow, locale, r["reason"])
        assert r["rule"] == "transient error", (flow, locale, r["reason"])


@pytest.mark.parametrize("full", [False, pytest.param(True, marks=pytest.mark.full_matrix)])
def test_every_flow_and_locale_on_an_in_place_login_form_is_blocked(
    verify: Any, tmp_path: Path, full: bool
) -> None:
    """A login form served at the form's address is `blocked` in every language, for every
    flow that reaches a Meta form (by Meta's wall words where they are known, by its password
    field where they are not), never `available`. WhatsApp's forms have no login; the
    notification flow reaches the form only from an AI notification, which this state does
    not show (its walls are in tests/test_shipped_flows.py)."""
    flows = [p for p in SHIPPED if p.stem not in (WHATSAPP, "facebook-notification")]
    for (flow, locale), r in _run(verify, tmp_path, flows, "login-in-place", full).items():
        assert r["verdict"] == "blocked", (flow, locale, r["reason"])


@pytest.mark.parametrize("full", [False, pytest.param(True, marks=pytest.mark.full_matrix)])
def test_every_flow_and_locale_on_the_non_eu_version_is_never_missing(
    verify: Any, tmp_path: Path, full: bool
) -> None:
    """Meta's non-EU version (the policy names Meta Platforms, Inc.; the EU forms are gone,
    the policy and the Privacy Center link none, WhatsApp's article is gone) is `blocked` for
    every flow in every language, never `missing`: `blocked` with the region in the reason
    wherever the page would have said `missing`; `broken` or the 404's `unreachable` where
    optout knows no Meta words that could have said it there."""
    for (flow, locale), r in _run(verify, tmp_path, SHIPPED, "non-eu", full).items():
        assert r["verdict"] != "missing", (flow, locale, r["reason"])
        if r["verdict"] == "blocked":
            assert r["reason"].startswith("Meta served its non-EU version"), (flow, locale)
            assert r["region"] == "non-eu", (flow, locale)
        elif r["verdict"] == "broken":  # nothing it knows in that language could say missing
            assert "optout knows no Meta wording" in r["reason"], (flow, locale, r["reason"])
        else:  # the gone article's 404, where its words are not known
            assert r["rule"] == "HTTP error status", (flow, locale, r["reason"])
        direct = flow in DIRECT and locale in KNOWS_UNAVAILABLE
        assert r["verdict"] == "blocked" or not direct, (flow, locale, r["reason"])


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
