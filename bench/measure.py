"""Measuring one command: wall time, CPU of its process tree and of the machine, peak PSS.

Linux only (it reads /proc). The CPU of a process tree is the user + system time of the
command and of every process under it (the Playwright driver, Chromium's browser, GPU,
zygote, utility and renderer processes), orphans included: bench/reaper.py runs the
command as a child subreaper and reaps them all. The machine's CPU is the busy time of
/proc/stat over the same window: on a shared machine it also counts the other users' work,
which is why the load average is recorded next to it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    """What one measured command cost."""

    wall: float
    cpu: float
    """User + system seconds of the command's whole process tree."""
    machine_cpu: float
    """Busy CPU-seconds of the whole machine over the window (other users included)."""
    load: float
    """The 1-minute load average when the command started."""
    peak_pss: int = 0
    """The highest sum of PSS over the trees, in bytes (0 when not sampled)."""
    returncode: int = 0
    cpu_by_kind: dict[str, float] = field(default_factory=dict)
    """CPU-seconds per kind of process, as sampled; the rest is "unattributed"."""


def machine_busy() -> float:
    """Busy CPU-seconds of the machine since boot (all cores, idle and iowait excluded)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


def load_average() -> float:
    return os.getloadavg()[0]


def _parents() -> dict[int, int]:
    """pid → parent pid of every process."""
    found: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after its end.
        found[int(entry.name)] = int(raw[raw.rindex(")") + 2 :].split()[1])
    return found


def tree(roots: Sequence[int]) -> set[int]:
    """The processes in the trees under `roots` (the roots included)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack.extend(children.get(pid, []))
    return seen


def pss(pid: int) -> int:
    """The proportional set size of one process in bytes (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return 0


def tree_cpu(roots: Sequence[int]) -> float:
    """CPU-seconds so far of the live processes under `roots` (not the roots themselves)
    and of what they reaped."""
    total = 0
    for pid in tree(roots) - set(roots):
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        values = raw[raw.rindex(")") + 2 :].split()
        total += sum(int(v) for v in values[11:15])  # utime stime cutime cstime
    return total / TICK


def kind(pid: int) -> str:
    """What a process of the tree is: python, playwright-driver, or chromium's part."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    if argv == [b""]:
        return "ended (not yet reaped)"
    exe = argv[0].decode(errors="replace").rsplit("/", 1)[-1]
    found = re.search(rb"--type=([\w-]+)", b" ".join(argv))  # Chromium rewrites its argv
    if found:
        return "chromium " + found.group(1).decode()
    if "chrom" in exe:
        return "chromium browser"
    if exe == "node":
        return "playwright driver"
    if exe.startswith("python"):
        return "python reaper" if REAPER.name.encode() in b" ".join(argv[:3]) else "python"
    return exe or "other"


def _cpu(pid: int) -> float | None:
    """User + system seconds of one live process (its reaped children not included)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    values = raw[raw.rindex(")") + 2 :].split()
    return (int(values[11]) + int(values[12])) / TICK


class Sampler:
    """Samples process trees in a thread: the sum of PSS (its peak) and, per kind of process,
    the CPU time last seen of each process (a process that ends between two samples loses
    its last interval: `run` reports that part as "unattributed")."""

    def __init__(self, roots: list[int], interval: float = 0.5, pss: bool = True) -> None:
        self.roots = roots
        self.interval = interval
        self.with_pss = pss
        self.peak = 0
        self.samples: list[int] = []
        self.cpu: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def by_kind(self) -> dict[str, float]:
        kinds: dict[str, float] = {}
        for what, seconds in self.cpu.values():
            kinds[what] = kinds.get(what, 0.0) + seconds
        return kinds

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for pid in tree(self.roots):
                seconds = _cpu(pid)
                if seconds is not None:  # the kind is read again: a process may exec
                    what = kind(pid)
                    if what == "gone" and pid in self.cpu:
                        what = self.cpu[pid][0]
                    self.cpu[pid] = (what, seconds)
                if self.with_pss:
                    total += pss(pid)
            self.samples.append(total)
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)


REAPER = Path(__file__).resolve().parent / "reaper.py"


def kill_tree(pid: int) -> None:
    """SIGKILL a process this benchmark started and everything under it."""
    for each in tree([pid]):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(each, signal.SIGKILL)


def reaped(cmd: Sequence[str | Path], result: Path) -> list[str]:
    """`cmd` under bench/reaper.py, which writes its wall time, exit code and the CPU of its
    whole tree (orphans included) to `result`."""
    return [sys.executable, str(REAPER), str(result), *(str(c) for c in cmd)]


def run(
    cmd: Sequence[str | Path],
    *,
    sample_pss: bool = False,
    extra_roots: Sequence[int] = (),
    log: Path | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run `cmd` to its end (under the reaper) and measure it.

    `extra_roots` are processes that work for the command without being its children
    (Playwright browser servers): their PSS is sampled with it; their CPU is not counted
    here. A command still running after `timeout` seconds is killed with its tree.
    """
    load = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        result = Path(tmp) / "result.json"
        out = log.open("wb") if log else None
        busy0 = machine_busy()
        try:
            proc = subprocess.Popen(
                reaped(cmd, result),
                stdout=out or subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            killer = threading.Timer(timeout or 1e9, kill_tree, (proc.pid,))
            killer.start()
            try:
                with Sampler([proc.pid, *extra_roots], pss=sample_pss) as sampler:
                    proc.wait()
            finally:
                killer.cancel()
        finally:
            if out:
                out.close()
        busy = machine_busy() - busy0
        if result.is_file():
            data = json.loads(result.read_text())
        else:  # killed: what we know from outside
            data = {"wall": timeout or 0.0, "returncode": proc.returncode, "cpu": 0.0}
    for root in extra_roots:  # the servers' processes ran before: not split by kind here
        for pid in tree([root]):
            sampler.cpu.pop(pid, None)
    kinds = sampler.by_kind()
    kinds.pop("python reaper", None)
    kinds["unattributed"] = max(0.0, data["cpu"] - sum(kinds.values()))
    return Measured(
        wall=data["wall"],
        cpu=data["cpu"],
        machine_cpu=busy,
        load=load,
        peak_pss=sampler.peak,
        returncode=data["returncode"],
        cpu_by_kind=kinds,
    )


def disk_bytes(folder: Path) -> tuple[int, int]:
    """(bytes of the files, bytes on disk) of a folder, each hard-linked file counted once:
    the sum of the files' sizes, and what `du -s` says (blocks, folders included)."""
    seen: set[tuple[int, int]] = set()
    files = allocated = 0
    for root, dirs, names in os.walk(folder):
        for name in [*dirs, *names, "."]:
            st = os.lstat(os.path.join(root, name))
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            allocated += st.st_blocks * 512
            if stat.S_ISREG(st.st_mode):
                files += st.st_size
    return files, allocated
