"""The mirroring dialogue as data: for each state, who may act, which actions exist and where each leads.

Views, socket handlers, templates and the service ask this module; none of them repeat its rules.
Everything here is pure: a `Position` goes in, a new `Position` (or the reason for a refusal) comes out.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

SENDER, RECEIVER, EITHER = "sender", "receiver", "either"
REQUIRED, OPTIONAL, NONE = "required", "optional", "none"

MAX_TEXT = 500
MAX_TOPIC = 200
LATER_WINDOW = timedelta(hours=24)
SUGGESTED_BREAK = timedelta(minutes=20)

# Where "resume" leads is not fixed: it goes back to the state the dialogue was paused in.
BACK = "<back>"


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


@dataclass(frozen=True)
class Step:
    """What a state is for, in the words shown to the partners."""

    title: str
    purpose: str
    waiting: str


# The answers to an invitation, fresh or come back after "later".
_ANSWERS = {
    "accept": Move(RECEIVER, "sending", label="Now is good"),
    "later": Move(RECEIVER, "later", label="Later"),
    "decline": Move(RECEIVER, "declined", OPTIONAL, "Not today",
                    "Not today, but thank you for asking. ...", "Not today"),
    "withdraw": Move(SENDER, "withdrawn", label="Withdraw the invitation"),
}


def _appreciation(who: str, to: str) -> dict[str, Move]:
    """One partner's closing step: an appreciation for the other, or skip it."""
    return {
        "appreciate": Move(who, to, REQUIRED, "Send my appreciation", "Thank you for ..."),
        "skip": Move(who, to, label="Skip"),
    }


_LIVE_MOVES: dict[str, dict[str, Move]] = {
    "sending": {
        "send": Move(SENDER, "mirroring", REQUIRED, "Send", "What I would like you to hear is ..."),
    },
    "mirroring": {
        "mirror": Move(RECEIVER, "checking", REQUIRED, "Mirror back",
                       "What I heard you say is ... Did I get that?"),
    },
    "checking": {
        "got_it": Move(SENDER, "more", label="You got it"),
        "not_quite": Move(SENDER, "mirroring", REQUIRED, "Not quite",
                          "Not quite. What I meant is ...", "Not quite"),
    },
    "more": {
        "add_more": Move(SENDER, "mirroring", REQUIRED, "Yes, there is more",
                         "Yes, there is more: ...", "There is more"),
        "thats_all": Move(SENDER, "summary", label="That's all"),
    },
    "summary": {
        "summarize": Move(RECEIVER, "summary_check", REQUIRED, "Send the summary",
                          "Let me see if I got all of it. You said ... Did I get it all?"),
    },
    "summary_check": {
        "confirm_summary": Move(SENDER, "validating", label="Yes, that's all of it"),
        "correct_summary": Move(SENDER, "summary", REQUIRED, "Something is missing",
                                "Almost. What is missing is ...", "What was missing"),
    },
    "validating": {
        "validate": Move(RECEIVER, "empathizing", REQUIRED, "Send",
                         "You make sense to me because ..."),
    },
    "empathizing": {
        "empathize": Move(RECEIVER, "empathy_check", REQUIRED, "Send",
                          "I imagine you might be feeling ... Is that how you feel?"),
    },
    "empathy_check": {
        "confirm_feeling": Move(SENDER, "switch", label="Yes, that's how I feel"),
        "correct_feeling": Move(SENDER, "switch", REQUIRED, "Not quite",
                                "What I actually feel is ...", "What I actually feel"),
    },
    "switch": {
        "switch": Move(RECEIVER, "sending", label="Switch roles: I'd like to be heard too"),
        "finish": Move(RECEIVER, "closing", label="Finish for today"),
    },
    # Closing is two short steps so that exactly one partner is on turn at any time.
    "closing": _appreciation(SENDER, "closing_receiver"),
    "closing_receiver": _appreciation(RECEIVER, "done"),
}

LIVE = tuple(_LIVE_MOVES)
TERMINAL = ("declined", "withdrawn", "done", "ended")
OPEN = ("invited", "later", *LIVE, "paused")

_PAUSE = Move(EITHER, "paused", label="I need a break")

MOVES: dict[str, dict[str, Move]] = {
    "new": {"invite": Move(SENDER, "invited", REQUIRED, "Send the invitation",
                           "I'd like a dialogue about ... Is now a good time?", limit=MAX_TOPIC)},
    "invited": _ANSWERS,
    "later": _ANSWERS,
    **{state: {**moves, "pause": _PAUSE} for state, moves in _LIVE_MOVES.items()},
    "paused": {
        "resume": Move(EITHER, BACK, label="Resume"),
        "end": Move(EITHER, "ended", label="End the dialogue here"),
    },
    **{state: {} for state in TERMINAL},
}

STATES = tuple(MOVES)
ACTIONS = tuple(sorted({action for moves in MOVES.values() for action in moves}))

STEPS: dict[str, Step] = {
    "new": Step("A new dialogue", "Choose what you would like to talk about.", ""),
    "invited": Step("Invitation", "Your partner asks whether now is a good time for a dialogue.",
                    "Waiting for your partner to answer the invitation."),
    "later": Step("Later", "You agreed to have this dialogue a little later.",
                  "Your partner would like to do this later."),
    "sending": Step("Sharing", "The sender shares one thing, in a few sentences. No blame, just what it is like for you.",
                    "Your partner is writing what they would like you to hear."),
    "mirroring": Step("Mirroring", "The receiver repeats back what they heard, in their own words, without adding anything.",
                      "Your partner is mirroring back what they heard."),
    "checking": Step("Did I get that?", "The sender says whether the mirror got it, or clarifies.",
                     "Your partner is checking whether you got it."),
    "more": Step("Is there more?", "The receiver asks: is there more about that? The sender adds more, or says that's all.",
                 "You asked: is there more? Your partner is answering."),
    "summary": Step("Summing up", "The receiver sums up everything they heard.",
                    "Your partner is summing up everything they heard."),
    "summary_check": Step("Did I get it all?", "The sender confirms the summary or adds what was missed.",
                          "Your partner is reading your summary."),
    "validating": Step("Validating", "The receiver says how it makes sense. Agreeing is not needed, understanding is.",
                       "Your partner is writing how what you said makes sense."),
    "empathizing": Step("Empathizing", "The receiver imagines how the sender might be feeling.",
                        "Your partner is imagining how you might be feeling."),
    "empathy_check": Step("Is that how you feel?", "The sender confirms or says how they really feel.",
                          "Your partner is reading what you imagined."),
    "switch": Step("Switch or finish", "The receiver may switch roles to be heard too, or finish for today.",
                   "Your partner is choosing whether to switch roles or finish."),
    "closing": Step("Appreciation", "Each of you may say one thing you appreciated. Optional.",
                    "Your partner may write an appreciation for you."),
    "closing_receiver": Step("Appreciation", "Each of you may say one thing you appreciated. Optional.",
                             "Your partner may write an appreciation for you."),
    "paused": Step("Paused", "Taking a break is fine. A break of at least "
                             f"{SUGGESTED_BREAK.seconds // 60} minutes helps to calm down.",
                   ""),
    "declined": Step("Not today", "The invitation was kindly declined.", ""),
    "withdrawn": Step("Withdrawn", "The invitation was withdrawn.", ""),
    "done": Step("Finished", "The dialogue is complete. Thank you both for listening.", ""),
    "ended": Step("Ended", "The dialogue was ended during a break.", ""),
}


@dataclass(frozen=True)
class Position:
    """Where a dialogue stands: state, current roles (user ids), round, turns taken, state before a pause."""

    state: str = "new"
    sender: int | None = None
    receiver: int | None = None
    round: int = 1
    index: int = 0
    paused_from: str | None = None


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


def may(move_: Move, role_: str | None) -> bool:
    """Whether someone in `role_` may take `move_`."""
    return role_ is not None and move_.who in (role_, EITHER)


def actions_for(position: Position, user_id: int) -> list[str]:
    """The actions this user may take now, in the order the design lists them."""
    role_ = role(position, user_id)
    return [action for action, move_ in MOVES[position.state].items() if may(move_, role_)]


def on_turn(state: str) -> str | None:
    """The one role whose turn it is in a state (pause and resume, open to either, do not count)."""
    roles = {move_.who for move_ in MOVES[state].values() if move_.who != EITHER}
    return roles.pop() if len(roles) == 1 else None


def is_live(state: str) -> bool:
    """Whether the exercise is under way (it can be paused)."""
    return state in LIVE


def is_open(state: str) -> bool:
    """Whether the dialogue is not over yet (a couple has at most one open dialogue)."""
    return state in OPEN


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
    if not may(move_, role_):
        return Refusal("not_your_turn", f"It is your partner's turn. {STEPS[position.state].waiting}".strip())
    problem = text_problem(move_, text)
    if problem:
        return Refusal("bad_text", problem)
    return None


def advance(position: Position, user_id: int, action: str) -> Position:
    """The position after an allowed action (call `refusal` first)."""
    move_ = MOVES[position.state][action]
    after = replace(position, index=position.index + 1)
    if action == "pause":
        return replace(after, state="paused", paused_from=position.state)
    if action == "resume":
        return replace(after, state=position.paused_from, paused_from=None)
    if action == "switch":
        return replace(after, state=move_.to, sender=position.receiver, receiver=position.sender,
                       round=position.round + 1)
    return replace(after, state=move_.to, paused_from=None)


def start(sender: int, receiver: int) -> Position:
    """The position of a dialogue about to be proposed by `sender` to `receiver`."""
    return Position(sender=sender, receiver=receiver)


def replay(sender: int, receiver: int, log: list[tuple[int, str]]) -> Position:
    """Replay a turn log of (user id, action) from the start; raises ValueError at the first refused turn."""
    position = start(sender, receiver)
    for user_id, action in log:
        reason = refusal(position, user_id, action, position.index, text=None)
        if reason and reason.code != "bad_text":
            raise ValueError(f"turn {position.index} ({action}) refused: {reason.message}")
        position = advance(position, user_id, action)
    return position
