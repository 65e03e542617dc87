// Home page: the partner's presence, live; the page follows linking and unlinking without a reload,
// and the cards follow what the partner changes (ledger deposits, signatures).
import { connect, followRegions } from './live.js';
import { followPresence, showPresence } from './presence.js';

const presence = document.getElementById('presence');
const partnerPanel = document.getElementById('partner-panel');
const linkPanel = document.getElementById('link-panel');

function showArchived() {
  showPresence(presence, false);
  if (presence) presence.hidden = true;
  const note = document.getElementById('archived-note');
  if (note) note.hidden = false;
  const spaces = document.getElementById('spaces');
  if (spaces) spaces.setAttribute('aria-disabled', 'true');
  if (partnerPanel) partnerPanel.dataset.linked = 'archived';
}

if (partnerPanel || linkPanel) {
  const socket = connect('/couple');
  followPresence(socket, presence);
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
