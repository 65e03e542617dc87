"""Asking for space: for yourself only, ended early only by you, kept by the server on every live channel."""
from __future__ import annotations

import pytest

from couples.dialogue.models import Dialogue
from couples.privacy import reflection
from couples.privacy.models import space_of
from couples.privacy.presence import presence_flows
from extensions import db
from sqlalchemy import func, select
from tests.privacy.test_presence import CHANNELS, both_here, partners  # noqa: F401 (the fixture)

NOTE = "I'm okay. I need a few days to think."


def ask(browser, length="three_days", note=NOTE):
    return browser.post("/space", {"length": length, "note": note}, page="/space")


def invite(browser, topic="Our evenings"):
    return browser.post("/dialogue/", {"topic": topic}, page="/dialogue/")


def dialogues() -> int:
    return db.session.scalar(select(func.count()).select_from(Dialogue))


@pytest.fixture
def couple_signed_in(app, linked_couple, login):
    """(alice, bob, alice's browser, bob's browser) for a linked couple."""
    _, alice, bob = linked_couple()
    return alice, bob, login(app.test_client(), alice), login(app.test_client(), bob)


def test_the_partner_sees_one_calm_card_with_the_note_and_no_countdown(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    assert ask(alice_browser).status_code == 302  # Monday 9:00 UTC, for three days

    home = bob_browser.get("/").get_data(as_text=True)
    assert "Alice Moreau asked for some space until Thursday morning." in home
    assert NOTE.replace("'", "&#39;") in home
    assert "your own reflection" in home and "your own promises" in home
    for never in ("left", "remaining", "seen", "times", "again"):
        assert never not in home.split("asked for some space")[1].split("</section>")[0]
    assert "Alice Moreau is not here right now" not in home  # no presence claim either way

    own = alice_browser.get("/").get_data(as_text=True)
    assert "You asked for some space until Thursday morning." in own
    assert "End my space now" in alice_browser.get("/space").get_data(as_text=True)


def test_the_time_is_told_in_the_viewers_own_time_zone(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    bob.time_zone = "Pacific/Auckland"  # Monday 9:00 UTC is Monday 22:00 there; a day later, Tuesday 22:00
    db.session.commit()
    ask(alice_browser, "day")
    assert "asked for some space until tomorrow night." in bob_browser.get("/").get_data(as_text=True)


def test_only_the_person_who_asked_can_end_it_early(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser)
    assert bob_browser.post("/space/end", page="/space").status_code == 302
    assert space_of(alice) is not None
    assert alice_browser.post("/space/end", page="/space").status_code == 302
    assert space_of(alice) is None
    assert "asked for some space" not in bob_browser.get("/").get_data(as_text=True)


def test_nobody_can_put_the_other_into_space(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    answer = bob_browser.post("/space", {"length": "week", "note": "", "user_id": alice.id, "user": alice.id},
                              page="/space")
    assert answer.status_code == 302
    assert space_of(alice) is None and space_of(bob) is not None


def test_space_ends_by_itself_when_its_time_has_passed(couple_signed_in, clock):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser, "hour")
    assert not presence_flows(alice, bob)
    clock.advance(minutes=61)
    assert space_of(alice) is None and presence_flows(alice, bob)
    assert "asked for some space" not in bob_browser.get("/").get_data(as_text=True)


def test_until_i_say_lasts_until_the_asker_ends_it(app, couple_signed_in, clock, login):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser, "until_i_say", "")
    clock.advance(weeks=8)
    bob_browser, alice_browser = login(app.test_client(), bob), login(app.test_client(), alice)  # (idle sign-out)
    assert "Alice Moreau asked for some space for now." in bob_browser.get("/").get_data(as_text=True)
    alice_browser.post("/space/end", page="/space")
    assert space_of(alice) is None


def test_the_partners_invitation_waits_and_is_told_so_kindly(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser)
    answer = invite(bob_browser)
    assert answer.status_code == 409
    assert ("Alice Moreau asked for some space until Thursday morning. Your invitation can wait."
            in answer.get_data(as_text=True))
    assert dialogues() == 0
    alice_browser.post("/space/end", page="/space")
    assert invite(bob_browser).status_code == 303
    assert dialogues() == 1


def test_space_is_not_a_lock_for_the_person_taking_it(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser)
    assert alice_browser.post("/reflection", {"prompt": "pattern", "body": "Thinking."}, page="/reflection").status_code == 302
    assert invite(alice_browser).status_code == 303  # she may reach out herself when she chooses


@pytest.mark.parametrize("data", [{"length": "forever"}, {"length": ""}, {"length": "day", "note": "x" * 301}])
def test_bad_requests_for_space_are_refused_calmly_and_change_nothing(couple_signed_in, data):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    answer = alice_browser.post("/space", data, page="/space")
    assert answer.status_code == 400
    assert space_of(alice) is None


def test_someone_without_a_linked_partner_is_told_plainly(app, make_user, login):
    carol = make_user("Carol Nguyen")
    browser = login(app.test_client(), carol)
    assert "Once you are linked" in browser.get("/space").get_data(as_text=True)
    answer = ask(browser)
    assert answer.status_code == 400 and "linked partner" in answer.get_data(as_text=True)
    assert space_of(carol) is None


# Sockets: nothing crosses a space, on any channel, and the person in space hears nothing of the partner's live.

def bob_does_everything(alice, bob):
    """Everything Bob can do that would reach Alice's open pages live."""
    bob.move_caret()
    bob.write()
    entry = reflection.write(bob.user, "pattern", "We both go quiet.")
    bob.browser.post(f"/reflection/{entry.public_id}/share", {"passage": "We both go quiet."}, page=f"/reflection/{entry.public_id}")
    answer = bob.sockets["/dialogue"].emit("act", {"dialogue_id": bob.dialogue_id, "action": "pause", "index": 4,
                                                   "text": None}, namespace="/dialogue", callback=True)
    assert answer["ok"] is True


@pytest.mark.parametrize("channel", CHANNELS)
def test_nothing_of_the_partner_reaches_someone_in_space(partners, channel):
    alice, bob = both_here(partners)

    assert ask(alice.browser).status_code == 302
    withdrawn = {"/couple": [("presence", {"here": False})], "/dialogue": [], "/agreements": [(88, False)]}
    assert alice.listen()[channel] == withdrawn[channel]
    alice.forget()

    bob_does_everything(alice, bob)
    bob.leave()
    assert alice.listen()[channel] == []


@pytest.mark.parametrize("channel", CHANNELS)
def test_no_presence_of_someone_in_space_reaches_the_partner(partners, channel):
    alice, bob = partners(True, True)
    bob.arrive()
    ask(alice.browser)
    bob.forget()
    alice.arrive()
    alice.move_caret()
    alice.write()
    alice.leave()
    assert bob.listen()[channel] == []


def test_when_space_ends_the_partners_news_reaches_the_open_pages_again(partners):
    alice, bob = partners(True, True)
    alice.arrive("/couple", "/dialogue")
    bob.arrive("/couple", "/dialogue")
    ask(alice.browser)
    alice.browser.post("/space/end", page="/space")
    alice.forget()
    bob.write()
    entry = reflection.write(bob.user, "pattern", "We both go quiet.")
    bob.browser.post(f"/reflection/{entry.public_id}/share", {"passage": "Back again."}, page=f"/reflection/{entry.public_id}")
    heard = alice.listen()
    assert [name for name, _ in heard["/couple"]] == ["passage_shared"]
    assert [name for name, _ in heard["/dialogue"]] == ["writing"]
