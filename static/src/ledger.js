// Trust ledger: the page follows the partner's promises, deposits and confirmations live.
// The server sends a short event on the couple's room; the page re-reads itself and swaps the
// live regions, leaving alone any region the person is typing in.
import './base.js';
import { connect, followRegions } from './live.js';

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

function announce(data) {
  if (!status || !data || !data.message || String(data.by) === root.dataset.me) return;
  // The partner's news replaces the note about one's own last action, which is old by now.
  const flashes = document.querySelector('.flashes');
  if (flashes) flashes.remove();
  status.textContent = data.message;
}

if (root && root.dataset.live === 'true') {
  const refresh = followRegions(root);
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
  for (const event of ['promise_changed', 'deposit_logged', 'deposit_confirmed']) {
    socket.on(event, (data) => {
      announce(data);
      refresh();
    });
  }
}
