// Load generator: couples of Yjs clients typing into their shared document through one server.
//
// Speaks three servers' wire protocols so that only the server differs:
//   ours        Socket.IO /agreements (msgpack parser, WebSocket), `join` then `yjs` (doc id, y-protocols message)
//   hocuspocus  plain WebSocket, each y-protocols message prefixed with the document name (Hocuspocus framing)
//   y-websocket plain WebSocket, one y-protocols message per frame, one URL per document
//   relay       our relay (python -m relay): y-websocket framing on /agreements/<id>, plus `committed` answers
//
// node bench/load.mjs type  <server> <url> <couples.json | N> <rate per client> <warmup s> <measure s>
// node bench/load.mjs relay <server> <url> <couples.json | 1> <inserts per client>
// Prints one JSON line with the figures.
import { readFileSync } from 'node:fs';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';
import WebSocket from 'ws';

const [mode, server, url, couplesArg, ...rest] = process.argv.slice(2);
const REMOTE = 'remote';
const now = () => performance.now();

// Where each update was sent, by its first struct id (client:clock), to time its arrival at the partner.
const sentAt = new Map();
const latencies = [];
const ackTimes = [];
let errors = 0;
let acked = 0;
let received = 0;
let measuring = false;

function keyOf(update) {
  const { from } = Y.parseUpdateMeta(update);
  const keys = [];
  from.forEach((clock, client) => keys.push([client, `${client}:${clock}`]));
  return keys;
}

// The Y.Text each client types into: an agreement's text in ours (set up by bench/setup.py), a root text elsewhere.
const OUR_DOCUMENTS = new Set(['ours', 'relay']); // couples set up by bench/setup.py, with cookies

function textOf(doc) {
  if (!OUR_DOCUMENTS.has(server)) return doc.getText('text');
  const sections = doc.getMap('doc').get('sections');
  return sections && sections.length ? sections.get(0).get('items').get(0).get('text') : null;
}

class Client {
  constructor(document, cookie) {
    this.document = document;
    this.cookie = cookie;
    this.doc = new Y.Doc();
    this.synced = false;
    this.pendingAcks = 0;
    this.doc.on('update', (update, origin) => {
      if (origin === REMOTE) return;
      if (measuring) for (const [, key] of keyOf(update)) sentAt.set(key, now());
      this.sendUpdate(update);
    });
  }

  received(update) {
    received += 1;
    if (measuring) {
      const at = now();
      for (const [client, key] of keyOf(update)) {
        if (client === this.doc.clientID) continue;
        const sent = sentAt.get(key);
        if (sent !== undefined) {
          latencies.push(at - sent);
          sentAt.delete(key);
        }
      }
    }
    Y.applyUpdate(this.doc, update, REMOTE);
  }

  // Read one y-protocols sync message (without its type byte) and return the reply to send, if any.
  handleSync(decoder, prefix) {
    const reply = encoding.createEncoder();
    prefix(reply);
    const before = encoding.length(reply);
    const type = decoding.readVarUint(decoder);
    if (type === syncProtocol.messageYjsSyncStep1) {
      syncProtocol.readSyncStep1(decoder, reply, this.doc);
    } else {
      this.received(decoding.readVarUint8Array(decoder));
      if (type === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true;
        this.onSynced?.();
      }
    }
    return encoding.length(reply) > before ? encoding.toUint8Array(reply) : null;
  }

  ready() {
    return new Promise((resolve, reject) => {
      this.onSynced = resolve;
      this.onFailed = reject;
      this.open();
    });
  }
}

class OursClient extends Client {
  open() {
    this.socket = io(`${url}/agreements`, {
      transports: ['websocket'], parser: msgpackParser, reconnection: false,
      extraHeaders: { Cookie: this.cookie, Origin: url },
    });
    this.socket.on('connect_error', (error) => this.onFailed(error));
    this.socket.on('error', () => { errors += 1; });
    this.socket.on('yjs', (id, data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) !== 0) return;
      const reply = this.handleSync(decoder, (e) => encoding.writeVarUint(e, 0));
      if (reply) this.emit(reply);
    });
    this.socket.on('connect', () => {
      this.socket.emit('join', { doc: this.document }, (answer) => {
        if (!answer.ok) return this.onFailed(new Error(JSON.stringify(answer)));
        const step1 = encoding.createEncoder();
        encoding.writeVarUint(step1, 0);
        syncProtocol.writeSyncStep1(step1, this.doc);
        this.emit(encoding.toUint8Array(step1));
      });
    });
  }

  emit(message) {
    this.pendingAcks += 1;
    this.socket.emit('yjs', this.document, message, (answer) => {
      this.pendingAcks -= 1;
      if (answer && answer.ok) acked += 1;
      else errors += 1;
    });
  }

  sendUpdate(update) {
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 0);
    syncProtocol.writeUpdate(message, update);
    this.emit(encoding.toUint8Array(message));
  }

  close() { this.socket.disconnect(); }
}

// Hocuspocus: every message starts with the document name; the first one must authenticate.
class HocuspocusClient extends Client {
  prefix(type) {
    return (e) => { encoding.writeVarString(e, this.document); encoding.writeVarUint(e, type); };
  }

  open() {
    this.ws = new WebSocket(url);
    this.ws.binaryType = 'arraybuffer';
    this.ws.on('error', (error) => this.onFailed(error));
    this.ws.on('open', () => {
      const auth = encoding.createEncoder();
      this.prefix(2)(auth);
      encoding.writeVarUint(auth, 0);
      encoding.writeVarString(auth, '');
      this.ws.send(encoding.toUint8Array(auth));
      const step1 = encoding.createEncoder();
      this.prefix(0)(step1);
      syncProtocol.writeSyncStep1(step1, this.doc);
      this.ws.send(encoding.toUint8Array(step1));
    });
    this.ws.on('message', (data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      decoding.readVarString(decoder);
      const type = decoding.readVarUint(decoder);
      if (type === 0 || type === 4) {
        const reply = this.handleSync(decoder, this.prefix(0));
        if (reply) this.ws.send(reply);
      } else if (type === 8) {
        this.pendingAcks -= 1;
        if (decoding.readVarUint(decoder)) acked += 1; else errors += 1;
      }
    });
  }

  sendUpdate(update) {
    const message = encoding.createEncoder();
    this.prefix(0)(message);
    syncProtocol.writeUpdate(message, update);
    this.pendingAcks += 1;
    this.ws.send(encoding.toUint8Array(message));
  }

  close() { this.ws.close(); }
}

// y-websocket: one document per URL path, bare y-protocols messages, no acknowledgement.
class YWebsocketClient extends Client {
  // Open the WebSocket; send sync step 1 once it is open.
  openSocket(address, options) {
    this.ws = new WebSocket(address, options);
    this.ws.binaryType = 'arraybuffer';
    this.ws.on('error', (error) => this.onFailed(error));
    this.ws.on('open', () => {
      const step1 = encoding.createEncoder();
      encoding.writeVarUint(step1, 0);
      syncProtocol.writeSyncStep1(step1, this.doc);
      this.ws.send(encoding.toUint8Array(step1));
    });
  }

  open() {
    this.openSocket(`${url}/${this.document}`);
    this.ws.on('message', (data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) !== 0) return;
      const reply = this.handleSync(decoder, (e) => encoding.writeVarUint(e, 0));
      if (reply) this.ws.send(reply);
    });
  }

  sendUpdate(update) {
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 0);
    syncProtocol.writeUpdate(message, update);
    this.ws.send(encoding.toUint8Array(message));
  }

  close() { this.ws.close(); }
}

// The relay: y-websocket's framing with the session cookie and our Origin; `committed` (20, n) answers this
// connection's step 2s and updates up to n, `refused` (21, n, …) answers number n.
class RelayClient extends YWebsocketClient {
  open() {
    this.counted = 0;
    this.answered = 0;
    this.openSocket(`${url}/agreements/${this.document}`, {
      headers: { Cookie: this.cookie, Origin: process.env.RELAY_ORIGIN || 'http://127.0.0.1' },
    });
    this.ws.on('message', (data) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      const type = decoding.readVarUint(decoder);
      if (type === 0) {
        const reply = this.handleSync(decoder, (e) => encoding.writeVarUint(e, 0));
        if (reply) this.sendCounted(reply);
      } else if (type === 20 || type === 21) {
        const n = decoding.readVarUint(decoder);
        const refused = type === 21 ? 1 : 0;
        acked += n - this.answered - refused;
        errors += refused;
        this.pendingAcks -= n - this.answered;
        this.answered = n;
      }
    });
  }

  sendCounted(message) {
    this.counted += 1;
    this.pendingAcks += 1;
    this.ws.send(message);
  }

  sendUpdate(update) {
    const message = encoding.createEncoder();
    encoding.writeVarUint(message, 0);
    syncProtocol.writeUpdate(message, update);
    this.sendCounted(encoding.toUint8Array(message));
  }
}

const CLIENTS = { ours: OursClient, relay: RelayClient, hocuspocus: HocuspocusClient, 'y-websocket': YWebsocketClient };

function couples() {
  if (OUR_DOCUMENTS.has(server)) return JSON.parse(readFileSync(couplesArg, 'utf8'));
  const tag = `${Date.now().toString(36)}-${process.pid}`;
  return Array.from({ length: Number(couplesArg) }, (_, i) => ({ doc: `bench-${tag}-${i}`, cookies: ['', ''] }));
}

async function connect(list) {
  const clients = [];
  const started = now();
  // Connect in small batches, as people arrive, rather than all in one instant.
  for (let i = 0; i < list.length; i += 25) {
    const batch = list.slice(i, i + 25).flatMap((c) => c.cookies.map((cookie) => new CLIENTS[server](c.doc, cookie)));
    await Promise.all(batch.map((client) => client.ready()));
    clients.push(...batch);
  }
  for (const client of clients) {
    if (!textOf(client.doc)) throw new Error(`document ${client.document} has no agreement to type into`);
  }
  return { clients, seconds: (now() - started) / 1000 };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const letters = 'abcdefghijklmnopqrstuvwxyz ';

function typeOne(client) {
  const text = textOf(client.doc);
  text.insert(Math.floor(Math.random() * (text.length + 1)), letters[Math.floor(Math.random() * letters.length)]);
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function cpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

async function typing(rate, warmup, measure) {
  const list = couples();
  const { clients, seconds: connectSeconds } = await connect(list);
  const timers = clients.map((client) => setTimeout(() => {
    typeOne(client);
    client.timer = setInterval(() => typeOne(client), 1000 / rate);
  }, Math.random() * (1000 / rate)));
  await sleep(warmup * 1000);
  const startAcked = acked;
  const startReceived = received;
  const startCpu = cpuSeconds();
  measuring = true;
  const started = now();
  await sleep(measure * 1000);
  measuring = false;
  const elapsed = (now() - started) / 1000;
  const loadCpu = cpuSeconds() - startCpu;
  const ackedInWindow = acked - startAcked;
  const receivedInWindow = received - startReceived;
  for (const client of clients) { clearTimeout(timers.shift()); clearInterval(client.timer); }
  await sleep(1000); // let the last updates of the window arrive
  const lost = sentAt.size;
  latencies.sort((a, b) => a - b);
  const result = {
    server, couples: list.length, clients: clients.length, rate, connect_s: round(connectSeconds),
    window_s: round(elapsed), updates_sent_per_s: round((latencies.length + lost) / elapsed),
    acked_per_s: server === 'y-websocket' ? null : round(ackedInWindow / elapsed),
    received_per_s: round(receivedInWindow / elapsed),
    p50_ms: round(percentile(latencies, 50)), p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)), max_ms: round(latencies[latencies.length - 1] ?? null),
    not_arrived: lost, errors, load_generator_cpu: round(loadCpu / elapsed),
  };
  clients.forEach((client) => client.close());
  return result;
}

// Two clients insert n characters each, concurrently, as fast as the event loop lets them; time until both
// hold all 2n (and, where the server acknowledges, every insert is acknowledged).
async function relay(n) {
  const list = couples().slice(0, 1);
  const { clients } = await connect(list);
  const [a, b] = clients;
  const base = textOf(a.doc).length;
  const started = now();
  const typist = async (client) => {
    for (let i = 0; i < n; i += 1) {
      typeOne(client);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all([typist(a), typist(b)]);
  const done = () => clients.every((c) => textOf(c.doc).length === base + 2 * n && c.pendingAcks <= 0);
  const deadline = started + Number(process.env.RELAY_TIMEOUT_S || 120) * 1000;
  while (!done() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
  const seconds = (now() - started) / 1000;
  const same = textOf(a.doc).toString() === textOf(b.doc).toString();
  clients.forEach((client) => client.close());
  const state = clients.map((c) => ({ length: textOf(c.doc).length - base, unacknowledged: c.pendingAcks }));
  return { server, inserts: 2 * n, seconds: round(seconds, 3), converged: same && done(), acked, errors, state };
}

function round(value, digits = 1) {
  return value === null || value === undefined ? null : Number(value.toFixed(digits));
}

const result = mode === 'relay' ? await relay(Number(rest[0])) : await typing(...rest.map(Number));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
