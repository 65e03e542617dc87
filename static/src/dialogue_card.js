// The dialogue card of the home page: drawn again from /dialogue/card when the partner moves, on (re)connect,
// and when a "later" invitation comes due.
import { connect, newestReader, whenDue } from './live.js';

const card = document.querySelector('.dlg-home[data-card-url]');
if (card) watchCard(card);

function watchCard(first) {
  const url = first.dataset.cardUrl;
  let timer = null;
  const read = newestReader();
  async function refresh() {
    const answer = await read(url);
    if (!answer || !answer.ok) return;
    const current = document.querySelector(".dlg-home[data-card-url]");
    const fresh = document.createRange().createContextualFragment(answer.text).querySelector(".dlg-home");
    fresh.querySelectorAll("script").forEach((script) => script.remove());
    current.replaceWith(fresh);
    timer = whenDue(fresh.dataset.later, refresh, timer);
  }
  const socket = connect("/dialogue");
  socket.on("connect", () => refresh());
  socket.on("changed", refresh);
  timer = whenDue(first.dataset.later, refresh, timer);
}
