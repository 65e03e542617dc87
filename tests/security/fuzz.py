"""Payloads for fuzzing: junk of every shape for every Socket.IO event, and frames for the relay.

Structure comes from hypothesis strategies (generate phase only, derandomized): a pool of junk values (wrong
types, nested lists and maps, huge integers, unicode, bytes) and a pool of real y-protocols messages. A seeded
random.Random then combines them quickly and reproducibly: for the Socket.IO namespaces every known event,
plus unknown and reserved names, with zero to four arguments, some of them shaped like the real thing with one
field wrong; for the relay's WebSocket, mutated real messages, random bytes, text frames and junk.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from pycrdt import Doc, Map, Text, create_sync_message, create_update_message

from agreements import shape
from agreements.sync import Presence, awareness_message

# msgpack carries integers from -2**63 to 2**64 - 1: the edges are where decoders and databases break.
INTEGERS = st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.sampled_from(
    [0, -1, 1, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**64 - 1])
ATOMS = (st.none() | st.booleans() | INTEGERS | st.floats() | st.text(max_size=40)
         | st.binary(max_size=64) | st.sampled_from(["", "doc", "join", "\u202e", "\x00", "💥" * 10, "a" * 2000]))
JUNK = st.recursive(ATOMS, lambda inner: st.lists(inner, max_size=5)
                    | st.dictionaries(st.text(max_size=10) | st.sampled_from(["doc", "dialogue_id", "action",
                                                                              "index", "text"]), inner, max_size=5),
                    max_leaves=12)
EVENTS = {
    "/dialogue": ("act", "writing"),
    "/couple": (),
}
# Names no handler has, and the reserved ones: sent as events they must not reach connect or disconnect.
STRANGE_EVENTS = ("connect", "disconnect", "message", "error", "_sync", "sync", "", "on_join", "x" * 300)


def drawn(strategy, count: int) -> list:
    """`count` values of a strategy, generated (never shrunk) with a fixed seed."""
    values = []

    @settings(max_examples=count, phases=[Phase.generate], derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        values.append(value)

    collect()
    return values


def real_messages(doc_state: bytes, item_id: str) -> list[bytes]:
    """Real y-protocols messages about a document whose state is doc_state: sync steps, updates, awareness."""
    doc = Doc()
    doc.apply_update(doc_state)
    messages = [create_sync_message(doc), create_sync_message(Doc()), bytes([0, 1]) + _varbytes(doc.get_update())]
    before = doc.get_state()
    text = shape.find_item(doc, item_id)["text"]
    for n, words in enumerate(["We talk first. ", "Then we rest. ", "Sundays are ours. "]):
        state = doc.get_state()
        text.insert(0, words)
        messages.append(create_update_message(doc.get_update(state)))
        if n == 1:
            state = doc.get_state()
            del text[0:4]
            messages.append(create_update_message(doc.get_update(state)))
    state = doc.get_state()
    next(shape.sections(doc))["items"].append(Map({"id": "fuzz-item-000000000000", "text": Text("A new one.")}))
    messages.append(create_update_message(doc.get_update(state)))
    messages.append(create_update_message(doc.get_update(before)))  # everything at once
    other = Doc()
    other.get("stray", type=Text).insert(0, "not part of the shape")
    messages.append(create_update_message(other.get_update()))
    for state in ({"user": {"name": "Alice Moreau", "color": "#a0c"}, "cursor": None}, None,
                  {"user": {"name": "x", "color": "red"}, "cursor": {"anchor": "a", "head": "b"}}):
        messages.append(awareness_message([Presence(4711, 3, state)]))
    return messages


def _varuint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varbytes(data: bytes) -> bytes:
    return _varuint(len(data)) + data


def mutate(message: bytes, rng: random.Random) -> bytes:
    """One to three mutations of a message: bit flips, truncation, extension, splicing, varint overflows."""
    data = bytearray(message)
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(9)
        if kind == 0 and data:  # flip bits
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 1 and data:  # truncate
            del data[rng.randrange(len(data)):]
        elif kind == 2:  # extend with random bytes
            data += rng.randbytes(rng.randint(1, 32))
        elif kind == 3 and len(data) > 2:  # splice a slice of itself somewhere else
            a = rng.randrange(len(data))
            b = rng.randrange(a, len(data) + 1)
            at = rng.randrange(len(data))
            data[at:at] = data[a:b]
        elif kind == 4 and data:  # a varint that never ends, or overflows 64 bits
            at = rng.randrange(len(data))
            data[at:at] = bytes([0xFF] * rng.randint(9, 20)) + (b"\x01" if rng.random() < 0.5 else b"")
        elif kind == 5 and len(data) > 3:  # a length prefix far too large
            at = rng.randrange(2, len(data))
            data[at:at] = _varuint(rng.choice([2**31, 2**32 + 5, 2**63, len(data) * 1000]))
        elif kind == 6 and data:  # overwrite a byte with an edge value
            data[rng.randrange(len(data))] = rng.choice([0, 1, 0x7F, 0x80, 0xFF])
        elif kind == 7 and len(data) > 2:  # drop a byte in the middle
            del data[rng.randrange(1, len(data))]
        elif kind == 8:  # change the message type bytes
            data[:2] = bytes([rng.choice([0, 1, 2, 3, 0xFF]), rng.choice([0, 1, 2, 3, 0x80])])
    return bytes(data)


@dataclass
class Payload:
    """One Socket.IO event to send: its namespace, name and arguments."""

    namespace: str
    event: str
    args: tuple


class Payloads:
    """A reproducible stream of Socket.IO events aimed at one couple's objects (and at another couple's)."""

    def __init__(self, seed: int, junk: list, ids: dict):
        self.rng = random.Random(seed)
        self.junk = junk
        self.ids = ids  # doc, other_doc, dialogue, other_dialogue

    def _value(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(self.junk)
        if roll < 0.8:
            return rng.choice([self.ids["doc"], self.ids["other_doc"], self.ids["dialogue"],
                               self.ids["other_dialogue"], 0, -1, 2**63 - 1, True, 1.0, str(self.ids["doc"])])
        return rng.choice(["pause", "resume", "mirror", "later", "switch", "send", "", None])

    def _shaped(self):
        """A dict like the real one, with some fields junk."""
        rng = self.rng
        shaped = {"dialogue_id": rng.choice([self.ids["dialogue"], self.ids["other_dialogue"]]),
                  "action": rng.choice(["pause", "resume", "mirror", "send", "later"]),
                  "index": rng.randrange(0, 8), "text": rng.choice([None, "I hear you.", ""])}
        for key in list(shaped):
            if rng.random() < 0.4:
                shaped[key] = self._value()
        if rng.random() < 0.2:
            shaped[rng.choice(["extra", "__proto__", "doc"])] = self._value()
        return shaped

    def next(self) -> Payload:
        rng = self.rng
        namespace = rng.choice(["/dialogue", "/dialogue", "/dialogue", "/couple"])
        names = EVENTS[namespace]
        event = rng.choice(STRANGE_EVENTS) if not names or rng.random() < 0.08 else rng.choice(names)
        arity = rng.choice([0, 1, 1, 1, 2, 3, 4])
        args = tuple(self._shaped() if event in ("act", "writing") and rng.random() < 0.5
                     else self._value() for _ in range(arity))
        return Payload(namespace, event, args)


def relay_counts(frame) -> bool:
    """Whether the relay numbers this frame as an update (a step 2 or an update), and so answers it."""
    return isinstance(frame, bytes) and len(frame) > 1 and frame[0] == 0 and frame[1] in (1, 2)


class RelayFrames:
    """A reproducible stream of WebSocket frames for one relay connection to its own document.

    Mostly mutated real messages; also the real ones, random bytes, empty frames, text frames, the
    relay's own message types sent back to it, and junk values as text or bytes.
    """

    def __init__(self, seed: int, junk: list, messages: list[bytes]):
        self.rng = random.Random(seed)
        self.junk = junk
        self.messages = messages  # real messages about the connection's document

    def next(self) -> bytes | str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return mutate(rng.choice(self.messages), rng)
        if roll < 0.7:
            return rng.choice(self.messages)
        if roll < 0.8:
            return rng.randbytes(rng.randint(0, 200))
        if roll < 0.85:
            return rng.choice([b"", b"\x00", b"\x01", b"\x03", b"\x00\x00", b"\x14\x01", b"\x15\x01\x00\x00",
                               b"\x16", bytes([0xFF] * 12)])
        value = rng.choice(self.junk)
        if isinstance(value, bytes):
            return value
        return repr(value) if rng.random() < 0.5 else repr(value).encode()
