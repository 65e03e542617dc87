// Trust ledger: the page follows the partner's promises, deposits and confirmations live.
// The server sends a short event on the couple's room; the page re-reads itself and swaps the
// live regions, leaving alone any region the person is typing in.
import { connect } from './live.js';

const root = document.getElementById('ledger');
const status = document.getElementById('ledger-live');

// Show the weekday choice only for weekly promises, the due date only for one-off ones.
function followKind(form) {
  const update = () => {
    const kind = form.querySelector('input[name="kind"]:checked');
    form.querySelectorAll('[data-for-kind]').forEach((el) => {
      el.hidden = Boolean(kind) && !el.dataset.forKind.split(' ').includes(kind.value);
    });
  };
  form.addEventListener('change', update);
  update();
}

document.querySelectorAll('[data-promise-form]').forEach(followKind);

// A region someone is working in (focus inside it, or text typed) is left alone until they leave it.
function busy(region) {
  if (region.contains(document.activeElement)) return true;
  return Array.from(region.querySelectorAll('input:not([type="hidden"])')).some((input) => input.value !== '');
}

const stale = new Set();
let asked = 0;
let shown = 0;

async function refresh() {
  const mine = ++asked;
  const response = await fetch(window.location.href, { credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) return;
  const text = await response.text();
  // Answers can overtake each other: never let an older one replace a newer one.
  if (mine < shown) return;
  shown = mine;
  const fresh = new DOMParser().parseFromString(text, 'text/html');
  root.querySelectorAll('[data-live]').forEach((region) => {
    const next = fresh.getElementById(region.id);
    if (!next) return;
    if (busy(region)) {
      stale.add(region.id);
      return;
    }
    stale.delete(region.id);
    region.replaceWith(document.adoptNode(next));
  });
}

function announce(data) {
  if (!status || !data || !data.message || String(data.by) === root.dataset.me) return;
  // The partner's news replaces the note about one's own last action, which is old by now.
  const flashes = document.querySelector('.flashes');
  if (flashes) flashes.remove();
  status.textContent = data.message;
}

if (root && root.dataset.live === 'true') {
  const socket = connect('/couple');
  // Whatever happened between drawing this page and joining the room (or while offline) is fetched now.
  socket.on('connect', () => {
    root.dataset.connected = 'true';
    refresh();
  });
  socket.on('disconnect', () => {
    root.dataset.connected = 'false';
  });
  // Unlinked while open: the server draws the ledger as the read-only archive it now is.
  socket.on('unlinked', () => window.location.reload());
  for (const event of ['promise_made', 'deposit_logged', 'deposit_confirmed']) {
    socket.on(event, (data) => {
      announce(data);
      refresh();
    });
  }
  // A region skipped while someone typed in it catches up once they leave it.
  root.addEventListener('focusout', () => {
    if (stale.size) window.setTimeout(refresh, 0);
  });
}
