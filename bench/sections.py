"""The sections of `make bench`: 1. one flow, 2-3. the pairs, 4. unchanged days, 5. scale-out."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import measure
import report
import workload
from common import (
    BIN,
    RUN_LIMIT_S,
    Bench,
    describe_verdicts,
    hw_cmd,
    optout_cmd,
    timed,
    verdicts,
    verify,
)
from proxy import LOOPBACK

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


# --- 6. the daily run: every flow in every language ---------------------------------------------


def daily(b: Bench) -> None:
    """The shipped flows as they run every day (`locales: all`), at the default workers,
    next to the hand-written script on the same pairs (6 at once; in a language whose words
    it does not know, it waits for the form's elements by role alone)."""
    folder = b.work / "daily-flows"
    pairs = workload.build_daily(folder)
    n = len(pairs)
    print(f"6. the daily run: {n} pairs (default workers: {b.workers})")
    optout, out = timed(b, "daily-optout", verify(b, str(folder), "--workers", str(b.workers)))
    text, all_found = describe_verdicts(verdicts(out / "summary.json"), n)
    hand, _ = timed(b, "daily-hand", lambda o: hw_cmd(b, o, pairs, 6))
    section = f"6. the daily run, {n} pairs (every flow × every locale), --workers {b.workers}"
    ratio = optout.wall / hand.wall
    b.rows += [
        report.Row(
            section,
            "optout: wall",
            f"{optout.wall:.0f} s" + (" (killed at the limit)" if optout.returncode < 0 else ""),
            f"≤ {RUN_LIMIT_S} s",
            optout.wall <= RUN_LIMIT_S and optout.returncode >= 0,
        ),
        report.Row(
            section,
            "wall: optout / hand-written",
            f"{optout.wall:.0f} / {hand.wall:.0f} s ({ratio:.2f}×)",
        ),
        report.Row(
            section,
            "CPU-s per pair: optout / hand-written",
            f"{optout.cpu / n:.2f} / {hand.cpu / n:.2f} ({optout.cpu / hand.cpu:.2f}×)",
        ),
        report.Row(section, "optout: verdicts", text, "all available", all_found),
        report.Row(
            section,
            "hand-written: forms found",
            "all" if hand.returncode == 0 else "NOT all",
        ),
    ]


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
