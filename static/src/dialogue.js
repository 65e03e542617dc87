// The live dialogue page: refresh on the partner's turns, show "writing...", count characters, and never
// lose a word: what is being written is kept in this tab (drafts.js), and a step taken while offline waits
// here and is sent once when the connection is back (the turn carries its index; a repeat is refused).
// Every form also works without this script; here it is sent over the socket instead of reloading.
// On the Dialogues page the same script keeps the list up to date (the home card has dialogue_card.js).
import "./base.js";
import { connect, followRegions, newestReader, whenDue } from "./live.js";
import { keepDraft, readDraft } from "./drafts.js";

const WRITING_SIGNAL_MS = 2000;
const WRITING_SHOWN_MS = 5000;
const ANSWER_WAIT_MS = 10_000;
const OFFLINE_NOTE = "You are offline right now. What you wrote is kept on this device, "
  + "and it will be sent as soon as the connection is back.";
const SENDING_NOTE = "The connection is back. Sending what you wrote…";

const root = document.getElementById("dialogue");
const list = document.querySelector("#dialogues[data-follow]");
if (root) start(root);
else if (list) followList(list);

function followList(page) {
  const refresh = followRegions(page);
  const socket = connect("/dialogue");
  socket.on("connect", refresh);
  socket.on("changed", refresh);
}

function start(root) {
  const dialogueId = Number(root.dataset.dialogueId);
  const live = document.getElementById("dialogue-live");
  const status = root.querySelector(".dlg-status");
  const announcer = document.getElementById("dlg-announce");
  const outboxKey = `${dialogueId}:outbox`;
  const socket = connect("/dialogue");
  let lastSignal = 0;
  let writingTimer = null;
  let laterTimer = null;
  let sending = false;
  let working = null; // where in the dialogue the person works (a selector), to come back to after a refresh
  const read = newestReader(); // the live step's reader: an older answer never replaces a newer one

  const current = () => live.querySelector(".dlg-live");
  const currentIndex = () => Number(current().dataset.index);
  const draftKey = (textarea) => `${dialogueId}:${textarea.id}`;
  const outbox = () => JSON.parse(readDraft(outboxKey) || "null");
  const online = () => socket.connected && navigator.onLine;

  function say(message) {
    status.textContent = message;
    status.hidden = !message;
  }

  // A calm note inside the step, where the person is looking (on a phone the page header is off-screen).
  function note(message, role = "status") {
    const step = document.getElementById("step");
    let element = step.querySelector(".dlg-connection");
    if (!message) {
      if (element) element.remove();
      return;
    }
    if (!element) {
      element = document.createElement("p");
      element.className = "dlg-later dlg-connection";
      step.querySelector("h2").after(element);
    }
    element.setAttribute("role", role);
    element.textContent = message;
  }

  function showOutbox() {
    const waiting = outbox();
    if (!waiting) {
      note("");
      return;
    }
    note(online() ? SENDING_NOTE : OFFLINE_NOTE);
    for (const button of live.querySelectorAll("#step button")) button.disabled = true;
  }

  function showRefusal(refusal) {
    const problem = document.createElement("p");
    problem.className = "dlg-error";
    problem.setAttribute("role", "alert");
    problem.textContent = refusal;
    document.getElementById("step").prepend(problem);
  }

  // `refusal`: a refused step's message, shown inside the step where the person is looking.
  async function refresh(refusal = "") {
    const before = { state: current().dataset.state, mine: current().dataset.mine === "true" };
    let answer;
    try {
      answer = await read(root.dataset.liveUrl);
    } catch {
      showOutbox();
      return; // offline: the page stays as it is, and catches up on reconnect
    }
    if (answer === null) {
      // Overtaken: a newer answer is already shown, and a refusal is still told there.
      if (refusal) showRefusal(refusal);
      return;
    }
    if (answer.status === 404) {
      // Deleted with both partners' agreement: go back to the list of dialogues.
      window.location.assign(root.dataset.indexUrl);
      return;
    }
    if (!answer.ok) {
      say("The dialogue could not be updated. Please reload the page.");
      return;
    }
    // Where the person works, read as the step is drawn again (not before the read: they may have started
    // typing meanwhile). A button just pressed (and disabled) leaves the focus on the body: that counts as here.
    const active = document.activeElement;
    const focusWasHere = working && (live.contains(active) || active === document.body) ? working : null;
    const caret = active instanceof HTMLTextAreaElement && live.contains(active)
      ? [active.selectionStart, active.selectionEnd] : null;
    live.innerHTML = answer.text;
    say("");
    wire();
    if (refusal) showRefusal(refusal);
    showOutbox();
    const now = current();
    if (now.dataset.state !== before.state || (now.dataset.mine === "true") !== before.mine) {
      const title = document.getElementById("step-title").textContent.trim();
      announcer.textContent = now.dataset.mine === "true" ? `Your turn: ${title}.` : `${title}.`;
    }
    // Focus stays where the person works: on the same field if it is still there, else on the new step.
    if (focusWasHere) {
      const again = live.querySelector(focusWasHere) || document.getElementById("step-title");
      again.focus({ preventScroll: true });
      if (caret && again instanceof HTMLTextAreaElement) again.setSelectionRange(...caret);
      working = focusWasHere;
    }
    // When it becomes this partner's turn, bring the step into view (on a phone it is below the transcript).
    if (!before.mine && now.dataset.mine === "true") {
      document.getElementById("step").scrollIntoView({ block: "nearest" });
    }
  }

  function showWriting() {
    const writing = live.querySelector(".dlg-writing");
    if (!writing) return;
    writing.hidden = false;
    clearTimeout(writingTimer);
    writingTimer = setTimeout(() => { writing.hidden = true; }, WRITING_SHOWN_MS);
  }

  function count(textarea) {
    const counter = document.getElementById(`${textarea.id}-count`);
    if (counter) counter.querySelector("span").textContent = String(textarea.value.length);
  }

  function onInput(event) {
    count(event.target);
    keepDraft(draftKey(event.target), event.target.value);
    const now = Date.now();
    if (online() && now - lastSignal > WRITING_SIGNAL_MS) {
      lastSignal = now;
      socket.emit("writing", { dialogue_id: dialogueId });
    }
  }

  // Send the waiting step, once: an answer (either way) empties the outbox; no answer keeps it for the
  // next connection, and a repeat of a step that did arrive is refused by the server as stale.
  function flush() {
    const waiting = outbox();
    if (!waiting || sending || !online()) return;
    sending = true;
    showOutbox();
    socket.timeout(ANSWER_WAIT_MS).emit("act", waiting.payload, (noAnswer, answer) => {
      sending = false;
      if (noAnswer) {
        showOutbox();
        return;
      }
      keepDraft(outboxKey, null);
      if (answer && answer.ok) {
        keepDraft(waiting.field, null);
        refresh();
      } else if (answer && answer.error && answer.error.code === "stale") {
        refresh().then(() => {
          // The step arrived the first time (its answer was lost): its words are in the transcript now.
          if (live.querySelector(`[data-turn="${waiting.payload.index}"][data-by-me="true"]`)) {
            keepDraft(waiting.field, null);
            const box = waiting.field && document.getElementById(waiting.field.split(":").pop());
            if (box) box.value = "";
          }
        });
      } else {
        refresh(answer && answer.error ? answer.error.message : "That did not work. Please try again.");
      }
    });
  }

  function onSubmit(event) {
    const form = event.target;
    const action = event.submitter ? event.submitter.value : "";
    // "later" carries a time chosen in the form; it goes through the plain form post, as does any step
    // while the network is there but the live connection is not.
    if (!action || action === "later" || (!socket.connected && navigator.onLine)) return;
    event.preventDefault();
    const textarea = form.querySelector("textarea");
    const payload = {
      dialogue_id: dialogueId,
      action,
      index: Number(form.elements.index.value),
      text: textarea ? textarea.value : null,
    };
    keepDraft(outboxKey, { payload, field: textarea ? draftKey(textarea) : null });
    showOutbox();
    flush();
  }

  function wire() {
    for (const textarea of live.querySelectorAll("textarea")) {
      const draft = readDraft(draftKey(textarea));
      if (draft && !textarea.value) textarea.value = draft;
      count(textarea);
      textarea.addEventListener("input", onInput);
    }
    for (const form of live.querySelectorAll("form")) form.addEventListener("submit", onSubmit);
    laterTimer = whenDue(current().dataset.later, refresh, laterTimer);
  }

  live.addEventListener("focusin", (event) => {
    const { id, value } = event.target;
    working = id ? `#${CSS.escape(id)}` : value ? `#step button[value="${CSS.escape(value)}"]` : "#step-title";
  });
  document.addEventListener("focusin", (event) => {
    if (!live.contains(event.target)) working = null;
  });

  // Once in the room, catch up with whatever happened since the page was rendered (or the connection
  // dropped), then send what waited.
  socket.on("connect", () => refresh().then(flush));
  socket.on("disconnect", showOutbox);
  window.addEventListener("offline", showOutbox);
  window.addEventListener("online", () => {
    showOutbox();
    flush();
  });
  socket.on("changed", (data) => {
    // `delivered`: an invitation that waited for a space is seen now (no turn was taken).
    if (!sending && data.dialogue_id === dialogueId && (data.index !== currentIndex() || data.delivered)) refresh();
  });
  socket.on("writing", (data) => {
    if (data.dialogue_id === dialogueId) showWriting();
  });
  wire();
  showOutbox();
}
