// Home page: the partner's presence, live; the page follows linking and unlinking without a reload,
// and the cards follow what the partner changes (ledger deposits, signatures). The cards that follow
// the partner by themselves (the dialogue, shared passages) come with it: one bundle for the page.
import './base.js';
import './dialogue_card.js';
import './privacy_passages.js';
import { connect, followRegions } from './live.js';
import { followPresence } from './presence.js';

const presence = document.getElementById('presence');
const partnerPanel = document.getElementById('partner-panel');
const linkPanel = document.getElementById('link-panel');

// The couple unlinked while this page was open: show the archive itself at once, not a half-changed home page.
function showArchive() {
  window.location.replace(partnerPanel.dataset.archiveUrl);
}

if (partnerPanel || linkPanel) {
  const socket = connect('/couple');
  followPresence(socket, presence);
  socket.on('unlinked', showArchive);
  socket.on('partner_joined', () => window.location.reload());
  // The partner's space ended: its card goes, and their presence shows again.
  socket.on('space_ended', () => window.location.reload());
  const spaces = document.getElementById('spaces');
  if (spaces) {
    const refreshCards = followRegions(spaces);
    // Whatever changed while this page was being drawn, or while offline, is fetched on (re)connect.
    socket.on('connect', refreshCards);
    for (const event of ['promise_changed', 'deposit_logged', 'deposit_confirmed', 'agreements_changed',
      'apology_sent', 'apology_answered']) {
      socket.on(event, refreshCards);
    }
  }
}
