"""Reading a flow file: bytes → YAML → plain data, with the line of every value.

Everything that can go wrong before validation is found here and reported as a
`Problem` at a line: a file too large, bytes that are not UTF-8, YAML syntax
(tabs, unclosed quotes, a second document), tags other than plain values, merge
keys, keys that are not names, duplicate keys, nesting too deep, and aliases
that refer to themselves or expand into an "alias bomb". Limits are checked
while reading, so a hostile file is refused in milliseconds, not parsed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000
"""A flow file is a page of YAML; one over a megabyte is a mistake, or an attack."""
MAX_VALUES = 10_000
"""Values (mappings, lists, scalars) in one file; the largest shipped flow has about 120."""
MAX_DEPTH = 64
"""Mappings and lists nested deeper than this are refused (a flow needs about eight)."""
MAX_ALIAS_VALUES = 10_000
"""Values that aliases (`*name`) may expand to in one file, against "billion laughs"."""

TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"
TOO_MANY = f"more than {MAX_VALUES} values; a flow file has a few hundred at most"

PLAIN = "a flow holds only text, numbers, true/false, lists and mappings"

Lines = dict[tuple[Any, ...], int]
"""The line of each value, by its path in the data: `("steps", 0, "click")`."""

YAML_TAG = "tag:yaml.org,2002:"
SCALAR_TAGS = frozenset(YAML_TAG + t for t in ("str", "int", "float", "bool", "null"))
DATA_TAGS = frozenset(YAML_TAG + t for t in ("timestamp", "binary"))
COLLECTION_TAGS = frozenset(YAML_TAG + t for t in ("map", "seq"))
KINDS: dict[type, str] = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
    bytes: "binary data",
    dt.date: "a date",
    dt.datetime: "a date",
}


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


def _error(path: Path, line: int, message: str) -> FlowError:
    return FlowError([Problem(path, line, message)])


def _line(mark: Any) -> int:
    return mark.line + 1 if mark is not None else 1


def _short(tag: str) -> str:
    return tag.replace(YAML_TAG, "!!", 1)


class _Refused(Exception):
    """Raised while composing, when the YAML exceeds a limit: the file is not read further."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


class _Alias(yaml.Node):
    """An alias (`*name`) where it is used: the node it stands for, at the alias's own line."""

    id = "alias"

    def __init__(self, target: yaml.Node, name: str, mark: Any) -> None:
        super().__init__(target.tag, target.value, mark, mark)
        self.target = target
        self.name = name


class _Composer(yaml.SafeLoader):
    """PyYAML's safe composer, but aliases stay visible and nesting is bounded."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.values = 0

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        # Refuse `[[[[...` while scanning: PyYAML's scanner is quadratic in such nesting.
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(_line(self.get_mark()), TOO_DEEP)
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        self.values += 1
        if self.values > MAX_VALUES:
            raise _Refused(_line(event.start_mark), TOO_MANY)
        if isinstance(event, yaml.AliasEvent):
            target = super().compose_node(parent, index)
            assert target is not None  # an alias stands for a node composed before it
            return _Alias(target, str(event.anchor), event.start_mark)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(_line(event.start_mark), TOO_DEEP)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _syntax_problem(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """PyYAML's complaint in words a flow author can act on, at the line to look at."""
    problem, context = exc.problem or "", exc.context or ""
    mark, start = exc.problem_mark, exc.context_mark
    if "'\\t'" in problem or "tab character" in problem:
        column = mark.column + 1 if mark else 1
        return _line(mark), f"tab character in column {column}; YAML allows only spaces here"
    if "found another document" in problem:
        return _line(mark), "a second YAML document ('---'); a flow file holds one"
    if context.startswith("found duplicate anchor"):
        name = context.split("'")[1] if "'" in context else "?"
        return _line(mark), f"the anchor &{name} is defined twice (first on line {_line(start)})"
    if context.startswith("while ") and start is not None:
        if "end of stream" in problem:  # never closed: show where it was opened
            return _line(start), f"{problem} {context}"
        if mark is not None and start.line != mark.line:
            return _line(mark), f"{problem} {context} that starts on line {_line(start)}"
        return _line(mark or start), f"{problem} {context}"
    return _line(mark or start), problem or str(exc)


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02x} in column {column}"
        raise _error(path, line, f"{message} (save it as UTF-8)") from None


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
            size = path.stat().st_size
    except OSError as exc:
        raise _error(path, 0, f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        held = f"{size / 1_000_000:.1f} MB" if size > MAX_BYTES else "over 1 MB"
        limit = f"{MAX_BYTES // 1_000_000} MB"
        raise _error(path, 1, f"the file is {held}; flow files are at most {limit}")
    return raw


def _compose(text: str, path: Path) -> yaml.Node | None:
    try:
        loader = _Composer(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        raise _error(path, exc.line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        line, message = _syntax_problem(exc)
        raise _error(path, line, f"invalid YAML: {message}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else 0
        message = f"invalid YAML: the character U+{char:04X} is not allowed"
        raise _error(path, line, message) from None
    except yaml.YAMLError as exc:
        raise _error(path, 1, f"invalid YAML: {exc}") from None


class _Builder:
    """Turns composed nodes into plain data, recording the line of every value."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: Lines = {}
        self.scalars = yaml.SafeLoader("")
        self.open: set[int] = set()
        self.expanding: _Alias | None = None
        self.expanded = 0

    def fail(self, node: yaml.Node, message: str) -> FlowError:
        return _error(self.path, _line(node.start_mark), message)

    def build(self, node: yaml.Node, where: tuple[Any, ...], depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, TOO_DEEP)
        self.lines[where] = _line(node.start_mark)
        if isinstance(node, _Alias):
            return self.alias(node, where, depth)
        if self.expanding is not None:
            self.expanded += 1
            if self.expanded > MAX_ALIAS_VALUES:
                message = (
                    f"aliases expand to more than {MAX_ALIAS_VALUES} values "
                    f"(*{self.expanding.name}); write the values out instead"
                )
                raise self.fail(self.expanding, message)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if node.tag not in COLLECTION_TAGS:
            raise self.fail(node, f"the YAML tag {_short(node.tag)} is not allowed; {PLAIN}")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, where, depth)
            return [self.build(n, (*where, i), depth + 1) for i, n in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def alias(self, node: _Alias, where: tuple[Any, ...], depth: int) -> Any:
        if id(node.target) in self.open:
            raise self.fail(node, f"the alias *{node.name} refers to a value that contains it")
        outermost = self.expanding is None
        if outermost:
            self.expanding = node
        try:
            value = self.build(node.target, where, depth)
        finally:
            if outermost:
                self.expanding = None
        self.lines[where] = _line(node.start_mark)
        return value

    def mapping(self, node: yaml.MappingNode, where: tuple[Any, ...], depth: int) -> Any:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in out:
                raise self.fail(key_node, f"duplicate key {key!r}")
            out[key] = self.build(value_node, (*where, key), depth + 1)
            self.lines[(*where, key)] = _line(key_node.start_mark)
        return out

    def key(self, node: yaml.Node) -> str:
        target = node.target if isinstance(node, _Alias) else node
        if target.tag == YAML_TAG + "merge":
            raise self.fail(node, "merge keys (<<) are not supported; a fragment shares steps")
        if not isinstance(target, yaml.ScalarNode):
            raise self.fail(node, "a key must be a name, not a list or a mapping")
        key = self.scalar(target)
        if not isinstance(key, str):
            kind = KINDS.get(type(key), type(key).__name__)
            raise self.fail(node, f"the key {target.value!r} is read as {kind}; quote it")
        return key

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in SCALAR_TAGS | DATA_TAGS:
            raise self.fail(node, f"the YAML tag {_short(node.tag)} is not allowed; {PLAIN}")
        try:
            return self.scalars.construct_object(node, deep=True)
        except Exception:
            # PyYAML's scalar constructors fail on bad values with assorted exceptions:
            # ValueError for `2024-13-45`, KeyError for `!!bool maybe`, AttributeError for
            # `!!timestamp x`. The value is the user's mistake, never a bug of ours.
            kind = "date" if node.tag.endswith("timestamp") else _short(node.tag)[2:]
            message = f"{node.value!r} is not a valid {kind}; quote it to make it text"
            raise self.fail(node, message) from None


def read_yaml(path: Path) -> tuple[Any, Lines]:
    """Parse a YAML file into plain data plus a map from data path to line number."""
    text = _decode(_read_bytes(path), path)
    node = _compose(text, path)
    if node is None:
        raise _error(
            path,
            1,
            "the file is empty" if not text.strip() else "the file holds no data, only comments",
        )
    builder = _Builder(path)
    return builder.build(node, ()), builder.lines
