// The browser's text binding, driven without a browser: a fake text field and two Yjs documents.
// Prints one line per check; exits non-zero on the first failure.
import assert from 'node:assert/strict';
import * as Y from 'yjs';
import { TextBinding, diffText } from '../../static/src/agreements/textbinding.js';

function apply(before, { index, remove, insert }) {
  return before.slice(0, index) + insert + before.slice(index + remove);
}

// Typing inside a run of equal letters is an edit at the caret, and an emoji is never cut in two.
for (const [before, after, caret, index] of [
  ['aa', 'aaa', 1, 0],
  ['aa', 'aaa', 3, 2],
  ['aaa', 'aa', 0, 0],
  ['noon', 'nooon', 2, 1],
  ['a😀b', 'a😃b', 3, 1],
]) {
  const edit = diffText(before, after, caret);
  assert.equal(apply(before, edit), after);
  assert.equal(edit.index, index, `${before} -> ${after} at ${caret}`);
}
console.log('diff: edits land at the caret');

class FakeField {
  constructor() {
    this.value = '';
    this.selectionStart = 0;
    this.selectionEnd = 0;
    this.selectionDirection = 'none';
    this.listeners = {};
  }
  setSelectionRange(start, end, direction = 'none') {
    Object.assign(this, { selectionStart: start, selectionEnd: end, selectionDirection: direction });
  }
  addEventListener(name, f) {
    (this.listeners[name] ||= []).push(f);
  }
  removeEventListener() {}
  dispatchEvent(event) {
    for (const f of this.listeners[event.type] || []) f(event);
  }
  type(text) {
    const at = this.selectionStart;
    this.value = this.value.slice(0, at) + text + this.value.slice(this.selectionEnd);
    this.setSelectionRange(at + text.length, at + text.length);
    this.dispatchEvent(new Event('input'));
  }
}

const mine = new Y.Doc();
const theirs = new Y.Doc();
mine.on('update', (u, origin) => origin !== 'wire' && Y.applyUpdate(theirs, u, 'wire'));
theirs.on('update', (u, origin) => origin !== 'wire' && Y.applyUpdate(mine, u, 'wire'));
const field = new FakeField();
globalThis.document = { activeElement: field };
new TextBinding(mine.getText('t'), field);
const partner = theirs.getText('t');

field.type('We listen before we answer.');
assert.equal(partner.toString(), 'We listen before we answer.');
console.log('local typing reaches the partner');

field.setSelectionRange(9, 9); // after "We listen"
partner.insert(0, 'Calmly, ');
assert.equal(field.value, 'Calmly, We listen before we answer.');
assert.deepEqual([field.selectionStart, field.selectionEnd], [17, 17]);
console.log('a partner typing before the caret moves it along with the text');

partner.insert(field.value.length - 1, ', always');
assert.deepEqual([field.selectionStart, field.selectionEnd], [17, 17]);
console.log('a partner typing after the caret leaves it alone');

partner.insert(17, ' fully');
assert.equal(field.value, 'Calmly, We listen fully before we answer, always.');
assert.deepEqual([field.selectionStart, field.selectionEnd], [17, 17]);
field.type(' and');
assert.equal(partner.toString(), 'Calmly, We listen and fully before we answer, always.');
console.log('a partner typing right at the caret does not push it: your words stay together');

field.setSelectionRange(0, 6, 'forward'); // "Calmly" selected
partner.delete(0, 8);
assert.equal(field.value, 'We listen and fully before we answer, always.');
assert.deepEqual([field.selectionStart, field.selectionEnd], [0, 0]);
console.log('a selection the partner deleted collapses where it was');
console.log('ok');
