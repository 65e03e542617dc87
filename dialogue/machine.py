"""The mirroring dialogue as data: for each state, who may act, which actions exist and where each leads.

Views, socket handlers, templates and the service ask this module; none of them repeat its rules.
Everything here is pure: a `Position` goes in, a new `Position` (or the reason for a refusal) comes out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
import re
from typing import Callable

SENDER, RECEIVER, EITHER = "sender", "receiver", "either"
# During a break: the partner who asked for it, and the one waiting for them.
ON_BREAK, WAITING = "on_break", "waiting"
REQUIRED, OPTIONAL, NONE = "required", "optional", "none"

MAX_TEXT = 500
MAX_TOPIC = 200
LATER_WINDOW = timedelta(hours=24)
SUGGESTED_BREAK = timedelta(minutes=20)

# Where "resume" leads is not fixed: it goes back to the state the dialogue was paused in.
BACK = "<back>"

# The states other modules name (the service, views and templates ask for these, never the strings).
NEW, INVITED, LATER, PAUSED_STATE = "new", "invited", "later", "paused"
INVITATION = (INVITED, LATER)  # proposed, waiting for the receiver's answer (now, or when "later" comes back)


@dataclass(frozen=True)
class Move:
    """One allowed action: who may take it, where it leads, whether it carries text, and its words."""

    who: str
    to: str
    text: str = NONE
    label: str = ""
    stem: str = ""
    heading: str = ""  # how the turn is titled in the transcript, when not the step's own title
    limit: int = MAX_TEXT  # a gentle limit: short chunks are easier to hear and to mirror
    box: str = ""  # what the text box is for (its label), when the move takes text
    # What the move does besides leading to `to`: a pure function (before, after, user id) -> after.
    # Without one, a move leaves any break behind (see `advance`).
    then: Callable[[Position, Position, int], Position] | None = None


@dataclass(frozen=True)
class Step:
    """What a state is for, in the words shown to the partners."""

    title: str
    to: str | None  # whom `mine` speaks to: a role, ON_BREAK, or None for both
    mine: str
    waiting: str = ""


# What some moves do besides changing the state (Move.then).
def _start_break(before: Position, after: Position, user_id: int) -> Position:
    """A break remembers where the dialogue was and who asked for it."""
    return replace(after, paused_from=before.state, paused_by=user_id)


def _keep_break(before: Position, after: Position, user_id: int) -> Position:
    """The break goes on, as it was."""
    return replace(after, paused_from=before.paused_from, paused_by=before.paused_by)


def _back_from_break(before: Position, after: Position, user_id: int) -> Position:
    """The dialogue goes back to the step it was paused in."""
    return replace(after, state=before.paused_from)


def _swap_roles(before: Position, after: Position, user_id: int) -> Position:
    """The receiver becomes the one who shares: a new round."""
    return replace(after, sender=before.receiver, receiver=before.sender, round=before.round + 1)


# The answers to an invitation, fresh or come back after "later".
_ANSWERS = {
    "accept": Move(RECEIVER, "sending", label="Now is good"),
    "later": Move(RECEIVER, LATER, label="Later"),
    "decline": Move(RECEIVER, "declined", OPTIONAL, "Not today",
                    "Not today, but thank you for asking. ...", "Not today", box="A kind word (optional)"),
    "withdraw": Move(SENDER, "withdrawn", label="Withdraw the invitation"),
}


def _appreciation(who: str, to: str) -> dict[str, Move]:
    """One partner's closing step: an appreciation for the other, or skip it."""
    return {
        "appreciate": Move(who, to, REQUIRED, "Send my appreciation", "Thank you for ...",
                           box="What you appreciated"),
        "skip": Move(who, to, label="Skip"),
    }


_LIVE_MOVES: dict[str, dict[str, Move]] = {
    "sending": {
        "send": Move(SENDER, "mirroring", REQUIRED, "Send", "What I would like you to hear is ...",
                     box="What you would like {partner} to hear"),
    },
    "mirroring": {
        "mirror": Move(RECEIVER, "checking", REQUIRED, "Mirror back",
                       "What I heard you say is ... Did I get that?", box="What you heard {partner} say"),
    },
    "checking": {
        "got_it": Move(SENDER, "asking", label="You got it"),
        "not_quite": Move(SENDER, "mirroring", REQUIRED, "Not quite",
                          "Not quite. What I meant is ...", "Not quite", box="What you meant"),
    },
    "asking": {
        "ask_more": Move(RECEIVER, "more", label="Is there more?"),
    },
    "more": {
        "add_more": Move(SENDER, "mirroring", REQUIRED, "Yes, there is more",
                         "Yes, there is more: ...", "There is more", box="What more there is"),
        "thats_all": Move(SENDER, "summary", label="That's all"),
    },
    "summary": {
        "summarize": Move(RECEIVER, "summary_check", REQUIRED, "Send the summary",
                          "Let me see if I got all of it. You said ... Did I get it all?",
                          box="Everything you heard, summed up"),
    },
    "summary_check": {
        "confirm_summary": Move(SENDER, "validating", label="Yes, that's all of it"),
        "correct_summary": Move(SENDER, "summary", REQUIRED, "Something is missing",
                                "Almost. What is missing is ...", "What was missing", box="What is missing"),
    },
    "validating": {
        "validate": Move(RECEIVER, "empathizing", REQUIRED, "Send",
                         "You make sense to me because ...", box="How it makes sense to you"),
    },
    "empathizing": {
        "empathize": Move(RECEIVER, "empathy_check", REQUIRED, "Send",
                          "I imagine you might be feeling ... Is that how you feel?",
                          box="How you imagine {partner} feels"),
    },
    "empathy_check": {
        "confirm_feeling": Move(SENDER, "switch", label="Yes, that's how I feel"),
        "correct_feeling": Move(SENDER, "switch", REQUIRED, "Not quite",
                                "What I actually feel is ...", "What I actually feel",
                                box="How you actually feel"),
    },
    "switch": {
        "switch": Move(RECEIVER, "sending", label="Switch roles: I'd like to be heard too", then=_swap_roles),
        "finish": Move(RECEIVER, "closing", label="Finish for today"),
    },
    # Closing is two short steps so that exactly one partner is on turn at any time.
    "closing": _appreciation(SENDER, "closing_receiver"),
    "closing_receiver": _appreciation(RECEIVER, "done"),
}

LIVE = tuple(_LIVE_MOVES)
TERMINAL = ("declined", "withdrawn", "done", "ended")
PAUSED = (PAUSED_STATE, "nudged")
OPEN = (*INVITATION, *LIVE, *PAUSED)


_PAUSE = Move(EITHER, PAUSED_STATE, label="I need a break", then=_start_break)
# A break is ended early only by the one who asked for it. Ending the dialogue asks nothing of them,
# so either may do it; the one waiting may say once, gently, that they are ready.
_BREAK_ENDS = {
    "resume": Move(ON_BREAK, BACK, label="Resume", then=_back_from_break),
    "end": Move(EITHER, "ended", label="End the dialogue here"),
}

MOVES: dict[str, dict[str, Move]] = {
    NEW: {"invite": Move(SENDER, INVITED, REQUIRED, "Send the invitation",
                         "I'd like a dialogue about ... Is now a good time?", limit=MAX_TOPIC)},
    INVITED: _ANSWERS,
    LATER: _ANSWERS,
    **{state: {**moves, "pause": _PAUSE} for state, moves in _LIVE_MOVES.items()},
    PAUSED_STATE: {**_BREAK_ENDS, "nudge": Move(WAITING, "nudged", label="Ready when you are", then=_keep_break)},
    "nudged": _BREAK_ENDS,
    **{state: {} for state in TERMINAL},
}

STATES = tuple(MOVES)
ACTIONS = tuple(sorted({action for moves in MOVES.values() for action in moves}))

_BREAK = f"A break of at least {SUGGESTED_BREAK.seconds // 60} minutes helps to calm down."

# `mine` speaks to the partner the step is for (`to`), `waiting` to the other; `{partner}` is the other
# person's name and `{topic}` the dialogue's topic (see `personal`). With `to` None, both read `mine`.
STEPS: dict[str, Step] = {
    "new": Step("A new dialogue", None, "Choose what you would like to talk about."),
    "invited": Step("Invitation", RECEIVER, "{partner} would like a dialogue about “{topic}”. Is now a good time?",
                    "You asked {partner} whether now is a good time. Waiting for their answer."),
    "later": Step("Later", RECEIVER, "You said you would rather do this a little later.",
                  "{partner} would like to do this a little later."),
    "sending": Step("Sharing", SENDER, "Share one thing, in a few sentences: what it is like for you, without blame. "
                                       "{partner} will mirror it back.",
                    "{partner} is writing what they would like you to hear."),
    "mirroring": Step("Mirroring", RECEIVER, "Repeat back what {partner} said, in your own words, without adding anything.",
                      "{partner} is mirroring back what they heard."),
    "checking": Step("Did I get that?", SENDER, "Did {partner} get it? Say so, or say what you meant.",
                     "{partner} is checking whether you got it."),
    "asking": Step("Is there more?", RECEIVER, "{partner} says you got it. Now ask: is there more about that?",
                   "{partner} may ask you whether there is more."),
    "more": Step("Is there more?", SENDER, "{partner} asks: is there more about that? Add more, or say that's all.",
                 "You asked: is there more? {partner} is answering."),
    "summary": Step("Summing up", RECEIVER, "Sum up everything you heard {partner} say.",
                    "{partner} is summing up everything they heard."),
    "summary_check": Step("Did I get it all?", SENDER, "Did {partner} get it all? Say so, or add what was missed.",
                          "{partner} is reading your summary."),
    "validating": Step("Validating", RECEIVER, "Say how what {partner} said makes sense to you. "
                                               "Agreeing is not needed, understanding is.",
                       "{partner} is writing how what you said makes sense."),
    "empathizing": Step("Empathizing", RECEIVER, "Imagine how {partner} might be feeling.",
                        "{partner} is imagining how you might be feeling."),
    "empathy_check": Step("Is that how you feel?", SENDER, "Is that how you feel? Say so, or say how you really feel.",
                          "{partner} is reading what you imagined."),
    "switch": Step("Switch or finish", RECEIVER, "You may switch roles to be heard too, or finish for today.",
                   "{partner} is choosing whether to switch roles or finish."),
    "closing": Step("Appreciation", SENDER, "If you like, say one thing you appreciated about {partner} today.",
                    "{partner} may write an appreciation for you."),
    "closing_receiver": Step("Appreciation", RECEIVER, "If you like, say one thing you appreciated about {partner} today.",
                             "{partner} may write an appreciation for you."),
    "paused": Step("Paused", ON_BREAK, f"You asked for a break, and that is fine. {_BREAK} Resume when you are ready.",
                   f"{{partner}} asked for a break. {_BREAK} Only {{partner}} can end the break; "
                   "you can let them know you are ready when they are."),
    "nudged": Step("Paused", ON_BREAK, "{partner} is ready when you are. There is no hurry: resume when you choose.",
                   "You let {partner} know you are ready. Only {partner} can end the break, when they choose."),
    "declined": Step("Not today", None, "The invitation was kindly declined."),
    "withdrawn": Step("Withdrawn", None, "The invitation was withdrawn."),
    "done": Step("Finished", None, "The dialogue is complete. Thank you both for listening."),
    "ended": Step("Ended", None, "The dialogue was ended during a break."),
}


@dataclass(frozen=True)
class Position:
    """Where a dialogue stands: state, current roles (user ids), round, turns taken, state before a pause."""

    state: str = NEW
    sender: int | None = None
    receiver: int | None = None
    round: int = 1
    index: int = 0
    paused_from: str | None = None
    paused_by: int | None = None  # who asked for the break, while there is one


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused: a short code and a sentence for the person."""

    code: str
    message: str


def move(state: str, action: str) -> Move | None:
    """The move `action` in `state`, or None when the design does not allow it there."""
    return MOVES.get(state, {}).get(action)


def role(position: Position, user_id: int) -> str | None:
    """Whether the user is the sender or the receiver right now (None: not in this dialogue)."""
    if user_id == position.sender:
        return SENDER
    if user_id == position.receiver:
        return RECEIVER
    return None


def break_role(position: Position, user_id: int) -> str | None:
    """During a break: whether the user asked for it (ON_BREAK) or waits (WAITING); None otherwise."""
    if position.state not in PAUSED or role(position, user_id) is None:
        return None
    return ON_BREAK if user_id == position.paused_by else WAITING


def may(move_: Move, position: Position, user_id: int) -> bool:
    """Whether this user may take `move_` from this position."""
    role_ = role(position, user_id)
    return role_ is not None and move_.who in (role_, break_role(position, user_id), EITHER)


def actions_for(position: Position, user_id: int) -> list[str]:
    """The actions this user may take now, in the order the design lists them."""
    return [action for action, move_ in MOVES[position.state].items() if may(move_, position, user_id)]


def on_turn(state: str) -> str | None:
    """The one role whose turn it is in a state (actions open to either do not count)."""
    roles = {move_.who for move_ in MOVES[state].values() if move_.who != EITHER}
    return roles.pop() if len(roles) == 1 else None


def is_paused(state: str) -> bool:
    """Whether the dialogue is on a break."""
    return state in PAUSED


def is_live(state: str) -> bool:
    """Whether the exercise is under way (it can be paused)."""
    return state in LIVE


def is_open(state: str) -> bool:
    """Whether the dialogue is not over yet (a couple has at most one open dialogue)."""
    return state in OPEN


def guidance(position: Position, user_id: int) -> str:
    """What the current step asks of this user, or what they wait for (with placeholders, see `personal`)."""
    step = STEPS[position.state]
    addressed = step.to is None or step.to in (role(position, user_id), break_role(position, user_id))
    return step.mine if addressed or not step.waiting else step.waiting


def is_addressed(position: Position, user_id: int) -> bool:
    """Whether the current step is this user's to take (their turn, or their break to end)."""
    step = STEPS[position.state]
    return step.to is not None and step.to in (role(position, user_id), break_role(position, user_id))


def personal(text: str, partner: str, topic: str = "") -> str:
    """Words of this module with the other person's name and the topic put in."""
    return text.replace("{partner}", partner).replace("{topic}", topic)


_TOPIC_FRAME = re.compile(r"^i(?:['’]d| would)? like (?:to have )?a dialogue about\s+|\s*is now a good time\??$",
                          re.IGNORECASE)


def bare_topic(text: str | None) -> str:
    """The topic alone: the invitation already says "would like a dialogue about ...", so a topic written
    as that whole sentence is not shown twice (nor is an empty one made of the sentence's frame)."""
    written = (text or "").strip()
    topic = _TOPIC_FRAME.sub("", written).strip(" “”\".…")
    if topic == written:
        return written
    return topic[:1].upper() + topic[1:] or written


def text_problem(move_: Move, text: str | None) -> str | None:
    """What is wrong with the text for this move, if anything."""
    text = (text or "").strip()
    if move_.text == REQUIRED and not text:
        return "Please write something first."
    if move_.text == NONE and text:
        return "This step takes no text."
    if len(text) > move_.limit:
        return f"Please keep it to {move_.limit} characters or fewer (this is {len(text)})."
    return None


def refusal(position: Position, user_id: int, action: str, index: int, text: str | None = None) -> Refusal | None:
    """Why this user may not take this action now (None: it is allowed)."""
    role_ = role(position, user_id)
    if role_ is None:
        return Refusal("not_in_dialogue", "You are not part of this dialogue.")
    if index != position.index:
        return Refusal("stale", "The dialogue has moved on since this page was loaded. Here is where it is now.")
    move_ = move(position.state, action)
    if move_ is None:
        return Refusal("not_allowed", f"That is not possible in the step “{STEPS[position.state].title}”.")
    if not may(move_, position, user_id):
        if is_paused(position.state):
            return Refusal("not_your_turn", "Only {partner} can end the break. "
                                            "You can let them know you are ready when they are.")
        return Refusal("not_your_turn", f"It is {{partner}}'s turn. {guidance(position, user_id)}")
    problem = text_problem(move_, text)
    if problem:
        return Refusal("bad_text", problem)
    return None


def advance(position: Position, user_id: int, action: str) -> Position:
    """The position after an allowed action (call `refusal` first): the table's `to`, then the move's `then`."""
    move_ = MOVES[position.state][action]
    after = replace(position, index=position.index + 1, state=move_.to, paused_from=None, paused_by=None)
    return move_.then(position, after, user_id) if move_.then else after


def start(sender: int, receiver: int) -> Position:
    """The position of a dialogue about to be proposed by `sender` to `receiver`."""
    return Position(sender=sender, receiver=receiver)
