"""How many flow × locale pairs a run checks at once when `--workers` is not given.

The rule: `min(PER_CORE × cores, (memory − RESERVED) ÷ PER_WORKER, MAX_WORKERS)`, at least 1.

- cores: the CPUs this process may run on (`sched_getaffinity`), lowered by a cgroup v2 CPU
  quota (`cpu.max`, as Docker's `--cpus` and CI runners set it), rounded up.
- memory: `MemAvailable` of /proc/meminfo, lowered by what a cgroup v2 memory limit
  (`memory.max` − `memory.current`) leaves.
- PER_CORE: a pair spends most of its time waiting (for pages, for dialogs that may
  appear), so several pairs overlap their waits on one core; once the cores are saturated
  more pairs only share the same CPU. On a (shared, loaded) 2-core machine
  `bench/run.py --sweep` measured 24 pairs at 2, 3, 4, 6, 8 workers: 6 was the fastest,
  8 within 5 % of it, 4 13 % slower (bench/RESULTS.md, docs/scale.md).
- PER_WORKER: the proportional memory (PSS) one more concurrent pair costs, a browser
  context and its renderer, with room for a long page (the benchmark measured a peak of
  613 MiB for the whole process tree at 1 worker and 999 MiB at 6 on the replica's pages);
  RESERVED is left for the browser's own processes, the Playwright driver and Python.
- MAX_WORKERS: one browser process serves every context of a run; 8 is the most the
  benchmark measured.

A value of `--workers` always wins. This module only reads the machine; it imports nothing
of Playwright.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

PER_CORE = 3
PER_WORKER = 250 * 2**20
RESERVED = 512 * 2**20
MAX_WORKERS = 8
CGROUP = Path("/sys/fs/cgroup")


def usable_cores() -> int:
    """CPUs this process may use: its affinity, lowered by a cgroup v2 CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        quota, period = (CGROUP / "cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def available_memory() -> int | None:
    """Bytes of memory a run may still use, or None when it cannot be told."""
    available: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        limit = (CGROUP / "memory.max").read_text().strip()
        if limit != "max":
            left = int(limit) - int((CGROUP / "memory.current").read_text())
            available = left if available is None else min(available, left)
    except (OSError, ValueError):
        pass
    return available


def default_workers(cores: int | None = None, memory: int | None = None) -> int:
    """The number of pairs to run at once on this machine (see the module's rule)."""
    cores = cores if cores is not None else usable_cores()
    memory = memory if memory is not None else available_memory()
    by_cpu = PER_CORE * cores
    by_memory = by_cpu if memory is None else (memory - RESERVED) // PER_WORKER
    return max(1, min(by_cpu, by_memory, MAX_WORKERS))
