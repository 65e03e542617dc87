// The agreements document page: renders the Y.Doc, binds every text to its field, shows the
// partner's presence and the sync status, and hands signing to signing.js.
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { TextBinding } from './textbinding.js';
import { drawCaret, clearCaret } from './caret.js';
import { addItem, addSection, itemsOf, move, remove, root, sectionsOf, wellFormed } from './ops.js';
import { connect } from './connection.js';
import { Signing } from './signing.js';
import { postJson } from './http.js';
import { UnsavedOffer } from './unsaved.js';

const CHECKPOINT_AFTER_MS = 60_000;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

class Editor {
  constructor(container) {
    this.container = container;
    this.config = container.dataset;
    this.readOnly = this.config.readOnly === 'true';
    this.ydoc = new Y.Doc();
    this.awareness = new Awareness(this.ydoc);
    this.bindings = new Map(); // field key -> TextBinding
    this.hosts = new Map(); // field key -> element holding the field (for presence)
    this.sectionNodes = new Map();
    this.itemNodes = new Map();
    this.awareness.setLocalStateField('user', { name: this.config.meName, color: this.config.meColor });
    this.signing = new Signing(this, this.config);
    this.statusNode = document.getElementById('sync-status');
    this.unsaved = new UnsavedOffer(document.getElementById('unsaved-offer'));
  }

  start() {
    this.connection = connect(Number(this.config.doc), this.ydoc, this.awareness, {
      url: this.config.relayUrl,
      onStatus: (status) => this.showStatus(status),
      onSynced: () => this.firstSync(),
      onStates: () => this.signing.refresh(),
      onError: (error) => this.showError(error),
    });
    window.addEventListener('beforeunload', (event) => {
      if (!this.leaving && !this.connection.saved) event.preventDefault();
    });
    this.ydoc.on('afterTransaction', (tr) => this.afterTransaction(tr));
    this.awareness.on('change', () => this.showPresence());
    window.addEventListener('resize', () => {
      this.growAll();
      this.showPresence();
    });
  }

  firstSync() {
    if (this.synced) return;
    this.synced = true;
    this.container.replaceChildren();
    this.container.classList.add('is-live');
    this.render();
    this.signing.refresh();
  }

  afterTransaction(tr) {
    if (!this.synced) return;
    const structural = [...tr.changed.keys()].some((type) => !(type instanceof Y.Text));
    if (structural) this.render();
    this.signing.textChanged(tr);
    this.showHeading();
    this.showPresence();
    if (tr.local) this.scheduleCheckpoint();
  }

  scheduleCheckpoint() {
    clearTimeout(this.checkpointTimer);
    this.checkpointTimer = setTimeout(
      () => postJson(this.config.checkpointUrl, {}, this.config.csrf),
      CHECKPOINT_AFTER_MS,
    );
  }

  // --- rendering ---------------------------------------------------------------------------

  render() {
    const active = document.activeElement;
    const selection = active && 'selectionStart' in active ? [active.selectionStart, active.selectionEnd] : null;
    if (!this.titleNode) this.container.append(this.renderTitle(), this.sectionsList(), this.addSectionButton());
    const seen = new Set();
    const list = this.sectionsListNode;
    wellFormed(sectionsOf(this.ydoc)).forEach(({ id, entry, index }, position, all) => {
      seen.add(id);
      const node = this.renderSection(id, entry, index, position, all);
      if (list.children[position] !== node) list.insertBefore(node, list.children[position] || null);
    });
    for (const [id, node] of this.sectionNodes)
      if (!seen.has(id)) {
        node.remove();
        this.sectionNodes.delete(id);
      }
    this.dropUnused();
    this.growAll();
    this.showHeading();
    if (active && !active.isConnected) return;
    if (active && document.activeElement !== active) {
      active.focus();
      if (selection) active.setSelectionRange(...selection);
    }
  }

  showHeading() {
    const title = root(this.ydoc).get('title');
    this.headingNode.textContent = (title ? title.toString().trim() : '') || 'Untitled document';
  }

  // Heights can only be measured once the fields are on the page.
  growAll() {
    for (const binding of this.bindings.values()) grow(binding.field);
  }

  // The page's level-one heading follows the title for screen readers; the field itself is what the eye sees.
  renderTitle() {
    const field = titleField('doc-title-field', 'doc-title-field');
    this.headingNode = el('h1', { class: 'visually-hidden' });
    this.titleNode = el(
      'div',
      { class: 'doc-title field-host' },
      this.headingNode,
      el('label', { for: 'doc-title-field', text: 'Document title' }),
      field,
    );
    this.bind('title', root(this.ydoc).get('title'), field, this.titleNode);
    return this.titleNode;
  }

  sectionsList() {
    this.sectionsListNode = el('ol', { class: 'sections', 'aria-label': 'Sections' });
    return this.sectionsListNode;
  }

  addSectionButton() {
    if (this.readOnly) return null;
    return el('button', {
      type: 'button',
      class: 'button secondary add-section',
      text: 'Add a section',
      onclick: () => this.focusOn(`section:${addSection(this.ydoc)}`),
    });
  }

  renderSection(id, section, index, position, all) {
    let node = this.sectionNodes.get(id);
    if (!node) {
      node = el('li', { class: 'section', 'data-id': id });
      const fieldId = `section-${id}`;
      const field = titleField(fieldId, 'section-title-field');
      field.placeholder = 'Section title';
      const host = el(
        'div',
        { class: 'field-host' },
        el('label', { for: fieldId, class: 'visually-hidden', text: 'Section title' }),
        field,
      );
      node.append(
        el('div', { class: 'section-head' }, host, this.readOnly ? null : this.tools('section', id)),
        el('p', { class: 'section-prompt' }),
        el('ol', { class: 'items' }),
      );
      if (!this.readOnly) {
        node.append(
          el('button', {
            type: 'button',
            class: 'button secondary add-item',
            text: 'Add an agreement',
            onclick: () => this.focusOn(addItem(this.ydoc, this.sectionById(id))),
          }),
        );
      }
      node._field = field;
      node._host = host;
      this.sectionNodes.set(id, node);
    }
    this.bind(`section:${id}`, section.get('title'), node._field, node._host);
    node._index = index;
    node._neighbours = [all[position - 1]?.index, all[position + 1]?.index];
    const items = wellFormed(itemsOf(section));
    const prompt = section.get('prompt');
    const promptNode = node.querySelector('.section-prompt');
    promptNode.textContent = items.length ? '' : (typeof prompt === 'string' && prompt) || 'No agreements here yet.';
    promptNode.hidden = items.length > 0;
    const list = node.querySelector('.items');
    const seen = new Set();
    items.forEach(({ id: itemId, entry, index: itemIndex }, itemPosition) => {
      seen.add(itemId);
      const itemNode = this.renderItem(itemId, entry, itemIndex, itemPosition, items, id);
      if (list.children[itemPosition] !== itemNode) list.insertBefore(itemNode, list.children[itemPosition] || null);
    });
    for (const child of [...list.children]) if (!seen.has(child.dataset.id)) child.remove();
    return node;
  }

  renderItem(id, item, index, position, all, sectionId) {
    let node = this.itemNodes.get(id);
    if (!node) {
      const fieldId = `item-${id}`;
      const field = el('textarea', { id: fieldId, class: 'item-text', rows: '2', maxlength: '2000', dir: 'auto' });
      const label = el('label', { for: fieldId, class: 'item-label' });
      const host = el(
        'div',
        { class: 'field-host' },
        label,
        field,
        el('span', { class: 'partner-here', 'aria-live': 'polite' }),
      );
      node = el('li', { class: 'item', 'data-id': id }, host, this.signing.stateNode(id));
      if (!this.readOnly) node.append(el('div', { class: 'item-tools' }, this.tools('item', id)));
      node._field = field;
      node._host = host;
      field.addEventListener('input', () => grow(field));
      field.addEventListener('remote-change', () => grow(field));
      this.itemNodes.set(id, node);
    }
    node._section = sectionId;
    node._index = index;
    node._neighbours = [all[position - 1]?.index, all[position + 1]?.index];
    node.querySelector('.item-label').textContent = `Agreement ${position + 1}`;
    this.bind(id, item.get('text'), node._field, node._host);
    return node;
  }

  tools(kind, id) {
    const box = el('span', { class: 'tools' });
    const what = kind === 'section' ? 'section' : 'agreement';
    box.append(
      el('button', {
        type: 'button',
        class: 'icon-button',
        'aria-label': `Move this ${what} up`,
        title: 'Move up',
        text: '↑',
        onclick: () => this.move(kind, id, 0),
      }),
      el('button', {
        type: 'button',
        class: 'icon-button',
        'aria-label': `Move this ${what} down`,
        title: 'Move down',
        text: '↓',
        onclick: () => this.move(kind, id, 1),
      }),
      el('button', {
        type: 'button',
        class: 'icon-button danger',
        'aria-label': `Remove this ${what}`,
        title: 'Remove',
        text: '✕',
        onclick: () => this.remove(kind, id),
      }),
    );
    return box;
  }

  sectionById(id) {
    return wellFormed(sectionsOf(this.ydoc)).find((s) => s.id === id)?.entry;
  }

  arrayFor(kind, id) {
    if (kind === 'section') return sectionsOf(this.ydoc);
    return itemsOf(this.sectionById(this.itemNodes.get(id)._section));
  }

  move(kind, id, which) {
    const node = (kind === 'section' ? this.sectionNodes : this.itemNodes).get(id);
    const to = node._neighbours[which];
    if (to === undefined) return;
    move(this.ydoc, this.arrayFor(kind, id), node._index, to);
    this.focusOn(kind === 'section' ? `section:${id}` : id);
  }

  async remove(kind, id) {
    const node = (kind === 'section' ? this.sectionNodes : this.itemNodes).get(id);
    const question =
      kind === 'section'
        ? 'Remove this section and every agreement in it?'
        : 'Remove this agreement?';
    const empty = kind === 'item' && !node._field.value.trim();
    if (!empty && !(await askToRemove(question))) return;
    // The partner may have moved it while the question was open: remove it where it is now.
    const current = (kind === 'section' ? this.sectionNodes : this.itemNodes).get(id);
    if (current) remove(this.ydoc, this.arrayFor(kind, id), current._index);
  }

  // A local change renders at once (its transaction has ended), so the new field can take the focus now.
  focusOn(key) {
    this.bindings.get(key)?.field.focus();
  }

  bind(key, ytext, field, host) {
    field.readOnly = this.readOnly;
    const current = this.bindings.get(key);
    if (current && current.ytext === ytext && current.field === field) return;
    current?.destroy();
    if (!(ytext instanceof Y.Text)) {
      this.bindings.delete(key);
      return;
    }
    const binding = new TextBinding(ytext, field, { onSelection: (b) => this.shareCaret(key, b) });
    this.bindings.set(key, binding);
    this.hosts.set(key, host);
  }

  dropUnused() {
    for (const [key, binding] of this.bindings) {
      if (!binding.field.isConnected) {
        binding.destroy();
        this.bindings.delete(key);
        this.hosts.delete(key);
        this.itemNodes.delete(key);
      }
    }
  }

  // --- presence ----------------------------------------------------------------------------

  shareCaret(key, binding) {
    if (document.activeElement !== binding.field) {
      if (this.awareness.getLocalState()?.cursor?.item === key) this.awareness.setLocalStateField('cursor', null);
      return;
    }
    const { anchor, head } = binding.relativeSelection();
    this.awareness.setLocalStateField('cursor', {
      item: key,
      anchor: Y.relativePositionToJSON(anchor),
      head: Y.relativePositionToJSON(head),
    });
  }

  showPresence() {
    if (!this.synced) return;
    const here = new Map();
    this.awareness.getStates().forEach((state, clientId) => {
      if (clientId === this.ydoc.clientID || !state.user) return;
      if (state.cursor && this.hosts.has(state.cursor.item)) here.set(state.cursor.item, state);
    });
    for (const [key, host] of this.hosts) {
      const state = here.get(key);
      host.classList.toggle('partner-is-here', Boolean(state));
      const label = host.querySelector(':scope > .partner-here');
      if (!state) {
        clearCaret(host);
        if (label) label.textContent = '';
        continue;
      }
      host.style.setProperty('--partner-color', safeColor(state.user.color));
      if (label) label.textContent = `${state.user.name} is here`;
      const head = Y.createAbsolutePositionFromRelativePosition(
        Y.createRelativePositionFromJSON(state.cursor.head),
        this.ydoc,
      );
      if (head)
        drawCaret(host, this.bindings.get(key).field, head.index, {
          name: state.user.name,
          color: safeColor(state.user.color),
        });
    }
  }

  // --- status ------------------------------------------------------------------------------

  // Back after a break (the server closes sockets when the couple unlinks or this person signs
  // out elsewhere): catch up on signatures, and if this page may no longer change the document,
  // reload it to show what is true now (the archive, or the sign-in page).
  async recheck() {
    const states = await this.signing.refresh();
    if (states === null || states?.writable === false) {
      this.leaving = true;
      window.location.reload();
    }
  }

  showError(error) {
    if (error?.code === 'document_full') this.unsaved.show(this.ydoc);
    if (['document_full', 'slow_down', 'invalid_shape'].includes(error?.code)) {
      // Not saved yet, and kept on this page: say why until it is saved (invalid_shape: until reloaded).
      this.notice = error.message;
      if (this.lastStatus) this.showStatus(this.lastStatus);
      return;
    }
    if (['signed_out', 'archived', 'not_found'].includes(error?.code)) {
      // Signed out (here or elsewhere), unlinked, or no longer this person's: show what is true now.
      this.leaving = true;
      window.location.reload();
      return;
    }
    if (error?.code !== 'read_only') return;
    // The couple unlinked while the page was open: from now on it is a read-only archive.
    this.readOnly = true;
    for (const binding of this.bindings.values()) binding.field.readOnly = true;
    this.container.classList.add('is-archived');
    if (this.statusNode)
      this.statusNode.textContent = 'You are no longer linked: this document is now a read-only archive.';
  }

  showStatus(status) {
    const { online, saved } = status;
    this.lastStatus = status;
    if (saved) {
      this.notice = null;
      this.unsaved.hide();
    }
    if (online && this.wasOffline) this.recheck();
    this.wasOffline = !online;
    if (!this.statusNode) return;
    let text;
    if (!online)
      text = saved
        ? 'Offline. Everything you wrote is saved.'
        : 'Offline. Your changes are kept here and will sync when you are back online.';
    else text = saved ? 'All changes saved' : this.notice || 'Saving…';
    this.statusNode.textContent = text;
    this.statusNode.dataset.online = String(online);
    this.statusNode.dataset.saved = String(saved);
    this.signing.setSaved(saved && online);
  }
}

// The page's own confirmation (like signing's), not the browser's bare OK/Cancel box. Resolves true to remove.
function askToRemove(question) {
  const dialog = document.getElementById('remove-dialog');
  if (!dialog) return Promise.resolve(window.confirm(question));
  dialog.querySelector('[data-question]').textContent = question;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'remove'), { once: true });
    dialog.showModal();
  });
}

// A title: one paragraph that wraps on a narrow screen (Enter does not add a line).
function titleField(id, className) {
  const field = el('textarea', { id, class: className, rows: '1', maxlength: '200', autocomplete: 'off', dir: 'auto' });
  field.addEventListener('keydown', (event) => event.key === 'Enter' && event.preventDefault());
  field.addEventListener('input', () => grow(field));
  field.addEventListener('remote-change', () => grow(field));
  return field;
}

function grow(field) {
  field.style.height = 'auto';
  field.style.height = `${field.scrollHeight + 2}px`;
}

// Colours come from the partner's browser: only accept a plain hex colour.
// The same rule as the server's (agreements/sync.py COLOUR): #rrggbb, nothing else.
function safeColor(color) {
  return /^#[0-9a-fA-F]{6}$/.test(color || '') ? color : '#6b5b95';
}

export function startEditor(container) {
  const editor = new Editor(container);
  editor.start();
  return editor;
}
