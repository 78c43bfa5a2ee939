"""Property tests: whatever a flow file holds, loading gives a flow or a FlowError, never a crash.

Every FlowError names the file and a line ≥ 1 for each problem, in one line of text, so
that `optout validate` can print `file:line: message` for anything a person (or a
broken editor, or an attacker) puts in a flow file.
"""

from __future__ import annotations

import copy
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optout.flow.loader import FlowError, load_flow
from optout.flow.model import Flow

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    # conftest's autouse `no_user_config` is function-scoped; loading never reads it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_FLOW: dict[str, Any] = {
    "id": "fuzz",
    "name": "a flow to mutate",
    "locales": ["fr-FR", "en-GB"],
    "start": "https://www.facebook.com/privacy/policy/",
    "expect": "available",
    "timeout": 5,
    "blocked_when": [{"url": "/login"}, {"text": "log in", "reason": "login wall"}],
    "steps": [
        {"open": "https://www.facebook.com/privacy/policy/"},
        {"wait": {"url": "/privacy/"}, "absent": "broken"},
        {"see": "Privacy Policy", "label": "the policy"},
        {
            "click": {"any": [{"role": "link", "name": "object"}, {"css": "a.object"}]},
            "absent": "missing",
            "on_page": [{"role": "heading", "name": "policy"}],
        },
        {
            "dismiss": {
                "dialog": {"role": "dialog", "name": "cookies"},
                "buttons": [{"role": "button", "name": "allow"}],
            }
        },
    ],
    "target": {
        "url": "/help/contact/\\d+",
        "present": [{"role": "textbox", "name": "email"}, "Send"],
        "missing_when": ["not available"],
    },
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["open", "click", "see", "https://x.y/", "file:///etc", "../..", "(", ""])
)
structures = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.text(max_size=12) | st.sampled_from(list(VALID_FLOW)), inner, max_size=5
        )
    ),
    max_leaves=30,
)
YAML_TOKENS = [
    *string.printable,
    *["\n  ", "\n- ", ": ", "- ", "&a ", "*a", "<<: ", "!!str ", "!!python/name:os.system "],
    *["---\n", "? ", "|\n  ", ">-\n  ", "{", "}", "[", "]", "'", '"', "\t", "’", "é", "\x00"],
    *["steps:\n", "  - see: ", "target:\n  present: [x]\n", "start: https://a.b/\n"],
]
yaml_words = st.lists(st.sampled_from(YAML_TOKENS), max_size=80).map("".join)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: hypothesis runs many examples per test function."""
    return tmp_path_factory.mktemp("fuzz")


def outcome(path: Path) -> Flow | FlowError:
    """Load `path`; fail the test on anything but a flow or a well-formed FlowError."""
    try:
        return load_flow(path)
    except FlowError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.path == path
            assert problem.line >= 1, problem
            assert problem.message and "\n" not in problem.message, problem
        return exc


def write(folder: Path, data: str | bytes) -> Path:
    path = folder / "flow.yaml"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_gives_a_flow_or_a_flow_error(folder: Path, text: str) -> None:
    """Arbitrary text in a flow file loads, or fails with lines ≥ 1."""
    outcome(write(folder, text))


@SETTINGS
@given(yaml_words)
def test_yaml_like_text_gives_a_flow_or_a_flow_error(folder: Path, text: str) -> None:
    """Text made of YAML punctuation, anchors, tags and tabs loads, or fails with lines ≥ 1."""
    outcome(write(folder, text))


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_give_a_flow_or_a_flow_error(folder: Path, data: bytes) -> None:
    """Arbitrary bytes (not UTF-8, NULs, BOMs) load, or fail with lines ≥ 1."""
    outcome(write(folder, data))


@SETTINGS
@given(structures)
def test_any_structure_gives_a_flow_or_a_flow_error(folder: Path, data: Any) -> None:
    """Any YAML document of mappings, lists and scalars loads, or fails with lines ≥ 1."""
    outcome(write(folder, yaml.safe_dump(data, allow_unicode=True)))


def paths(data: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in nested data, parents before children."""
    yield here
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from paths(value, (*here, i))


ALL_PATHS = list(paths(VALID_FLOW))[1:]


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated_flows(draw: st.DrawFn) -> dict[str, Any]:
    """The valid flow above with one to three mutations: a value replaced, a key removed,
    renamed or added."""
    flow = copy.deepcopy(VALID_FLOW)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        try:
            parent = parent_of(flow, path)
            _ = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this place
        if not isinstance(parent, dict | list):
            continue  # an earlier mutation made the parent a string: nothing to change in it
        how = draw(st.sampled_from(["replace", "remove", "rename", "add"]))
        if how == "replace":
            parent[path[-1]] = draw(structures)
        elif how == "remove":
            del parent[path[-1]]
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = parent.pop(path[-1])
        elif how == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(scalars)
    return flow


def test_the_flow_to_mutate_is_valid(tmp_path: Path) -> None:
    """The starting point of the mutations is itself a valid flow."""
    path = write(tmp_path, yaml.safe_dump(VALID_FLOW))
    assert isinstance(load_flow(path), Flow)


@SETTINGS
@given(mutated_flows())
def test_a_mutated_flow_gives_a_flow_or_a_flow_error(folder: Path, data: dict[str, Any]) -> None:
    """A valid flow with values replaced or keys removed, renamed or added loads, or fails
    with lines ≥ 1."""
    outcome(write(folder, yaml.safe_dump(data, allow_unicode=True)))
