"""A raw relay client for tests: the `websockets` client and a pycrdt document, speaking y-websocket's protocol."""
from __future__ import annotations

import threading
import time
from typing import Callable

from pycrdt import (Doc, YMessageType, YSyncMessageType, create_sync_message, create_update_message,
                    handle_sync_message, merge_updates)
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from relay import messages

TIMEOUT = 30  # seconds: the machine may be loaded


class RelayClient:
    """One connection to a document: it keeps a Doc in step, counts its updates, and records the relay's answers."""

    def __init__(self, url: str, document_id: int, cookie: str | None, origin: str | None, path: str | None = None,
                 doc: Doc | None = None):
        """Connect and sync; doc: a document to carry on with (e.g. what a device typed before a crash)."""
        headers = {"Cookie": cookie} if cookie else {}
        self.ws = connect(url + (path or f"/agreements/{document_id}"), origin=origin, additional_headers=headers,
                          open_timeout=TIMEOUT, max_size=None, compression=None, legacy=True)
        self.doc = doc if doc is not None else Doc()
        self.sent = 0  # step 2s and updates sent (the relay numbers them the same way)
        self.committed = 0
        self.refusals: list[tuple[int, str, str]] = []
        self.states = 0  # `states` messages: the agreements' signatures changed
        self.awareness: list[bytes] = []
        self.server_step1 = 0
        self.closed: ConnectionClosed | None = None
        self.changed = threading.Condition()
        self._lock = threading.Lock()
        self._remote = False
        self._unsent: list[bytes] = []
        self.doc.observe(self._local)
        threading.Thread(target=self._read, daemon=True).start()
        self.sync()  # as y-websocket's provider does on every connect

    def _local(self, event) -> None:
        if not self._remote:
            self._unsent.append(event.update)

    def _read(self) -> None:
        try:
            for data in self.ws:
                self._handle(data)
        except ConnectionClosed as closed:
            self.closed = closed
        else:
            self.closed = self.ws.protocol.close_exc
        with self.changed:
            self.changed.notify_all()

    def _handle(self, data: bytes) -> None:
        with self.changed:
            if data[0] == YMessageType.SYNC:
                if data[1] == YSyncMessageType.SYNC_STEP1:
                    self.server_step1 += 1
                with self._lock:
                    self._remote = True
                    try:
                        reply = handle_sync_message(data[1:], self.doc)
                    finally:
                        self._remote = False
                if reply is not None:
                    self.send(reply)
            elif data[0] == YMessageType.AWARENESS:
                self.awareness.append(data)
            elif data[0] == messages.COMMITTED:
                self.committed = messages.read_committed(data)
            elif data[0] == messages.REFUSED:
                self.refusals.append(messages.read_refused(data))
            elif data[0] == messages.STATES:
                self.states += 1
            self.changed.notify_all()

    def send(self, message: bytes) -> int:
        """Send one message; return its update index when it is a step 2 or an update (else 0)."""
        with self._lock:
            if message[0] == YMessageType.SYNC and message[1] != YSyncMessageType.SYNC_STEP1:
                self.sent += 1
                index = self.sent
            else:
                index = 0
            try:
                self.ws.send(message)
            except ConnectionClosed:  # the reader records how it closed
                pass
            return index

    def change(self, change: Callable[[Doc], None]) -> bytes:
        """Make a local change in one transaction; return it as one update (not sent)."""
        with self._lock, self.doc.transaction():
            change(self.doc)
        updates, self._unsent = self._unsent, []
        return updates[0] if len(updates) == 1 else merge_updates(*updates)

    def absorb(self, update: bytes) -> None:
        """Take changes made elsewhere (work done offline) into the document, without sending them."""
        with self._lock:
            self.doc.apply_update(update)

    def edit(self, change: Callable[[Doc], None]) -> int:
        """Make a local change in one transaction and send it as one update; return its index."""
        return self.send(create_update_message(self.change(change)))

    def sync(self) -> None:
        """Send sync step 1 (the relay answers with what we lack, and its own step 1)."""
        self.send(create_sync_message(self.doc))

    def wait(self, condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
        """Wait until condition() holds (or the connection closed); return whether it holds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition() and self.closed is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
            return condition()

    def wait_closed(self, timeout: float = TIMEOUT) -> ConnectionClosed | None:
        """Wait for the relay to close the connection; return how it closed (None if still open)."""
        self.wait(lambda: self.closed is not None, timeout)
        return self.closed

    def close(self) -> None:
        """Close the connection."""
        self.ws.close()
