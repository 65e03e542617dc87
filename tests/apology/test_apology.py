"""The guided apology: private drafts, gentle notes, the letter, its answers, and the promise it becomes."""
import io
import json
import re
import zipfile

import pytest

from apology import hints, service
from apology.models import Apology
from apology.service import Parts
from couples import linking
from couples.errors import Conflict, Forbidden, Invalid, NotFound, ReadOnly
from dialogue import service as dialogue_service
from extensions import db
from ledger import service as ledger
from tests.conftest import PASSWORD

WORDS = Parts(
    what_i_did="I read your messages without asking.",
    how_it_affected="You may have felt watched and that your trust was broken.",
    responsibility="That was my doing, and I'm sorry.",
    differently="I will ask before I touch your phone.",
)


@pytest.fixture
def pair(linked_couple):
    return linked_couple("Maya Lind", "Sam Okoro")


def sent_by(writer, couple, parts=WORDS):
    draft = service.start(writer, couple)
    service.save(writer, draft, parts)
    return service.send(writer, draft)


def fresh(apology):
    db.session.expire_all()
    return db.session.get(Apology, apology.id)


# ---- the notes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("I was late, but the traffic was awful.", "but"),
    ("I'm sorry if you felt ignored.", "if_you_felt"),
    ("I’m sorry you took it that way.", "sorry_you"),
    ("I am sorry that you were upset.", "sorry_you"),
    ("You made me so angry that I shouted.", "you_made_me"),
    ("Anyway, it's in the past.", "anyway"),
])
def test_each_word_that_undoes_an_apology_gets_a_kind_note(text, key):
    found = hints.hints(text)
    assert [p.key for p in found] == [key]
    assert found[0].explanation.endswith(".") and found[0].explanation.count(". ") == 0  # one sentence


@pytest.mark.parametrize("text", ["I'm sorry I shouted.", "I spread butter on your letter.", "Buttons, butane", ""])
def test_a_plain_apology_gets_no_note(text):
    assert hints.hints(text) == []


def test_the_browser_gets_the_same_patterns_the_server_uses(pair, client, login):
    couple, maya, _ = pair
    draft = service.start(maya, couple)
    html = login(client, maya).get(f"/apology/{draft.id}").get_data(as_text=True)
    shipped = json.loads(re.search(r'data-patterns="([^"]+)"', html).group(1).replace("&#34;", '"')
                         .replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&"))
    assert [(p["key"], p["pattern"]) for p in shipped] == [(p.key, p.pattern) for p in hints.PATTERNS]


def test_the_page_shows_notes_for_saved_words_and_still_lets_them_be_sent(pair, client, login):
    couple, maya, sam = pair
    browser = login(client, maya)
    draft = service.start(maya, couple)
    page = f"/apology/{draft.id}"
    data = {**vars(WORDS), "what_i_did": "I forgot your birthday, but I was busy."}
    html = browser.post(page, data, page=page, follow_redirects=True).get_data(as_text=True)
    assert hints.PATTERNS[0].explanation.replace("'", "&#39;") in html
    response = browser.post(f"{page}/send", data, page=page)
    assert response.status_code == 303
    assert not fresh(draft).is_draft


# ---- the draft is private ------------------------------------------------------------------------------

def test_a_draft_is_never_found_by_the_partner(pair):
    couple, maya, sam = pair
    draft = service.start(maya, couple)
    service.save(maya, draft, WORDS)
    with pytest.raises(NotFound):
        service.apology_for(sam, draft.id)
    assert service.visible_to(sam) == [] and service.letters_waiting(sam) == []
    assert service.apology_for(maya, draft.id) is draft


def test_the_draft_survives_a_reload_and_writing_again_goes_back_to_it(pair, client, login):
    couple, maya, _ = pair
    browser = login(client, maya)
    first = browser.post("/apology/", page="/apology/")
    page = first.headers["Location"]
    browser.post(page, {"what_i_did": "I left without a word."}, page=page)
    assert "I left without a word." in browser.get(page).get_data(as_text=True)
    again = browser.post("/apology/", page="/apology/")
    assert again.headers["Location"] == page


def test_autosave_keeps_the_words_and_answers_the_page(pair, client, login):
    couple, maya, _ = pair
    draft = service.start(maya, couple)
    browser = login(client, maya)
    response = browser.post(f"/apology/{draft.id}/autosave", {"what_i_did": "I was cold to you."},
                            page=f"/apology/{draft.id}")
    assert response.status_code == 200 and response.json == {"ok": True}
    assert fresh(draft).what_i_did == "I was cold to you."


def test_too_long_words_are_refused_clearly_and_nothing_changes(pair, client, login):
    couple, maya, _ = pair
    draft = service.start(maya, couple)
    service.save(maya, draft, WORDS)
    browser = login(client, maya)
    page = f"/apology/{draft.id}"
    response = browser.post(page, {**vars(WORDS), "what_i_did": "x" * 2001}, page=page)
    assert response.status_code == 400 and "up to 2,000 characters" in response.get_data(as_text=True)
    answer = browser.post(f"{page}/autosave", {"what_i_did": "x" * 2001}, page=page)
    assert answer.status_code == 400 and answer.json["ok"] is False
    assert fresh(draft).what_i_did == WORDS.what_i_did


def test_sending_asks_for_every_part_and_keeps_what_was_written(pair, client, login):
    couple, maya, _ = pair
    draft = service.start(maya, couple)
    browser = login(client, maya)
    page = f"/apology/{draft.id}"
    response = browser.post(f"{page}/send", {**vars(WORDS), "differently": "  "}, page=page)
    assert response.status_code == 400 and "Say what you will do differently." in response.get_data(as_text=True)
    kept = fresh(draft)
    assert kept.is_draft and kept.what_i_did == WORDS.what_i_did


def test_a_sent_apology_stays_as_it_was_sent(pair):
    couple, maya, _ = pair
    letter = sent_by(maya, couple)
    with pytest.raises(Conflict):
        service.save(maya, letter, Parts(what_i_did="Something else"))
    with pytest.raises(Conflict):
        service.send(maya, letter)
    assert fresh(letter).what_i_did == WORDS.what_i_did


def test_someone_elses_apology_id_is_not_found(pair, linked_couple, client, login):
    couple, maya, _ = pair
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    letter = sent_by(maya, couple)
    browser = login(client, carol)
    assert client.get(f"/apology/{letter.id}").status_code == 404
    assert client.get("/apology/99999").status_code == 404
    assert browser.post(f"/apology/{letter.id}/answer", {"answer": "thanks"}).status_code == 404


# ---- the letter and its answers ------------------------------------------------------------------------

def test_the_partner_reads_a_letter_that_asks_for_nothing(pair, client, login):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    login(client, sam)
    html = client.get(f"/apology/{letter.id}").get_data(as_text=True)
    assert "A letter from Maya Lind" in html and WORDS.what_i_did in html
    assert "You don&#39;t have to answer this, or forgive me." in html
    assert "forgive" not in " ".join(re.findall(r"<button[^>]*>([^<]*)</button>", html)).lower()
    assert [b for b in ("Thank you", "I need some time", "Can we talk about it?") if f">{b}</button>" in html]


def test_the_partner_answers_once_and_time_can_be_followed_by_an_answer(pair):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    service.answer(sam, letter, "time")
    with pytest.raises(Conflict):
        service.answer(sam, letter, "time")
    service.answer(sam, letter, "thanks")
    with pytest.raises(Conflict):
        service.answer(sam, letter, "talk")
    assert fresh(letter).answer_words == "Thank you"


def test_the_writer_cannot_answer_their_own_apology_and_odd_answers_are_refused(pair, client, login):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    with pytest.raises(Forbidden):
        service.answer(maya, letter, "thanks")
    with pytest.raises(Invalid):
        service.answer(sam, letter, "forgive")
    response = login(client, sam).post(f"/apology/{letter.id}/answer", {"answer": "forgive"},
                                       page=f"/apology/{letter.id}", follow_redirects=True)
    assert "Please choose one of the answers." in response.get_data(as_text=True)
    assert fresh(letter).answer is None


def test_can_we_talk_invites_the_writer_to_a_dialogue_about_the_apology(pair, client, login):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    response = login(client, sam).post(f"/apology/{letter.id}/answer", {"answer": "talk"},
                                       page=f"/apology/{letter.id}")
    dialogue = dialogue_service.open_dialogue(couple)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/dialogue/{dialogue.id}")
    assert dialogue.topic == "The apology of 2 March"
    assert dialogue.sender_id == sam.id and dialogue.receiver_id == maya.id and dialogue.state == "invited"
    assert fresh(letter).dialogue_id == dialogue.id


def test_can_we_talk_while_a_dialogue_is_open_changes_nothing(pair):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    dialogue_service.invite(maya, couple, "Our weekends")
    with pytest.raises(Conflict):
        service.answer(sam, letter, "talk")
    assert fresh(letter).answer is None


# ---- the promise ------------------------------------------------------------------------------------

def test_what_i_will_do_differently_becomes_a_promise_once(pair, client, login, app):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    browser = login(client, maya)
    page = f"/apology/{letter.id}"
    html = browser.get(page).get_data(as_text=True)
    assert f'value="{WORDS.differently}"' in html  # pre-filled
    response = browser.post(f"{page}/promise", {"text": "I ask before I touch your phone.", "kind": "daily"},
                            page=page)
    assert response.status_code == 303
    [promise] = ledger.couple_promises(couple.id)
    assert promise.text == "I ask before I touch your phone." and promise.is_recurring
    again = browser.post(f"{page}/promise", {"text": "Twice", "kind": "once"}, page=page, follow_redirects=True)
    assert "already become a promise" in again.get_data(as_text=True)
    assert len(ledger.couple_promises(couple.id)) == 1

    ledger_page = browser.get(f"/ledger/promises/{promise.id}").get_data(as_text=True)
    assert "Comes from" in ledger_page and "your apology of 2 March" in ledger_page
    sam_browser = login(app.test_client(), sam)
    assert "Maya Lind&#39;s apology of 2 March" in sam_browser.get(f"/ledger/promises/{promise.id}").get_data(as_text=True)

    deposit = ledger.log_deposit(maya, promise)
    assert ledger.confirm_deposit(sam, deposit).status == "confirmed"


def test_only_the_writer_promises_and_only_once_sent(pair):
    couple, maya, sam = pair
    draft = service.start(maya, couple)
    service.save(maya, draft, WORDS)
    with pytest.raises(Invalid):
        service.make_promise(maya, draft, service.promise_terms(draft))
    letter = service.send(maya, draft)
    with pytest.raises(Forbidden):
        service.make_promise(sam, letter, service.promise_terms(letter))
    assert ledger.couple_promises(couple.id) == []


# ---- after unlinking, export, deletion ----------------------------------------------------------------

def test_after_unlinking_letters_stay_readable_and_drafts_stay_private(pair, client, login):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    draft = service.start(maya, couple)
    service.save(maya, draft, Parts(what_i_did="unsent words"))
    linking.unlink(couple, sam)
    for person in (maya, sam):
        assert service.apology_for(person, letter.id) == letter
        with pytest.raises(ReadOnly):
            service.apology_for(person, letter.id, write=True)
    with pytest.raises(NotFound):
        service.apology_for(sam, draft.id)
    login(client, sam)
    assert WORDS.what_i_did in client.get(f"/apology/{letter.id}").get_data(as_text=True)
    assert "unsent words" not in client.get("/apology/").get_data(as_text=True)


def test_my_data_holds_sent_letters_and_my_own_drafts_only(pair, client, login):
    couple, maya, sam = pair
    sent_by(maya, couple)
    service.save(sam, service.start(sam, couple), Parts(what_i_did="sam-draft-words"))
    service.save(maya, service.start(maya, couple), Parts(what_i_did="maya-draft-words"))
    exported = {person.id: service.export_for_user(person)["apologies"] for person in (maya, sam)}
    assert {(a["from"], a["state"]) for a in exported[maya.id]} == {("me", "sent"), ("me", "draft")}
    assert {(a["from"], a["state"]) for a in exported[sam.id]} == {("Maya Lind", "sent"), ("me", "draft")}
    response = login(client, sam).post("/my-data", {"password": PASSWORD}, page="/my-data")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    text = archive.read("my-data/apology.json").decode()
    assert WORDS.what_i_did in text and "sam-draft-words" in text and "maya-draft-words" not in text


def test_deleting_an_account_erases_its_drafts_and_keeps_its_letters_as_former_partner(pair, client, login):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    service.save(maya, service.start(maya, couple), Parts(what_i_did="never sent"))
    response = login(client, maya).post("/account/delete", {"del-password": PASSWORD, "del-confirm": "y"},
                                        page="/account")
    assert response.status_code == 302
    db.session.expire_all()
    left = list(db.session.scalars(db.select(Apology)))
    assert [a.id for a in left] == [letter.id]
    assert service.export_for_user(sam)["apologies"][0]["from"] == "former partner"


def test_saving_or_sending_a_letter_already_sent_changes_nothing_and_shows_it(pair, client, login):
    couple, maya, _ = pair
    letter = sent_by(maya, couple)
    browser = login(client, maya)
    page = f"/apology/{letter.id}"
    for url in (page, f"{page}/send"):
        response = browser.post(url, {**vars(WORDS), "what_i_did": "rewritten"}, page=page, follow_redirects=True)
        assert "stays as it is" in response.get_data(as_text=True)
    assert fresh(letter).what_i_did == WORDS.what_i_did


def test_both_archives_list_the_letters_sent_and_no_draft(pair, app, login):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    service.save(maya, service.start(maya, couple), Parts(what_i_did="kept to myself"))
    linking.unlink(couple, maya)
    for person, name in ((maya, "Your apology of 2 March"), (sam, "Maya Lind&#39;s apology of 2 March")):
        html = login(app.test_client(), person).get(f"/archive/{couple.id}").get_data(as_text=True)
        assert name in html and f"/apology/{letter.id}" in html
        assert "Write an apology" not in html
    assert "kept to myself" not in login(app.test_client(), sam).get(f"/apology/{letter.id}").get_data(as_text=True)


SAMPLES = ["I was late, but the bus was slow.", "BUT I meant well", "I'm sorry if you felt left out.",
           "If you were hurt, I apologise.", "I’m sorry you feel that way.", "I am sorry that you cried.",
           "You made me do it.", "Anyway.", "I'm sorry I shouted.", "butter and buttons", "contributed",
           "anyways, never mind", "You made meals for us", ""]


def test_the_browser_reads_the_patterns_exactly_as_the_server_does():
    """The same list runs in JavaScript for the live notes: each sample gets the same notes on both sides."""
    import subprocess

    script = ("const [patterns, samples] = JSON.parse(process.argv[1]);"
              "console.log(JSON.stringify(samples.map((t) => patterns.filter((p) => new RegExp(p.pattern, 'i')"
              ".test(t)).map((p) => p.key))));")
    result = subprocess.run(["node", "-e", script, json.dumps([json.loads(hints.as_json()), SAMPLES])],
                            capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == [[p.key for p in hints.hints(t)] for t in SAMPLES]


# ---- live ------------------------------------------------------------------------------------------

def test_a_letter_and_its_answer_reach_the_partners_open_pages_live(pair, login, app, socket_client):
    couple, maya, sam = pair
    maya_browser, sam_browser = login(app.test_client(), maya), login(app.test_client(), sam)
    maya_socket, sam_socket = (socket_client("/couple", b.client) for b in (maya_browser, sam_browser))
    maya_socket.get_received("/couple"), sam_socket.get_received("/couple")

    start = maya_browser.post("/apology/", page="/apology/").headers["Location"]
    maya_browser.post(start, vars(WORDS), page=start)
    assert [e["name"] for e in sam_socket.get_received("/couple")] == []  # a draft is never told
    maya_browser.post(f"{start}/send", vars(WORDS), page=start)
    letter = db.session.scalar(db.select(Apology))
    told = [(e["name"], e["args"][0]) for e in sam_socket.get_received("/couple")]
    assert told == [("apology_sent", {"message": "Maya Lind wrote you a letter.", "by": maya.id,
                                      "apology_id": letter.id})]
    assert "Read Maya Lind's letter" in sam_browser.get("/").get_data(as_text=True)
    maya_socket.get_received("/couple")

    sam_browser.post(f"{start}/answer", {"answer": "thanks"}, page=start)
    told = [(e["name"], e["args"][0]) for e in maya_socket.get_received("/couple")]
    assert told == [("apology_answered", {"message": "Sam Okoro answered your letter.", "by": sam.id,
                                          "apology_id": letter.id})]
    page = maya_browser.get(start).get_data(as_text=True)
    assert 'id="letter-answer" data-live' in page and "Thank you" in page


def test_can_we_talk_while_the_writer_is_in_space_waits_for_their_space(pair, login, app):
    couple, maya, sam = pair
    letter = sent_by(maya, couple)
    maya_browser, sam_browser = login(app.test_client(), maya), login(app.test_client(), sam)
    maya_browser.post("/space", {"length": "day", "note": ""}, page="/space")
    answer = sam_browser.post(f"/apology/{letter.id}/answer", {"answer": "talk"}, page=f"/apology/{letter.id}")
    assert answer.status_code == 303
    followed = sam_browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Maya Lind asked for some space" in followed and "Your invitation can wait." in followed
    dialogue_id = fresh(letter).dialogue_id
    assert maya_browser.get(f"/dialogue/{dialogue_id}").status_code == 404
    assert f"/dialogue/{dialogue_id}" not in maya_browser.get(f"/apology/{letter.id}").get_data(as_text=True)
    maya_browser.post("/space/end", page="/space")
    assert f"/dialogue/{dialogue_id}" in maya_browser.get(f"/apology/{letter.id}").get_data(as_text=True)
