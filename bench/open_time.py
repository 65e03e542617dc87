"""Time to open a document with 100,000 edits in its history: load it from the log and answer a sync step 1.

The history is the first 100,000 transactions of the automerge-paper trace, one log row each (written in
bulk, not timed). Opening is timed as a process that has never seen the document does it: a new room loads
the log and answers a new client's sync step 1. Then the log is compacted and opening is timed again.

Run from the repository root:  .venv/bin/python -m bench.open_time [--edits N] [--repeat R]
"""
from __future__ import annotations

import argparse
import statistics
import time

from bench.agreements_setup import bench_app, client_doc
from tests.agreements.traces import load_trace, sequential_updates


def time_open(document, repeat: int) -> tuple[float, float, int]:
    """Return (median ms, max ms, step 2 bytes) of opening the document `repeat` times."""
    from pycrdt import Doc

    from agreements import sync
    from agreements.rooms import Room

    step1 = sync.parse_message(sync.step1_message(Doc()))
    timings, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        room = Room(document.id, document.couple_id)
        with room.lock:
            size = len(room.answer_step1(step1))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import insert

    from agreements import store
    from agreements.models import DocumentUpdate
    from agreements.shape import find_item
    from couples import clock
    from extensions import db

    trace = load_trace("automerge-paper.json.gz")
    trace["txns"] = trace["txns"][: args.edits]
    with bench_app() as (app, document, user, item_id):
        writer = client_doc(document.id)
        rows = [
            {"document_id": document.id, "data": update, "user_id": user.id, "created_at": clock.now(),
             "is_snapshot": False}
            for update in sequential_updates(trace, find_item(writer, item_id)["text"])
        ]
        db.session.execute(insert(DocumentUpdate), rows)
        db.session.commit()
        print(f"log rows before compaction: {len(store.read_log(document.id))}")
        median, worst, size = time_open(document, args.repeat)
        print(f"open before compaction: median {median:.1f} ms, max {worst:.1f} ms (step 2: {size} bytes)")
        started = time.perf_counter()
        store.compact(document.id)
        print(f"compaction: {(time.perf_counter() - started) * 1000:.0f} ms, "
              f"log rows after: {len(store.read_log(document.id))}")
        median, worst, size = time_open(document, args.repeat)
        print(f"open after compaction:  median {median:.1f} ms, max {worst:.1f} ms (step 2: {size} bytes)")


if __name__ == "__main__":
    main()
