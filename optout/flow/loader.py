"""Flow files: YAML with line numbers, `file:line: message` errors, fragments, folders.

Loading keeps a map from every place in the YAML data to its line, so that a
pydantic validation error can be reported where the mistake is, in the flow file
or in the fragment it uses.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from optout.flow.locators import Locator, Marker
from optout.flow.model import (
    STEP_ACTIONS,
    ClickStep,
    Dismiss,
    DismissStep,
    Flow,
    Fragment,
    OpenStep,
    SeeStep,
    Target,
    UseStep,
    WaitStep,
)
from optout.flow.reading import KINDS, FlowError, Lines, Problem, read_yaml

__all__ = [
    "FlowError",
    "Problem",
    "collect",
    "is_fragment",
    "load_flow",
    "load_flows",
    "load_fragment",
    "read_yaml",
]

M = TypeVar("M", bound=BaseModel)


_NONE = object()


def _child(node: Any, part: Any) -> Any:
    """`node[part]` when the YAML data has it, else `_NONE`."""
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return _NONE


def _walk(loc: tuple[Any, ...], data: Any) -> list[tuple[Any, Any]]:
    """The (key, parent node) pairs of the original data along an error's loc.

    Pydantic's loc also holds the union tags of steps (`steps.0.see.absent` for
    the `absent` key of a `see` step); parts that are not in the data are passed over.
    """
    walked: list[tuple[Any, Any]] = []
    node = data
    for i, part in enumerate(loc):
        following = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(node, dict) and part in node and following in node and part != following:
            continue  # a step's discriminator tag (`see`) followed by one of its fields
        child = _child(node, part)
        if child is _NONE:
            continue
        walked.append((part, node))
        node = child
    return walked


def _where(path: list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _line_for(loc: tuple[Any, ...], data: Any, lines: Lines) -> tuple[int, str]:
    """Find the line of a validation error and its readable place (`steps[1].click`)."""
    path = [part for part, _ in _walk(loc, data)]
    return lines.get(tuple(path), lines.get((), 1)), _where(path)


MAX_PROBLEMS = 20
"""Problems shown per file; a file with more is mostly not a flow at all."""
STEPS: list[type[BaseModel]] = [OpenStep, ClickStep, SeeStep, WaitStep, DismissStep, UseStep]
# The models a mapping under each key can be: an unknown key is checked against these.
MODELS_UNDER: dict[str, list[type[BaseModel]]] = {
    "steps": STEPS,
    "target": [Target],
    "dismiss": [Dismiss],
    **{k: [Marker] for k in "wait when blocked_when transient_when missing_when instead".split()},
    **{k: [Locator] for k in "click see present on_page dialog buttons mask any".split()},
}
# What a value must look like, for the fields with a pattern.
PATTERN_HINTS = {
    "id": "an id is lowercase letters, digits, '.', '_' and '-', starting with a letter or digit",
    "use": "a fragment is named by its file name in fragments/, without .yaml",
    "session": "a session name is letters, digits, '-' and '_', e.g. facebook",
}
TYPE_NAMES = {dict: "a mapping", list: "a list", str: "text", type(None): "nothing (null)"}
YAML_WORDS = {True: "true", False: "false", None: "null"}
# What a value of the wrong type should have been, by pydantic error type.
EXPECTED = {
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "string_type": "text",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _valid_keys(loc: tuple[Any, ...], data: Any, root: type[BaseModel]) -> str:
    """`(did you mean 'start'? valid: ...)` for an unknown key, from the model that fits best."""
    walked = _walk(loc, data)
    if not walked or walked[-1][0] != loc[-1] or not isinstance(walked[-1][1], dict):
        return ""
    node = walked[-1][1]
    known = set(node) - {loc[-1]}
    parents = [part for part, _ in walked[:-1] if isinstance(part, str)]
    models = MODELS_UNDER.get(parents[-1], [*MODELS_UNDER["steps"], Marker]) if parents else [root]
    best = max(models, key=lambda m: (len(known & set(m.model_fields)), -len(m.model_fields)))
    fields = sorted(best.model_fields)
    return f" ({_did_you_mean(str(loc[-1]), fields)}valid: {', '.join(fields)})"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {near[0]!r}? " if near else ""


def _message(err: Any, loc: tuple[Any, ...], data: Any, root: type[BaseModel]) -> str:
    """One pydantic error in the words of the flow format."""
    kind, given = err["type"], err.get("input")
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}{_valid_keys(loc, data, root)}"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    msg: str = err["msg"].removeprefix("Value error, ")
    if kind == "step_action" and isinstance(given, dict):
        got = ", ".join(k if k.isidentifier() else repr(k) for k in given) or "nothing"
        hints = [_did_you_mean(str(k), STEP_ACTIONS) for k in given if k not in STEP_ACTIONS]
        hint = next((h.rstrip() for h in hints if h), "")
        return f"{msg} (got: {got}{'; ' + hint if hint else ''})"
    if kind in EXPECTED:
        return f"expected {EXPECTED[kind]}, got {_shown(given)}"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in PATTERN_HINTS:
        return f"{_shown(given)} is not valid: {PATTERN_HINTS[loc[-1]]}"
    return msg


def _shown(value: Any) -> str:
    """A value as the flow file spells it, cut to fit in a message."""
    shown = YAML_WORDS[value] if isinstance(value, bool | None) else repr(value)
    return shown if len(shown) <= 60 else f"{shown[:57]}..."


def _problems(
    exc: ValidationError, data: Any, lines: Lines, file: Path, root: type[BaseModel]
) -> list[Problem]:
    placed = sorted(
        ((*_line_for(tuple(err["loc"]), data, lines), err) for err in exc.errors()),
        key=lambda found: found[0],
    )
    problems = []
    for line, where, err in placed[:MAX_PROBLEMS]:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            where = _where([part for part, _ in _walk(loc, data)][:-1])
        msg = _message(err, loc, data, root)
        problems.append(Problem(file, line, f"{where}: {msg}" if where else msg))
    if len(placed) > MAX_PROBLEMS:
        rest = len(placed) - MAX_PROBLEMS
        problems.append(Problem(file, placed[MAX_PROBLEMS][0], f"... and {rest} more problems"))
    return problems


def _validate(model: type[M], data: Any, lines: Lines, file: Path) -> M:
    if not isinstance(data, dict):
        got = TYPE_NAMES.get(type(data), KINDS.get(type(data), type(data).__name__))
        raise FlowError([Problem(file, 1, f"expected a mapping of keys, got {got}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FlowError(_problems(exc, data, lines, file, model)) from None


def fragment_dirs(flow_path: Path) -> list[Path]:
    """Where `use: NAME` looks for NAME.yaml: beside the flow, then one folder up."""
    here = flow_path.parent
    return [here / "fragments", here.parent / "fragments"]


@dataclass
class _Spliced:
    """What the fragments of a flow add to it: steps, walls and transient-error markers."""

    steps: list[Any] = field(default_factory=list)
    walls: list[Marker] = field(default_factory=list)
    transient: list[Marker] = field(default_factory=list)
    mask: list[Locator] = field(default_factory=list)


def _resolve_fragments(
    steps: list[Any], file: Path, data_steps: list[Any], lines: Lines, seen: tuple[str, ...]
) -> _Spliced:
    spliced = _Spliced()
    out = spliced.steps
    for i, step in enumerate(steps):
        if not isinstance(step, UseStep):
            out.append(step)
            continue
        line = lines.get(("steps", i), 1)
        if step.use in seen:
            chain = " → ".join((*seen, step.use))
            raise FlowError(
                [Problem(file, line, f"steps[{i}]: fragments include each other: {chain}")]
            )
        candidates = [d / f"{step.use}.yaml" for d in fragment_dirs(file)]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            known = sorted(
                {p.stem for d in fragment_dirs(file) if d.is_dir() for p in d.glob("*.yaml")}
            )
            hint = f" (known: {', '.join(known)})" if known else ""
            raise FlowError(
                [Problem(file, line, f"steps[{i}].use: no fragment {step.use!r}{hint}")]
            )
        frag_data, frag_lines = read_yaml(found)
        fragment = _validate(Fragment, frag_data, frag_lines, found)
        inner = _resolve_fragments(
            fragment.steps, found, frag_data.get("steps", []), frag_lines, (*seen, step.use)
        )
        if step.when is not None:
            inner.steps = [
                s if s.when else s.model_copy(update={"when": step.when}) for s in inner.steps
            ]
        out.extend(inner.steps)
        spliced.walls.extend([*fragment.blocked_when, *inner.walls])
        spliced.transient.extend([*fragment.transient_when, *inner.transient])
        spliced.mask.extend([*fragment.mask, *inner.mask])
    return spliced


def load_flow(path: Path) -> Flow:
    """Load, validate and resolve one flow file; raise FlowError with every problem."""
    return _load_flow(path)[0]


def _load_flow(path: Path) -> tuple[Flow, int]:
    """The flow and the line of its `id:` (1 when the id is the file name)."""
    data, lines = read_yaml(path)
    if isinstance(data, dict):
        data.setdefault("id", path.stem)
    flow = _validate(Flow, data, lines, path)
    spliced = _resolve_fragments(flow.steps, path, data.get("steps", []), lines, ())
    resolved = flow.model_copy(
        update={
            "steps": spliced.steps,
            "blocked_when": [*flow.blocked_when, *spliced.walls],
            "transient_when": [*flow.transient_when, *spliced.transient],
            "mask": [*flow.mask, *spliced.mask],
        }
    )
    return resolved, lines.get(("id",), 1)


def load_fragment(path: Path) -> Fragment:
    """Load and validate a fragment file on its own (for `optout validate`)."""
    data, lines = read_yaml(path)
    fragment = _validate(Fragment, data, lines, path)
    _resolve_fragments(fragment.steps, path, data.get("steps", []), lines, (path.stem,))
    return fragment


def is_fragment(path: Path) -> bool:
    return path.parent.name == "fragments"


def collect(paths: Iterable[Path]) -> Iterator[Path]:
    """Every flow and fragment file under the given files and folders, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        else:
            yield path


def load_flows(paths: Iterable[Path]) -> list[Flow]:
    """Load every flow under `paths`; raise one FlowError listing every problem in them.

    Two files with the same flow id are refused: their evidence would share a folder.
    A problem found twice (a fragment cycle seen from a flow and from the fragment) is
    listed once.
    """
    flows: list[Flow] = []
    problems: list[Problem] = []
    sources: dict[str, Path] = {}
    for path in collect(paths):
        if not path.exists():
            problems.append(Problem(path, 0, "no such file or folder"))
            continue
        try:
            if is_fragment(path):
                load_fragment(path)
                continue
            flow, id_line = _load_flow(path)
        except FlowError as exc:
            problems.extend(exc.problems)
            continue
        if flow.id in sources:
            problems.append(
                Problem(path, id_line, f"flow id {flow.id!r} is already used by {sources[flow.id]}")
            )
        sources.setdefault(flow.id, path)
        flows.append(flow)
    if problems:
        raise FlowError(list(dict.fromkeys(problems)))
    return flows
