// What the Node clients of the relay tests share: a signed-in WebSocket, an agreement's text, waiting.
import WebSocket from 'ws';

// A WebSocket class as a signed-in browser on our page opens it: with the session cookie and our Origin.
export const socketWith = (cookie, origin) =>
  class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { headers: { Cookie: cookie, Origin: origin } });
    }
  };

export function agreementText(doc, itemId) {
  for (const section of doc.getMap('doc').get('sections') || []) {
    for (const item of section.get('items') || []) if (item.get('id') === itemId) return item.get('text');
  }
  return null;
}

export const until = (check, ms = 120_000) =>
  new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const look = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error('timed out'));
      else setTimeout(look, 20);
    };
    look();
  });

export const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
