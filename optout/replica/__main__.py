"""``python -m optout.replica``: serve the replica until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from optout.replica import SCENARIOS, ReplicaServer


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
    width = max(len(name) for name in SCENARIOS)
    for name, description in SCENARIOS.items():
        print(f"  {name:<{width}}  {description}")
        print(f"  {'':<{width}}  --map-origin https://www.facebook.com={server.origin_for(name)}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
