"""Every state × every action × each partner: allowed moves lead where the design says, the rest are refused."""
import pytest

from dialogue import machine
from tests.dialogue.play import replay
from tests.dialogue.transitions import ALLOWED, PATHS

ALICE, BOB, CAROL = 1, 2, 3  # Alice proposes the dialogue (first sender), Bob receives it, Carol is outside.
ID = {"S": ALICE, "R": BOB, "X": CAROL}

def reach(state):
    """The position after walking the path to `state`."""
    return replay(ALICE, BOB, [(ID[who], action) for who, action in PATHS[state]])


def text_for(state, action):
    """A fitting text for the action: some text when the step takes text, none otherwise."""
    found = machine.move(state, action)
    return "Something I would like to say." if found and found.text != machine.NONE else None


CASES = [(s, a, who) for s in machine.STATES for a in machine.ACTIONS for who in "SRX"]


def test_every_state_is_reachable_and_listed():
    assert set(PATHS) == set(machine.STATES)
    for state in machine.STATES:
        assert reach(state).state == state


@pytest.mark.parametrize("state,action,who", CASES, ids=["-".join(c) for c in CASES])
def test_every_state_action_and_partner(state, action, who):
    before = reach(state)
    reason = machine.refusal(before, ID[who], action, before.index, text_for(state, action))
    expected = ALLOWED.get((state, action, who))
    if expected is None:
        assert reason is not None
        assert reason.code in {"not_allowed", "not_your_turn", "not_in_dialogue"}
        assert reach(state) == before
    else:
        assert reason is None
        after = machine.advance(before, ID[who], action)
        assert after.state == expected
        assert after.index == before.index + 1


def test_the_allowed_table_matches_the_machine_exactly():
    from_machine = {(s, a, who) for s, a, who in CASES
                    if machine.refusal(reach(s), ID[who], a, reach(s).index, text_for(s, a)) is None}
    assert from_machine == set(ALLOWED)


@pytest.mark.parametrize("state", machine.LIVE)
def test_resume_returns_to_where_the_pause_began(state):
    paused = machine.advance(reach(state), BOB, "pause")
    assert paused.state == "paused" and paused.paused_from == state
    resumed = machine.advance(paused, ALICE, "resume")
    assert resumed.state == state and resumed.paused_from is None
    assert (resumed.sender, resumed.receiver, resumed.round) == (ALICE, BOB, 1)


@pytest.mark.parametrize("state", machine.LIVE)
def test_exactly_one_partner_is_on_turn_in_each_live_state(state):
    assert machine.on_turn(state) in {machine.SENDER, machine.RECEIVER}


def test_switch_swaps_roles_and_starts_a_new_round():
    after = machine.advance(reach("switch"), BOB, "switch")
    assert (after.state, after.sender, after.receiver, after.round) == ("sending", BOB, ALICE, 2)


def test_stale_index_is_refused_even_for_the_right_partner():
    position = reach("sending")
    reason = machine.refusal(position, ALICE, "send", position.index - 1, "Hello")
    assert reason.code == "stale"


@pytest.mark.parametrize("text,code", [("", "bad_text"), ("   ", "bad_text"), ("x" * 501, "bad_text"),
                                       ("x" * 500, None)])
def test_messages_must_be_written_and_gently_short(text, code):
    position = reach("sending")
    reason = machine.refusal(position, ALICE, "send", position.index, text)
    assert (reason.code if reason else None) == code


def test_a_step_without_text_refuses_text():
    position = reach("checking")
    assert machine.refusal(position, ALICE, "got_it", position.index, "extra").code == "bad_text"


def test_topic_is_limited_to_one_sentence_length():
    position = reach("new")
    assert machine.refusal(position, ALICE, "invite", 0, "x" * 201).code == "bad_text"
    assert machine.refusal(position, ALICE, "invite", 0, "x" * 200) is None


def test_replay_refuses_a_turn_by_the_wrong_partner():
    with pytest.raises(ValueError):
        replay(ALICE, BOB, [(ALICE, "invite"), (ALICE, "accept")])
