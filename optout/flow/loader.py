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

import yaml
from pydantic import BaseModel, ValidationError

from optout.flow.model import (
    ClickStep,
    Dismiss,
    DismissStep,
    Flow,
    Fragment,
    Locator,
    Marker,
    OpenStep,
    SeeStep,
    Target,
    UseStep,
    WaitStep,
)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One mistake in a flow file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class FlowError(Exception):
    """A flow file cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# --- YAML with line numbers -------------------------------------------------------------

Lines = dict[tuple[Any, ...], int]


def _construct(node: yaml.Node, path: tuple[Any, ...], lines: Lines, file: Path) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, (*path, "<key>"), {}, file)
            if key in out:
                raise FlowError(
                    [Problem(file, key_node.start_mark.line + 1, f"duplicate key {key!r}")]
                )
            out[key] = _construct(value_node, (*path, key), lines, file)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(n, (*path, i), lines, file) for i, n in enumerate(node.value)]
    return yaml.SafeLoader("").construct_object(
        node, deep=True
    )  # scalars: ints, bools, strings, nulls


def read_yaml(path: Path) -> tuple[Any, Lines]:
    """Parse a YAML file into plain data plus a map from data path to line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError([Problem(path, 0, f"cannot read file: {exc}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise FlowError([Problem(path, line, f"invalid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise FlowError([Problem(path, 0, f"invalid YAML: {exc}")]) from None
    if node is None:
        raise FlowError([Problem(path, 1, "the file is empty")])
    lines: Lines = {}
    data = _construct(node, (), lines, path)
    return data, lines


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


def _valid_keys(loc: tuple[Any, ...], data: Any) -> str:
    """`(did you mean: start?; valid: ...)` for an unknown key, from the model that fits best."""
    walked = _walk(loc, data)
    if not walked or walked[-1][0] != loc[-1] or not isinstance(walked[-1][1], dict):
        return ""
    node = walked[-1][1]
    known = set(node) - {loc[-1]}
    models: list[type[BaseModel]] = [Flow, Target, Locator, Marker, Dismiss, Fragment]
    models += [OpenStep, ClickStep, SeeStep, WaitStep, DismissStep, UseStep]
    best = max(models, key=lambda m: (len(known & set(m.model_fields)), -len(m.model_fields)))
    fields = sorted(best.model_fields)
    near = difflib.get_close_matches(str(loc[-1]), fields, n=1)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f" ({hint}valid: {', '.join(fields)})"


def _problems(exc: ValidationError, data: Any, lines: Lines, file: Path) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line, where = _line_for(loc, data, lines)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}{_valid_keys(loc, data)}"
            where = _where([part for part, _ in _walk(loc, data)][:-1])
        elif err["type"] == "missing":
            msg = f"missing required key {loc[-1]!r}"
        if err["type"] == "step_action" and isinstance(err.get("input"), dict):
            msg += f" (got: {', '.join(map(str, err['input'])) or 'nothing'})"
        problems.append(Problem(file, line, f"{where}: {msg}" if where else msg))
    return sorted(problems, key=lambda p: p.line)


def _validate(model: type[M], data: Any, lines: Lines, file: Path) -> M:
    if not isinstance(data, dict):
        raise FlowError(
            [Problem(file, 1, f"expected a mapping of keys, got {type(data).__name__}")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FlowError(_problems(exc, data, lines, file)) from None


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
    data, lines = read_yaml(path)
    if isinstance(data, dict):
        data.setdefault("id", path.stem)
    flow = _validate(Flow, data, lines, path)
    spliced = _resolve_fragments(flow.steps, path, data.get("steps", []), lines, ())
    return flow.model_copy(
        update={
            "steps": spliced.steps,
            "blocked_when": [*flow.blocked_when, *spliced.walls],
            "transient_when": [*flow.transient_when, *spliced.transient],
            "mask": [*flow.mask, *spliced.mask],
        }
    )


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
    """Load every flow under `paths`; raise one FlowError listing every problem in them."""
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
            else:
                flow = load_flow(path)
                if flow.id in sources:
                    problems.append(
                        Problem(
                            path, 1, f"flow id {flow.id!r} is already used by {sources[flow.id]}"
                        )
                    )
                sources[flow.id] = path
                flows.append(flow)
        except FlowError as exc:
            problems.extend(exc.problems)
    if problems:
        raise FlowError(problems)
    return flows
