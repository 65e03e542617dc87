// Our provider and an unmodified y-websocket WebsocketProvider edit one agreement through the relay at once.
// Usage: node standard_client.mjs <relay url> <origin> <our cookie> <their cookie> <document id> <item id> <keys>
// Prints one JSON line: {"ours": text, "theirs": text, "saved": our provider's saved}.
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { AgreementProvider } from '../../static/src/agreements/provider.js';

const [relayUrl, origin, ourCookie, theirCookie, docId, itemId, keys] = process.argv.slice(2);

// A WebSocket as a signed-in browser on our page opens it: with the session cookie and our Origin.
const socketWith = (cookie) =>
  class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { headers: { Cookie: cookie, Origin: origin } });
    }
  };

function agreementText(doc) {
  for (const section of doc.getMap('doc').get('sections') || []) {
    for (const item of section.get('items') || []) if (item.get('id') === itemId) return item.get('text');
  }
  return null;
}

const until = (check) =>
  new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const look = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(look, 20);
    };
    look();
  });

const ours = new Y.Doc();
const Ours = socketWith(ourCookie);
const ourProvider = new AgreementProvider(Number(docId), ours, { url: relayUrl, createSocket: (url) => new Ours(url) });
const theirs = new Y.Doc();
const theirProvider = new WebsocketProvider(`${relayUrl}/agreements`, docId, theirs, {
  WebSocketPolyfill: socketWith(theirCookie),
  disableBc: true,
});

await until(() => ourProvider.synced && theirProvider.synced && agreementText(ours) && agreementText(theirs));
for (let i = 0; i < Number(keys); i += 1) {
  agreementText(ours).insert(0, 'o');
  const text = agreementText(theirs);
  text.insert(text.length, 't');
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const expected = 2 * Number(keys);
await until(() => agreementText(ours).length === expected && agreementText(theirs).length === expected);
await until(() => ourProvider.saved);
process.stdout.write(
  `${JSON.stringify({ ours: agreementText(ours).toString(), theirs: agreementText(theirs).toString(), saved: ourProvider.saved })}\n`,
);
ourProvider.destroy();
theirProvider.destroy();
process.exit(0);
