"""`python -m relay [--host H] [--port P]`: serve the agreements documents' live channel (RELAY_PORT by default)."""
import argparse
import logging

from app import create_app
from config import RELAY_CONNECTIONS, allow_open_files
from relay.server import run


def main() -> None:
    """Parse the arguments, build the app from the environment, and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m relay", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: RELAY_PORT (5050)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s relay %(levelname)s %(message)s")
    logging.getLogger("websockets").setLevel(logging.WARNING)  # not a line per connection
    opened = allow_open_files(RELAY_CONNECTIONS)  # each connection is an open file; often 1,024 by default
    if opened < RELAY_CONNECTIONS:
        logging.warning("relay: this process may open %d files, fewer than the %d connections it is meant to hold",
                        opened, RELAY_CONNECTIONS)
    app = create_app()
    port = args.port if args.port is not None else app.config["RELAY_PORT"]

    def ready(bound: int) -> None:
        print(f"relay listening on {args.host}:{bound}", flush=True)

    run(app, args.host, port, ready)


if __name__ == "__main__":
    main()
