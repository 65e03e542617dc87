// Home page: the partner's presence, live; the page follows linking and unlinking without a reload,
// and the cards follow what the partner changes (ledger deposits, signatures).
import { connect, followRegions } from './live.js';

const presence = document.getElementById('presence');
const partnerPanel = document.getElementById('partner-panel');
const linkPanel = document.getElementById('link-panel');

function showPresence(here) {
  if (!presence) return;
  presence.dataset.here = here ? 'true' : 'false';
  const name = presence.dataset.name || presence.querySelector('.presence-text').textContent.replace(/ is .*$/, '');
  presence.dataset.name = name;
  presence.querySelector('.presence-text').textContent = here ? `${name} is here now` : `${name} is not here right now`;
}

function showArchived() {
  showPresence(false);
  if (presence) presence.hidden = true;
  const note = document.getElementById('archived-note');
  if (note) note.hidden = false;
  const spaces = document.getElementById('spaces');
  if (spaces) spaces.setAttribute('aria-disabled', 'true');
  if (partnerPanel) partnerPanel.dataset.linked = 'archived';
}

if (partnerPanel || linkPanel) {
  const socket = connect('/couple');
  socket.on('presence', (data) => showPresence(Boolean(data && data.here)));
  socket.on('unlinked', showArchived);
  socket.on('partner_joined', () => window.location.reload());
  const spaces = document.getElementById('spaces');
  if (spaces) {
    const refreshCards = followRegions(spaces);
    // Whatever changed while this page was being drawn, or while offline, is fetched on (re)connect.
    socket.on('connect', refreshCards);
    for (const event of ['promise_made', 'deposit_logged', 'deposit_confirmed', 'agreements_changed']) {
      socket.on(event, refreshCards);
    }
  }
}
