"""The dialogue through its HTML forms, without JavaScript: every step, refusals, CSRF, history and deletion."""
from html import unescape
import json
import re

import pytest
from sqlalchemy import func, select

from couples import linking
from couples.errors import DomainError
from dialogue import service
from dialogue.models import Dialogue, Turn
from extensions import db
from tests.dialogue.play import WORDS, walk
from tests.dialogue.transitions import PATHS


@pytest.fixture
def pair(app, linked_couple, login):
    """Alice and Bob, linked, each signed in on their own browser."""
    couple, alice, bob = linked_couple()
    return couple, login(app.test_client(), alice), login(app.test_client(), bob)


def page(browser, dialogue_id):
    return unescape(browser.get(f"/dialogue/{dialogue_id}").get_data(as_text=True))


def index_of(html):
    return int(re.search(r'name="index" value="(\d+)"', html).group(1))


def step(browser, dialogue_id, action, text=None, index=None, **extra):
    """Submit one step the way the page's form does (index taken from the page unless given)."""
    html = page(browser, dialogue_id)
    data = {"action": action, "index": index_of(html) if index is None else index, **extra}
    if text is not None:
        data["text"] = text
    return browser.post(f"/dialogue/{dialogue_id}/act", data, page=f"/dialogue/{dialogue_id}")


def state_of(dialogue_id):
    db.session.expire_all()
    return db.session.get(Dialogue, dialogue_id).state


def turns():
    return db.session.scalar(select(func.count(Turn.id)))


def start(browser, topic="How we spend our evenings"):
    response = browser.post("/dialogue/", {"topic": topic}, page="/dialogue/")
    assert response.status_code == 303
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_a_whole_dialogue_works_with_plain_forms(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    assert "would like a dialogue about" in bob.get("/").get_data(as_text=True)
    script = [(bob, "accept", None), (alice, "send", "I miss our evenings."), (bob, "mirror", "What I heard is ..."),
              (alice, "not_quite", "I meant the walks."), (bob, "mirror", "The walks. Did I get that?"),
              (alice, "got_it", None), (bob, "ask_more", None), (alice, "add_more", "And the phone at dinner."),
              (bob, "mirror", "The phone at dinner."), (alice, "got_it", None), (bob, "ask_more", None),
              (alice, "thats_all", None),
              (bob, "summarize", "Walks and phones."), (alice, "confirm_summary", None),
              (bob, "validate", "You make sense to me because ..."), (bob, "empathize", "I imagine lonely."),
              (alice, "confirm_feeling", None), (bob, "finish", None), (alice, "appreciate", "Thank you."),
              (bob, "skip", None)]
    for browser, action, text in script:
        response = step(browser, dialogue_id, action, text)
        assert response.status_code == 303, (action, unescape(response.get_data(as_text=True))[:3000])
    assert state_of(dialogue_id) == "done"
    transcript = page(alice, dialogue_id)
    assert "I meant the walks." in transcript and "Thank you." in transcript
    assert "Finished" in transcript


def test_each_page_shows_whose_turn_it_is_and_the_stem(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    step(bob, dialogue_id, "accept")
    step(alice, dialogue_id, "send", "I miss our evenings.")
    receiver_page, sender_page = page(bob, dialogue_id), page(alice, dialogue_id)
    assert "Your turn" in receiver_page and "What I heard you say is ... Did I get that?" in receiver_page
    assert "Your turn" not in sender_page
    assert "Bob Lindqvist is mirroring back what they heard." in sender_page
    assert 'value="mirror"' not in sender_page


def test_receiver_cannot_send_out_of_turn(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    step(bob, dialogue_id, "accept")
    before = turns()
    response = step(bob, dialogue_id, "send", "Let me speak first.")
    assert response.status_code == 403
    assert "It is Alice Moreau's turn." in unescape(response.get_data(as_text=True))
    assert turns() == before and state_of(dialogue_id) == "sending"


def test_a_double_submit_is_refused_as_stale(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    html = page(bob, dialogue_id)
    assert step(bob, dialogue_id, "accept", index=index_of(html)).status_code == 303
    before = turns()
    response = step(bob, dialogue_id, "accept", index=index_of(html))
    assert response.status_code == 409
    assert "moved on" in unescape(response.get_data(as_text=True))
    assert turns() == before


@pytest.mark.parametrize("text,status", [("", 400), ("   ", 400), ("x" * 501, 400)])
def test_empty_and_over_long_messages_are_refused_and_kept_for_editing(pair, text, status):
    _, alice, bob = pair
    dialogue_id = start(alice)
    step(bob, dialogue_id, "accept")
    before = turns()
    response = step(alice, dialogue_id, "send", text)
    assert response.status_code == status
    assert turns() == before and state_of(dialogue_id) == "sending"


def test_a_step_without_a_csrf_token_is_refused(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    before = turns()
    response = bob.client.post(f"/dialogue/{dialogue_id}/act", data={"action": "accept", "index": 1})
    assert response.status_code == 400
    assert turns() == before and state_of(dialogue_id) == "invited"


def test_later_shows_the_time_to_both_and_the_invitation_comes_back(pair, clock):
    _, alice, bob = pair
    dialogue_id = start(alice)
    assert step(bob, dialogue_id, "later", later_minutes=30).status_code == 303
    assert state_of(dialogue_id) == "later"
    assert "Later: 2 Mar, 09:30" in page(alice, dialogue_id)
    clock.advance(minutes=20)  # (in two steps: a sign-in idle for 30 minutes ends)
    assert "comes back to you then" in page(bob, dialogue_id)
    clock.advance(minutes=11)
    assert "It is time: is now good?" in page(bob, dialogue_id)
    assert step(bob, dialogue_id, "accept").status_code == 303
    assert state_of(dialogue_id) == "sending"


def test_later_must_be_within_a_day(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    assert step(bob, dialogue_id, "later", later_minutes=60 * 25).status_code == 400
    assert state_of(dialogue_id) == "invited"


def test_not_today_with_a_kind_word(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    assert step(bob, dialogue_id, "decline", "Not tonight, I'm tired. Tomorrow?").status_code == 303
    assert state_of(dialogue_id) == "declined"
    assert "Not tonight, I'm tired. Tomorrow?" in page(alice, dialogue_id)


def test_pause_and_resume_from_where_it_was(pair):
    _, alice, bob = pair
    dialogue_id = start(alice)
    step(bob, dialogue_id, "accept")
    step(alice, dialogue_id, "send", "I miss our evenings.")
    assert step(alice, dialogue_id, "pause").status_code == 303
    paused = page(bob, dialogue_id)
    assert "Paused" in paused and "at least 20 minutes" in paused
    assert step(bob, dialogue_id, "mirror", "What I heard ...").status_code == 409
    assert step(alice, dialogue_id, "resume").status_code == 303
    assert state_of(dialogue_id) == "mirroring"


def test_only_one_open_dialogue_per_couple(pair):
    _, alice, bob = pair
    start(alice)
    response = bob.post("/dialogue/", {"topic": "Something else"}, page="/dialogue/")
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(Dialogue.id))) == 1


def test_deleting_needs_the_partners_agreement(pair):
    couple, alice, bob = pair
    dialogue_id = walk(couple, *couple.members, PATHS["done"]).id
    assert alice.post(f"/dialogue/{dialogue_id}/delete", page="/dialogue/").status_code == 303
    assert alice.post(f"/dialogue/{dialogue_id}/delete/accept", page="/dialogue/").status_code == 409
    assert "would like to delete this dialogue" in page(bob, dialogue_id)
    assert bob.post(f"/dialogue/{dialogue_id}/delete/accept", page="/dialogue/").status_code == 303
    assert db.session.get(Dialogue, dialogue_id) is None
    assert turns() == 0


def test_a_delete_request_can_be_turned_down(pair):
    couple, alice, bob = pair
    dialogue_id = walk(couple, *couple.members, PATHS["done"]).id
    alice.post(f"/dialogue/{dialogue_id}/delete", page="/dialogue/")
    assert bob.post(f"/dialogue/{dialogue_id}/delete/cancel", page="/dialogue/").status_code == 303
    assert bob.post(f"/dialogue/{dialogue_id}/delete/accept", page="/dialogue/").status_code == 409
    assert db.session.get(Dialogue, dialogue_id) is not None


def test_another_couple_sees_nothing(pair, linked_couple, login, app):
    couple, alice, _ = pair
    dialogue_id = walk(couple, *couple.members, PATHS["checking"]).id
    _, carol, _ = linked_couple("Carol Nguyen", "Dan Okafor")
    outsider = login(app.test_client(), carol)
    assert outsider.get(f"/dialogue/{dialogue_id}").status_code == 404
    assert outsider.get(f"/dialogue/{dialogue_id}/live").status_code == 404
    assert step_as_outsider(outsider, dialogue_id).status_code == 404
    assert "Our evenings" not in outsider.get("/dialogue/").get_data(as_text=True)


def test_an_id_that_cannot_exist_is_simply_not_found(pair):
    _, alice, _ = pair
    assert alice.get(f"/dialogue/{2**40}").status_code == 404


def step_as_outsider(outsider, dialogue_id):
    return outsider.post(f"/dialogue/{dialogue_id}/act", {"action": "got_it", "index": 4}, page="/dialogue/")


def test_after_unlinking_the_history_is_a_read_only_archive(pair):
    couple, alice, bob = pair
    dialogue_id = walk(couple, *couple.members, PATHS["checking"]).id
    linking.unlink(couple, couple.members[1])
    html = page(alice, dialogue_id)
    assert "read-only archive" in html and 'value="got_it"' not in html
    before = turns()
    response = alice.post(f"/dialogue/{dialogue_id}/act", {"action": "got_it", "index": 4}, page="/dialogue/")
    assert response.status_code == 403
    assert turns() == before


def test_a_deleted_account_shows_as_former_partner(pair):
    couple, alice, bob = pair
    first, second = couple.members
    dialogue_id = walk(couple, first, second, PATHS["done"]).id
    second.deleted_at = first.created_at
    db.session.commit()
    assert "former partner" in page(alice, dialogue_id)


def test_the_export_holds_every_turn_of_my_dialogues(pair):
    couple, _, _ = pair
    first, second = couple.members
    walk(couple, first, second, PATHS["done"])
    exported = json.loads(json.dumps(service.export_for_user(first)))
    assert len(exported["dialogues"]) == 1
    turns_out = exported["dialogues"][0]["turns"]
    assert turns_out[0]["by"] == "me" and turns_out[1]["by"] == second.name
    assert WORDS in [t["text"] for t in turns_out]


def test_the_home_card_shows_the_invitation_and_brings_it_back_after_later(pair, clock):
    _, alice, bob = pair
    assert "Ask for a dialogue" in unescape(bob.get("/dialogue/card").get_data(as_text=True))
    dialogue_id = start(alice)
    assert "Answer the invitation" in unescape(bob.get("/").get_data(as_text=True))
    step(bob, dialogue_id, "later", later_minutes=30)
    card = unescape(bob.get("/dialogue/card").get_data(as_text=True))
    assert "You said later: 2 Mar, 09:30" in card and "Answer the invitation" not in card
    clock.advance(minutes=30)
    assert "Answer the invitation" in unescape(bob.get("/dialogue/card").get_data(as_text=True))
    assert "They would like to do it a little later." in unescape(alice.get("/dialogue/card").get_data(as_text=True))


def test_two_devices_of_one_partner_cannot_both_take_the_same_turn(pair):
    """The page's device wins; the other device, holding the same turn in memory, is refused by the database."""
    couple, alice, bob = pair
    dialogue = walk(couple, *couple.members, PATHS["checking"])
    sender = couple.members[0]
    assert dialogue.turn_index == 4  # this session now holds the dialogue as it was
    assert step(alice, dialogue.id, "got_it").status_code == 303  # another device, its own session
    with pytest.raises(DomainError, match="a moment quicker"):
        service.act(dialogue, sender, "got_it", 4)
    db.session.expire_all()
    assert [t.action for t in db.session.get(Dialogue, dialogue.id).turns].count("got_it") == 1


def test_two_invitations_at_the_same_moment_make_one_dialogue(pair, monkeypatch):
    couple, _, _ = pair
    first, second = couple.members
    service.invite(first, couple, "Our evenings")
    monkeypatch.setattr(service, "open_dialogue", lambda couple: None)  # as if both checked before either wrote
    with pytest.raises(DomainError, match="a moment quicker"):
        service.invite(second, couple, "Our mornings")
    assert db.session.scalar(select(func.count(Dialogue.id))) == 1
