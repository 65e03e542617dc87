// The page's one Socket.IO connection, and one way for a page to follow what the partner changes (re-read the
// page, swap its live regions).
//
// Every script of a page is one bundle (build.mjs), so this module, and socket.io-client with it, exists once on
// the page: one Manager, one WebSocket (msgpack frames, same origin), over which each namespace the page follows
// (/couple, /dialogue) is multiplexed. Asking for a namespace twice gives the same socket.
import { Manager } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

let manager = null;

export function connect(namespace) {
  if (!manager) {
    manager = new Manager(window.location.origin, {
      transports: ['websocket'],
      parser: msgpackParser,
      withCredentials: true,
    });
  }
  return manager.socket(namespace);
}

// Whether the page has its live connection already (here.js opens one on pages that have none of their own).
export function isConnecting() {
  return manager !== null;
}

// Call `refresh` at the moment an ISO string names (a "later" invitation comes back then); returns the timer,
// after clearing the previous one.
export function whenDue(iso, refresh, timer) {
  clearTimeout(timer);
  return iso ? setTimeout(refresh, Math.max(0, Date.parse(iso) - Date.now())) : null;
}

// A reader of one live fragment whose answers never go back in time: each call fetches `url` afresh, and resolves
// to the answer's text, or to null when the answer failed (`ok` false) or was overtaken (a later call's answer was
// already used; answers can arrive out of order). Throws, as fetch does, when offline.
export function newestReader() {
  let asked = 0;
  let shown = 0;
  return async function read(url) {
    const mine = ++asked;
    const response = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    if (!response.ok) return mine < shown ? null : { ok: false, status: response.status };
    const text = await response.text();
    if (mine < shown) return null;
    shown = mine;
    return { ok: true, status: response.status, text };
  };
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
  const read = newestReader();

  async function refresh() {
    const answer = await read(url());
    if (!answer || !answer.ok) return;
    const fresh = new DOMParser().parseFromString(answer.text, 'text/html');
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
