"""The dialogue's words: each person reads about themselves as "you" and about the other by name."""
from html import unescape

import pytest

from tests.dialogue.test_dialogue_pages import page, start, step


@pytest.fixture
def pair(app, linked_couple, login):
    couple, alice, bob = linked_couple("Maya Okafor", "Sam Reyes")
    return couple, login(app.test_client(), alice), login(app.test_client(), bob)


@pytest.mark.parametrize("written", ["I'd like a dialogue about how we spend Sundays. Is now a good time?",
                                     "I’d like a dialogue about “how we spend Sundays”",
                                     "How we spend Sundays"])
def test_a_topic_written_as_the_whole_invitation_is_said_once(pair, written):
    _, maya, sam = pair
    start(maya, written)
    home = unescape(sam.get("/").get_data(as_text=True))
    assert "Maya Okafor would like a dialogue about “How we spend Sundays”" in home
    assert "dialogue about “I" not in home


def test_my_own_invitation_says_what_i_asked(pair):
    _, maya, sam = pair
    dialogue_id = start(maya, "Our Sundays")
    mine = page(maya, dialogue_id)
    assert "Your partner asks whether now is a good time" not in mine
    assert "You asked Sam Reyes whether now is a good time" in mine
    assert "You asked Sam Reyes for a dialogue about “Our Sundays”" in unescape(maya.get("/").get_data(as_text=True))
    assert "Maya Okafor would like a dialogue about “Our Sundays”. Is now a good time?" in page(sam, dialogue_id)


def test_the_receiver_asks_is_there_more_themselves(pair):
    _, maya, sam = pair
    dialogue_id = start(maya)
    for browser, action, text in [(sam, "accept", None), (maya, "send", "I miss our evenings."),
                                  (sam, "mirror", "You miss our evenings."), (maya, "got_it", None)]:
        assert step(browser, dialogue_id, action, text).status_code == 303
    assert "You asked: is there more?" not in page(sam, dialogue_id)
    assert 'value="ask_more"' in page(sam, dialogue_id) and 'value="add_more"' not in page(maya, dialogue_id)
    assert step(sam, dialogue_id, "ask_more").status_code == 303
    assert "You asked: is there more? Maya Okafor is answering." in page(sam, dialogue_id)
    assert "Sam Reyes asks: is there more about that?" in page(maya, dialogue_id)


def test_guidance_names_people_and_no_box_is_labelled_like_its_button(pair):
    _, maya, sam = pair
    dialogue_id = start(maya)
    step(sam, dialogue_id, "accept")
    mine = page(maya, dialogue_id)
    assert '<label for="text-send">What you would like Sam Reyes to hear</label>' in mine
    assert "Sam Reyes is sharing" not in mine and "You are sharing; Sam Reyes is listening." in mine
    theirs = page(sam, dialogue_id)
    assert "Maya Okafor is writing what they would like you to hear." in theirs
    for html in (mine, theirs):
        assert "sender" not in html.lower().replace('class="', "") and "receiver" not in html.lower()
