// On every signed-in page: at least one live connection, so that being on any page of the app counts as
// being here (the server alone decides whether the partner may see it). Pages with their own say so
// through live.js; the others get a quiet /couple connection once everything has loaded.
import { connect, isConnecting } from './live.js';

window.addEventListener('load', () => {
  if (document.body.dataset.idleTimeout && !isConnecting()) connect('/couple');
});
