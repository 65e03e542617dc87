// Home page: the partner's presence, live; the page follows linking and unlinking without a reload.
import { connect } from './live.js';

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

// The couple unlinked while this page was open: show the archive itself at once, not a half-changed home page.
function showArchive() {
  window.location.replace(partnerPanel.dataset.archiveUrl);
}

if (partnerPanel || linkPanel) {
  const socket = connect('/couple');
  socket.on('presence', (data) => showPresence(Boolean(data && data.here)));
  socket.on('unlinked', showArchive);
  socket.on('partner_joined', () => window.location.reload());
}
