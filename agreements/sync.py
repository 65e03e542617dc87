"""The y-protocols wire format, as y-websocket frames it, handled with pycrdt.

A message is one byte of type (0 = sync, 1 = awareness) and a length-prefixed payload; a sync
message has a second byte: step 1 (a state vector), step 2 or update (an update).
Nothing here touches the database or the network: rooms and events do that.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from pycrdt import (
    Decoder,
    Doc,
    Encoder,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_sync_message,
    create_update_message,
    get_state,
    get_update,
    handle_sync_message,
    merge_updates,
    read_message,
    write_message,
)

from agreements import shape
from couples.errors import Invalid

MAX_MESSAGE_BYTES = 256 * 1024
EMPTY_UPDATE = b"\x00\x00"

STEP1 = "step1"
STEP2 = "step2"
UPDATE = "update"
AWARENESS = "awareness"
_SYNC_KINDS = {
    YSyncMessageType.SYNC_STEP1: STEP1,
    YSyncMessageType.SYNC_STEP2: STEP2,
    YSyncMessageType.SYNC_UPDATE: UPDATE,
}

# What a partner's presence may carry: a display name and colour, and where their caret is.
AWARENESS_USER_KEYS = {"name", "color"}
# A colour is #rrggbb, the only form the page draws (safeColor in static/src/agreements/editor.js); any other is
# relayed as "" and the page draws its own.
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
AWARENESS_CURSOR_KEYS = {"item", "anchor", "head"}
MAX_AWARENESS_STATE_CHARS = 2048


class ProtocolError(Invalid):
    """A message the server refuses; nothing it carried reached the document."""

    code = "bad_message"
    # True when the document it was applied to may hold part of it and must be reloaded.
    spoils_document = False


class TooLarge(ProtocolError):
    """The message exceeds MAX_MESSAGE_BYTES."""

    code = "too_large"


class Malformed(ProtocolError):
    """The message or the update inside it does not decode."""

    code = "malformed"


class MissingHistory(ProtocolError):
    """The update builds on changes this document does not have (e.g. it belongs to another one).

    Found before the update is applied (a gap in one of its writers' changes): the document is untouched.
    """

    code = "unknown_base"


class DanglingHistory(MissingHistory):
    """Found only once applied (it refers to another writer's change the document lacks): part of it waits inside."""

    spoils_document = True


class InvalidShape(ProtocolError):
    """The update would leave the document in another shape than ``agreements/shape.py`` describes."""

    code = "invalid_shape"
    spoils_document = True  # it was applied to be checked: the document must be read again from the log

    def __init__(self, detail: str = ""):
        super().__init__(f"This change could not be saved. {detail} Reload the page to see what is saved.")
        self.detail = detail


class Broken(ProtocolError):
    """Applying the update failed inside the CRDT library."""

    code = "malformed"
    spoils_document = True


@dataclass(frozen=True)
class Message:
    """One decoded y-protocols message: its kind and its payload (state vector or update)."""

    kind: str
    payload: bytes


def parse_message(data, limit: int = MAX_MESSAGE_BYTES) -> Message:
    """Decode one framed message, refusing anything over limit bytes, truncated or with trailing bytes."""
    if not isinstance(data, (bytes, bytearray)):
        raise Malformed("A message must be binary.")
    data = bytes(data)
    if len(data) > limit:
        raise TooLarge("This change is too large to save at once.")
    if len(data) < 2:
        raise Malformed("The message is incomplete.")
    if data[0] == YMessageType.AWARENESS:
        kind, framed = AWARENESS, data[1:]
    elif data[0] == YMessageType.SYNC and data[1] in _SYNC_KINDS:
        kind, framed = _SYNC_KINDS[data[1]], data[2:]
    else:
        raise Malformed("Unknown message type.")
    try:
        payload = read_message(framed)
    except (AssertionError, IndexError, RuntimeError) as error:
        raise Malformed("The message is incomplete.") from error
    if write_message(payload) != framed:
        raise Malformed("The message length does not match its content.")
    return Message(kind, payload)


def _is_rust_panic(error: BaseException) -> bool:
    return type(error).__name__ == "PanicException"


def apply_update(doc: Doc, update: bytes) -> bytes | None:
    """Apply an update to doc; return what it changed as one update, or None if nothing changed.

    Raises a ProtocolError if the update does not decode, makes the library panic, builds on
    changes the document lacks, or would break the document's shape (``InvalidShape``); when that
    error's ``spoils_document`` is set, the caller must throw the Doc away and reload it from the log.
    An update whose writer skips changes the document lacks (typically one sent after a refused one)
    is refused before it is applied (``MissingHistory``, not spoiling): refusing it costs no reload.
    """
    if update == EMPTY_UPDATE:
        return None
    if skips_changes(doc, update):
        raise MissingHistory("This change builds on edits the document does not have.")
    with checked_changes(doc) as changes:
        try:
            doc.apply_update(update)
        except ValueError as error:
            raise Malformed("The change could not be read.") from error
        except BaseException as error:
            if isinstance(error, Exception) or _is_rust_panic(error):
                raise Broken("The change could not be applied.") from error
            raise
        # Whatever of the update is still not in the document waits on missing dependencies.
        if get_update(update, doc.get_state())[0] != 0:
            raise DanglingHistory("This change builds on edits the document does not have.")
    if not changes:
        return None
    return changes[0] if len(changes) == 1 else merge_updates(*changes)


def _state_as_update(state: bytes) -> bytes:
    """An update holding, for each writer of a state vector, one placeholder (GC) of its whole length."""
    decoder = Decoder(state)
    clocks = [(decoder.read_var_uint(), decoder.read_var_uint()) for _ in range(decoder.read_var_uint())]
    encoder = Encoder()
    written = [(client, clock) for client, clock in clocks if clock]
    encoder.write_var_uint(len(written))
    parts = [encoder.to_bytes()]
    for client, clock in written:  # 1 struct, its writer, from clock 0: a GC struct (info 0) of that length
        head, length = Encoder(), Encoder()
        for number in (1, client, 0):
            head.write_var_uint(number)
        length.write_var_uint(clock)
        parts += [head.to_bytes(), b"\x00", length.to_bytes()]
    return b"".join(parts) + b"\x00"  # no deletions


def skips_changes(doc: Doc, update: bytes) -> bool:
    """Whether some writer's changes in update start past what doc has of that writer (it would wait, pending).

    Read without applying it: what doc has, as placeholders, merged with the update, is contiguous up to some
    state; whatever of the update lies past that state cannot be integrated. The cost follows the update and
    the number of the document's writers, not its content. Raises Malformed if the update does not decode.
    """
    try:
        merged = merge_updates(_state_as_update(doc.get_state()), update)
        return get_update(update, get_state(merged))[0] != 0
    except ValueError as error:
        raise Malformed("The change could not be read.") from error
    except BaseException as error:
        if isinstance(error, Exception) or _is_rust_panic(error):
            raise Malformed("The change could not be read.") from error
        raise


@contextmanager
def checked_changes(doc: Doc) -> Iterator[list[bytes]]:
    """Collect the updates made to doc inside the block; then raise InvalidShape if they broke its shape.

    Every change of a document goes through here: clients' updates and the server's own edits.
    The observers live only for the block: a Doc that still has one is never freed (pycrdt 0.14).
    """
    updates: list[bytes] = []
    subscription = doc.observe(lambda event: updates.append(event.update))
    try:
        with shape.Watch(doc) as watch:
            yield updates
    finally:
        doc.unobserve(subscription)
    try:
        watch.check()
    except shape.ShapeError as error:
        raise InvalidShape(str(error)) from error


def answer_step1(doc: Doc, message: Message) -> bytes:
    """Return the sync step 2 reply (what the peer lacks) to a peer's step 1."""
    try:
        return handle_sync_message(bytes([YSyncMessageType.SYNC_STEP1]) + write_message(message.payload), doc)
    except ValueError as error:
        raise Malformed("The state could not be read.") from error
    except BaseException as error:
        if _is_rust_panic(error):
            raise Malformed("The state could not be read.") from error
        raise


def step1_message(doc: Doc) -> bytes:
    """Return a sync step 1 message carrying the document's state vector."""
    return create_sync_message(doc)


def update_message(update: bytes) -> bytes:
    """Return a sync update message carrying this update."""
    return create_update_message(update)


@dataclass(frozen=True)
class Presence:
    """One client's awareness entry: its Yjs client id, clock and state (None once it left)."""

    client_id: int
    clock: int
    state: dict | None


def _clean_presence_state(state) -> dict | None:
    if state is None:
        return None
    if not isinstance(state, dict) or not set(state) <= {"user", "cursor"}:
        raise Malformed("Presence may only carry a name, a colour and a caret.")
    user = state.get("user")
    if user is not None and (
        not isinstance(user, dict)
        or not set(user) <= AWARENESS_USER_KEYS
        or not all(isinstance(v, str) and len(v) <= 100 for v in user.values())
    ):
        raise Malformed("Presence may only carry a name, a colour and a caret.")
    cursor = state.get("cursor")
    if cursor is not None and (not isinstance(cursor, dict) or not set(cursor) <= AWARENESS_CURSOR_KEYS):
        raise Malformed("Presence may only carry a name, a colour and a caret.")
    return state


def parse_awareness(payload: bytes) -> list[Presence]:
    """Decode an awareness update, refusing entries that carry anything but name, colour and caret."""
    # Not pycrdt's Awareness: it keeps one document's states (and a timer task) and applies an update while it
    # decodes it, with no bound or check; the relay must refuse a bad entry before anything is kept or relayed.
    try:
        decoder = Decoder(payload)
        entries = []
        for _ in range(decoder.read_var_uint()):
            client_id, clock = decoder.read_var_uint(), decoder.read_var_uint()
            text = decoder.read_var_string()
            if len(text) > MAX_AWARENESS_STATE_CHARS:
                raise Malformed("Presence data is too large.")
            entries.append(Presence(client_id, clock, _clean_presence_state(json.loads(text))))
    except (IndexError, RuntimeError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Malformed("Presence data could not be read.") from error
    if decoder.length != 0:
        raise Malformed("Presence data has trailing bytes.")
    return entries


def awareness_message(entries: list[Presence]) -> bytes:
    """Return a framed awareness message carrying these entries."""
    encoder = Encoder()
    encoder.write_var_uint(len(entries))
    for entry in entries:
        encoder.write_var_uint(entry.client_id)
        encoder.write_var_uint(entry.clock)
        # ASCII-only JSON: pycrdt's Encoder prefixes a string with its length in characters.
        encoder.write_var_string(json.dumps(entry.state, separators=(",", ":"), ensure_ascii=True))
    return create_awareness_message(encoder.to_bytes())
