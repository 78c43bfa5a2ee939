"""`python bench/reaper.py RESULT.json CMD...`: run CMD and account for all its CPU.

Chromium's processes do not all end as children of the process that started them: when a
browser closes, its zygote may exit before its renderers, which are then re-parented and
reaped by someone else, and their CPU time never reaches the command's rusage. This
wrapper makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so every orphan of
the command's tree is re-parented to it; it reaps them all, then writes to RESULT.json the
command's wall time and exit code and the CPU of everything it reaped. Processes still
alive 15 s after the command ended are killed (they are the command's own descendants).
SIGTERM is passed on to every descendant.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
LINGER_S = 15.0


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def signal_all(signum: int) -> None:
    for pid in descendants(os.getpid()):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def main(argv: list[str]) -> int:
    result, cmd = Path(argv[0]), argv[1:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("prctl(PR_SET_CHILD_SUBREAPER) failed")
    signal.signal(signal.SIGTERM, lambda *_: signal_all(signal.SIGTERM))
    start = time.monotonic()
    proc = subprocess.Popen(cmd)
    wall, code = 0.0, -1
    timer: threading.Timer | None = None
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid == proc.pid:
            wall, code = time.monotonic() - start, os.waitstatus_to_exitcode(status)
            proc.returncode = code
            timer = threading.Timer(LINGER_S, signal_all, (signal.SIGKILL,))
            timer.daemon = True
            timer.start()
    if timer is not None:
        timer.cancel()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.write_text(
        json.dumps({"wall": wall, "returncode": code, "cpu": usage.ru_utime + usage.ru_stime})
    )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
