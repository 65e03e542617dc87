// A real Yjs client for the tests: the browser provider on Node, typing into one agreement.
// Usage: node yjs_client.mjs <server url> <cookie> <document id> <item id> <operations> <seed>
// Prints JSON lines: {"ready": true} once synced, {"edited": true} once its edits are saved,
// then, after reading "done" on stdin, {"text": ..., "saved": ...} and exits.
import * as Y from 'yjs';
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';
import { createInterface } from 'node:readline';
import { AgreementProvider } from './socketio_provider.js';

const [url, cookie, docId, itemId, operations, seed] = process.argv.slice(2);

function random(state) {
  // mulberry32: a small seeded generator, so a failing run can be replayed
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function agreementText(doc, id) {
  for (const section of doc.getMap('doc').get('sections') || []) {
    for (const item of section.get('items') || []) {
      if (item.get('id') === id) return item.get('text');
    }
  }
  return null;
}

const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const once = (provider, event, wanted) =>
  new Promise((resolve) => {
    const handler = (value) => {
      if (value === wanted) {
        provider.off(event, handler);
        resolve();
      }
    };
    provider.on(event, handler);
  });
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once('line', resolve));

const socket = io(`${url}/agreements`, {
  transports: ['websocket'],
  parser: msgpackParser,
  extraHeaders: { Cookie: cookie, Origin: url },
});
const doc = new Y.Doc();
const provider = new AgreementProvider(Number(docId), doc, { socket });
provider.on('error', (error) => say({ error }));
provider.awareness.setLocalStateField('user', { name: 'Node', color: '#3a7' });

await once(provider, 'synced', true);
say({ ready: true });

const rand = random(Number(seed));
const letters = 'abcdefghij ';
for (let i = 0; i < Number(operations); i += 1) {
  const text = agreementText(doc, itemId);
  if (text.length > 0 && rand() < 0.3) {
    const at = Math.floor(rand() * text.length);
    text.delete(at, Math.min(1 + Math.floor(rand() * 3), text.length - at));
  } else {
    const at = rand() < 0.5 ? 0 : Math.floor(rand() * (text.length + 1));
    text.insert(at, letters[Math.floor(rand() * letters.length)]);
  }
  // let the partner's updates arrive between keystrokes
  await new Promise((resolve) => setImmediate(resolve));
}
if (!provider.saved) await once(provider, 'saved', true);
say({ edited: true });

await nextLine();
await provider.sync();
say({ text: agreementText(doc, itemId).toString(), saved: provider.saved });
provider.destroy();
socket.disconnect();
process.exit(0);
