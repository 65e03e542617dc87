// The agreements document page (bundled to static/dist/agreements.js).
import { startEditor } from './agreements/editor.js';

const container = document.getElementById('agreements-editor');
if (container && container.dataset.doc) startEditor(container);
