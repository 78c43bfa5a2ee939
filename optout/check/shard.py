"""`--shard I/N`: the same deterministic slice of the flow × locale jobs on every machine.

Without durations the jobs, sorted by (flow, locale), are dealt round-robin. With the
pairs' recent durations (read from the recordings by the command), the longest jobs are
placed first, each on the shard with the least work so far (ties: the lowest shard); a
pair never seen takes the median duration. Every machine that reads the same recordings
computes the same split, so the N shards together run every job exactly once.
"""

from __future__ import annotations

import re
from statistics import median

from optout.flow.model import Flow

Job = tuple[Flow, str]
SHARD_RE = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(text: str) -> tuple[int, int]:
    """`2/3` → (2, 3); ValueError with one clear line for anything else."""
    match = SHARD_RE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not I/N (e.g. 1/3: the first of three shards)")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"{text!r}: I must be between 1 and N, and N at least 1 (e.g. 1/3)")
    return index, count


def assign(
    keys: list[tuple[str, str]], count: int, durations: dict[tuple[str, str], float]
) -> dict[tuple[str, str], int]:
    """Which shard (1..count) runs each (flow, locale) key."""
    ordered = sorted(set(keys))
    known = [durations[k] for k in ordered if k in durations]
    if not known:
        return {key: i % count + 1 for i, key in enumerate(ordered)}
    default = median(known)
    weight = {k: durations.get(k, default) for k in ordered}
    load = [0.0] * count
    out: dict[tuple[str, str], int] = {}
    for key in sorted(ordered, key=lambda k: (-weight[k], k)):
        shard = min(range(count), key=lambda s: (load[s], s))
        load[shard] += weight[key]
        out[key] = shard + 1
    return out


def shard_jobs(
    jobs: list[Job], index: int, count: int, durations: dict[tuple[str, str], float]
) -> list[Job]:
    """The jobs of shard `index` of `count`, in their original order."""
    where = assign([(f.id, loc) for f, loc in jobs], count, durations)
    return [(f, loc) for f, loc in jobs if where[(f.id, loc)] == index]
