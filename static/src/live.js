// One way to open a Socket.IO connection: WebSocket only, msgpack frames, same origin. Each one is noted
// on window (every page script is its own bundle), so here.js knows whether the page has one already.
// And one way for a page to follow what the partner changes: re-read the page, swap its live regions.
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

export function connect(namespace, options = {}) {
  const socket = io(namespace, {
    transports: ['websocket'],
    parser: msgpackParser,
    withCredentials: true,
    ...options,
  });
  window.commonGroundSockets = (window.commonGroundSockets || 0) + 1;
  return socket;
}

// A region someone is working in (focus inside it, or text typed) is left alone until they leave it.
function busy(region) {
  if (region.contains(document.activeElement)) return true;
  return Array.from(region.querySelectorAll('input:not([type="hidden"]), textarea')).some((input) => input.value !== '');
}

// Follow the `[data-live][id]` regions inside `root`: the returned function re-reads the page and replaces
// each region with its fresh copy, except one in use, which catches up once the person leaves it.
export function followRegions(root, url = () => window.location.href) {
  const stale = new Set();
  let asked = 0;
  let shown = 0;

  async function refresh() {
    const mine = ++asked;
    const response = await fetch(url(), { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return;
    const text = await response.text();
    // Answers can overtake each other: never let an older one replace a newer one.
    if (mine < shown) return;
    shown = mine;
    const fresh = new DOMParser().parseFromString(text, 'text/html');
    root.querySelectorAll('[data-live][id]').forEach((region) => {
      const next = fresh.getElementById(region.id);
      if (!next) return;
      if (busy(region)) {
        stale.add(region.id);
        return;
      }
      stale.delete(region.id);
      next.querySelectorAll('script').forEach((script) => script.remove());
      region.replaceWith(document.adoptNode(next));
    });
  }

  root.addEventListener('focusout', () => {
    if (stale.size) window.setTimeout(refresh, 0);
  });
  return refresh;
}
