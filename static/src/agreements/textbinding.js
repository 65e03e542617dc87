// Binds one Y.Text to one <textarea> or <input>: local typing becomes a small CRDT edit, and a
// partner's edit updates the field without moving the caret (kept through Yjs relative positions).
import * as Y from 'yjs';

const isHigh = (code) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code) => code >= 0xdc00 && code <= 0xdfff;

// The one edit (index, removed length, inserted string) turning `before` into `after`.
// `caret` (where the caret is in `after`) decides where an edit inside a run of equal letters goes,
// so typing "a" in the middle of "aaa" is an insert at the caret, not at the end.
export function diffText(before, after, caret = after.length) {
  const limit = Math.min(before.length, after.length);
  let start = 0;
  while (start < limit && before[start] === after[start]) start++;
  let end = 0;
  while (end < limit - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  const delta = after.length - before.length;
  const inserted = after.length - start - end;
  if (delta > 0 && inserted === delta && start + delta > caret && caret >= delta) {
    const at = caret - delta;
    if (after.slice(0, at) === before.slice(0, at) && after.slice(at + delta) === before.slice(at)) {
      start = at;
      end = before.length - at;
    }
  } else if (delta < 0 && inserted === 0 && start > caret) {
    const at = caret;
    if (after.slice(0, at) === before.slice(0, at) && after.slice(at) === before.slice(at - delta)) {
      start = at;
      end = after.length - at;
    }
  }
  // Never cut a surrogate pair in two (an emoji is one edit).
  if (start > 0 && isHigh(before.charCodeAt(start - 1))) start--;
  if (end > 0 && isLow(before.charCodeAt(before.length - end))) end--;
  return { index: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) };
}

export class TextBinding {
  constructor(ytext, field, { onSelection = () => {} } = {}) {
    this.ytext = ytext;
    this.field = field;
    this.doc = ytext.doc;
    this.onSelection = onSelection;
    this.saved = null;
    this.field.value = ytext.toString();

    this._onInput = () => this.pushLocal();
    this._onSelect = () => this.onSelection(this);
    this._before = (tr) => {
      if (tr.origin !== this && document.activeElement === this.field) this.saved = this.relativeSelection();
    };
    this._observe = (event, tr) => {
      if (tr.origin !== this) this.showRemote();
    };
    field.addEventListener('input', this._onInput);
    for (const name of ['select', 'keyup', 'mouseup', 'focus', 'blur']) field.addEventListener(name, this._onSelect);
    this.doc.on('beforeTransaction', this._before);
    ytext.observe(this._observe);
  }

  pushLocal() {
    const before = this.ytext.toString();
    const after = this.field.value;
    if (before === after) return;
    const { index, remove, insert } = diffText(before, after, this.field.selectionEnd ?? after.length);
    this.doc.transact(() => {
      if (remove) this.ytext.delete(index, remove);
      if (insert) this.ytext.insert(index, insert);
    }, this);
    this.onSelection(this);
  }

  showRemote() {
    const text = this.ytext.toString();
    if (this.field.value === text) return;
    const focused = document.activeElement === this.field;
    const saved = this.saved;
    this.field.value = text;
    this.saved = null;
    if (focused && saved) {
      const anchor = Y.createAbsolutePositionFromRelativePosition(saved.anchor, this.doc);
      const head = Y.createAbsolutePositionFromRelativePosition(saved.head, this.doc);
      if (anchor && head) this.field.setSelectionRange(anchor.index, head.index, saved.direction);
    }
    this.field.dispatchEvent(new CustomEvent('remote-change'));
  }

  // Positions stick to the character on their left: a caret right after your own words stays there
  // when the partner types at the same place.
  relativeSelection() {
    const { selectionStart, selectionEnd, selectionDirection } = this.field;
    return {
      anchor: Y.createRelativePositionFromTypeIndex(this.ytext, selectionStart ?? 0, -1),
      head: Y.createRelativePositionFromTypeIndex(this.ytext, selectionEnd ?? 0, -1),
      direction: selectionDirection || 'none',
    };
  }

  destroy() {
    this.field.removeEventListener('input', this._onInput);
    for (const name of ['select', 'keyup', 'mouseup', 'focus', 'blur'])
      this.field.removeEventListener(name, this._onSelect);
    this.doc.off('beforeTransaction', this._before);
    this.ytext.unobserve(this._observe);
  }
}
