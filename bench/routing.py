"""How late a partner sees an update with two relays: both partners on the document's own relay (routed by id,
as the pages do), or each on a different relay (they then meet through the document's log).

Starts the cluster of bench/cluster.py (two app processes, two relays, PostgreSQL, Redis), links a couple per
case, and has one partner type an update every --every seconds while the other, on a page of the other app
process, waits to see it; prints the partner's latency (p50, p99, max) per case.

    python -m bench.routing --updates 200
"""
from __future__ import annotations

import argparse
from pathlib import Path
import statistics
import sys
import tempfile
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agreements.shape import new_id, new_item, sections  # noqa: E402
from tests.people import signed_in  # noqa: E402
from tests.relay.test_relay import type_into  # noqa: E402
from tests.scale.conftest import CLUSTER_ENV, Partner, new_scale_couple  # noqa: E402
from tests.services import cluster  # noqa: E402


def latencies(setup_app, apps: list[str], relays: list[str] | None, updates: int, every: float) -> list[float]:
    """Seconds from each update sent by one partner to its arrival at the other (relays: each one's, else routed)."""
    couple = new_scale_couple(setup_app)
    alice = Partner(signed_in(couple.alice, url=apps[0]), couple.document_id, relays and relays[0])
    bob = Partner(signed_in(couple.bob, url=apps[1]), couple.document_id, relays and relays[1])
    try:
        item_id = new_id()
        index = alice.edit(lambda doc: next(sections(doc))["items"].append(new_item("", item_id)))
        assert alice.answer(index) == "ok" and bob.shows(item_id, "")
        seen = []
        for n in range(updates):
            sent = time.monotonic()
            alice.edit(type_into(item_id, "a", n))
            arrived = bob.shows(item_id, "a" * (n + 1), timeout=10)
            assert arrived is not None, f"update {n} did not arrive"
            seen.append(arrived - sent)
            time.sleep(every)
        return seen
    finally:
        alice.close()
        bob.close()


def summary(seen: list[float]) -> str:
    ms = sorted(1000 * s for s in seen)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):6.1f} ms   p99 {p99:6.1f} ms   max {ms[-1]:6.1f} ms   ({len(ms)} updates)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--every", type=float, default=0.05, help="seconds between one partner's updates")
    args = parser.parse_args()
    from app import create_app

    with tempfile.TemporaryDirectory(prefix="cg-routing-") as workdir, \
            cluster([None, None], Path(workdir), CLUSTER_ENV) as (database_url, _, servers, relays):
        setup_app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
        apps, relay_urls = [s.url for s in servers], [r.url for r in relays]
        print(f"routed by id (one relay):      {summary(latencies(setup_app, apps, None, args.updates, args.every))}")
        print(f"one partner on each relay:     "
              f"{summary(latencies(setup_app, apps, relay_urls, args.updates, args.every))}", flush=True)


if __name__ == "__main__":
    main()
