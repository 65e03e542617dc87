"""A message too large to read still gets its answer before its connection closes.

websockets closes a connection with 1009 as soon as a frame's header announces more than the relay
reads for one message (the document limit and its framing), without reading those bytes: memory per
connection stays bounded however large a message is. Just before that close, the relay sends the answer
the message would have had, `21 n document_full` (it could not fit in any document), n being the number
the relay gives it: the connection counts the step 2s and updates as their frames arrive, as the relay
numbers them. A message whose first frame is already too large is taken for an update (its first bytes
are never read); one that grows too large over several frames is answered only if it began as one.
"""
from __future__ import annotations

import logging

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode, Frame, Opcode
from websockets.protocol import OPEN

from agreements.limits import DocumentFull
from relay import messages

log = logging.getLogger(__name__)


def numbered(data) -> bool:
    """Whether a binary message (or its first frame) is a step 2 or an update: the relay numbers those."""
    return len(data) > 1 and data[0] == 0 and data[1] in (1, 2)


class AnsweringConnection(ServerConnection):
    """A server connection that answers a message too large to read before closing with 1009."""

    def __init__(self, protocol, *args, **kwargs):
        super().__init__(protocol, *args, **kwargs)
        self.numbered = 0  # step 2s and updates whose first frame arrived
        self.last_numbered = False  # whether the message under way (or the last one) is one of them
        receive_frame, fail = protocol.recv_frame, protocol.fail

        def counting(frame: Frame) -> None:
            if frame.opcode in (Opcode.BINARY, Opcode.TEXT):  # a message's first frame
                self.last_numbered = frame.opcode is Opcode.BINARY and numbered(frame.data)
                self.numbered += self.last_numbered
            receive_frame(frame)

        def failing(code: int, reason: str = "") -> None:
            if code == CloseCode.MESSAGE_TOO_BIG and protocol.state is OPEN:
                self._answer_too_large(protocol)
            fail(code, reason)

        protocol.recv_frame, protocol.fail = counting, failing

    def _answer_too_large(self, protocol) -> None:
        if protocol.current_size is None:  # its first frame: never read, so taken for an update
            index = self.numbered + 1
        elif self.last_numbered:  # its first frames came, the next would pass the limit
            index = self.numbered
        else:
            return
        error = DocumentFull()
        log.info("relay: a message too large to read (number %d) is answered %s", index, error.code)
        try:
            protocol.send_binary(messages.refused(index, error.code, str(error)))
        except Exception:  # noqa: BLE001 - a message of ours is under way in parts: the close says enough
            log.info("relay: could not answer the message too large to read")
