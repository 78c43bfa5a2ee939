"""Reading past runs from the recordings folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from optout.evidence import RUN_JSON, run_folders
from optout.verdict import Verdict


def load_runs(recordings: Path) -> list[dict[str, Any]]:
    """Every complete run's summary, oldest first; unreadable runs are skipped."""
    runs = []
    for folder in run_folders(recordings):
        try:
            runs.append(json.loads((folder / RUN_JSON).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return runs


def last_conclusive(recordings: Path) -> dict[tuple[str, str], Verdict]:
    """The last conclusive verdict recorded for each (flow, locale)."""
    last: dict[tuple[str, str], Verdict] = {}
    for run in load_runs(recordings):
        for result in run.get("results", []):
            try:
                verdict = Verdict(result["verdict"])
                key = (str(result["flow"]), str(result["locale"]))
            except (KeyError, ValueError, TypeError):
                continue
            if verdict.conclusive:
                last[key] = verdict
    return last
