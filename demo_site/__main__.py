"""`python -m demo_site --port 8000`: serve the demo site for a look in a browser."""

from __future__ import annotations

import argparse
import contextlib
import threading

from demo_site.server import serve_demo_site


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo_site", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    args = parser.parse_args(argv)
    with serve_demo_site(args.host, args.port) as base_url:
        print(f"demo site at {base_url}/ (Ctrl-C stops it)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
