"""Beyond the table: the `--workers` sweep, engine changes tried as monkeypatches, the profile."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import measure
import report
import workload
from common import (
    RUN_LIMIT_S,
    Bench,
    describe_verdicts,
    hw_cmd,
    optout_cmd,
    timed,
    verdicts,
    verify,
)

# --- the sweep and the profile ---------------------------------------------------------------


def sweep(b: Bench, values: list[int], reps: int) -> None:
    n = len(b.pairs)
    print(f"sweep: {n} pairs at --workers {values}, {reps} round(s)")
    walls: dict[int, list[float]] = {w: [] for w in values}
    cpus: dict[int, list[float]] = {w: [] for w in values}
    for r in range(reps):
        for w in values if r % 2 == 0 else list(reversed(values)):
            m, _ = timed(b, f"sweep-w{w}", verify(b, str(b.flows), "--workers", str(w)))
            walls[w].append(m.wall)
            cpus[w].append(m.cpu)
    medians = {w: statistics.median(v) for w, v in walls.items()}
    best = min(medians, key=lambda w: medians[w])
    section = f"sweep: {n} pairs, median wall of {reps}"
    for w in values:
        mark = " (best)" if w == best else ""
        default = " (default)" if w == b.workers else ""
        off = medians[w] / medians[best]
        b.rows.append(
            report.Row(
                section,
                f"--workers {w}{default}{mark}",
                f"{medians[w]:.1f} s ({off:.2f}× best), "
                f"{statistics.median(cpus[w]) / n:.2f} CPU-s/pair",
                "≤ 1.10× best" if default else "",
                off <= 1.10 if default else None,
            )
        )


def whatif(b: Bench, variants: list[str], reps: int, one: bool = False) -> None:
    """Proposed engine changes (bench/whatif.py) against `none`, alternating: on the pairs,
    or (`one`) on the one flow of section 1, next to the hand-written script ("hand")."""
    pairs = [workload.ONE_FLOW] if one else b.pairs
    n = len(pairs)
    variants = ["none", *(v for v in variants if v not in ("none", "hand"))]
    if one:
        variants.insert(0, "hand")
    print(f"what-if: {n} pair(s) at --workers {b.workers}, {variants}, {reps} round(s)")
    walls: dict[str, list[float]] = {v: [] for v in variants}
    cpus: dict[str, list[float]] = {v: [] for v in variants}
    found: dict[str, set[str]] = {v: set() for v in variants}
    whatif_py = str(Path(__file__).resolve().parent / "whatif.py")
    flow, locale = workload.ONE_FLOW
    target = (str(b.flows / f"{flow}.yaml"), "--locale", locale) if one else (str(b.flows),)
    for r in range(reps):
        for v in variants if r % 2 == 0 else list(reversed(variants)):

            def make(out: Path, v: str = v) -> list[str]:
                if v == "hand":
                    return hw_cmd(b, out, pairs, 1)
                cmd = optout_cmd(b, out, *target, "--workers", str(b.workers))
                return [sys.executable, whatif_py, v, *cmd[1:]]

            m, out = timed(b, f"whatif-{v}", make)
            walls[v].append(m.wall)
            cpus[v].append(m.cpu)
            if v == "hand":
                found[v].add("form found" if m.returncode == 0 else "NOT found")
            else:
                found[v].add(describe_verdicts(verdicts(out / "summary.json"), n)[0])
    base = "hand" if one else "none"
    base_wall, base_cpu = statistics.median(walls[base]), statistics.median(cpus[base])
    what = f"one flow ({flow} {locale})" if one else f"{n} pairs, --workers {b.workers}"
    section = f"what-if (monkeypatched engine): {what}, median of {reps}"
    for v in variants:
        wall, cpu = statistics.median(walls[v]), statistics.median(cpus[v])
        b.rows.append(
            report.Row(
                section,
                v,
                f"{wall:.2f} s ({wall / base_wall:.2f}× {base}), {cpu / n:.2f} CPU-s/pair "
                f"({cpu / base_cpu:.2f}×); {' | '.join(sorted(found[v]))}",
            )
        )


def profile(b: Bench) -> None:
    """pyinstrument on one optout run of the pairs: a session file, and its text rendering
    (Python's wall-clock samples; the event loop's idle wait shows as `select`)."""
    out = b.folder("profile")
    here = Path(__file__).resolve().parent
    session, text = here / "profile.pyisession", here / "profile.txt"
    cmd = optout_cmd(b, out, str(b.flows), "--workers", str(b.workers))
    cmd = [
        sys.executable,
        "-m",
        "pyinstrument",
        "-r",
        "pyisession",
        "-o",
        str(session),
        "-m",
        "optout.cli",
        *cmd[1:],
    ]
    print(f"profile: pyinstrument → {session}")
    m = measure.run(cmd, log=out / "log.txt", timeout=RUN_LIMIT_S)
    print(f"  {m.wall:.1f} s, {m.cpu:.1f} CPU-s, by kind: {report.kinds_line(m.cpu_by_kind)}")
    render = [
        sys.executable,
        "-m",
        "pyinstrument",
        "--load",
        str(session),
        "--show-all",
        "-p",
        "processor_options.filter_threshold=0.005",
        "-o",
        str(text),
    ]
    subprocess.run(render, check=True)
    print(f"  text: {text}")
