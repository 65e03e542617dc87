"""A pycrdt client speaking the agreements wire protocol, over any Socket.IO client."""
from __future__ import annotations

import threading
from typing import Callable

from pycrdt import Doc, Text, YMessageType, YSyncMessageType, create_sync_message, create_update_message, handle_sync_message

from agreements.shape import find_item

NAMESPACE = "/agreements"


class YClient:
    """A Yjs-compatible peer: keeps a Doc, sends its own updates, applies what the server sends.

    ``emit(event, *args)`` sends one event and returns its acknowledgement. Incoming `yjs`
    messages are handed to ``receive``. Set ``online`` to False to keep edits local (offline).
    """

    def __init__(self, emit: Callable[..., object]):
        self.emit = emit
        self.doc = Doc()
        self.lock = threading.RLock()
        self.document_id: int | None = None
        self.online = True
        self.unsent: list[bytes] = []
        self.acks: list[dict] = []
        self._remote = False
        self.doc.observe(self._local_update)

    def _local_update(self, event) -> None:
        if not self._remote:
            self.unsent.append(event.update)

    def join(self, document_id: int) -> dict:
        """Join the document's room and send sync step 1."""
        answer = self.emit("join", {"doc": document_id})
        if answer and answer.get("ok"):
            self.document_id = document_id
            self.send(create_sync_message(self.doc))
        return answer

    def send(self, message: bytes) -> dict:
        """Send one y-protocols message; return the server's acknowledgement."""
        answer = self.emit("yjs", self.document_id, message)
        self.acks.append(answer)
        return answer

    def receive(self, document_id: int, data: bytes) -> None:
        """Handle one `yjs` message from the server (replying to its step 1)."""
        if document_id != self.document_id or data[0] != YMessageType.SYNC:
            return
        with self.lock:
            self._remote = True
            try:
                reply = handle_sync_message(data[1:], self.doc)
            finally:
                self._remote = False
        if reply is not None:
            # The server asked what it lacks: everything unsent is in this reply.
            self.unsent.clear()
            self.reply(reply)

    def reply(self, message: bytes) -> None:
        """Answer the server from inside the receiving of a message."""
        self.send(message)

    def flush(self) -> list[dict]:
        """Send every local update not sent yet (one message each); return the acknowledgements."""
        answers = []
        while self.online and self.unsent:
            answers.append(self.send(create_update_message(self.unsent.pop(0))))
        return answers

    def text(self, item_id: str) -> Text:
        """The Y.Text of an agreement."""
        return find_item(self.doc, item_id)["text"]

    def edit(self, change: Callable[[], None]) -> list[dict]:
        """Make a local change in one transaction and send it (unless offline)."""
        with self.lock, self.doc.transaction():
            change()
        return self.flush()


def step1_of(doc: Doc) -> bytes:
    """A sync step 1 message for doc."""
    return create_sync_message(doc)


def is_update_message(data: bytes) -> bool:
    """True for a sync update or step 2 message."""
    return data[0] == YMessageType.SYNC and data[1] in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE)
