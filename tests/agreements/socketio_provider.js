// The Socket.IO provider of the /agreements namespace (the channel the page used before the relay), kept for
// the suites that still drive that namespace with a real Yjs client: it speaks y-protocols (sync and awareness),
// one message per `yjs` event, and tells whether it is online, saved and synced.
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { ProviderEvents } from '../../static/src/agreements/provider.js';
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const RESYNC_INTERVAL_MS = 60_000;
// Refusals that pass with time: too much sent at once, or a full document until someone shortens it.
// The changes stay here; a sync this much later sends them again (once, not in a loop of retries).
const RETRY_AFTER_MS = { slow_down: 2_000, document_full: 15_000 };

// The msgpack parser sends a view's whole underlying buffer: always send a tight copy.
function tight(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

// True when state vector `have` holds everything of `want` (both Map<client, clock>).
function covers(have, want) {
  for (const [client, clock] of want) {
    if ((have.get(client) || 0) < clock) return false;
  }
  return true;
}

function asBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data && data.buffer instanceof ArrayBuffer) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/**
 * Keeps `doc` in sync with the server's copy of agreement document `docId`.
 * Events: 'status' ('online' | 'offline'), 'saved' (boolean), 'synced' (boolean),
 * 'error' ({code, message}).
 */
export class AgreementProvider extends ProviderEvents {
  constructor(docId, doc, { url = '/agreements', socket = null, awareness = null } = {}) {
    super();
    this.docId = docId;
    this.doc = doc;
    this.awareness = awareness || new awarenessProtocol.Awareness(doc);
    this.status = 'offline';
    this.joined = false;
    this.synced = false;
    this.unacknowledged = 0; // updates sent whose commit the server has not confirmed yet
    this.unsent = false; // local changes made while not joined; the next sync carries them
    this.ownsSocket = !socket;
    this.socket = socket || io(url, { transports: ['websocket'], parser: msgpackParser });

    this._onConnect = () => this._join();
    this._onDisconnect = () => this._left();
    this._onMessage = (id, data) => {
      if (id === this.docId) this._receive(data);
    };
    this._onDocUpdate = (update, origin) => {
      if (origin !== this) this._sendUpdate(update);
    };
    this._onAwarenessUpdate = ({ added, updated, removed }, origin) => {
      if (origin === this || !this.joined) return;
      this._sendAwareness(added.concat(updated, removed));
    };
    this._onUnload = () => {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'window unload');
    };

    this.socket.on('connect', this._onConnect);
    this.socket.on('disconnect', this._onDisconnect);
    this.socket.on('yjs', this._onMessage);
    this.doc.on('update', this._onDocUpdate);
    this.awareness.on('update', this._onAwarenessUpdate);
    if (typeof window !== 'undefined') window.addEventListener('pagehide', this._onUnload);
    this._resync = setInterval(() => this._sendSyncStep1(), RESYNC_INTERVAL_MS);
    if (this.socket.connected) this._join();
  }

  /** True when every local change has been committed on the server. */
  get saved() {
    return this.unacknowledged === 0 && !this.unsent;
  }

  _join() {
    this.socket.emit('join', { doc: this.docId }, (answer) => {
      if (!answer || !answer.ok) {
        this.emit('error', [answer ? answer.error : { code: 'no_answer', message: 'No answer from the server.' }]);
        return;
      }
      this.joined = true;
      this._setStatus('online');
      this._sendSyncStep1();
      if (this.awareness.getLocalState() !== null) this._sendAwareness([this.doc.clientID]);
    });
  }

  _left() {
    this.joined = false;
    // Acknowledgements still owed are lost with the connection; the next sync resends what is missing.
    if (this.unacknowledged > 0) this.unsent = true;
    this.unacknowledged = 0;
    const others = Array.from(this.awareness.getStates().keys()).filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    this._setSynced(false);
    this._setStatus('offline');
  }

  _send(bytes, onAck) {
    // An absent acknowledgement must not travel as an extra (null) argument.
    if (onAck) this.socket.emit('yjs', this.docId, tight(bytes), onAck);
    else this.socket.emit('yjs', this.docId, tight(bytes));
  }

  _sendSyncStep1(onAnswer = (answer) => this._answered(answer)) {
    if (!this.joined) return false;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this._send(encoding.toUint8Array(encoder), onAnswer);
    return true;
  }

  /** Ask the server for what we lack; resolves once its answer is applied (false when offline). */
  sync() {
    return new Promise((resolve) => {
      if (!this._sendSyncStep1((answer) => resolve(this._answered(answer)))) resolve(false);
    });
  }

  // A message that may carry changes: counted until the server says they are committed.
  _sendTracked(bytes, carriesUnsent) {
    const before = this.saved;
    this.unacknowledged += 1;
    if (carriesUnsent) this.unsent = false;
    const socket = this.socket;
    this._send(bytes, (answer) => {
      if (socket !== this.socket || !this.joined) return;
      const was = this.saved;
      this.unacknowledged = Math.max(0, this.unacknowledged - 1);
      if (!this._answered(answer)) this.unsent = true;
      this._savedChanged(was);
    });
    this._savedChanged(before);
  }

  _answered(answer) {
    if (answer && answer.ok) return true;
    const error = answer && answer.error ? answer.error : { code: 'no_answer', message: 'No answer from the server.' };
    this._retryLater(error.code);
    this.emit('error', [error]);
    return false;
  }

  _retryLater(code) {
    if (!RETRY_AFTER_MS[code] || this._retry) return;
    this._retry = setTimeout(() => {
      this._retry = null;
      this._sendSyncStep1();
    }, RETRY_AFTER_MS[code]);
  }

  _sendUpdate(update) {
    if (!this.joined) {
      const before = this.saved;
      this.unsent = true;
      this._savedChanged(before);
      return;
    }
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this._sendTracked(encoding.toUint8Array(encoder), false);
  }

  _sendAwareness(clients) {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    this._send(encoding.toUint8Array(encoder));
  }

  _receive(data) {
    const bytes = asBytes(data);
    if (bytes === null) return;
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_AWARENESS) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
      return;
    }
    if (type !== MESSAGE_SYNC) return;
    const syncType = decoding.readVarUint(decoder);
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      // The server asks for what it lacks: our reply carries every change made while offline.
      const serverState = decoding.readVarUint8Array(decoder);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep2(encoder, this.doc, serverState);
      const reply = encoding.toUint8Array(encoder);
      if (this.unsent || !covers(Y.decodeStateVector(serverState), Y.decodeStateVector(Y.encodeStateVector(this.doc)))) {
        this._sendTracked(reply, true);
      } else {
        this._send(reply); // nothing new for the server: "saved" stays as it is
      }
    } else if (syncType === syncProtocol.messageYjsSyncStep2) {
      syncProtocol.readSyncStep2(decoder, this.doc, this);
      this._setSynced(true);
    } else if (syncType === syncProtocol.messageYjsUpdate) {
      syncProtocol.readUpdate(decoder, this.doc, this);
    }
  }

  /** Stop syncing and release the socket listeners (the socket itself is closed if we made it). */
  destroy() {
    clearInterval(this._resync);
    clearTimeout(this._retry);
    this._onUnload();
    this.socket.off('connect', this._onConnect);
    this.socket.off('disconnect', this._onDisconnect);
    this.socket.off('yjs', this._onMessage);
    this.doc.off('update', this._onDocUpdate);
    this.awareness.off('update', this._onAwarenessUpdate);
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this._onUnload);
    if (this.ownsSocket) this.socket.disconnect();
    super.destroy();
  }
}

export { Y };
