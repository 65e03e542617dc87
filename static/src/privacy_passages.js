// Home card (part of home.js): a passage the partner chooses to share appears at once.
import { connect } from './live.js';

const list = document.getElementById('shared-passages');

function formatDate(iso) {
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function showPassage(passage) {
  if (!list || list.querySelector(`[data-passage="${passage.id}"]`)) return;
  const empty = document.getElementById('no-passages');
  if (empty) empty.remove();
  const item = document.createElement('li');
  item.className = 'passage';
  item.dataset.passage = String(passage.id);
  const meta = document.createElement('p');
  meta.className = 'passage-meta muted';
  const who = String(passage.author_id) === list.dataset.me ? 'You' : passage.author;
  meta.textContent = `${who} shared · ${formatDate(passage.shared_at)}`;
  const text = document.createElement('blockquote');
  text.className = 'passage-text';
  text.textContent = passage.text;
  item.append(meta, text);
  list.prepend(item);
}

if (list) {
  connect('/couple').on('passage_shared', showPassage);
}
