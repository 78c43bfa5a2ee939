"""The benchmark's table and the description of the machine it ran on."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import workload

if TYPE_CHECKING:
    from common import Bench


@dataclass
class Row:
    """One line of the table: a measure, its value, its target and whether it is met."""

    section: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None


def mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n else "not sampled"


def kib(n: int) -> str:
    return f"{n / 1024:.0f} KiB"


def kinds_line(kinds: dict[str, float]) -> str:
    total = sum(kinds.values()) or 1.0
    ordered = sorted(kinds.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{k} {v:.1f} s ({v / total:.0%})" for k, v in ordered)


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def machine(load: float) -> dict[str, Any]:
    """What the numbers depend on: hardware, system, versions, load, source revision."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) * 1024
    os_name = "?"
    with open("/etc/os-release") as handle:
        for line in handle:
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"')
    root = workload.ROOT
    commit = _first_line(["git", "-C", str(root), "rev-parse", "--short", "HEAD"])
    dirty = _first_line(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"])
    from importlib.metadata import version

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{mem / 2**30:.1f} GiB",
        "system": f"{os_name}, Linux {platform.release()}",
        "python": platform.python_version(),
        "playwright": version("playwright"),
        "chromium": _first_line([workload.CHROMIUM, "--version"]),
        "commit": commit + (" (with uncommitted changes)" if dirty != "?" else ""),
        "load_before": f"{load:.2f}",
    }


def render(b: Bench, info: dict[str, Any], latency_ms: int, quick: bool, ran: list[str]) -> str:
    """The Markdown block appended to RESULTS.md; `ran` names the sections that ran."""
    kind = "quick" if quick else "full"
    lines = [
        f"## {info['date']}: {kind} run ({', '.join(ran)}), {len(b.pairs)} pairs, "
        f"{latency_ms} ms latency",
        "",
        f"- machine: {info['cpu']}, {info['memory']} RAM; {info['system']}",
        f"- Python {info['python']}, Playwright {info['playwright']}, {info['chromium']}",
        f"- optout at {info['commit']}; default --workers here: {b.workers}",
        f"- 1-minute load average: {info['load_before']} before, {info.get('load_after', '?')} "
        f"after; the benchmark took {info.get('duration', '?')}",
        "",
        "| section | measure | value | target | met |",
        "|---|---|---|---|---|",
    ]
    previous = None
    for row in b.rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        section = row.section if row.section != previous else ""
        previous = row.section
        lines.append(f"| {section} | {row.measure} | {row.value} | {row.target} | {met} |")
    if b.kinds:
        lines += [
            "",
            "CPU by process kind (sampled every 0.5 s; what ended between samples is "
            "unattributed):",
            "",
        ]
        lines += [f"- {label}: {kinds_line(k)}" for label, k in b.kinds.items()]
    return "\n".join(lines) + "\n"
