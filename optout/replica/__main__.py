"""``python -m optout.replica``: serve the replica until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable
from pathlib import Path

from optout.replica import MODIFIERS, SCENARIOS, ReplicaServer
from optout.replica.captures import CAPTURE_FAMILY, CAPTURES_ENV, available
from optout.replica.scenarios import BEHAVIOURS


def capture_lines(origin_for: Callable[[str], str], captures_dir: Path | None) -> list[str]:
    """The ``capture/<file-stem>`` family: where the files come from and one line per file."""
    lines = [
        f"  {CAPTURE_FAMILY}/<file-stem>  a real capture, read at request time; scripts and",
        "      external resources removed, Meta's cookie-dialog JavaScript emulated",
    ]
    if captures_dir is None:
        lines.append(f"      no captures directory (../shared/captures or ${CAPTURES_ENV})")
        return lines
    stems = available(captures_dir)
    lines.append(f"      from {captures_dir}" + ("" if stems else " (no *.html files)"))
    for stem in stems:
        lines.append(
            f"      --map-origin https://www.facebook.com={origin_for(CAPTURE_FAMILY + '/' + stem)}"
        )
    return lines


def listing(origin_for: Callable[[str], str], captures_dir: Path | None = None) -> list[str]:
    """One description and ``--map-origin`` line per scenario, plus its per-page overrides;
    then the captures family when ``captures_dir`` is given."""
    width = max(len(name) for name in SCENARIOS)
    pad = " " * width
    lines: list[str] = []
    for name, description in SCENARIOS.items():
        lines.append(f"  {name:<{width}}  {description}")
        overrides = BEHAVIOURS[name].overrides
        for page, target in overrides.items():
            lines.append(f"  {pad}    {page:<16}  as {target}")
        if overrides:
            lines.append(f"  {pad}    everything else   as form-available")
        lines.append(f"  {pad}  --map-origin https://www.facebook.com={origin_for(name)}")
        if overrides:
            lines.append(f"  {pad}  (and the same for every Meta origin, as `optout demo` does)")
    lines += [
        "",
        "  unless a gate or error answers first: /notifications needs a c_user cookie (else 302",
        "  to the login page) and /help/contact/367438723733209 is the 2024 pre-form. In every",
        "  scenario /support/privacy answers for https://help.meta.com/support/privacy.",
        "  WhatsApp: /1285115568956956/ is the Help Center article (https://faq.whatsapp.com) and",
        "  /contact/forms/<id> the contact form (https://www.whatsapp.com); map both origins.",
        "",
        "  modifiers, added to any scenario after a '+' (e.g. form-missing+straight+cookies-2026):",
    ]
    mod_width = max(len(name) for name in MODIFIERS)
    lines += [f"    +{name:<{mod_width}}  {text}" for name, text in MODIFIERS.items()]
    if captures_dir is not None:
        lines.append("")
        lines.extend(capture_lines(origin_for, captures_dir))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve, print one ``--map-origin`` line per scenario."""
    parser = argparse.ArgumentParser(
        prog="python -m optout.replica", description="Serve the local replica of Meta's pages."
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument(
        "--captures",
        type=Path,
        default=None,
        help=f"folder of real captures (default: ../shared/captures, else ${CAPTURES_ENV})",
    )
    args = parser.parse_args(argv)

    server = ReplicaServer(port=args.port, host=args.host, captures_dir=args.captures).start()
    print(f"optout replica serving on {server.url}  (Ctrl-C to stop)\n")
    lines = listing(server.origin_for, server.captures_dir)
    if server.captures_dir is None:
        lines += ["", *capture_lines(server.origin_for, None)]
    print("\n".join(lines))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
