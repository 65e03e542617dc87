// The live dialogue page: refresh on the partner's turns, show "writing...", count characters.
// Every form also works without this script; here it is sent over the socket instead of reloading.
// On the home page, the same script keeps the dialogue card up to date (an invitation arrives live).
import { connect } from "./live.js";

const WRITING_SIGNAL_MS = 2000;
const WRITING_SHOWN_MS = 5000;

const root = document.getElementById("dialogue");
if (root) start(root);
const card = document.querySelector(".dlg-home[data-card-url]");
if (card && !root) watchCard(card);

// Refresh `at` the moment given in an ISO string (a "later" invitation comes back then).
function whenDue(iso, refresh, timer) {
  clearTimeout(timer);
  return iso ? setTimeout(refresh, Math.max(0, Date.parse(iso) - Date.now())) : null;
}

function watchCard(first) {
  const url = first.dataset.cardUrl;
  let timer = null;
  async function refresh() {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const current = document.querySelector(".dlg-home[data-card-url]");
    const fresh = document.createRange().createContextualFragment(await response.text()).querySelector(".dlg-home");
    fresh.querySelectorAll("script").forEach((script) => script.remove());
    current.replaceWith(fresh);
    timer = whenDue(fresh.dataset.later, refresh, timer);
  }
  const socket = connect("/dialogue");
  socket.on("connect", () => refresh());
  socket.on("changed", refresh);
  timer = whenDue(first.dataset.later, refresh, timer);
}

function start(root) {
  const dialogueId = Number(root.dataset.dialogueId);
  const live = document.getElementById("dialogue-live");
  const status = root.querySelector(".dlg-status");
  const socket = connect("/dialogue");
  let lastSignal = 0;
  let writingTimer = null;
  let laterTimer = null;
  let pending = false;

  const current = () => live.querySelector(".dlg-live");
  const currentIndex = () => Number(current().dataset.index);

  function say(message) {
    status.textContent = message;
    status.hidden = !message;
  }

  // `refusal`: a refused step's message, shown inside the step where the person is looking.
  async function refresh(refusal = "") {
    const drafts = new Map([...live.querySelectorAll("textarea")].map((t) => [t.id, t.value]));
    const response = await fetch(root.dataset.liveUrl, { credentials: "same-origin" });
    if (response.status === 404) {
      // Deleted with both partners' agreement: go back to the list of dialogues.
      window.location.assign(root.dataset.indexUrl);
      return;
    }
    if (!response.ok) {
      say("The dialogue could not be updated. Please reload the page.");
      return;
    }
    const wasMine = current().dataset.mine === "true";
    live.innerHTML = await response.text();
    for (const textarea of live.querySelectorAll("textarea")) {
      if (drafts.get(textarea.id)) textarea.value = drafts.get(textarea.id);
    }
    wire();
    if (refusal) {
      const note = document.createElement("p");
      note.className = "dlg-error";
      note.setAttribute("role", "alert");
      note.textContent = refusal;
      document.getElementById("step").prepend(note);
    }
    // When it becomes this partner's turn, bring the step into view (on a phone it is below the transcript).
    if (!wasMine && current().dataset.mine === "true") {
      document.getElementById("step").scrollIntoView({ block: "nearest" });
    }
  }

  function showWriting() {
    const note = live.querySelector(".dlg-writing");
    if (!note) return;
    note.hidden = false;
    clearTimeout(writingTimer);
    writingTimer = setTimeout(() => { note.hidden = true; }, WRITING_SHOWN_MS);
  }

  function count(textarea) {
    const counter = document.getElementById(`${textarea.id}-count`);
    if (counter) counter.querySelector("span").textContent = String(textarea.value.length);
  }

  function onInput(event) {
    count(event.target);
    const now = Date.now();
    if (socket.connected && now - lastSignal > WRITING_SIGNAL_MS) {
      lastSignal = now;
      socket.emit("writing", { dialogue_id: dialogueId });
    }
  }

  function onSubmit(event) {
    const form = event.target;
    const action = event.submitter ? event.submitter.value : "";
    // "later" carries a time chosen in the form; it goes through the plain form post.
    if (!socket.connected || !action || action === "later") return;
    event.preventDefault();
    const textarea = form.querySelector("textarea");
    const payload = {
      dialogue_id: dialogueId,
      action,
      index: Number(form.elements.index.value),
      text: textarea ? textarea.value : null,
    };
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    pending = true;
    socket.emit("act", payload, (answer) => {
      pending = false;
      if (answer && answer.ok) {
        if (textarea) textarea.value = "";
        refresh();
      } else {
        refresh(answer && answer.error ? answer.error.message : "That did not work. Please try again.");
      }
    });
  }

  function wire() {
    for (const textarea of live.querySelectorAll("textarea")) {
      count(textarea);
      textarea.addEventListener("input", onInput);
    }
    for (const form of live.querySelectorAll("form")) form.addEventListener("submit", onSubmit);
    laterTimer = whenDue(current().dataset.later, refresh, laterTimer);
  }

  // Once in the room, catch up with whatever happened since the page was rendered (or the connection dropped).
  socket.on("connect", () => refresh());
  socket.on("changed", (data) => {
    if (!pending && data.dialogue_id === dialogueId && data.index !== currentIndex()) refresh();
  });
  socket.on("writing", (data) => {
    if (data.dialogue_id === dialogueId) showWriting();
  });
  wire();
}
