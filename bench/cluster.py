"""Several app and relay processes sharing PostgreSQL and Redis, for a local try (`make run-cluster`) and tests.

Starts a throwaway PostgreSQL and Redis on loopback (Debian's packages, data in a temporary folder, gone
afterwards), runs the migrations, then `gunicorn -k gevent -w 1 'app:create_app()'` once per port with
DATABASE_URL and SOCKETIO_MESSAGE_QUEUE pointing at them, and `python -m relay` once per relay port. Every app
process is given every relay's address (RELAY_URL): a document's page names the relay of id modulo their
number, so both partners meet in one relay's room whichever app process served their page. Every relay lets in
the pages of every app process. Ctrl+C stops everything.

    python -m bench.cluster --ports 5001 5002 --relay-ports 5051 5052
"""
from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import cluster  # noqa: E402 - the tests' harness, shared (tests never import bench)

# `make run-cluster` is for trying the app by hand: real password hashing and rate limits, as `make run` has.
RUN_ENV = {"ARGON2_TIME_COST": "3", "ARGON2_MEMORY_KIB": str(64 * 1024), "RATELIMIT_ENABLED": "1",
           "QUICK_EXIT_URL": "https://www.wikipedia.org/", "SECRET_KEY": ""}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    """Start the cluster and wait for Ctrl+C (or SIGTERM)."""
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports", type=int, nargs="+", default=[5001, 5002], help="the app processes' ports")
    parser.add_argument("--relay-ports", type=int, nargs="+", default=[5051, 5052], help="the relays' ports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-cluster-") as workdir, \
            cluster(args.ports, Path(workdir), RUN_ENV, args.relay_ports) as (database_url, redis_url, servers,
                                                                               relays):
        print(f"PostgreSQL: {database_url}\nRedis:      {redis_url}")
        for server in servers:
            print(f"App:        {server.url}/   (log: {server.log_path})")
        for relay in relays:
            print(f"Relay:      {relay.url}   (log: {relay.log_path})")
        print("Open one app process in one browser and the other in another. Ctrl+C stops everything.", flush=True)
        try:
            servers[0].process.wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
