"""Replay the automerge-paper editing trace (~260k edits) into one agreement through the server's apply-and-persist path.

Each trace transaction becomes one update, made by a client-side pycrdt Doc beforehand (not timed); the timed
part hands every update to the document's room exactly as a socket handler does: catch up from the log,
validate and apply, commit to the update log (compacting as it grows). Finally the stored text must equal
the trace's endContent.

Run from the repository root:  .venv/bin/python -m bench.replay_trace [--limit N]
"""
from __future__ import annotations

import argparse
import time

from bench.agreements_setup import bench_app, client_doc
from tests.agreements.traces import load_trace, sequential_updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="replay only the first N transactions")
    args = parser.parse_args()

    from agreements import store
    from agreements.rooms import Room
    from agreements.shape import agreement_text, find_item

    trace = load_trace("automerge-paper.json.gz")
    if args.limit:
        trace["txns"] = trace["txns"][: args.limit]
    with bench_app() as (app, document, user, item_id):
        writer = client_doc(document.id)
        started = time.perf_counter()
        updates = list(sequential_updates(trace, find_item(writer, item_id)["text"]))
        prepared = time.perf_counter() - started
        expected = str(find_item(writer, item_id)["text"])

        room = Room(document.id, document.couple_id)
        started = time.perf_counter()
        for count, update in enumerate(updates, 1):
            with room.lock:
                room.receive(update, user.id)
            if count % 20_000 == 0:
                print(f"  {count} updates, {time.perf_counter() - started:.0f} s", flush=True)
        elapsed = time.perf_counter() - started

        stored, _, rows = store.load(document.id)
        text = agreement_text(stored, item_id)
        print(f"transactions replayed:   {len(updates)}")
        print(f"client-side preparation: {prepared:.1f} s (not part of the figure)")
        print(f"apply-and-persist total: {elapsed:.1f} s")
        print(f"updates per second:      {len(updates) / elapsed:.0f}")
        print(f"log rows at the end:     {rows} (compacted past {store.compact_after()})")
        if args.limit is None:
            ok = text == trace["endContent"]
        else:
            ok = text == expected
        print(f"final text correct:      {ok} ({len(text)} characters)")
        if not ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
