"""The relay's own messages, beside the y-protocols ones (0 sync, 1 awareness) that standard clients speak.

Both are lib0-encoded like every y-websocket message: a varuint type, then its fields. A standard
y-websocket client logs a type it does not know and carries on, so they cost it nothing.
"""
from __future__ import annotations

from pycrdt import Decoder, Encoder

COMMITTED = 20  # varuint n: this connection's updates 1..n are all answered, and every one not refused is saved
REFUSED = 21  # varuint n, varstring code, varstring message: update n was not taken, nothing of it kept
STATES = 22  # no fields: the agreements' signatures changed (read them again over HTTP)
QUERY_AWARENESS = 3  # a client asks for everyone's presence (y-websocket's messageQueryAwareness)


def _string(text: str) -> bytes:
    data = text.encode()
    encoder = Encoder()
    encoder.write_var_uint(len(data))  # lib0 prefixes a string with its length in bytes
    return encoder.to_bytes() + data


def _uints(*numbers: int) -> bytes:
    encoder = Encoder()
    for number in numbers:
        encoder.write_var_uint(number)
    return encoder.to_bytes()


def committed(index: int) -> bytes:
    """The acknowledgement of this connection's updates up to and including number `index`."""
    return _uints(COMMITTED, index)


def refused(index: int, code: str, message: str) -> bytes:
    """The answer to update number `index` that was not taken."""
    return _uints(REFUSED, index) + _string(code) + _string(message)


def states() -> bytes:
    """The news that the document's signatures changed."""
    return _uints(STATES)


def read_committed(data: bytes) -> int:
    """The index a committed message carries (for clients written in Python, e.g. the tests)."""
    decoder = Decoder(data)
    assert decoder.read_var_uint() == COMMITTED
    return decoder.read_var_uint()


def read_refused(data: bytes) -> tuple[int, str, str]:
    """(index, code, message) of a refused message."""
    decoder = Decoder(data)
    assert decoder.read_var_uint() == REFUSED
    index = decoder.read_var_uint()
    return index, decoder.read_var_string(), decoder.read_var_string()
