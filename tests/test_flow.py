"""The flow format: shipped flows, shorthands, fragments, and one clear message per mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FLOWS, TEST_FLOWS, invoke

from optout.flow.loader import load_flow, load_flows
from optout.flow.model import ClickStep, DismissStep, SeeStep

INVALID = TEST_FLOWS / "invalid"

# (file, line, message after "file:line: "): one rule per file, named for it.
BROKEN_FLOWS = [
    ("bad-absent", 6, "steps[0].absent: Input should be 'missing', 'broken' or 'skip'"),
    ("bad-locale", 2, "locales: 'english' is not a locale like fr-FR or en-GB"),
    (
        "bad-regex",
        8,
        "target.present[0].name: invalid regular expression 'send(': "
        "missing ), unterminated subpattern at position 4",
    ),
    ("duplicate-key", 3, "duplicate key 'locales'"),
    ("empty-file", 1, "the file is empty"),
    (
        "empty-present",
        7,
        "target.present: List should have at least 1 item after validation, not 0",
    ),
    (
        "eval-step",
        5,
        "steps[0]: a step needs exactly one action: open, click, see, wait, "
        "dismiss, use (got: eval)",
    ),
    ("expect-inconclusive", 2, "expect: Input should be 'available' or 'missing'"),
    ("file-url-open", 5, "steps[0].open: 'file:///etc/passwd' is not an absolute http(s) URL"),
    ("invalid-yaml", 6, "invalid YAML: expected ',' or '}', but got ':'"),
    ("javascript-start", 3, "start: 'javascript:alert(1)' is not an absolute http(s) URL"),
    (
        "locator-two-finders",
        8,
        "target.present[0]: a locator uses exactly one of role, label, "
        "text, placeholder, alt, title, testid, css; got ['role', 'text']",
    ),
    (
        "locator-without-finder",
        8,
        "target.present[0]: a locator needs one of: role, label, text, "
        "placeholder, alt, title, testid, css",
    ),
    (
        "marker-url-and-text",
        10,
        "blocked_when[0]: a marker is either a url pattern or a locator, not both",
    ),
    ("missing-start", 1, "missing required key 'start'"),
    ("missing-target", 1, "missing required key 'target'"),
    (
        "name-without-role",
        8,
        "target.present[0]: 'name' goes with 'role' (use 'text' or 'label' otherwise)",
    ),
    ("negative-timeout", 6, "steps[0].timeout: Input should be greater than 0"),
    ("not-a-mapping", 1, "expected a mapping of keys, got list"),
    (
        "step-two-actions",
        5,
        "steps[0]: a step needs exactly one action: open, click, see, wait, "
        "dismiss, use (got: see, click)",
    ),
    (
        "step-without-action",
        5,
        "steps[0]: a step needs exactly one action: open, click, see, "
        "wait, dismiss, use (got: label)",
    ),
    (
        "submit-step",
        5,
        "steps[0]: a step needs exactly one action: open, click, see, wait, "
        "dismiss, use (got: submit)",
    ),
    (
        "type-step",
        5,
        "steps[0]: a step needs exactly one action: open, click, see, wait, "
        "dismiss, use (got: type)",
    ),
    ("unknown-fragment", 5, "steps[0].use: no fragment 'no-such-fragment'"),
    (
        "unknown-key",
        2,
        "unknown key 'strat' (did you mean 'start'? valid: blocked_when, "
        "description, expect, id, locales, mask, name, service, session, start, steps, "
        "target, timeout, transient_when)",
    ),
    (
        "unknown-role",
        8,
        "target.present[0].role: unknown ARIA role 'buton' (did you mean: button?)",
    ),
]


def test_every_invalid_fixture_is_in_the_table() -> None:
    """Each file in tests/flows/invalid has its expected message below (and vice versa)."""
    assert sorted(p.stem for p in INVALID.glob("*.yaml")) == sorted(c[0] for c in BROKEN_FLOWS)


@pytest.mark.parametrize(
    ("name", "line", "message"), BROKEN_FLOWS, ids=[c[0] for c in BROKEN_FLOWS]
)
def test_validate_reports_file_line_message(name: str, line: int, message: str) -> None:
    """`optout validate` prints `file:line: message`, exits 2, and shows no traceback."""
    path = INVALID / f"{name}.yaml"
    result = invoke("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}:{line}: {message}"
    assert lines[-1] == "optout: 1 problem in flow files; nothing was run"
    assert "Traceback" not in result.output


def test_verify_refuses_invalid_flows_without_running(tmp_path: Path) -> None:
    """`optout verify` on a bad flow exits 2 before any browser starts or any run folder exists."""
    result = invoke("verify", INVALID / "type-step.yaml", "--recordings", tmp_path / "rec")
    assert result.exit_code == 2
    assert "type-step.yaml:5:" in result.stderr
    assert not (tmp_path / "rec").exists()


def test_all_problems_of_a_folder_are_listed() -> None:
    """Validating a folder reports the problems of every file, not just the first."""
    result = invoke("validate", INVALID)
    assert result.exit_code == 2
    assert f"{len(BROKEN_FLOWS)} problems in flow files" in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["verify", "--map-origin", "www.facebook.com=http://127.0.0.1:1"],
            "FROM must be an http(s)",
        ),
        (["verify", "--map-origin", "https://www.facebook.com"], "expected FROM=TO"),
        (["verify", "--retries", "-1"], "-1 is not in the range x>=0"),
        (["verify", "--timeout", "0"], "0.0 is not in the range x>=0.1"),
        (["verify", "--workers", "zero"], "'zero' is not a valid integer"),
        (["verify", "--locale", "de-DE"], "no flow has the locale(s) de-DE"),
        (["verify", "no/such/file.yaml"], "no/such/file.yaml:0: no such file or folder"),
    ],
)
def test_bad_options_exit_2(args: list[str], fragment: str) -> None:
    """A wrong option or path gets one clear message and exit code 2."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_shipped_flows_validate() -> None:
    """Every flow in flows/ is valid, and `optout validate` says so."""
    result = invoke("validate", FLOWS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: ")
    assert len(load_flows([FLOWS])) >= 7


def test_list_shows_flows() -> None:
    """`optout list` shows each flow's id, start URL and locales."""
    result = invoke("list", FLOWS / "facebook-form.yaml")
    assert result.exit_code == 0
    assert "facebook-form" in result.stdout
    assert "fr-FR, en-GB" in result.stdout


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
