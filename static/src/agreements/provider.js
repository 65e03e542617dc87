// A thin Yjs provider over one plain WebSocket to the relay (`<relay url>/agreements/<document id>`): it
// speaks y-websocket's protocol (sync and awareness messages), plus the relay's "committed" and "refused"
// answers, and tells the page whether it is online, whether every local change is saved on the server,
// and whether it has synced.
//
// Flow control: at most WINDOW updates wait for the relay's acknowledgement; what is typed meanwhile is
// merged (Y.mergeUpdates) and sent as one update when the window opens. After a refusal nothing more is
// sent until a sync round: our step 1, the relay's answer and its own step 1, to which our step 2 carries
// everything the server still lacks.
//
// Size: the relay reads at most the document's limit (2 MiB) and its framing in one message, and answers a
// larger one `document_full` before closing with 1009. Nothing larger is sent: such work could not fit in the
// document, so it is kept here (the page offers it for download) and refused at once, as the relay would. A
// close 1009 teaches the provider a lower limit (a relay configured with smaller documents).
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { Observable } from 'lib0/observable';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_COMMITTED = 20;
const MESSAGE_REFUSED = 21;
const MESSAGE_STATES = 22;
const WINDOW = 4;
const RESYNC_INTERVAL_MS = 60_000;
const RECONNECT_MS = [500, 1_000, 2_000, 5_000, 10_000];
const MESSAGE_TOO_BIG = 1009;
export const MAX_MESSAGE_BYTES = 2 * 1024 * 1024 + 64 * 1024; // the relay's default limit on one message
const TOO_MUCH =
  'This is more than one document can hold, so your latest words are not saved yet. They are still here on ' +
  'this device. Shortening the document (deleting always works) makes room again.';
// Refusals after which a sync round, this much later, sends what the relay lacks: too much at once, a change
// built on a refused one, a full document until someone shortens it, a busy database. After any other refusal
// (the change itself is wrong) nothing is sent again until the next connect or the minute's sync.
const RETRY_AFTER_MS = { slow_down: 2_000, unknown_base: 300, document_full: 15_000, not_saved: 2_000 };
// Closes after which connecting again cannot help until the page is reloaded, and what they mean.
const FINAL_CLOSES = {
  4401: 'signed_out',
  4403: 'forbidden',
  4404: 'not_found',
  4410: 'archived',
  4429: 'slow_down',
};

/** What every provider of ours tells the page: 'status', 'synced' and 'saved', each when it changes. */
export class ProviderEvents extends Observable {
  _setStatus(status) {
    if (this.status !== status) {
      this.status = status;
      this.emit('status', [status]);
    }
  }

  _setSynced(synced) {
    if (this.synced !== synced) {
      this.synced = synced;
      this.emit('synced', [synced]);
    }
  }

  _savedChanged(before) {
    if (before !== this.saved) this.emit('saved', [this.saved]);
  }
}

/**
 * Keeps `doc` in sync with the relay's copy of agreement document `docId`.
 * Events: 'status' ('online' | 'offline'), 'saved' (boolean), 'synced' (boolean), 'error' ({code, message}),
 * 'states' (the agreements' signatures changed).
 * `createSocket(url)` makes the WebSocket (a test on Node passes one that sends a cookie); `maxMessageBytes` is
 * the most the relay reads in one message.
 */
export class AgreementProvider extends ProviderEvents {
  constructor(docId, doc, options = {}) {
    const { url, awareness = null, maxMessageBytes = MAX_MESSAGE_BYTES } = options;
    const { createSocket = (address) => new WebSocket(address) } = options;
    super();
    this.docId = docId;
    this.doc = doc;
    this.url = `${url.replace(/\/$/, '')}/agreements/${docId}`;
    this.createSocket = createSocket;
    this.awareness = awareness || new awarenessProtocol.Awareness(doc);
    this.status = 'offline';
    this.synced = false;
    this.socket = null;
    this.sent = 0; // step 2s and updates sent on this connection (the relay numbers them alike)
    this.acknowledged = 0; // of those, answered by the relay
    this.queued = []; // local updates not sent yet
    this.unsent = false; // changes the relay may lack: the next sync round carries them
    this.paused = false; // after a refusal, until the sync round
    this.attempt = 0;
    this.finished = false;
    this.maxMessageBytes = maxMessageBytes;
    this.largestSent = 0; // the largest step 2 or update sent on this connection

    this._onDocUpdate = (update, origin) => {
      if (origin !== this) this._queue(update);
    };
    this._onAwarenessUpdate = ({ added, updated, removed }, origin) => {
      if (origin !== this) this._sendAwareness(added.concat(updated, removed));
    };
    this._onUnload = () => {
      awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'window unload');
    };
    // The browser knows before any keep-alive does: drop the connection when it goes offline, and try again
    // at once when it is back.
    this._onOffline = () => {
      const socket = this.socket;
      if (!socket) return;
      socket.onclose = null; // closing cannot complete while offline: the connection is gone now
      socket.close();
      this._closed({ code: 1006, reason: '' });
    };
    this._onOnline = () => {
      if (this.socket || this.finished) return;
      clearTimeout(this._reconnect);
      this._connect();
    };
    this.doc.on('update', this._onDocUpdate);
    this.awareness.on('update', this._onAwarenessUpdate);
    if (typeof window !== 'undefined') {
      window.addEventListener('pagehide', this._onUnload);
      window.addEventListener('offline', this._onOffline);
      window.addEventListener('online', this._onOnline);
    }
    this._resync = setInterval(() => this._sendSyncStep1(), RESYNC_INTERVAL_MS);
    this._connect();
  }

  /** True when every local change has been committed on the server. */
  get saved() {
    return this.acknowledged === this.sent && this.queued.length === 0 && !this.unsent;
  }

  get online() {
    return this.socket !== null && this.socket.readyState === 1;
  }

  _connect() {
    if (this.finished) return;
    const socket = this.createSocket(this.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.sent = 0;
      this.acknowledged = 0;
      this.largestSent = 0;
      this._setStatus('online');
      this._sendSyncStep1();
      if (this.awareness.getLocalState() !== null) this._sendAwareness([this.doc.clientID]);
    };
    socket.onmessage = (event) => {
      if (socket === this.socket) this._receive(new Uint8Array(event.data));
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this._closed(event);
    };
  }

  _closed(event) {
    const before = this.saved;
    // Too large for this relay: never send that much again (its answer, document_full, came before the close).
    if (event.code === MESSAGE_TOO_BIG && this.largestSent)
      this.maxMessageBytes = Math.min(this.maxMessageBytes, this.largestSent - 1);
    // Answers still owed are lost with the connection; the next sync round sends what is missing.
    if (this.acknowledged < this.sent || this.queued.length) this.unsent = true;
    this.queued = [];
    this.sent = 0;
    this.acknowledged = 0;
    this.paused = false;
    this.socket = null;
    const others = Array.from(this.awareness.getStates().keys()).filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    this._setSynced(false);
    this._setStatus('offline');
    this._savedChanged(before);
    const final = FINAL_CLOSES[event.code];
    if (final) {
      this.emit('error', [{ code: final, message: event.reason }]);
      return;
    }
    const wait = RECONNECT_MS[Math.min(this.attempt, RECONNECT_MS.length - 1)];
    this.attempt += 1;
    this._reconnect = setTimeout(() => this._connect(), wait);
  }

  _send(bytes) {
    if (this.online) this.socket.send(bytes);
  }

  _sendSyncStep1() {
    if (!this.online) return false;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this._send(encoding.toUint8Array(encoder));
    return true;
  }

  /** Ask the relay for what we lack (and let it ask for what it lacks). False when offline. */
  sync() {
    return this._sendSyncStep1();
  }

  // A step 2 or an update: numbered like the relay numbers it, counted until it is answered. One larger than
  // the relay reads is not sent but refused here, as the relay would refuse it.
  _sendCounted(bytes) {
    if (bytes.length > this.maxMessageBytes) {
      this._refused('document_full', TOO_MUCH);
      return;
    }
    this.sent += 1;
    this.largestSent = Math.max(this.largestSent, bytes.length);
    this._send(bytes);
  }

  _queue(update) {
    const before = this.saved;
    if (this.online && !this.paused) this.queued.push(update);
    else this.unsent = true; // offline or paused: the sync round carries it
    this._flush();
    this._savedChanged(before);
  }

  // Send what was typed, as one update, while the window has room.
  _flush() {
    if (!this.online || this.paused || !this.queued.length || this.sent - this.acknowledged >= WINDOW) return;
    const update = this.queued.length === 1 ? this.queued[0] : Y.mergeUpdates(this.queued);
    this.queued = [];
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    this._sendCounted(encoding.toUint8Array(encoder));
  }

  _refused(code, message) {
    // Nothing of it was kept: stop, and let a sync round send everything the relay lacks, once. A full
    // document is the exception: what is typed next still goes (deleting is how a person makes room).
    this.unsent = true;
    this.queued = [];
    this.emit('error', [{ code, message }]);
    if (this.paused) return;
    this.paused = code !== 'document_full';
    const wait = RETRY_AFTER_MS[code];
    clearTimeout(this._retry);
    if (wait) this._retry = setTimeout(() => this._sendSyncStep1(), wait);
  }

  _sendAwareness(clients) {
    if (!this.online) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients));
    this._send(encoding.toUint8Array(encoder));
  }

  _receive(bytes) {
    const before = this.saved;
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_SYNC) this._receiveSync(decoder);
    else if (type === MESSAGE_AWARENESS)
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    else if (type === MESSAGE_COMMITTED) this.acknowledged = Math.max(this.acknowledged, decoding.readVarUint(decoder));
    else if (type === MESSAGE_REFUSED) {
      this.acknowledged = Math.max(this.acknowledged, decoding.readVarUint(decoder));
      this._refused(decoding.readVarString(decoder), decoding.readVarString(decoder));
    } else if (type === MESSAGE_STATES) this.emit('states', []);
    this._flush();
    this._savedChanged(before);
  }

  _receiveSync(decoder) {
    const syncType = decoding.readVarUint(decoder);
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      // The relay asks for what it lacks: our reply carries every change it may not have, as one message.
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep2(encoder, this.doc, decoding.readVarUint8Array(decoder));
      this.queued = [];
      this.unsent = false;
      this.paused = false;
      clearTimeout(this._retry);
      this._sendCounted(encoding.toUint8Array(encoder));
    } else if (syncType === syncProtocol.messageYjsSyncStep2) {
      syncProtocol.readSyncStep2(decoder, this.doc, this);
      this._setSynced(true);
    } else if (syncType === syncProtocol.messageYjsUpdate) {
      syncProtocol.readUpdate(decoder, this.doc, this);
    }
  }

  /** Stop syncing and close the connection. */
  destroy() {
    this.finished = true;
    clearInterval(this._resync);
    clearTimeout(this._retry);
    clearTimeout(this._reconnect);
    this._onUnload();
    this.doc.off('update', this._onDocUpdate);
    this.awareness.off('update', this._onAwarenessUpdate);
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', this._onUnload);
      window.removeEventListener('offline', this._onOffline);
      window.removeEventListener('online', this._onOnline);
    }
    if (this.socket) this.socket.close();
    super.destroy();
  }
}

export { Y };
