// Each agreement's state and the explicit, confirmed act of signing it. The server decides the
// states (one rule, in agreements/signing.py); this module only shows what it says.
import * as Y from 'yjs';
import { postJson } from './http.js';

const REFRESH_AFTER_MS = 400;

export class Signing {
  constructor(editor, config) {
    this.editor = editor;
    this.config = config;
    this.states = {};
    this.nodes = new Map();
    this.saved = false;
    this.waitingForSave = false;
    this.dialog = document.getElementById('sign-dialog');
    if (this.dialog) {
      this.dialog.querySelector('form').addEventListener('submit', (event) => this.confirm(event));
      this.dialog.querySelector('[data-cancel]').addEventListener('click', () => this.dialog.close());
    }
  }

  stateNode(id) {
    const badge = document.createElement('span');
    badge.className = 'state-badge';
    const detail = document.createElement('span');
    detail.className = 'state-detail';
    const node = document.createElement('div');
    node.className = 'item-state';
    const changes = document.createElement('a');
    changes.className = 'see-changes';
    changes.textContent = 'See what changed';
    node.append(badge, detail, changes);
    if (!this.editor.readOnly) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'button sign';
      button.textContent = 'Sign';
      button.addEventListener('click', () => this.ask(id));
      node.append(button);
    }
    this.nodes.set(id, node);
    this.show(id);
    return node;
  }

  show(id) {
    const node = this.nodes.get(id);
    if (!node) return;
    const state = this.states[id] || { status: 'draft', label: 'Draft', detail: '', can_sign: true };
    node.dataset.status = state.status;
    node.querySelector('.state-badge').textContent = state.label;
    node.querySelector('.state-detail').textContent = state.detail;
    const changes = node.querySelector('.see-changes');
    changes.hidden = !state.changes_url;
    if (state.changes_url) changes.href = state.changes_url;
    const button = node.querySelector('.sign');
    if (button) {
      const text = this.textOf(id);
      button.hidden = !state.can_sign || !text.trim();
      button.textContent = state.status === 'changed' ? 'Sign again' : 'Sign';
    }
  }

  update(data) {
    if (!data || String(data.doc) !== String(this.config.doc)) return;
    this.states = data.items || {};
    for (const id of this.nodes.keys()) this.show(id);
  }

  // Ask the server for every state; returns its answer, or null when it gave none (signed out).
  async refresh() {
    try {
      const response = await fetch(this.config.statesUrl, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        redirect: 'manual',
      });
      if (!response.ok) return null;
      const states = await response.json();
      this.update(states);
      return states;
    } catch {
      return undefined;
    }
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), REFRESH_AFTER_MS);
  }

  // A text changed: only an agreement someone has signed can change state, so only then ask.
  textChanged(tr) {
    let signedChanged = false;
    for (const type of tr.changed.keys()) {
      if (!(type instanceof Y.Text)) continue;
      const id = type.parent instanceof Y.Map ? type.parent.get('id') : null;
      if (id) this.show(id);
      if (id && this.states[id] && this.states[id].status !== 'draft') signedChanged = true;
    }
    if (!signedChanged) return;
    if (tr.local) this.waitingForSave = true;
    else this.scheduleRefresh();
  }

  setSaved(saved) {
    this.saved = saved;
    if (saved && this.waitingForSave) {
      this.waitingForSave = false;
      this.scheduleRefresh();
    }
    if (this.dialog?.open) this.showDialogState();
  }

  textOf(id) {
    return this.editor.bindings.get(id)?.ytext.toString() ?? '';
  }

  ask(id) {
    if (!this.dialog) return;
    this.signingId = id;
    this.signingText = this.textOf(id);
    this.dialog.querySelector('[data-text]').textContent = this.signingText;
    this.dialog.querySelector('[data-message]').textContent = '';
    this.showDialogState();
    this.dialog.showModal();
  }

  showDialogState() {
    const button = this.dialog.querySelector('[data-confirm]');
    const wait = this.dialog.querySelector('[data-wait]');
    button.disabled = !this.saved;
    wait.hidden = this.saved;
  }

  async confirm(event) {
    event.preventDefault();
    const message = this.dialog.querySelector('[data-message]');
    if (this.textOf(this.signingId) !== this.signingText) {
      message.textContent = 'The text changed while this was open. Please read it again before signing.';
      this.signingText = this.textOf(this.signingId);
      this.dialog.querySelector('[data-text]').textContent = this.signingText;
      return;
    }
    const answer = await postJson(
      this.config.signUrl,
      { item: this.signingId, text: this.signingText },
      this.config.csrf,
    );
    if (answer.ok) {
      this.update(answer.states);
      this.dialog.close();
    } else {
      message.textContent = answer.error?.message || 'That did not work. Please try again.';
    }
  }
}
