// Our provider types a burst of keystrokes at full speed into one agreement through the relay.
// Usage: node burst_client.mjs <relay url> <origin> <cookie> <document id> <item id> <keys>
// Prints one JSON line: {"text": the agreement's text once saved, "refusals": codes refused, "sent": messages}.
import * as Y from 'yjs';
import { AgreementProvider } from '../../static/src/agreements/provider.js';
import { agreementText, say, socketWith, until } from './node_helpers.mjs';

const [relayUrl, origin, cookie, docId, itemId, keys] = process.argv.slice(2);
const doc = new Y.Doc();
const Socket = socketWith(cookie, origin);
const provider = new AgreementProvider(Number(docId), doc, { url: relayUrl, createSocket: (url) => new Socket(url) });
const refusals = [];
provider.on('error', (error) => refusals.push(error.code));
let sent = 0;
const send = provider._sendCounted.bind(provider);
provider._sendCounted = (bytes) => {
  sent += 1;
  send(bytes);
};
const text = () => agreementText(doc, itemId);

await until(() => provider.synced && text());
for (let i = 0; i < Number(keys); i += 1) {
  // One keystroke, one transaction, as typing makes; every third a backspace, so the agreement stays within
  // the editor's 2,000 characters (the server refuses longer ones).
  if (i % 3 === 2) text().delete(text().length - 1, 1);
  else text().insert(text().length, 'abcdefghij'[i % 10]);
  if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the relay's answers in
}
await until(() => provider.saved);
say({ text: text().toString(), refusals, sent });
provider.destroy();
process.exit(0);
