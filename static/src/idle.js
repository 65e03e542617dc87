// Idle logout in the browser. The server ends an idle session on its own; this
// module keeps an open page from showing content after that: it warns a minute
// before, then hides the page and goes to the login page.
//
// The deadline counts from the last contact with the server (page load or a
// keep-alive ping sent when the person is active), so both sides agree on it.
// The server notes activity at most every 30 seconds, hence the slack.
// Open tabs share that moment through localStorage.

import { csrfToken } from "./csrf.js";
import { forgetDrafts } from "./drafts.js";

const WARN_SECONDS = 60;
const PING_EVERY_MS = 30_000;
const SERVER_SLACK_MS = 30_000;
const CHECK_EVERY_MS = 1_000;
const STORE_KEY = "idle:last-contact";
const ACTIVITY = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "scroll"];

function sharedContact() {
  try {
    return Number(window.localStorage.getItem(STORE_KEY)) || 0;
  } catch {
    return 0;
  }
}

function recordContact(moment) {
  try {
    window.localStorage.setItem(STORE_KEY, String(moment));
  } catch {
    // Storage can be disabled; the page then only knows its own contacts.
  }
}

function warningDialog(onStay) {
  const dialog = document.createElement("dialog");
  dialog.className = "idle-warning";
  dialog.setAttribute("aria-labelledby", "idle-warning-title");
  const title = document.createElement("h2");
  title.id = "idle-warning-title";
  title.textContent = "Still there?";
  const text = document.createElement("p");
  text.textContent = "For your privacy you will be logged out in about a minute.";
  const stay = document.createElement("button");
  stay.type = "button";
  stay.className = "button";
  stay.textContent = "Stay logged in";
  stay.addEventListener("click", onStay);
  dialog.append(title, text, stay);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    onStay();
  });
  document.body.append(dialog);
  return dialog;
}

export function startIdleLogout(settings) {
  const timeoutMs = Math.max(settings.timeoutSeconds * 1000 - SERVER_SLACK_MS, (WARN_SECONDS + 1) * 1000);
  let lastContact = Math.max(Date.now(), sharedContact());
  let pinging = false;
  let leaving = false;
  recordContact(lastContact);

  function leave() {
    if (leaving) return;
    leaving = true;
    forgetDrafts();
    // Hide everything first: nothing personal stays on screen while we go.
    document.documentElement.classList.add("idle-ended");
    document.body.replaceChildren();
    document.title = "Logged out";
    const goToLogin = () => window.location.replace(settings.loginUrl);
    const form = new FormData();
    form.append("csrf_token", csrfToken());
    fetch(settings.endUrl, { method: "POST", credentials: "same-origin", body: form }).then(goToLogin, goToLogin);
  }

  function ping() {
    if (pinging) return;
    pinging = true;
    fetch(settings.pingUrl, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then((response) => {
        if (response.status === 204) {
          lastContact = Date.now();
          recordContact(lastContact);
          hideWarning();
        } else {
          leave();
        }
      })
      .catch(() => {
        // Offline: keep the local deadline; the server decides when we are back.
      })
      .finally(() => {
        pinging = false;
      });
  }

  let dialog = null;
  function showWarning() {
    if (!dialog) dialog = warningDialog(ping);
    if (!dialog.open) dialog.showModal();
  }
  function hideWarning() {
    if (dialog && dialog.open) dialog.close();
  }

  function onActivity() {
    if (leaving || (dialog && dialog.open)) return;
    if (Date.now() - lastContact >= PING_EVERY_MS) ping();
  }

  function check() {
    lastContact = Math.max(lastContact, sharedContact());
    const remaining = lastContact + timeoutMs - Date.now();
    if (remaining <= 0) leave();
    else if (remaining <= WARN_SECONDS * 1000) showWarning();
    else hideWarning();
  }

  for (const name of ACTIVITY) {
    window.addEventListener(name, onActivity, { passive: true, capture: true });
  }
  window.setInterval(check, CHECK_EVERY_MS);
  window.addEventListener("storage", (event) => {
    if (event.key === STORE_KEY) check();
  });
}

// A page brought back by the back button from the browser's memory asks the server
// again, so a session ended meanwhile (quick exit, idle, logout) shows nothing.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) window.location.reload();
});

const root = document.body && document.body.dataset;
if (root && root.idleTimeout) {
  startIdleLogout({
    timeoutSeconds: Number(root.idleTimeout),
    pingUrl: "/sessions/still-here",
    endUrl: "/quick-exit", // ends this session quietly, as the quick exit does
    loginUrl: "/login",
  });
}
