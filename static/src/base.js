// On every page (each page's bundle starts with it): the quick exit (button, or Esc twice) leaves for a neutral
// site without a history entry; idle logout; being here.
import './idle.js';
import './here.js';
import { csrfToken } from './csrf.js';
import { forgetDrafts } from './drafts.js';
const ESC_WINDOW_MS = 800;

export function quickExit() {
  forgetDrafts();
  const target = document.body.dataset.quickExit || 'about:blank';
  // End the session on the way out, so the back button finds only the sign-in page.
  try {
    const form = new FormData();
    form.append('csrf_token', csrfToken());
    navigator.sendBeacon('/quick-exit', form);
  } catch (err) {
    // Leaving matters more than signing out; the session still idles out on its own.
  }
  document.title = '';
  document.body.replaceChildren();
  window.location.replace(target);
}

function setUpQuickExit() {
  const button = document.getElementById('quick-exit');
  if (button) {
    button.addEventListener('click', (event) => {
      event.preventDefault();
      quickExit();
    });
  }
  let lastEsc = 0;
  // On the window, so the page's own handlers have had this key first.
  window.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    if (escClosesSomething(event)) {
      lastEsc = 0;
      return;
    }
    const now = Date.now();
    if (now - lastEsc < ESC_WINDOW_MS) {
      quickExit();
    }
    lastEsc = now;
  });
}

// An Esc that closes a dialog (the browser closes an open modal after this keydown) or that the page used to
// close something of its own is that person's "never mind", not half of a quick exit.
function escClosesSomething(event) {
  return event.defaultPrevented || document.querySelector('dialog[open]') !== null;
}

// A button beside a read-only field copies its text (shown only where the browser can copy).
function setUpCopyButtons() {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const field = document.getElementById(button.dataset.copy);
    const said = document.getElementById(`${button.dataset.copy}-copied`);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (said) said.textContent = 'Copied. You can paste it into a message to your partner.';
      } catch (err) {
        field.select();
        if (said) said.textContent = 'Select the link and copy it yourself; this browser did not let us.';
      }
    });
  }
}

setUpQuickExit();

// Signing out erases this tab's drafts; so does any page shown signed out (a session ended elsewhere).
if (!document.body.dataset.idleTimeout) forgetDrafts();
const signOut = document.querySelector('form[data-sign-out]');
if (signOut) signOut.addEventListener('submit', forgetDrafts);
setUpCopyButtons();
