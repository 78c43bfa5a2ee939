"""What the benchmark's sections share: where things are, the commands, running one measured."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import measure
import report
import workload

BIN = Path(sys.executable).parent
HANDWRITTEN = Path(__file__).resolve().parent / "handwritten.py"
RUN_LIMIT_S = 600
"""No single measured command may take longer (it is killed, and the row says so)."""


@dataclass
class Bench:
    """The state shared by the sections: where things are, what was measured."""

    work: Path
    origin: str
    """The replica scenario's origin through the delaying proxy."""
    direct_origin: str
    """The same without the proxy (for the bytes measurement, where time does not count)."""
    flows: Path
    pairs: list[tuple[str, str]]
    workers: int
    quick: bool
    rows: list[report.Row] = field(default_factory=list)
    kinds: dict[str, dict[str, float]] = field(default_factory=dict)
    runs: int = 0
    one_run: Path | None = None
    """The recordings of the 24 pairs at the default workers (section 2), for section 4."""

    def folder(self, name: str) -> Path:
        self.runs += 1
        path = self.work / f"{self.runs:03d}-{name}"
        path.mkdir(parents=True)
        return path


def optout_cmd(b: Bench, out: Path, *args: str, origin: str | None = None) -> list[str]:
    return [
        str(BIN / "optout"),
        "verify",
        *args,
        "--recordings",
        str(out / "recordings"),
        "--json",
        str(out / "summary.json"),
        "--browser-path",
        workload.CHROMIUM,
        "--log-format",
        "json",
        "--log-level",
        "error",
        *workload.map_args(origin or b.origin),
    ]


def verify(b: Bench, *args: str) -> Callable[[Path], list[str]]:
    """`optout verify ARGS` writing into the folder it is given."""
    return lambda out: optout_cmd(b, out, *args)


def hw_cmd(b: Bench, out: Path, pairs: list[tuple[str, str]], concurrency: int) -> list[str]:
    return [
        sys.executable,
        str(HANDWRITTEN),
        "--origin",
        b.origin,
        "--out",
        str(out / "evidence"),
        "--concurrency",
        str(concurrency),
        "--browser-path",
        workload.CHROMIUM,
        *(f"{f}:{loc}" for f, loc in pairs),
    ]


def verdicts(summary: Path) -> dict[tuple[str, str], str]:
    if not summary.is_file():
        return {}
    data = json.loads(summary.read_text())
    return {(r["flow"], r["locale"]): r["verdict"] for r in data["results"]}


def describe_verdicts(found: dict[tuple[str, str], str], expected: int) -> tuple[str, bool]:
    counts: dict[str, int] = {}
    for verdict in found.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    text = ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "no summary"
    return text, counts.get("available", 0) == expected


def timed(
    b: Bench,
    name: str,
    make: Callable[[Path], list[str]],
    sample_pss: bool = False,
    extra_roots: Sequence[int] = (),
) -> tuple[measure.Measured, Path]:
    """Run the command `make(folder)` builds for a new work folder; print and return it."""
    out = b.folder(name)
    print(f"  {name} ...", end="", flush=True)
    m = measure.run(
        make(out),
        log=out / "log.txt",
        timeout=RUN_LIMIT_S,
        sample_pss=sample_pss,
        extra_roots=extra_roots,
    )
    print(f" {m.wall:.1f} s, {m.cpu:.1f} CPU-s, exit {m.returncode}", flush=True)
    return m, out
