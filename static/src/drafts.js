// Words being written in a dialogue are kept in this tab only (sessionStorage, never localStorage), so a
// reload or a dropped connection loses nothing. A shared device is a safety risk, so every way of leaving
// (sign-out, quick exit, idle logout, a page shown signed out) calls forgetDrafts().
const PREFIX = 'dialogue-draft:';

function store() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: drafts then live only as long as the page
  }
}

export function keepDraft(key, value) {
  const storage = store();
  if (!storage) return;
  try {
    if (value === '' || value === null) storage.removeItem(PREFIX + key);
    else storage.setItem(PREFIX + key, typeof value === 'string' ? value : JSON.stringify(value));
  } catch {
    // A full storage keeps the page working; the words stay in the box.
  }
}

export function readDraft(key) {
  const storage = store();
  return storage ? storage.getItem(PREFIX + key) : null;
}

export function forgetDrafts() {
  const storage = store();
  if (!storage) return;
  for (const key of Object.keys(storage)) {
    if (key.startsWith(PREFIX)) storage.removeItem(key);
  }
}
