// The agreements document page (bundled to static/dist/agreements.js).
import './base.js';
import { startEditor } from './agreements/editor.js';
import { connect } from './live.js';
import { followPresence } from './presence.js';

const container = document.getElementById('agreements-editor');
if (container && container.dataset.doc) startEditor(container);

const presence = document.getElementById('partner-presence');
if (presence) followPresence(connect('/couple'), presence);
