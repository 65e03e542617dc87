// Changes to the document's structure, each one CRDT transaction: add, rename (through the bound
// title field), move and remove sections and agreements. Shape as in DESIGN.md.
import * as Y from 'yjs';

// 128 random bits, url-safe: the same kind of id the server makes, never reused.
export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export const root = (ydoc) => ydoc.getMap('doc');

export function sectionsOf(ydoc) {
  const sections = root(ydoc).get('sections');
  return sections instanceof Y.Array ? sections : null;
}

export function itemsOf(section) {
  const items = section.get('items');
  return items instanceof Y.Array ? items : null;
}

// Entries that have the expected shape, first of each id (a partner's browser may send anything).
export function wellFormed(array) {
  const seen = new Set();
  const out = [];
  if (!array) return out;
  array.forEach((entry, index) => {
    if (!(entry instanceof Y.Map)) return;
    const id = entry.get('id');
    if (typeof id !== 'string' || seen.has(id)) return;
    seen.add(id);
    out.push({ id, entry, index });
  });
  return out;
}

export function addSection(ydoc, title = '') {
  const section = new Y.Map();
  const id = newId();
  ydoc.transact(() => {
    if (!sectionsOf(ydoc)) root(ydoc).set('sections', new Y.Array());
    section.set('id', id);
    section.set('title', new Y.Text(title));
    section.set('prompt', '');
    section.set('items', new Y.Array());
    sectionsOf(ydoc).push([section]);
  });
  return id;
}

export function addItem(ydoc, section) {
  const item = new Y.Map();
  const id = newId();
  ydoc.transact(() => {
    if (!itemsOf(section)) section.set('items', new Y.Array());
    item.set('id', id);
    item.set('text', new Y.Text());
    itemsOf(section).push([item]);
  });
  return id;
}

// Yjs arrays cannot move an entry: a move is a copy at the new place and a delete at the old one,
// in one transaction, keeping the id (signatures follow the agreement). `to` is the index of the
// neighbour it swaps places with.
export function move(ydoc, array, from, to) {
  if (!array || to < 0 || to >= array.length || from === to) return;
  ydoc.transact(() => {
    const copy = array.get(from).clone();
    array.delete(from, 1);
    array.insert(to, [copy]);
  });
}

export function remove(ydoc, array, index) {
  if (array && index >= 0 && index < array.length) ydoc.transact(() => array.delete(index, 1));
}
