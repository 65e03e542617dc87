"""What the shape check costs per update, in a small document and in a full one (about 2 MiB).

Times ``sync.apply_update`` (which checks the shape) against a bare ``Doc.apply_update`` for a
keystroke, a new agreement and a move, each on its own copy of the document. Pure CRDT work: no
database, no sockets.

Run from the repository root:  .venv/bin/python -m bench.shape_cost [--repeat R]
"""
from __future__ import annotations

import argparse
import statistics
import time

from pycrdt import Doc, Map, Text

from agreements import shape, sync


def document(sections: int, items: int, chars: int) -> bytes:
    """An update holding a document of this many sections, agreements per section and characters each."""
    doc = Doc()
    root = shape.root_map(doc)
    with doc.transaction():
        root["title"] = Text("Our agreements")
        root["sections"] = shape.Array([shape.new_section(f"Section {n}") for n in range(sections)])
    for section in shape.sections(doc):
        with doc.transaction():
            section["items"].extend([shape.new_item("x" * chars) for _ in range(items)])
    return doc.get_update()


def edits(base: bytes) -> dict[str, bytes]:
    """One update of each kind a partner's page sends, made on a copy of the document."""
    made = {}
    for name, change in {
        "keystroke": lambda doc: shape.find_item(doc, _last_item(doc))["text"].insert(5, "a"),
        "new agreement": lambda doc: list(shape.sections(doc))[-1]["items"].append(shape.new_item("We rest.")),
        "move": lambda doc: _move_first(list(shape.sections(doc))[-1]["items"]),
    }.items():
        doc = shape.doc_from_update(base)
        state = doc.get_state()
        with doc.transaction():
            change(doc)
        made[name] = doc.get_update(state)
    return made


def _last_item(doc: Doc) -> str:
    return list(shape.items(list(shape.sections(doc))[-1]))[-1]["id"]


def _move_first(array) -> None:
    entry = array[0]
    copy = Map({"id": entry["id"], "text": Text(str(entry["text"]))})
    del array[0]
    array.insert(1, copy)


def time_apply(base: bytes, update: bytes, checked: bool, repeat: int) -> float:
    """Median milliseconds of applying update to a document already open (as a room holds it)."""
    timings = []
    for _ in range(repeat):
        doc = shape.doc_from_update(base)
        if checked:  # a room's document has taken a structural update before: it knows where its ids are
            sync.apply_update(doc, _warm_up(doc))
        started = time.perf_counter()
        if checked:
            sync.apply_update(doc, update)
        else:
            doc.apply_update(update)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _warm_up(doc: Doc) -> bytes:
    """A new agreement in the first section (not timed), so the document's ids are learnt once."""
    copy = shape.doc_from_update(doc.get_update())
    state = copy.get_state()
    next(shape.sections(copy))["items"].append(shape.new_item("First."))
    return copy.get_update(state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for label, size in (("small (6 x 3 x 100)", (6, 3, 100)), ("full (50 x 20 x 1,900)", (50, 20, 1900))):
        base = document(*size)
        print(f"{label}: {len(base) / 1024:.0f} KiB")
        for name, update in edits(base).items():
            bare = time_apply(base, update, False, args.repeat)
            checked = time_apply(base, update, True, args.repeat)
            print(f"  {name:14} bare {bare:.3f} ms, checked {checked:.3f} ms")


if __name__ == "__main__":
    main()
