"""``python -m optout.replica``: serve the replica until Ctrl-C."""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable

from optout.replica import SCENARIOS, ReplicaServer
from optout.replica.routing import BEHAVIOURS


def listing(origin_for: Callable[[str], str]) -> list[str]:
    """One description and ``--map-origin`` line per scenario, plus its per-page overrides."""
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
    return lines


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, serve, print one ``--map-origin`` line per scenario."""
    parser = argparse.ArgumentParser(
        prog="python -m optout.replica", description="Serve the local replica of Meta's pages."
    )
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    args = parser.parse_args(argv)

    server = ReplicaServer(port=args.port, host=args.host).start()
    print(f"optout replica serving on {server.url}  (Ctrl-C to stop)\n")
    print("\n".join(listing(server.origin_for)))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
