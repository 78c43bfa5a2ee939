"""`make bench`: optout against a hand-written Playwright script, on the replica, over latency.

Starts the replica behind a delaying proxy (300 ms per request by default, loopback only),
then measures, in one run and side by side:

1. one flow, whole process: `optout verify` vs the hand-written script (median of
   alternating runs);
2. the 24 flow × locale pairs at `--workers` 1, the default and 6, and the hand-written
   script 6 at a time: wall time, CPU-seconds per pair (process tree and machine);
3. the peak memory of the process tree (sum of PSS) of each of those runs;
4. the bytes of the recordings after 1 and after 30 unchanged daily runs;
5. 2 shards + `optout merge` vs one run, and `--connect` to two local Playwright servers
   vs a local browser.

It prints a table and appends it, with the machine's description, the date and the load
average, to bench/RESULTS.md. `--quick` runs a smaller version (8 pairs, 3 alternations,
10 days); `--sweep 1,2,3,4,6` also times the pairs at each of those worker counts;
`--profile` writes a pyinstrument profile of one optout run of the pairs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import measure
import report
import workload
from proxy import LOOPBACK, DelayProxy

from optout.check.workers import default_workers
from optout.replica import ReplicaServer

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


# --- 1. one flow ---------------------------------------------------------------------------


def one_flow(b: Bench, reps: int) -> None:
    flow, locale = workload.ONE_FLOW
    print(f"1. one flow ({flow} {locale}), {reps} alternating runs each")
    walls: dict[str, list[float]] = {"optout": [], "hand": []}
    cpus: dict[str, list[float]] = {"optout": [], "hand": []}
    ok = True
    for i in range(reps):
        for who in ("optout", "hand") if i % 2 == 0 else ("hand", "optout"):
            out = b.folder(f"one-{who}")
            cmd = (
                optout_cmd(b, out, str(b.flows / f"{flow}.yaml"), "--locale", locale)
                if who == "optout"
                else hw_cmd(b, out, [workload.ONE_FLOW], 1)
            )
            m = measure.run(cmd, log=out / "log.txt", timeout=RUN_LIMIT_S)
            if who == "optout":
                ok &= verdicts(out / "summary.json") == {workload.ONE_FLOW: "available"}
            ok &= m.returncode == 0
            walls[who].append(m.wall)
            cpus[who].append(m.cpu)
            print(f"  {who}: {m.wall:.2f} s, {m.cpu:.2f} CPU-s (load {m.load:.1f})", flush=True)
    wo, wh = statistics.median(walls["optout"]), statistics.median(walls["hand"])
    co, ch = statistics.median(cpus["optout"]), statistics.median(cpus["hand"])
    section = f"1. one flow ({flow} {locale}), whole process, median of {reps}"
    b.rows += [
        report.Row(section, "wall s: optout / hand-written", f"{wo:.2f} / {wh:.2f}"),
        report.Row(section, "wall ratio", f"{wo / wh:.2f}×", "≤ 1.15×", wo / wh <= 1.15),
        report.Row(
            section, "CPU s: optout / hand-written", f"{co:.2f} / {ch:.2f} ({co / ch:.2f}×)"
        ),
        report.Row(section, "every run found the form", "yes" if ok else "NO", "yes", ok),
    ]


# --- 2 and 3. the pairs ----------------------------------------------------------------------


def pairs(b: Bench) -> dict[str, measure.Measured]:
    n = len(b.pairs)
    print(f"2. {n} pairs (default workers: {b.workers})")
    variants: list[tuple[str, int | None]] = [("hand-written, 6 at once", None)]
    for count in dict.fromkeys((6, b.workers, 1)):
        default = " (default)" if count == b.workers else ""
        variants.append((f"optout --workers {count}{default}", count))
    measured: dict[str, measure.Measured] = {}
    found: dict[str, str] = {}
    for label, w in variants:
        if w is None:
            m, _ = timed(b, "pairs-hand", lambda o: hw_cmd(b, o, b.pairs, 6), sample_pss=True)
            found[label] = "all forms found" if m.returncode == 0 else "NOT all forms found"
            b.kinds["hand-written, 6 at once"] = m.cpu_by_kind
        else:
            cmd = verify(b, str(b.flows), "--workers", str(w))
            m, out = timed(b, f"pairs-w{w}", cmd, sample_pss=True)
            text, _ = describe_verdicts(verdicts(out / "summary.json"), n)
            found[label] = text
            if w == b.workers:
                b.kinds[f"optout --workers {w}"] = m.cpu_by_kind
                b.one_run = out / "recordings"
        measured[label] = m
    hand = measured["hand-written, 6 at once"]
    section = f"2. {n} pairs"
    for label, m in measured.items():
        ratio = m.wall / hand.wall
        target, met = ("≤ 1.25×", ratio <= 1.25) if "(default)" in label else ("", None)
        b.rows.append(
            report.Row(section, f"{label}: wall", f"{m.wall:.1f} s ({ratio:.2f}×)", target, met)
        )
    for label, m in measured.items():
        per, machine = m.cpu / n, m.machine_cpu / n
        ratio = per / (hand.cpu / n)
        target, met = ("≤ 1.3×", ratio <= 1.3) if "(default)" in label else ("", None)
        b.rows.append(
            report.Row(
                section,
                f"{label}: CPU-s per pair, tree (machine)",
                f"{per:.2f} ({machine:.2f}), {ratio:.2f}×",
                target,
                met,
            )
        )
    for label, text in found.items():
        ok = text == f"{n} available" or text == "all forms found"
        b.rows.append(report.Row(section, f"{label}: verdicts", text, "all available", ok))
    section = "3. peak memory, sum of PSS of the process tree"
    for label, m in measured.items():
        target, met = ("≤ 1 GiB", m.peak_pss <= 2**30) if "workers 6" in label else ("", None)
        b.rows.append(report.Row(section, label, report.mib(m.peak_pss), target, met))
    return measured


# --- 4. bytes of unchanged days ----------------------------------------------------------------


def days(b: Bench, count: int) -> None:
    flows = b.work / "days-flows"
    n = len(workload.build(flows, workload.DAYS_LOCALES, workload.DAYS_FLOWS))
    print(f"4. {count} unchanged daily runs of {n} pairs")
    out = b.folder("days")
    sizes: list[tuple[int, int]] = []
    for day in range(count):
        cmd = optout_cmd(b, out, str(flows), origin=b.direct_origin)
        rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        if rc != 0:
            raise SystemExit(f"day {day + 1}: optout verify exited {rc} (see {out})")
        sizes.append(measure.disk_bytes(out / "recordings"))
    (f1, d1), (fn, dn) = sizes[0], sizes[-1]
    section = f"4. recordings of {n} pairs, unchanged days (files / on disk)"
    b.rows += [
        report.Row(section, "after 1 run", f"{report.kib(f1)} / {report.kib(d1)}"),
        report.Row(section, f"after {count} runs", f"{report.kib(fn)} / {report.kib(dn)}"),
        report.Row(
            section,
            f"{count} runs ÷ 1 run",
            f"{fn / f1:.2f}× / {dn / d1:.2f}×",
            "≤ 1.3×",
            max(fn / f1, dn / d1) <= 1.3,
        ),
    ]
    grow_f, grow_d = (fn - f1) / (count - 1), (dn - d1) / (count - 1)
    b.rows.append(
        report.Row(
            section,
            "added by each unchanged run, per pair",
            f"{report.kib(int(grow_f / n))} / {report.kib(int(grow_d / n))}",
        )
    )
    if b.one_run is not None:  # the same growth, scaled to the pairs of section 2
        one_f, one_d = measure.disk_bytes(b.one_run)
        pairs = len(b.pairs)
        est_f = one_f + 29 * grow_f / n * pairs
        est_d = one_d + 29 * grow_d / n * pairs
        b.rows.append(
            report.Row(
                section,
                f"estimate for {pairs} pairs: 1 run measured, 30 runs = 1 + 29 × the growth",
                f"{report.kib(one_f)} / {report.kib(one_d)} → {est_f / one_f:.2f}× / "
                f"{est_d / one_d:.2f}×",
                "≤ 1.3×",
                max(est_f / one_f, est_d / one_d) <= 1.3,
            )
        )


# --- 5. shards and browser servers ---------------------------------------------------------------


def shards(b: Bench, one: measure.Measured | None) -> None:
    n = len(b.pairs)
    print(f"5a. 2 shards of {n} pairs, then merge")
    walls, cpu = [], 0.0
    runs: list[Path] = []
    for i in (1, 2):
        cmd = verify(b, str(b.flows), "--shard", f"{i}/2", "--workers", str(b.workers))
        m, out = timed(b, f"shard-{i}", cmd)
        walls.append(m.wall)
        cpu += m.cpu
        runs += [p.parent for p in (out / "recordings").glob("*/run.json")]
    merged = b.work / "merged"
    merge = [str(BIN / "optout"), "merge", *map(str, runs), "--recordings", str(merged)]
    m, _ = timed(b, "merge", lambda o: merge)
    found = {}
    for run_json in merged.glob("*/run.json"):
        found = {
            (r["flow"], r["locale"]): r["verdict"]
            for r in json.loads(run_json.read_text())["results"]
        }
    text, ok = describe_verdicts(found, n)
    section = f"5. scale-out, {n} pairs at --workers {b.workers}"
    path = max(walls) + m.wall
    base = f" ({path / one.wall:.2f}× one run)" if one else ""
    b.rows += [
        report.Row(
            section,
            "shard 1 / shard 2 / merge: wall",
            f"{walls[0]:.1f} / {walls[1]:.1f} / {m.wall:.1f} s",
        ),
        report.Row(section, "2 machines: slowest shard + merge", f"{path:.1f} s{base}"),
        report.Row(section, "shards + merge: CPU-s per pair", f"{(cpu + m.cpu) / n:.2f}"),
        report.Row(section, "merged verdicts", text, "all available", ok),
    ]


@dataclass
class Servers:
    urls: list[str]
    pids: list[int]
    """The reapers the servers run under."""
    results: list[Path]
    """Where each reaper writes the CPU of its server's whole tree when it stops."""

    def cpu(self) -> float:
        return sum(float(json.loads(p.read_text())["cpu"]) for p in self.results)


@contextlib.contextmanager
def playwright_servers(b: Bench, count: int) -> Iterator[Servers]:
    """Start `playwright run-server --unsafe` on free loopback ports (each under the
    reaper, to count its CPU); stop them (SIGTERM) on the way out."""
    procs: list[subprocess.Popen[bytes]] = []
    servers = Servers([], [], [])
    try:
        for i in range(count):
            with socket.socket() as s:
                s.bind((LOOPBACK, 0))
                port = s.getsockname()[1]
            result = b.work / f"server-{i}.json"
            cmd = [str(BIN / "playwright"), "run-server", "--unsafe", "--host", LOOPBACK]
            procs.append(
                subprocess.Popen(
                    measure.reaped([*cmd, "--port", str(port)], result),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            servers.urls.append(f"ws://{LOOPBACK}:{port}/")
            servers.pids.append(procs[-1].pid)
            servers.results.append(result)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 1):
                    break
                time.sleep(0.2)
            else:
                raise SystemExit(f"playwright run-server did not listen on {port}")
        yield servers
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                measure.kill_tree(p.pid)
                p.wait()


def connect(b: Bench, local: measure.Measured | None) -> None:
    n = len(b.pairs)
    print(f"5b. --connect to two local Playwright servers, {n} pairs")
    with playwright_servers(b, 2) as servers:
        args = [a for url in servers.urls for a in ("--connect", url)]
        args += [str(b.flows), "--workers", str(b.workers)]
        before = measure.tree_cpu(servers.pids)
        m, out = timed(b, "connect", verify(b, *args), extra_roots=servers.pids, sample_pss=True)
    m.cpu += servers.cpu() - before
    text, ok = describe_verdicts(verdicts(out / "summary.json"), n)
    section = f"5. scale-out, {n} pairs at --workers {b.workers}"
    vs = f" ({m.wall / local.wall:.2f}× local)" if local else ""
    cpu_vs = f" ({m.cpu / local.cpu:.2f}× local)" if local else ""
    b.rows += [
        report.Row(section, "--connect 2 servers: wall", f"{m.wall:.1f} s{vs}"),
        report.Row(
            section,
            "--connect 2 servers: CPU-s per pair (servers included)",
            f"{m.cpu / n:.2f}{cpu_vs}",
        ),
        report.Row(
            section, "--connect 2 servers: peak PSS (servers included)", report.mib(m.peak_pss)
        ),
        report.Row(section, "--connect verdicts", text, "all available", ok),
    ]


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


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="8 pairs, 3 alternations, 10 days")
    parser.add_argument("--latency-ms", type=int, default=300, help="added to every request")
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md"
    )
    parser.add_argument("--no-append", action="store_true", help="print only, do not append")
    parser.add_argument(
        "--only", default="one,pairs,days,shards,connect", help="sections, comma-separated"
    )
    parser.add_argument("--sweep", default="", metavar="W,W,...", help="also time these --workers")
    parser.add_argument("--sweep-reps", type=int, default=2)
    parser.add_argument("--days", type=int, default=0, help="unchanged runs (30; 10 quick)")
    parser.add_argument("--profile", action="store_true", help="pyinstrument one optout run")
    parser.add_argument(
        "--whatif", default="", metavar="C,C,...", help="time engine changes (bench/whatif.py)"
    )
    parser.add_argument("--whatif-reps", type=int, default=2)
    parser.add_argument(
        "--whatif-one", action="store_true", help="try them on the one flow, against hand-written"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set()
    started = time.monotonic()
    machine = report.machine(load=measure.load_average())
    work = Path(tempfile.mkdtemp(prefix="optout-bench-"))
    locales = ("fr-FR",) if args.quick else workload.LOCALES
    try:
        with ReplicaServer() as replica, DelayProxy(replica.port, args.latency_ms / 1000) as proxy:
            flows = work / "flows"
            b = Bench(
                work=work,
                origin=proxy.origin("form-available"),
                direct_origin=replica.origin_for("form-available"),
                flows=flows,
                pairs=workload.build(flows, locales),
                workers=default_workers(),
                quick=args.quick,
            )
            measured: dict[str, measure.Measured] = {}
            if "one" in only:
                one_flow(b, 3 if args.quick else 5)
            if "pairs" in only:
                measured = pairs(b)
            local = next((m for k, m in measured.items() if "(default)" in k), None)
            if "days" in only:
                days(b, args.days or (10 if args.quick else 30))
            if "shards" in only:
                shards(b, local)
            if "connect" in only:
                connect(b, local)
            if args.sweep:
                sweep(b, [int(w) for w in args.sweep.split(",")], args.sweep_reps)
            if args.whatif:
                whatif(b, args.whatif.split(","), args.whatif_reps, args.whatif_one)
            if args.profile:
                profile(b)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    machine["load_after"] = f"{measure.load_average():.2f}"
    machine["duration"] = f"{time.monotonic() - started:.0f} s"
    ran = [s for s in ("one", "pairs", "days", "shards", "connect") if s in only]
    ran += [name for name, on in (("sweep", args.sweep), ("what-if", args.whatif)) if on]
    text = report.render(b, machine, args.latency_ms, args.quick, ran + ["profile"] * args.profile)
    print(text)
    if not args.no_append and b.rows:
        with args.results.open("a") as handle:
            handle.write("\n" + text)
        print(f"appended to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
