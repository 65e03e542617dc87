"""Asking for space: for yourself only, ended early only by you, kept by the server on every live channel."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from dialogue.models import Dialogue
from extensions import db
from privacy import reflection, space
from privacy.models import space_of
from privacy.presence import presence_flows
from tests.apology.test_apology import WORDS
from tests.conftest import PASSWORD
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
    assert answer.status_code == 303
    page = bob_browser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Alice Moreau asked for some space until Thursday morning. Your invitation can wait." in page
    assert "will see it when their space ends" in page and "Withdraw the invitation" in page
    assert "Your invitation can wait." in bob_browser.get("/").get_data(as_text=True)
    assert dialogues() == 1  # kept on the server, not delivered

    alice_browser.post("/space/end", page="/space")
    assert "Bob Lindqvist would like a dialogue about “Our evenings”" in alice_browser.get("/").get_data(as_text=True)
    assert "Your invitation can wait." not in bob_browser.get("/").get_data(as_text=True)


def held_for_alice(couple_signed_in, invite_before_space=False):
    """Bob's invitation to Alice, held by her space (sent before it began, or during it)."""
    alice, bob, alice_browser, bob_browser = couple_signed_in
    if invite_before_space:
        invite(bob_browser)
    ask(alice_browser)
    if not invite_before_space:
        invite(bob_browser)
    return db.session.scalar(select(Dialogue))


def export_of(browser) -> str:
    response = browser.post("/my-data", {"password": PASSWORD}, page="/my-data")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return "".join(archive.read(name).decode() for name in archive.namelist())


@pytest.mark.parametrize("before", [False, True], ids=["sent-during-space", "sent-before-space"])
def test_nothing_of_a_held_invitation_reaches_the_person_in_space(couple_signed_in, before):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    dialogue = held_for_alice(couple_signed_in, invite_before_space=before)
    for url in ("/", "/dialogue/", "/dialogue/card", "/apology/"):
        page = alice_browser.get(url)
        assert page.status_code == 200
        assert "Our evenings" not in page.get_data(as_text=True), url
    for url in (f"/dialogue/{dialogue.id}", f"/dialogue/{dialogue.id}/live"):
        assert alice_browser.get(url).status_code == 404
    refused = alice_browser.post(f"/dialogue/{dialogue.id}/act", {"action": "accept", "index": dialogue.turn_index},
                                 page="/dialogue/")
    assert refused.status_code == 404
    assert "Our evenings" not in export_of(alice_browser)
    db.session.expire_all()
    assert db.session.get(Dialogue, dialogue.id).state == "invited"

    alice_browser.post("/space/end", page="/space")  # shown again once the space is over
    assert alice_browser.get(f"/dialogue/{dialogue.id}").status_code == 200
    assert "Our evenings" in alice_browser.get("/dialogue/").get_data(as_text=True)


def test_one_held_invitation_at_a_time(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    held_for_alice(couple_signed_in)
    again = invite(bob_browser, "Something else")
    assert again.status_code == 409 and "Your invitation can wait." in again.get_data(as_text=True)
    assert dialogues() == 1


def test_the_person_in_space_starting_a_dialogue_learns_nothing_of_the_held_one(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    held_for_alice(couple_signed_in)
    answer = invite(alice_browser, "Our mornings")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "once your space has ended" in text
    assert "Our evenings" not in text
    assert dialogues() == 1


def test_a_held_invitation_withdrawn_is_never_seen(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    dialogue = held_for_alice(couple_signed_in)
    answer = bob_browser.post(f"/dialogue/{dialogue.id}/act", {"action": "withdraw", "index": dialogue.turn_index},
                              page=f"/dialogue/{dialogue.id}")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/dialogue/")
    assert "Alice Moreau never saw it" in bob_browser.get("/dialogue/").get_data(as_text=True)
    assert dialogues() == 0
    alice_browser.post("/space/end", page="/space")
    assert "Our evenings" not in alice_browser.get("/dialogue/").get_data(as_text=True)
    assert invite(bob_browser).status_code == 303


def test_a_held_invitation_is_delivered_when_the_space_runs_out(app, couple_signed_in, clock, login):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser, "hour")
    invite(bob_browser)
    dialogue = db.session.scalar(select(Dialogue))
    assert alice_browser.get(f"/dialogue/{dialogue.id}").status_code == 404
    clock.advance(minutes=61)
    alice_browser, bob_browser = login(app.test_client(), alice), login(app.test_client(), bob)  # (idle sign-out)
    assert alice_browser.get(f"/dialogue/{dialogue.id}").status_code == 200
    assert "Your invitation can wait." not in bob_browser.get("/").get_data(as_text=True)


def heard(socket, namespace):
    return [(event["name"], event["args"][0] if event["args"] else None) for event in socket.get_received(namespace)]


@pytest.mark.parametrize("how", ["ended-early", "its-timer", "a-page-opening-after-a-restart"])
def test_when_space_ends_the_partner_hears_it_and_the_held_invitation_is_delivered(
        app, couple_signed_in, socket_client, clock, login, how):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser, "hour")
    until = space_of(alice).until
    invite(bob_browser)
    dialogue = db.session.scalar(select(Dialogue))
    sockets = {(who, namespace): socket_client(namespace, browser.client)
               for who, browser in (("alice", alice_browser), ("bob", bob_browser))
               for namespace in ("/couple", "/dialogue")}
    for (_, namespace), socket in sockets.items():
        heard(socket, namespace)
    assert space.settle(alice) is None and space_of(alice) is not None  # (not due yet: nothing happens)

    if how == "ended-early":
        alice_browser.post("/space/end", page="/space")
    elif how == "its-timer":
        clock.advance(minutes=61)
        space._end_when_due(app, alice.id, until, 0)
    else:  # the timer was lost: the next live page to open ends it
        clock.advance(minutes=61)
        socket_client("/dialogue", login(app.test_client(), bob).client)  # (signed in again after the idle time)

    assert db.session.get(space.Space, alice.id) is None
    assert ("space_ended", {}) in heard(sockets["bob", "/couple"], "/couple")
    delivered = ("changed", {"dialogue_id": dialogue.id, "index": dialogue.turn_index, "state": "invited",
                             "delivered": True})
    assert delivered in heard(sockets["alice", "/dialogue"], "/dialogue")
    assert delivered in heard(sockets["bob", "/dialogue"], "/dialogue")  # his open page shows it delivered
    assert "space_ended" in [name for name, _ in heard(sockets["alice", "/couple"], "/couple")]


def test_a_timer_of_a_space_changed_or_ended_meanwhile_does_nothing(app, couple_signed_in, socket_client, clock):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser, "hour")
    first = space_of(alice).until
    ask(alice_browser, "day")  # asked again: the first timer is no longer hers
    bob_socket = socket_client("/couple", bob_browser.client)
    heard(bob_socket, "/couple")
    clock.advance(minutes=61)
    space._end_when_due(app, alice.id, first, 0)
    assert space_of(alice) is not None
    assert heard(bob_socket, "/couple") == []


def test_my_data_holds_my_own_space_and_not_the_partners_note(couple_signed_in):
    alice, bob, alice_browser, bob_browser = couple_signed_in
    ask(alice_browser)
    ask(bob_browser, "until_i_say", "Bob's own few words.")
    mine = export_of(alice_browser)
    assert NOTE in mine and space_of(alice).until.isoformat() in mine
    assert "Bob's own few words." not in mine
    theirs = export_of(bob_browser)
    assert "Bob's own few words." in theirs and "until I say" in theirs and NOTE not in theirs


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

def write_letter(browser) -> str:
    """Write and send an apology through the pages; its page."""
    page = browser.post("/apology/", page="/apology/").headers["Location"]
    sent = browser.post(f"{page}/send", vars(WORDS), page=page)
    assert sent.status_code == 303
    return page


def bob_does_everything(alice, bob):
    """Everything Bob can do that would reach Alice's open pages live."""
    bob.move_caret()
    bob.write()
    entry = reflection.write(bob.user, "pattern", "We both go quiet.")
    bob.browser.post(f"/reflection/{entry.public_id}/share", {"passage": "We both go quiet."}, page=f"/reflection/{entry.public_id}")
    write_letter(bob.browser)
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
