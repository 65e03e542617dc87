// One partner's bursts through our provider: `keys` keystrokes at full speed, saved, then cleared, again and
// again for `seconds` seconds (bench/flood.py measures the other couples meanwhile).
// Usage: node bench/burst.mjs <relay url> <origin> <cookie> <document id> <keys> <seconds>
// Prints one JSON line: {"bursts", "keys", "seconds_to_save": [...], "exact": every burst saved as typed,
// "refusals": {code: count}, "messages": step 2s and updates sent}.
import * as Y from 'yjs';
import { AgreementProvider } from '../static/src/agreements/provider.js';
import { say, socketWith, until } from '../tests/relay/node_helpers.mjs';

const [relayUrl, origin, cookie, docId, keys, seconds] = process.argv.slice(2);
const doc = new Y.Doc();
const Socket = socketWith(cookie, origin);
const provider = new AgreementProvider(Number(docId), doc, { url: relayUrl, createSocket: (url) => new Socket(url) });
const refusals = {};
provider.on('error', (error) => {
  refusals[error.code] = (refusals[error.code] || 0) + 1;
});
let messages = 0;
const send = provider._sendCounted.bind(provider);
provider._sendCounted = (bytes) => {
  messages += 1;
  send(bytes);
};
const text = () => doc.getMap('doc').get('sections')?.get(0)?.get('items')?.get(0)?.get('text');

await until(() => provider.synced && text());
const deadline = performance.now() + Number(seconds) * 1000;
const times = [];
let exact = true;
while (performance.now() < deadline) {
  const started = performance.now();
  let typed = '';
  for (let i = 0; i < Number(keys); i += 1) {
    // As tests/relay/burst_client.mjs types: every third keystroke a backspace, within the 2,000 characters.
    if (i % 3 === 2) {
      text().delete(text().length - 1, 1);
      typed = typed.slice(0, -1);
    } else {
      text().insert(text().length, 'abcdefghij'[i % 10]);
      typed += 'abcdefghij'[i % 10];
    }
    if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => provider.saved);
  times.push(Number(((performance.now() - started) / 1000).toFixed(3)));
  exact = exact && text().toString() === typed;
  text().delete(0, text().length);
  await until(() => provider.saved);
}
say({ bursts: times.length, keys: Number(keys), seconds_to_save: times, exact, refusals, messages });
provider.destroy();
process.exit(0);
