"""The one typed reader of saved runs: `run.json` and `result.json` back into the dataclasses.

A run writes `RunSummary.to_json()` and `FlowResult.to_json()`; every reader of the
recordings folder (history, prune, the report, notifications) gets the same dataclasses
back from here. Fields are copied by introspection, so a field added to the dataclasses
is read without touching this module. A key a record lacks (a record written by an
earlier version) takes the field's default; a key the dataclasses do not know is
ignored; a value of the wrong type counts as missing. A result without a flow, a locale
and a known verdict is left out, and so is a step without a known status: nothing
can be said about them.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

from optout.check.results import FlowResult, RunSummary, StepRecord
from optout.store.runids import parse_run_id, utc
from optout.store.writer import RUN_JSON, run_folders

T = TypeVar("T")
Convert = Callable[[Any], Any]

_BAD: Any = object()
"""What a converter returns for a value it cannot read: the field counts as missing."""

REQUIRED: dict[type, frozenset[str]] = {
    FlowResult: frozenset({"flow", "locale", "verdict"}),
    StepRecord: frozenset({"status"}),
}
"""Fields without which a record is left out."""
DETAILS: dict[type, frozenset[str]] = {FlowResult: frozenset({"steps", "navigations"})}
"""Fields left at their defaults when only the verdicts are wanted (`details=False`)."""
FALLBACKS: dict[tuple[type, str], Any] = {(FlowResult, "attempt"): 1}
"""Values for other fields without a default, when a record lacks them (else a zero)."""
_ZEROS: dict[Any, Any] = {str: "", int: 0, float: 0.0, bool: False}


class RecordError(ValueError):
    """A saved record that cannot be read as what it should be."""


# --- reading one record ------------------------------------------------------------------


def _text(value: Any) -> Any:
    return value if isinstance(value, str) else _BAD if value is None else str(value)


def _int(value: Any) -> Any:
    if isinstance(value, bool):
        return _BAD
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, float) and value.is_integer() else _BAD


def _float(value: Any) -> Any:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if ok else _BAD


def _bool(value: Any) -> Any:
    return value if isinstance(value, bool) else _BAD


def _enum(kind: type[Enum]) -> Convert:
    members = {member.value: member for member in kind}

    def convert(value: Any) -> Any:
        try:
            return members.get(value, _BAD)
        except TypeError:  # unhashable: a list or an object
            return _BAD

    return convert


def _optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _list(convert: Convert) -> Convert:
    def read(value: Any) -> Any:
        if not isinstance(value, list):
            return _BAD
        return [item for item in map(convert, value) if item is not _BAD]

    return read


def _dict(convert: Convert) -> Convert:
    def read(value: Any) -> Any:
        if not isinstance(value, dict):
            return _BAD
        pairs = ((str(k), convert(v)) for k, v in value.items())
        return {k: v for k, v in pairs if v is not _BAD}

    return read


def _converter(hint: Any, details: bool = True) -> Convert:
    """How to read a JSON value into a field of type `hint`; TypeError when there is no way."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return lambda value: value
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1 and len(args) == 2:
            return _optional(_converter(inner[0], details))
    elif origin is list and len(args) == 1:
        return _list(_converter(args[0], details))
    elif origin is dict and len(args) == 2 and args[0] is str:
        return _dict(_converter(args[1], details))
    elif hint is bool:
        return _bool
    elif hint is int:
        return _int
    elif hint is float:
        return _float
    elif hint is str:
        return _text
    elif isinstance(hint, type) and issubclass(hint, Enum):
        return _enum(hint)
    elif isinstance(hint, type) and is_dataclass(hint):
        return _reader(hint, details)
    raise TypeError(f"no reader for saved fields of type {hint!r}")


@cache
def _reader(cls: type, details: bool = True) -> Convert:
    """The reader of one dataclass from a JSON object (`_BAD` when it is not one).

    Each field is (name, the type taken as is, how to convert anything else, whether the
    record needs it, the value when it is missing and has no default: `_BAD` means the
    dataclass default applies).
    """
    hints = get_type_hints(cls)
    spec: list[tuple[str, type | None, Convert, bool, Any]] = []
    for f in fields(cls):
        if not details and f.name in DETAILS.get(cls, ()):
            continue
        hint = hints[f.name]
        required = f.name in REQUIRED.get(cls, ())
        fallback = _BAD
        if not required and f.default is MISSING and f.default_factory is MISSING:
            if (cls, f.name) in FALLBACKS:
                fallback = FALLBACKS[(cls, f.name)]
            elif hint in _ZEROS:
                fallback = _ZEROS[hint]
            else:
                raise TypeError(f"{cls.__name__}.{f.name} needs a default or a fallback")
        exact = hint if hint in _ZEROS else None  # a value of exactly this type is taken as is
        spec.append((f.name, exact, _converter(hint, details), required, fallback))

    def read(data: Any) -> Any:
        if not isinstance(data, dict):
            return _BAD
        kwargs: dict[str, Any] = {}
        for name, exact, convert, required, fallback in spec:
            value = data.get(name, _BAD)
            if value is not _BAD:
                if type(value) is exact:
                    kwargs[name] = value
                    continue
                value = convert(value)
                if value is not _BAD:
                    kwargs[name] = value
                    continue
            if required:
                return _BAD
            if fallback is not _BAD:
                kwargs[name] = fallback
        return cls(**kwargs)

    return read


def from_json(cls: type[T], data: Any, *, details: bool = True) -> T:
    """A `RunSummary`, `FlowResult`, `StepRecord` or `Navigation` from its saved JSON.

    With `details=False` results come without their steps and navigations: what the
    verdicts over time need, read several times faster.
    """
    record = _reader(cast(type, cls), details)(data)
    if record is _BAD:
        names = sorted(REQUIRED.get(cls, ()))
        needed = f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else "".join(names)
        why = "not a JSON object" if not isinstance(data, dict) else f"no readable {needed}"
        raise RecordError(f"not a saved {cls.__name__}: {why}")
    return cast(T, record)


def run_from_json(data: Any, *, details: bool = True) -> RunSummary:
    """A run's summary from its `run.json` (or `--json`); RecordError if it is no object."""
    return from_json(RunSummary, data, details=details)


def result_from_json(data: Any) -> FlowResult:
    """One result from its `result.json`; RecordError without a flow, locale and verdict."""
    return from_json(FlowResult, data)


def _load(path: Path) -> Any:
    """The JSON in a file, or `_BAD` when it cannot be read or parsed."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _BAD


def read_run(path: Path, *, details: bool = True) -> RunSummary | None:
    """The summary in a `run.json`; None when it cannot be read or is not a JSON object."""
    try:
        return run_from_json(_load(path), details=details)
    except RecordError:
        return None


def read_result(path: Path) -> FlowResult | None:
    """The result in a `result.json`; None when it cannot be read or is not a result."""
    try:
        return result_from_json(_load(path))
    except RecordError:
        return None


# --- the runs of a recordings folder -------------------------------------------------------


@dataclass(frozen=True)
class SavedRun:
    """One complete run folder and its summary."""

    run_id: str
    """The folder's name: the run id, with the `-2` of a run started in the same second."""
    folder: Path
    at: datetime
    """When the run started (UTC): its `started_at`, else the time in its run id."""
    summary: RunSummary

    @property
    def results(self) -> list[FlowResult]:
        return self.summary.results


def run_time(run_id: str, summary: RunSummary) -> datetime:
    """When a run started: its `started_at`, else the time in its run id (ValueError if neither)."""
    if summary.started_at:
        try:
            return utc(datetime.fromisoformat(summary.started_at))
        except ValueError:
            pass
    return parse_run_id(run_id)


def saved_runs(recordings: Path, *, details: bool = True) -> Iterator[SavedRun]:
    """Every complete run (one with a run.json), oldest first, by run id.

    A run still going (no run.json yet) is not there; a run.json that cannot be read or is
    not a JSON object, or a run whose start time cannot be told, is skipped. With
    `details=False` results come without their steps and navigations (see `from_json`).
    """
    for folder in run_folders(recordings):
        summary = read_run(folder / RUN_JSON, details=details)
        if summary is None:
            continue
        try:
            at = run_time(folder.name, summary)
        except ValueError:
            continue
        yield SavedRun(run_id=folder.name, folder=folder, at=at, summary=summary)
