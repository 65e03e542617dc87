// Our provider comes back with offline work: it types `chars` characters into one agreement while offline,
// then connects again and waits `seconds` seconds.
// Usage: node offline_client.mjs <relay url> <origin> <cookie> <document id> <item id> <chars> <seconds>
// Prints one JSON line: {"connections": sockets opened, "errors": codes the page was told, "saved": provider.saved,
// "largest": bytes of the largest message sent}.
import * as Y from 'yjs';
import { AgreementProvider } from '../../static/src/agreements/provider.js';
import { agreementText, say, socketWith, until } from './node_helpers.mjs';

const [relayUrl, origin, cookie, docId, itemId, chars, seconds] = process.argv.slice(2);
const doc = new Y.Doc();
const Socket = socketWith(cookie, origin);
let connections = 0;
let largest = 0;
const createSocket = (url) => {
  connections += 1;
  const socket = new Socket(url);
  const send = socket.send.bind(socket);
  socket.send = (bytes) => {
    largest = Math.max(largest, bytes.length);
    send(bytes);
  };
  return socket;
};
const options = { url: relayUrl, createSocket };
const first = new AgreementProvider(Number(docId), doc, options);
await until(() => first.synced && agreementText(doc, itemId));
first.destroy();
connections = 0;
largest = 0;
// Offline: typed in pieces of 100 characters, as a person would over a long time.
const text = agreementText(doc, itemId);
const piece = 'offline words, kept on this device. '.repeat(3).slice(0, 100);
for (let i = 0; i < Number(chars) / 100; i += 1) text.insert(text.length, piece);
const errors = [];
const again = new AgreementProvider(Number(docId), doc, options);
again.on('error', (error) => errors.push(error.code));
await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
say({ connections, errors, saved: again.saved, largest });
again.destroy();
process.exit(0);
