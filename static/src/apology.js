// Guided apology: gentle notes follow the writing, and the draft is kept as it is typed.
// The notes come from the same list the server uses (data-patterns); they never stop anyone sending.
// On the list of letters and on a sent letter, a letter or an answer from the partner shows up live; on a
// letter, its promise form shows only the fields that fit the chosen "how often" (the ledger's script).
import './base.js';
import './ledger.js';
import { connect, followRegions } from './live.js';

const form = document.querySelector('[data-apology-form]');

function showNotes(patterns, textarea) {
  const list = document.querySelector(`[data-notes-for="${textarea.id}"]`);
  if (!list) return;
  const found = patterns.filter((p) => p.regex.test(textarea.value));
  const shown = Array.from(list.children).map((li) => li.dataset.note).join(' ');
  if (shown === found.map((p) => p.key).join(' ')) return; // unchanged: leave the live region quiet
  list.replaceChildren(...found.map((p) => {
    const item = document.createElement('li');
    item.dataset.note = p.key;
    item.textContent = p.explanation;
    return item;
  }));
}

function keepDraft(url, status) {
  let timer = null;
  let sending = Promise.resolve();
  const save = () => {
    const body = new FormData(form);
    sending = sending.then(async () => {
      try {
        const response = await fetch(url, { method: 'POST', body, credentials: 'same-origin' });
        const answer = await response.json();
        status.textContent = answer.ok ? 'Kept. Only you can see it.' : answer.error.message;
      } catch (error) {
        status.textContent = 'Not kept just now. Your words are still here; press Save when you can.';
      }
    });
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  };
  form.addEventListener('input', later);
  // Words typed before this script arrived are kept too.
  if (Array.from(form.querySelectorAll('textarea')).some((t) => t.value !== t.defaultValue)) later();
}

if (form) {
  const patterns = JSON.parse(form.dataset.patterns).map((p) => ({ ...p, regex: new RegExp(p.pattern, 'i') }));
  form.querySelectorAll('textarea').forEach((textarea) => {
    textarea.addEventListener('input', () => showNotes(patterns, textarea));
    showNotes(patterns, textarea);
  });
  keepDraft(form.dataset.autosave, form.querySelector('[data-autosave-status]'));
  form.dataset.ready = 'true';
}

if (document.querySelector('[data-apology-live]')) {
  const refresh = followRegions(document.getElementById('main'));
  const socket = connect('/couple');
  socket.on('connect', refresh);
  socket.on('apology_sent', refresh);
  socket.on('apology_answered', refresh);
}
