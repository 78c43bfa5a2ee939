"""The flow format: shipped flows, shorthands, fragments, and one clear message per mistake."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import FLOWS, TEST_FLOWS, invoke

from optout.flow import wording
from optout.flow.loader import FlowError, load_flow, load_flows
from optout.flow.model import ClickStep, DismissStep, SeeStep

INVALID = TEST_FLOWS / "invalid"
VALID = TEST_FLOWS / "valid"
ACTIONS = "a step needs exactly one action: open, click, see, wait, dismiss, use"
NOT_AN_ID = "is not valid: an id is lowercase letters, digits, '.', '_' and '-', starting with"
NOT_AN_ID += " a letter or digit"
NOT_HTTP = "is not an absolute http(s) URL"
SUMMARY = "optout: 1 problem in flow files; nothing was run"


class Broken(NamedTuple):
    """A fixture of tests/flows/invalid: the line and the exact message it gets."""

    fixture: str
    line: int
    message: str
    at: str = ""
    """The file the problem is in, when it is not the fixture itself (a fragment, a folder)."""

    @property
    def path(self) -> Path:
        """What to validate: the fixture file, or its folder."""
        folder = INVALID / self.fixture
        return folder if folder.is_dir() else INVALID / f"{self.fixture}.yaml"

    @property
    def expected(self) -> str:
        return f"{INVALID / (self.at or f'{self.fixture}.yaml')}:{self.line}: {self.message}"


# One rule per fixture, named for it; the message is what follows "file:line: ".
BROKEN_FLOWS = [
    # YAML
    Broken("empty-file", 1, "the file is empty"),
    Broken(
        "invalid-yaml",
        6,
        "invalid YAML: expected ',' or '}', but got ':' while parsing a flow mapping that "
        "starts on line 5",
    ),
    Broken(
        "unclosed-quote",
        8,
        "invalid YAML: found unexpected end of stream while scanning a quoted scalar",
    ),
    Broken(
        "tab-indent", 7, "invalid YAML: tab character in column 1; YAML allows only spaces here"
    ),
    Broken("not-utf8", 4, "the file is not UTF-8 text: byte 0xe0 in column 38 (save it as UTF-8)"),
    Broken("control-character", 1, "invalid YAML: the character U+0007 is not allowed"),
    Broken(
        "two-documents", 9, "invalid YAML: a second YAML document ('---'); a flow file holds one"
    ),
    Broken("duplicate-key", 3, "duplicate key 'locales'"),
    Broken(
        "alias-bomb",
        8,
        "aliases expand to more than 10000 values (*e); write the values out instead",
    ),
    Broken("alias-contains-itself", 6, "the alias *steps refers to a value that contains it"),
    Broken("undefined-alias", 5, "invalid YAML: found undefined alias 'heading'"),
    Broken("merge-key", 4, "merge keys (<<) are not supported; a fragment shares steps"),
    Broken(
        "python-tag",
        4,
        "the YAML tag !!python/object/apply:os.system is not allowed; a flow holds only text, "
        "numbers, true/false, lists and mappings",
    ),
    Broken("nested-too-deep", 4, "nested more than 64 levels deep"),
    Broken("list-as-key", 9, "a key must be a name, not a list or a mapping"),
    Broken("number-as-key", 6, "the key '1' is read as a number; quote it"),
    Broken("invalid-date", 4, "'2024-13-45' is not a valid date; quote it to make it text"),
    Broken("not-a-mapping", 1, "expected a mapping of keys, got a list"),
    # structure: keys, step types, types, patterns
    Broken("missing-start", 1, "missing required key 'start'"),
    Broken("missing-target", 1, "missing required key 'target'"),
    Broken(
        "unknown-key",
        2,
        "unknown key 'strat' (did you mean 'start'? valid: blocked_when, description, expect, "
        "id, locales, mask, name, region, service, session, start, steps, target, timeout, "
        "transient_when)",
    ),
    Broken(
        "misspelt-target-key",
        9,
        "target: unknown key 'missing_wen' (did you mean 'missing_when'? valid: form, "
        "missing_when, present, url)",
    ),
    Broken(
        "misspelt-step-key",
        6,
        "steps[0]: unknown key 'absnet' (did you mean 'absent'? valid: absent, instead, label, "
        "on_page, see, timeout, when)",
    ),
    Broken(
        "misspelt-locator-key",
        5,
        "steps[0].click: unknown key 'nme' (did you mean 'name'? valid: alt, css, enabled, "
        "exact, href, label, name, placeholder, role, testid, text, title, words)",
    ),
    Broken("misspelt-step", 5, f"steps[0]: {ACTIONS} (got: clik; did you mean 'click'?)"),
    Broken("eval-step", 5, f"steps[0]: {ACTIONS} (got: eval)"),
    Broken("submit-step", 5, f"steps[0]: {ACTIONS} (got: submit)"),
    Broken("type-step", 5, f"steps[0]: {ACTIONS} (got: type)"),
    Broken("step-two-actions", 5, f"steps[0]: {ACTIONS} (got: see, click)"),
    Broken("step-without-action", 5, f"steps[0]: {ACTIONS} (got: label)"),
    Broken("locales-not-a-list", 2, "locales: expected a list, got 'fr-FR'"),
    Broken("timeout-not-a-number", 4, "timeout: expected a number, got 'soon'"),
    Broken("steps-not-a-list", 4, "steps: expected a list, got {'see': {'role': 'heading'}}"),
    Broken("negative-timeout", 6, "steps[0].timeout: Input should be greater than 0"),
    Broken("bad-absent", 6, "steps[0].absent: Input should be 'missing', 'broken' or 'skip'"),
    Broken("expect-inconclusive", 2, "expect: Input should be 'available' or 'missing'"),
    Broken(
        "empty-present",
        6,
        "target: a target needs 'present' or 'form' (or both)",
    ),
    Broken(
        "unknown-role",
        8,
        "target.present[0].role: unknown ARIA role 'buton' (did you mean: button?)",
    ),
    Broken(
        "locator-two-finders",
        8,
        "target.present[0]: a locator uses exactly one of role, label, text, placeholder, alt, "
        "title, testid, css, words; got ['role', 'text']",
    ),
    Broken(
        "locator-without-finder",
        8,
        "target.present[0]: a locator needs one of: role, label, text, placeholder, alt, title, "
        "testid, css, words",
    ),
    Broken(
        "name-without-role",
        8,
        "target.present[0]: 'name' goes with 'role' (use 'text' or 'label' otherwise)",
    ),
    Broken(
        "marker-url-and-text",
        10,
        "blocked_when[0]: a marker is either a url pattern or a locator, not both",
    ),
    Broken(
        "bad-regex",
        8,
        "target.present[0].name: invalid regular expression 'send(': missing ), unterminated "
        "subpattern at position 4",
    ),
    Broken(
        "bad-regex-url",
        7,
        "target.url: invalid regular expression '/help/contact/(\\\\d+': missing ), "
        "unterminated subpattern at position 14",
    ),
    Broken(
        "bad-regex-blocked-when",
        5,
        "blocked_when[0].url: invalid regular expression '/login|/checkpoint/[': unterminated "
        "character set at position 19",
    ),
    Broken(
        "regex-nested-too-deep",
        8,
        "target.present[0].name: invalid regular expression: groups nested too deeply",
    ),
    # references
    Broken(
        "unknown-fragment",
        5,
        "steps[0].use: no fragment 'no-such-fragment' (known: cycle-a, cycle-b)",
    ),
    Broken(
        "fragment-cycle",
        3,
        "steps[0]: fragments include each other: cycle-a → cycle-b → cycle-a",
        at="fragments/cycle-b.yaml",
    ),
    Broken(
        "duplicate-id",
        2,
        f"flow id 'same-id' is already used by {INVALID / 'duplicate-id' / 'a.yaml'}",
        at="duplicate-id/b.yaml",
    ),
    # values: only http(s) URLs; nothing that climbs out of recordings/ or the sessions folder
    Broken("javascript-start", 3, f"start: 'javascript:alert(1)' {NOT_HTTP}"),
    Broken("file-url-start", 3, f"start: 'file:///etc/passwd' {NOT_HTTP}"),
    Broken("data-url-start", 3, f"start: 'data:text/html,<form>objection</form>' {NOT_HTTP}"),
    Broken("ftp-start", 3, f"start: 'ftp://www.facebook.com/' {NOT_HTTP}"),
    Broken("relative-start", 3, f"start: '/help/contact/6359191084165019' {NOT_HTTP}"),
    Broken("file-url-open", 5, f"steps[0].open: 'file:///etc/passwd' {NOT_HTTP}"),
    Broken(
        "javascript-open", 5, f"steps[0].open: 'javascript:document.forms[0].submit()' {NOT_HTTP}"
    ),
    Broken("data-url-open", 5, f"steps[0].open: 'data:text/html;base64,PGZvcm0+' {NOT_HTTP}"),
    Broken("id-escapes", 1, f"id: '../../etc' {NOT_AN_ID}"),
    Broken("id-dot", 1, f"id: '.' {NOT_AN_ID}"),
    Broken("id-slash", 1, f"id: 'facebook/form' {NOT_AN_ID}"),
    Broken("bad-locale", 2, "locales: 'english' is not a locale like fr-FR or en-GB"),
    Broken("locale-escapes", 2, "locales: '../../x' is not a locale like fr-FR or en-GB"),
    Broken("locale-with-newline", 2, "locales: 'en-GB\\n' is not a locale like fr-FR or en-GB"),
    Broken(
        "session-escapes",
        4,
        "session: '../../x' is not valid: a session name is letters, digits, '-' and '_', "
        "e.g. facebook",
    ),
    Broken(
        "fragment-name-escapes",
        5,
        "steps[0].use: '../../etc/passwd' is not valid: a fragment is named by its file name "
        "in fragments/, without .yaml",
    ),
]


def fixtures() -> list[str]:
    """The broken fixtures: the files and folders of tests/flows/invalid, fragments/ aside."""
    return sorted(p.name.removesuffix(".yaml") for p in INVALID.iterdir() if p.name != "fragments")


def cases() -> list[Any]:
    return [pytest.param(case, id=case.fixture) for case in BROKEN_FLOWS]


def test_every_invalid_fixture_is_in_the_table() -> None:
    """The corpus has at least 40 fixtures, each one in the table (and each entry a fixture)."""
    assert fixtures() == sorted(case.fixture for case in BROKEN_FLOWS)
    assert len(fixtures()) >= 40


@pytest.mark.parametrize("case", cases())
def test_validate_reports_file_line_message(case: Broken) -> None:
    """`optout validate` prints exactly `file:line: message` and the count, and exits 2."""
    result = invoke("validate", case.path)
    assert result.stderr.splitlines() == [case.expected, SUMMARY]
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", cases())
def test_verify_refuses_each_fixture_and_writes_nothing(case: Broken, tmp_path: Path) -> None:
    """`optout verify` on a broken flow exits 2 and writes no recordings, JSON or JUnit."""
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(
        "verify",
        case.path,
        "--out",
        out / "recordings",
        "--json",
        out / "summary.json",
        "--junit",
        out / "junit.xml",
        "--browser-path",
        tmp_path / "no-browser",
    )
    assert result.stderr.splitlines() == [case.expected, SUMMARY]
    assert result.exit_code == 2
    assert list(out.iterdir()) == []


def test_a_file_over_1_mb_is_refused_before_parsing(tmp_path: Path) -> None:
    """A 10 MB flow file is refused at line 1 for its size, without being parsed."""
    path = tmp_path / "huge.yaml"
    path.write_text("name: [" + "x, " * 3_333_333 + "]\n")
    started = time.process_time()
    result = invoke("validate", path)
    assert time.process_time() - started < 5
    assert result.stderr.splitlines() == [
        f"{path}:1: the file is 10.0 MB; flow files are at most 1 MB",
        SUMMARY,
    ]
    assert result.exit_code == 2


def test_an_alias_bomb_is_refused_quickly() -> None:
    """The "billion laughs" fixture is refused in well under a second."""
    started = time.process_time()
    with pytest.raises(FlowError, match="aliases expand to more than"):
        load_flow(INVALID / "alias-bomb.yaml")
    assert time.process_time() - started < 0.5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: " + "[" * 300_000 + "]" * 300_000, "nested more than 64 levels deep"),
        ("- " * 300_000 + "x\n", "nested more than 64 levels deep"),
        ("".join(f"k{i}: v\n" for i in range(50_000)), "more than 10000 values"),
        ("a: &a [1, 2]\nb: [" + ", ".join(["*a"] * 5000) + "]\n", "aliases expand to more"),
    ],
    ids=["deep-brackets", "deep-dashes", "many-values", "many-aliases"],
)
def test_hostile_yaml_is_refused_quickly(tmp_path: Path, text: str, message: str) -> None:
    """Deep nesting, too many values and wide alias use are refused at a limit, quickly."""
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    started = time.process_time()  # CPU time: a busy machine does not fail the test
    with pytest.raises(FlowError, match=message):
        load_flow(path)
    assert time.process_time() - started < 3


def test_all_problems_of_a_folder_are_listed() -> None:
    """Validating the whole corpus reports every fixture's problem, and each problem once."""
    paths = [INVALID / "fragments", *(c.path for c in BROKEN_FLOWS)]
    result = invoke("validate", *paths)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    for case in BROKEN_FLOWS:
        assert case.expected in lines
    assert len(lines) == len(set(lines))


def test_valid_fixtures_load() -> None:
    """Every flow in tests/flows/valid loads."""
    assert {f.id for f in load_flows([VALID])} >= {"every-step", "yaml-features"}


def test_plain_yaml_features_are_accepted() -> None:
    """Comments, anchors and aliases, quoted keys and block text load as plain YAML."""
    flow = load_flow(VALID / "yaml-features.yaml")
    assert flow.target.present[0] == flow.target.present[1]
    assert flow.description and flow.description.startswith("Checks that")
    assert flow.locales == ["fr-FR", "en-GB"]


def test_a_mistake_behind_an_alias_is_reported_at_its_anchor(tmp_path: Path) -> None:
    """A bad value shared by an alias is reported at its anchor, for each place that uses it."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nstart: https://www.facebook.com/\ntarget:\n  present:\n"
        "    - &send {role: button, name: send}\n    - &bad {role: buton}\n"
        "  missing_when: [*bad]\n"
    )
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:6: target.present[1].role: unknown ARIA role 'buton' (did you mean: button?)",
        f"{path}:6: target.missing_when[0].role: unknown ARIA role 'buton' (did you mean: button?)",
    ]


def test_more_than_20_problems_are_counted(tmp_path: Path) -> None:
    """A file with more than 20 problems lists the first 20 and counts the rest."""
    path = tmp_path / "many.yaml"
    path.write_text(
        "name: x\nstart: https://www.facebook.com/\ntarget: {present: [x]}\n"
        + "".join(f"bad{i}: 1\n" for i in range(25))
    )
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    problems = caught.value.problems
    assert len(problems) == 21
    assert str(problems[-1]) == f"{path}:24: ... and 5 more problems"


def test_shipped_flows_validate() -> None:
    """Every flow in flows/ is valid, and `optout validate` says so."""
    result = invoke("validate", FLOWS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: ")
    assert len(load_flows([FLOWS])) >= 7


def test_list_shows_flows() -> None:
    """`optout list` shows each flow's id, start URL and locales (every catalogue language
    in short; a flow's own list in full)."""
    result = invoke("list", FLOWS / "facebook-form.yaml", TEST_FLOWS / "valid" / "click-send.yaml")
    assert result.exit_code == 0
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("│ ")}
    assert f"all {len(wording.locales())}" in rows["facebook-form"]
    assert "en-GB" in rows["click-send"]
    assert "all" not in rows["click-send"]


def test_schema_is_json_schema_of_the_format() -> None:
    """`optout schema` prints a JSON Schema that knows every step action."""
    result = invoke("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "optout flow"
    text = json.dumps(schema)
    for action in ("OpenStep", "ClickStep", "SeeStep", "WaitStep", "DismissStep", "UseStep"):
        assert action in text


def test_draft_format_from_the_contract_loads(tmp_path: Path) -> None:
    """The contract's draft flow (shorthands, href pattern, absent: missing) validates as is."""
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "meta-cookie-consent.yaml").write_text(
        (FLOWS / "fragments" / "meta-cookie-consent.yaml").read_text()
    )
    draft = tmp_path / "facebook-policy-banner.yaml"
    draft.write_text(
        """\
id: facebook-policy-banner
name: "Facebook privacy policy banner → objection form"
service: facebook
locales: [fr-FR, en-GB]
start: https://www.facebook.com/privacy/policy/
expect: available
blocked_when:
  - url: "/login|/checkpoint/"
  - text: "You must log in to continue|Connectez-vous à Facebook"
steps:
  - use: meta-cookie-consent
  - click:
      role: link
      name: "droit d.opposition|opposer|right to object"
      href: "/help/contact/\\\\d+"
    absent: missing
target:
  url: "/help/contact/(6359191084165019|712876720715583)"
  present:
    - {role: textbox, name: "e-mail|email"}
    - {role: button, name: "envoyer|send"}
  missing_when:
    - text: "contenu n.est pas disponible|content isn.t available"
""",
        encoding="utf-8",
    )
    flow = load_flow(draft)
    steps = flow.runnable_steps()
    assert [type(s) for s in steps] == [DismissStep, ClickStep]
    click = steps[1]
    assert isinstance(click, ClickStep)
    assert click.click[0].href == "/help/contact/\\d+"
    assert click.absent == "missing"
    assert flow.expect == "available"
    assert len(flow.blocked_when) == 2


def test_shorthands_expand(tmp_path: Path) -> None:
    """`see: "text"` is a text locator; `any:` lists alternatives; the id is the file name."""
    path = tmp_path / "short.yaml"
    path.write_text(
        "name: x\nstart: https://www.facebook.com/\nsteps:\n  - see: Send\n"
        "  - see: {any: [{role: button, name: send}, {css: 'button.send'}]}\n"
        "target:\n  present: [Send]\n  missing_when: [gone]\n"
    )
    flow = load_flow(path)
    first, second = flow.runnable_steps()
    assert isinstance(first, SeeStep) and first.see[0].text == "Send"
    assert isinstance(second, SeeStep) and [loc.css for loc in second.see] == [None, "button.send"]
    assert flow.id == "short"
    assert flow.locales == ["en-GB"]
    assert flow.target.missing_when[0].text == "gone"


def test_fragment_errors_name_the_fragment_file(tmp_path: Path) -> None:
    """A mistake inside a fragment is reported at the fragment's own file and line."""
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "bad.yaml").write_text("steps:\n  - see: {role: buton}\n")
    (tmp_path / "f.yaml").write_text(
        "name: x\nstart: https://www.facebook.com/\nsteps:\n  - use: bad\n"
        "target:\n  present: [Send]\n"
    )
    result = invoke("validate", tmp_path / "f.yaml")
    assert result.exit_code == 2
    assert f"{tmp_path / 'fragments' / 'bad.yaml'}:2: steps[0].see.role: unknown ARIA role" in (
        result.stderr
    )


def test_fragments_that_include_each_other_are_refused(tmp_path: Path) -> None:
    """Fragment cycles are reported instead of looping forever."""
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "a.yaml").write_text("steps:\n  - use: b\n")
    (tmp_path / "fragments" / "b.yaml").write_text("steps:\n  - use: a\n")
    (tmp_path / "f.yaml").write_text(
        "name: x\nstart: https://www.facebook.com/\nsteps:\n  - use: a\ntarget:\n  present: [x]\n"
    )
    result = invoke("validate", tmp_path / "f.yaml")
    assert result.exit_code == 2
    assert "fragments include each other: a → b → a" in result.stderr


def test_duplicate_flow_ids_are_refused(tmp_path: Path) -> None:
    """Two files declaring the same id would mix their evidence, so they are refused."""
    body = "id: same\nname: x\nstart: https://www.facebook.com/\ntarget:\n  present: [x]\n"
    (tmp_path / "a.yaml").write_text(body)
    (tmp_path / "b.yaml").write_text(body)
    result = invoke("validate", tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path / 'b.yaml'}:1: flow id 'same' is already used by {tmp_path / 'a.yaml'}" in (
        result.stderr
    )


def test_the_help_example_flow_is_valid(tmp_path: Path) -> None:
    """The minimal flow `optout verify --help` shows loads as it is written there."""
    from optout.cli.verify import MINIMAL_FLOW

    text = "\n".join(line.removeprefix("  ") for line in MINIMAL_FLOW.splitlines()[1:])
    shutil.copytree(FLOWS / "fragments", tmp_path / "fragments")
    path = tmp_path / "facebook-form.yaml"
    path.write_text(text + "\n")
    flow = load_flow(path)
    assert flow.region == "eu"
    assert len(flow.locales) == len(wording.locales())
    assert flow.target.form is not None
