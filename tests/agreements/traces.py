"""Replay recorded editing traces (../shared/traces, see its README) as Yjs updates."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Iterator, NamedTuple

from pycrdt import Doc, Text

# ../shared/traces beside the repository; TRACES_DIR overrides it (e.g. in a worktree elsewhere).
TRACES = Path(os.environ.get("TRACES_DIR") or Path(__file__).resolve().parents[2] / ".." / "shared" / "traces")


def load_trace(name: str) -> dict:
    """Return the parsed trace file ``name`` (e.g. "friendsforever.json.gz")."""
    with gzip.open(TRACES / name, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _apply_patches(text: Text, patches) -> None:
    for position, deleted, inserted in patches:
        if deleted:
            del text[position : position + deleted]
        if inserted:
            text.insert(position, inserted)


def recorded(doc: Doc) -> list[bytes]:
    """Return a list that collects every update doc emits from now on."""
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    return updates


def sequential_updates(trace: dict, text: Text) -> Iterator[bytes]:
    """Apply a sequential trace to ``text``, one transaction at a time, yielding each one's update."""
    doc = text.doc
    updates = recorded(doc)
    if trace.get("startContent"):
        text.insert(0, trace["startContent"])
        yield updates.pop()
    for txn in trace["txns"]:
        with doc.transaction():
            _apply_patches(text, txn["patches"])
        if updates:
            yield updates.pop()


def root_text(doc: Doc) -> Text:
    """Return the root-level text "t" of doc."""
    return doc.get("t", type=Text)


class Replayed(NamedTuple):
    """One transaction of a concurrent trace as an update, and how many transactions of each agent it builds on."""

    agent: int
    update: bytes
    builds_on: dict[int, int]


def concurrent_updates(trace: dict, start: bytes | None = None, text_of=root_text) -> list[Replayed]:
    """Replay a concurrent trace with one Doc per agent; return each transaction's update, in trace order.

    Every agent starts from the update ``start`` and edits the text ``text_of(doc)``.
    Each agent's Doc is brought to exactly the transaction's parent version before its patches
    are applied, by feeding it the other agents' updates it has not seen yet, in trace order.
    """
    txns = trace["txns"]
    agents = range(trace["numAgents"])
    # Yjs orders concurrent inserts at one place by client id; the recorded endContent has the lower
    # agent first, so each agent gets a fixed client id in that order.
    docs = {agent: Doc(client_id=agent + 1) for agent in agents}
    for doc in docs.values():
        if start:
            doc.apply_update(start)
    logs = {agent: recorded(docs[agent]) for agent in agents}
    by_agent: dict[int, list[int]] = {agent: [] for agent in agents}
    seen = {agent: {other: 0 for other in agents} for agent in agents}
    # latest[i][agent]: how many of agent's transactions are in transaction i's history (inclusive).
    latest: list[dict[int, int]] = []
    updates: list[bytes] = []
    replayed: list[Replayed] = []
    for index, txn in enumerate(txns):
        agent = txn["agent"]
        version = {other: 0 for other in agents}
        for parent in txn["parents"]:
            for other, count in latest[parent].items():
                version[other] = max(version[other], count)
        if version[agent] != len(by_agent[agent]):
            raise ValueError(f"transaction {index} does not build on its agent's previous edits")
        doc = docs[agent]
        for other in agents:
            if version[other] < seen[agent][other]:
                raise ValueError(f"transaction {index} forgets edits its agent has seen")
            for position in by_agent[other][seen[agent][other] : version[other]]:
                doc.apply_update(updates[position])
            seen[agent][other] = max(seen[agent][other], version[other])
        logs[agent].clear()
        with doc.transaction():
            _apply_patches(text_of(doc), txn["patches"])
        updates.append(logs[agent][0] if len(logs[agent]) == 1 else b"\x00\x00")
        parents = dict(version)
        by_agent[agent].append(index)
        version[agent] = len(by_agent[agent])
        seen[agent][agent] = version[agent]
        latest.append(version)
        replayed.append(Replayed(agent, updates[-1], parents))
    return replayed
