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
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import explore
import measure
import report
import sections
import workload
from common import Bench
from proxy import DelayProxy

from optout.check.workers import default_workers
from optout.replica import ReplicaServer

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
        "--only", default="one,pairs,days,shards,connect,daily", help="sections, comma-separated"
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
                sections.one_flow(b, 3 if args.quick else 5)
            if "pairs" in only:
                measured = sections.pairs(b)
            local = next((m for k, m in measured.items() if "(default)" in k), None)
            if "days" in only:
                sections.days(b, args.days or (10 if args.quick else 30))
            if "shards" in only:
                sections.shards(b, local)
            if "connect" in only:
                sections.connect(b, local)
            if "daily" in only:
                sections.daily(b)
            if args.sweep:
                explore.sweep(b, [int(w) for w in args.sweep.split(",")], args.sweep_reps)
            if args.whatif:
                explore.whatif(b, args.whatif.split(","), args.whatif_reps, args.whatif_one)
            if args.profile:
                explore.profile(b)
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    machine["load_after"] = f"{measure.load_average():.2f}"
    machine["duration"] = f"{time.monotonic() - started:.0f} s"
    ran = [s for s in ("one", "pairs", "days", "shards", "connect", "daily") if s in only]
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
