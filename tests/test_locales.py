"""Languages and regions (issue 17): the wording catalogue, its table, the region rules.

No browser: the catalogue is data, the region is told by a pure function of what a page
names and links, and the verdict rules are a pure table.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import FLOWS, invoke
from playwright.sync_api import Page

from optout.check.region import EU, NON_EU, classify
from optout.check.verdict import Signals, Verdict, decide
from optout.flow import wording
from optout.flow.loader import load_flows
from optout.flow.patterns import compile_pattern

ROOT = Path(__file__).resolve().parent.parent
ISSUE_LOCALES = (
    "bg-BG cs-CZ da-DK de-DE el-GR en-GB es-ES et-EE fi-FI fr-FR hr-HR hu-HU it-IT lt-LT "
    "lv-LV nl-NL pl-PL pt-PT ro-RO sk-SK sl-SI sv-SE nb-NO"
).split()


def test_catalogue_has_a_locale_for_every_language_asked_for() -> None:
    """Each EU/EEA language of the issue has its catalogue file, and every shipped flow runs
    in every one of them."""
    assert sorted(wording.locales()) == sorted(ISSUE_LOCALES)
    for flow in load_flows([FLOWS]):
        assert sorted(flow.locales) == sorted(ISSUE_LOCALES), flow.id


def test_every_entry_has_a_source_and_matches_its_own_text() -> None:
    """Every string carries its confidence and source, and every pattern looked for matches
    the string the source shows (so no pattern is a translation of our own)."""
    for lang in wording.catalogue().values():
        for key, entries in lang.words.items():
            for entry in entries:
                assert entry.conf in ("C", "L", "U") and len(entry.source) > 10, (lang, key)
                for pattern in entry.patterns():
                    assert compile_pattern(pattern).search(entry.text), (lang.language, pattern)


def test_a_pattern_that_is_not_the_sources_text_is_refused(tmp_path: Path) -> None:
    """A catalogue entry whose pattern does not match its own text does not load."""
    bad = tmp_path / "xx.yaml"
    bad.write_text(
        "language: xx\nname: X\nnative: X\nlocale: xx-XX\nwords:\n  unavailable:\n"
        "    - {text: 'Dieser Inhalt', match: ['nicht da'], conf: C, source: 'a source'}\n",
        encoding="utf-8",
    )
    with pytest.raises(wording.CatalogueError, match="does not match its text"):
        wording.load_language(bad)


def test_missing_words_are_page_language_only_and_never_uncertain() -> None:
    """The words that can make a verdict `missing` come from the page's own language, C or L
    only; failure words come from every language at once."""
    de = wording.pattern("unavailable", "de")
    assert de and compile_pattern(de).search("Dieser Inhalt ist momentan nicht verfügbar")
    assert wording.pattern("unavailable", "sk") is None  # not known in Slovak: no missing
    assert not compile_pattern(wording.pattern("unavailable", "en") or "^$").search(
        "Dieser Inhalt ist momentan nicht verfügbar"
    )
    pt = wording.pattern("unavailable", "pt")  # the only Portuguese entry is U (pt-BR?)
    assert pt is None
    error = compile_pattern(wording.pattern("error", "en") or "^$")
    for text in (
        "Möglicherweise liegt ein technischer Fehler vor. Bitte versuche, die Seite erneut "
        "zu laden.",
        "Dit kan komen door een technische fout waarvoor we al aan een oplossing werken.",
        "Încearcă să reîncarci pagina.",
    ):
        assert error.search(text), text


@pytest.mark.parametrize(
    ("html_lang", "expected"),
    [("de-DE", "de"), ("de_AT", "de"), ("NO", "nb"), ("pt-BR", "pt"), ("ga", None), ("", None)],
)
def test_language_of_a_page(html_lang: str, expected: str | None) -> None:
    """`<html lang>` tags map to a catalogue language, or to none."""
    assert wording.language_of(html_lang) == expected


def test_words_resolve_to_a_name_or_a_text() -> None:
    """A `words:` locator becomes its role's name or a text pattern, or nothing to look for."""
    assert wording.resolve({"role": "button", "words": "send"}, "de") == {
        "role": "button",
        "name": "(?:^senden$)",
    }
    assert wording.resolve({"words": "unavailable"}, "sk") is None


def test_docs_locales_is_the_table_the_command_prints() -> None:
    """docs/locales.md is what `optout list --locales --markdown` prints, and the terminal
    table lists every locale."""
    assert (ROOT / "docs" / "locales.md").read_text(encoding="utf-8") == wording.locales_markdown()
    result = invoke("list", "--locales")
    assert result.exit_code == 0
    for locale in ISSUE_LOCALES:
        assert locale in result.output
    assert invoke("list", "--markdown").exit_code == 2


POLICY_EU_2026 = "2026-08-22_fb-privacy-policy-printable_mbasic_en"


def test_region_is_told_by_controller_and_eu_only_forms() -> None:
    """The EU version names Meta Platforms Ireland Limited or links an EU-only form; a page
    that names only Meta Platforms, Inc. is another region's; a form page says nothing."""
    url = "https://www.facebook.com/privacy/policy/"
    eu = classify(["Meta Platforms Ireland Limited"], ["Meta Platforms, Inc."], [], url)
    assert eu is not None and eu.region == EU
    linked = classify([], ["Meta Platforms, Inc."], ["1994830130782319"], url)
    assert linked is not None and linked.region == EU
    other = classify([], ["Meta Platforms, Inc."], [], url)
    assert other is not None and other.region == NON_EU
    assert "Meta Platforms, Inc named at" in other.evidence
    assert classify([], [], [], url) is None


def test_the_real_eu_policy_names_both_controllers() -> None:
    """Meta's real EU policy names Meta Platforms, Inc. too: only Ireland tells the EU."""
    folder = ROOT.parent / "shared" / "captures"
    path = folder / f"{POLICY_EU_2026}.html"
    if not path.is_file():
        pytest.skip("no ../shared/captures")
    text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
    assert "Meta Platforms Ireland Limited" in text and "Meta Platforms, Inc" in text


def _signals(**fields: object) -> Signals:
    base = Signals(final_url="https://www.facebook.com/help/contact/6359191084165019")
    for key, value in fields.items():
        setattr(base, key, value)
    return base


@pytest.mark.parametrize(
    ("fields", "verdict", "rule"),
    [
        ({"missing_marker": "unavailable page", "region": "non-eu", "region_required": "eu"},
         Verdict.BLOCKED, "other region"),
        ({"absent_step": "no link", "region": "non-eu", "region_required": "eu"},
         Verdict.BLOCKED, "other region"),
        ({"missing_marker": "unavailable page", "region_required": "eu"},
         Verdict.BROKEN, "region not shown"),
        ({"missing_marker": "unavailable page", "region": "eu", "region_required": "eu"},
         Verdict.MISSING, "unavailable marker"),
        ({"missing_marker": "unavailable page"}, Verdict.MISSING, "unavailable marker"),
        ({"absent_step": "no link", "needs_login": 'Meta\'s note: "You may need…"'},
         Verdict.BLOCKED, "forms need a login"),
        ({"missing_marker": "x", "transient_marker": "error", "region": "non-eu",
          "region_required": "eu"}, Verdict.UNREACHABLE, "transient error"),
        ({"reached_target": True, "login_form": "a login form", "present_not_found": ["x"]},
         Verdict.BLOCKED, "login form"),
    ],
)  # fmt: skip
def test_region_and_login_rules(fields: dict[str, object], verdict: Verdict, rule: str) -> None:
    """Another region's version is never `missing`, nor is a page whose region no page showed,
    nor a page that says the forms need a login; an error page stays unreachable first."""
    got, _, name = decide(_signals(**fields))
    assert (got, name) == (verdict, rule)


def test_the_readme_shows_the_policy_flow_as_shipped() -> None:
    """README.md's example flow is flows/facebook-policy.yaml, byte for byte."""
    readme = (FLOWS.parent / "README.md").read_text()
    shipped = (FLOWS / "facebook-policy.yaml").read_text()
    assert f"```yaml\n{shipped}```" in readme


def test_every_catalogue_pattern_works_as_a_chained_locator(page: Page) -> None:
    """Each key's pattern in each language, made tolerant and chained as the checker chains
    it (`>> nth=0`), is a selector Chromium accepts and finds its own source text with (a
    class that listed a quote twice once broke Playwright's selector parser)."""
    for code, language in wording.catalogue().items():
        for key in language.words:
            for entry in language.words[key]:
                page.set_content(f"<p>{html.escape(entry.text)}</p>")
                for pattern in entry.patterns():
                    found = page.get_by_text(compile_pattern(pattern))
                    assert found.nth(0).is_visible(), (code, key, entry.text, pattern)
            combined = wording.pattern(key, code)  # every entry of the key, as looked for
            if combined is not None:
                page.get_by_text(compile_pattern(combined)).nth(0).count()  # parses
