"""The flow page's content: the flow file shown readably, and what it does in plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from optout.flow.loader import FlowError, load_flow
from optout.flow.model import Flow
from optout.store.writer import slug

YAML_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<dash>-\s+)?(?:(?P<key>[A-Za-z_][\w.-]*)(?P<colon>:)(?=\s|$))?(?P<rest>.*)$"
)

Token = tuple[str, str]
"""(kind, text): kind is one of indent, dash, key, colon, value, comment."""


@dataclass
class FlowFile:
    """What the report knows of one flow from its file."""

    path: Path | None = None
    yaml: list[list[Token]] = field(default_factory=list)
    flow: Flow | None = None
    problems: list[str] = field(default_factory=list)


def read_flow_file(flows_dir: Path | None, flow_id: str) -> FlowFile:
    """The flow file `flows_dir/<flow_id>.yaml`, tokenised and loaded, if it is there."""
    if flows_dir is None or slug(flow_id) != flow_id:
        return FlowFile()
    path = next(
        (p for p in (flows_dir / f"{flow_id}.yaml", flows_dir / f"{flow_id}.yml") if p.is_file()),
        None,
    )
    if path is None:
        return FlowFile()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FlowFile(path=path, problems=[f"cannot read {path}: {exc}"])
    found = FlowFile(path=path, yaml=[tokens(line) for line in text.splitlines()])
    try:
        found.flow = load_flow(path)
    except FlowError as exc:
        found.problems = [str(p) for p in exc.problems]
    return found


def tokens(line: str) -> list[Token]:
    """One YAML line cut into tokens for light highlighting (keys, list dashes, comments)."""
    if line.lstrip().startswith("#"):
        return [("comment", line)]
    match = YAML_LINE.match(line)
    assert match is not None  # the pattern matches every line
    out: list[Token] = []
    for kind in ("indent", "dash", "key", "colon"):
        if match.group(kind):
            out.append((kind, match.group(kind)))
    rest = match.group("rest")
    comment = _comment_start(rest)
    if comment is None:
        out.append(("value", rest))
    else:
        out += [("value", rest[:comment]), ("comment", rest[comment:])]
    return [t for t in out if t[1]]


def _comment_start(text: str) -> int | None:
    """Where a trailing `# comment` starts, outside quotes; None when there is none."""
    quote: str | None = None
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return i
    return None


def plain_steps(flow: Flow) -> list[str]:
    """What the flow does, one sentence per step, numbered like the steps of a run."""
    steps = [f"open {flow.start}"]
    for step in flow.runnable_steps():
        text = step.describe()
        if step.when is not None:
            text += f" (only if {step.when.describe()} shows)"
        steps.append(text)
    steps.append("check the form")
    return steps


def target_checks(flow: Flow) -> list[str]:
    """How the flow recognises the form, and its absence."""
    target = flow.target
    checks = [f"the address matches {target.url}"] if target.url else []
    checks += [
        "it shows " + " or ".join(loc.describe() for loc in group) for group in target.present
    ]
    checks += [f"it is unavailable when it shows {m.describe()}" for m in target.missing_when]
    return checks


def walls(flow: Flow) -> list[str]:
    """The signs that mean the flow was stopped (blocked), not that the form is missing."""
    return [m.describe() for m in flow.blocked_when]
