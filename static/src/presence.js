// "Here now": whether the partner is in the app, as the server tells it on /couple. The server sends it
// only while both partners share their presence, and withdraws it (here: false) when that stops.

export function showPresence(node, here) {
  if (!node) return;
  node.dataset.here = here ? 'true' : 'false';
  const name = node.dataset.name;
  node.querySelector('.presence-text').textContent = here ? `${name} is here now` : `${name} is not here right now`;
}

export function followPresence(socket, node) {
  socket.on('presence', (data) => showPresence(node, Boolean(data && data.here)));
}
