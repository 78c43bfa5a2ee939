"""What the benchmark runs: the shipped flows, widened to 24 flow × locale pairs.

The 8 shipped flows that need no saved login, each in fr-FR, en-GB and fr-BE (the replica
answers by language, so fr-BE gets the French pages, as Belgian users do), make 24 pairs.
The flow files are copied as they are, with only their `locales:` line rewritten, into a
temporary folder next to a copy of the fragments.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
LOCALES = ("fr-FR", "en-GB", "fr-BE")
ONE_FLOW = ("facebook-form", "fr-FR")
"""The flow of the one-flow comparison: the form opened directly, as the issue describes."""
DAYS_FLOWS = ("facebook-form",)
DAYS_LOCALES = ("fr-FR", "en-GB")
"""The 2 pairs of the unchanged-days measurement (30 real runs of them fit the time budget;
the growth per pair is then applied to the 24 pairs' own first run)."""
CHROMIUM = "/usr/bin/chromium"


def shipped_flows() -> list[Path]:
    """The shipped flows that can run without a saved login, by id."""
    return sorted(
        p for p in FLOWS.glob("*.yaml") if not re.search(r"^session:", p.read_text(), re.M)
    )


def build(
    folder: Path, locales: tuple[str, ...] = LOCALES, only: tuple[str, ...] = ()
) -> list[tuple[str, str]]:
    """Copy the flows (`only` these ids, if given) into `folder` with these locales; return
    the (flow, locale) pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FLOWS / "fragments", folder / "fragments", dirs_exist_ok=True)
    pairs: list[tuple[str, str]] = []
    for path in shipped_flows():
        if only and path.stem not in only:
            continue
        text, n = re.subn(
            r"^locales:.*$", f"locales: [{', '.join(locales)}]", path.read_text(), flags=re.M
        )
        if n != 1:
            raise SystemExit(f"{path}: expected one `locales:` line to rewrite")
        (folder / path.name).write_text(text)
        pairs += [(path.stem, loc) for loc in locales]
    return pairs


def build_daily(folder: Path) -> list[tuple[str, str]]:
    """The daily run as shipped: the flows that need no saved login, copied unchanged
    (`locales: all`), and their (flow, locale) pairs: every flow in every catalogue locale."""
    from optout.flow.loader import load_flow

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FLOWS / "fragments", folder / "fragments", dirs_exist_ok=True)
    pairs: list[tuple[str, str]] = []
    for path in shipped_flows():
        shutil.copy(path, folder / path.name)
        pairs += [(path.stem, loc) for loc in load_flow(path).locales]
    return pairs


def map_args(origin: str) -> list[str]:
    """`--map-origin` for every Meta origin the flows open, to one replica scenario."""
    from optout.replica import DEMO_ORIGINS

    return [arg for src in DEMO_ORIGINS for arg in ("--map-origin", f"{src}={origin}")]
