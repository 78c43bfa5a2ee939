"""Run ids: `20261129T063000Z`, the UTC second a run started, `-2`, `-3`... when taken.

The one place that formats, parses, recognises and orders run ids. A run id is also
the name of its folder under `recordings/`, so `is_run_id` doubles as the check that a
name is a safe single path component.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

RUN_ID_FORMAT = "%Y%m%dT%H%M%SZ"
RUN_ID_RE = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")
_STAMP = 16
"""Length of the time part of a run id; a suffix starts after it with `-`."""


def utc(moment: datetime) -> datetime:
    """The same moment in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_run_id(moment: datetime) -> str:
    """The run id of a run started at `moment` (without a `-N` suffix)."""
    return utc(moment).strftime(RUN_ID_FORMAT)


def is_run_id(name: str) -> bool:
    """Whether `name` is a run id (and so a safe single path component)."""
    return bool(RUN_ID_RE.match(name))


def parse_run_id(run_id: str) -> datetime:
    """The UTC second in a run id; ValueError when it is not one or not a real date."""
    if not is_run_id(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return datetime.strptime(run_id[:_STAMP], RUN_ID_FORMAT).replace(tzinfo=UTC)


def run_key(run_id: str) -> tuple[str, int]:
    """Sort key of a run id: its time, then its `-N` suffix (none counts as 1)."""
    suffix = run_id[_STAMP + 1 :]
    return (run_id[:_STAMP], int(suffix) if suffix.isdigit() else 1)
