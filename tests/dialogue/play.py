"""Helpers that play a dialogue through the service, as the partners would."""
from datetime import timedelta

from couples import clock
from dialogue import machine, service

WORDS = "Something I would like to say."


def text_for(state, action):
    """Fitting words for an action: some text when the step takes text, none otherwise."""
    move = machine.move(state, action)
    return WORDS if move and move.text != machine.NONE else None


def take(dialogue, user, action, index=None, text="fitting"):
    """Take one action through the service (answers to an invitation as the answer form sends them)."""
    index = dialogue.turn_index if index is None else index
    text = text_for(dialogue.state, action) if text == "fitting" else text
    if action in service.ANSWERS:
        later_at = clock.now() + timedelta(hours=1) if action == "later" else None
        return service.answer_invitation(dialogue, user, action, index, later_at, text)
    return service.act(dialogue, user, action, index, text)


def walk(couple, sender, receiver, path):
    """Start a dialogue by `sender` and take the (who, action) steps of `path`, who being "S" or "R"."""
    people = {"S": sender, "R": receiver}
    dialogue = None
    for who, action in path:
        if action == "invite":
            dialogue = service.invite(people[who], couple, "Our evenings")
        else:
            take(dialogue, people[who], action)
    return dialogue


def replay(sender: int, receiver: int, log: list[tuple[int, str]]) -> machine.Position:
    """Replay a turn log of (user id, action) through the machine from the start; raises ValueError at the first
    refused turn."""
    position = machine.start(sender, receiver)
    for user_id, action in log:
        reason = machine.refusal(position, user_id, action, position.index, text=None)
        if reason and reason.code != "bad_text":
            raise ValueError(f"turn {position.index} ({action}) refused: {reason.message}")
        position = machine.advance(position, user_id, action)
    return position
