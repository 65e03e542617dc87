// Our provider and an unmodified y-websocket WebsocketProvider edit one agreement through the relay at once.
// Usage: node standard_client.mjs <relay url> <origin> <our cookie> <their cookie> <document id> <item id> <keys>
// Prints one JSON line: {"ours": text, "theirs": text, "saved": our provider's saved}.
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { AgreementProvider } from '../../static/src/agreements/provider.js';
import { agreementText, say, socketWith, until } from './node_helpers.mjs';

const [relayUrl, origin, ourCookie, theirCookie, docId, itemId, keys] = process.argv.slice(2);

const ours = new Y.Doc();
const Ours = socketWith(ourCookie, origin);
const ourProvider = new AgreementProvider(Number(docId), ours, { url: relayUrl, createSocket: (url) => new Ours(url) });
const theirs = new Y.Doc();
const theirProvider = new WebsocketProvider(`${relayUrl}/agreements`, docId, theirs, {
  WebSocketPolyfill: socketWith(theirCookie, origin),
  disableBc: true,
});
const ourText = () => agreementText(ours, itemId);
const theirText = () => agreementText(theirs, itemId);

await until(() => ourProvider.synced && theirProvider.synced && ourText() && theirText());
for (let i = 0; i < Number(keys); i += 1) {
  ourText().insert(0, 'o');
  theirText().insert(theirText().length, 't');
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const expected = 2 * Number(keys);
await until(() => ourText().length === expected && theirText().length === expected);
await until(() => ourProvider.saved);
say({ ours: ourText().toString(), theirs: theirText().toString(), saved: ourProvider.saved });
ourProvider.destroy();
theirProvider.destroy();
process.exit(0);
