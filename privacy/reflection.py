"""Private reflection: write, edit, delete entries; share one passage as a copy."""
from dataclasses import dataclass

from sqlalchemy import delete, select

from couples.access import current_couple
from couples.clock import now
from couples.errors import Invalid, NotFound
from couples.models import Couple, User, couple_ids_of
from extensions import db
from live.sockets import announce
from privacy.models import Reflection, SharedPassage

BODY_LIMIT = 20_000
PASSAGE_LIMIT = 1_000


@dataclass(frozen=True)
class Prompt:
    """A guided question and a gentle hint for answering it."""

    key: str
    question: str
    hint: str


PROMPTS = (
    Prompt(
        "hurt_them",
        "What I did that may have hurt them",
        "Name it plainly, without a “but”. Their side of it can wait for now.",
    ),
    Prompt(
        "hurt_me",
        "What they did that hurt me",
        "Say what happened and how it landed on you. Nobody else will read this.",
    ),
    Prompt(
        "pattern",
        "The pattern that kept repeating",
        "What tends to happen, in what order, and what each of you does next?",
    ),
    Prompt(
        "differently",
        "What I want to do differently",
        "One small, concrete thing is worth more than a big resolution.",
    ),
    Prompt(
        "why_here",
        "Am I here out of love, or out of fear of being alone?",
        "There is no wrong answer. Honesty with yourself is the point.",
    ),
    Prompt(
        "open",
        "Something else on my mind",
        "Anything you want to set down.",
    ),
)
PROMPTS_BY_KEY = {p.key: p for p in PROMPTS}


def _checked(prompt: str, body: str) -> tuple[str, str]:
    """Return the prompt key and trimmed body, or raise Invalid."""
    if prompt not in PROMPTS_BY_KEY:
        raise Invalid("Please choose one of the prompts.")
    body = (body or "").strip()
    if not body:
        raise Invalid("The entry is empty.")
    if len(body) > BODY_LIMIT:
        raise Invalid(f"An entry can hold up to {BODY_LIMIT:,} characters.")
    return prompt, body


def entries_of(author: User) -> list[Reflection]:
    """The author's own entries, newest first."""
    return list(
        db.session.scalars(
            select(Reflection)
            .where(Reflection.author_id == author.id)
            .order_by(Reflection.updated_at.desc(), Reflection.id.desc())
        )
    )


def entry_of(author: User, public_id: str) -> Reflection:
    """One of the author's entries, named by its public id; anyone else's is simply not found."""
    entry = db.session.scalar(
        select(Reflection).where(
            Reflection.public_id == str(public_id), Reflection.author_id == author.id
        )
    )
    if entry is None:
        raise NotFound("No such entry.")
    return entry


def write(author: User, prompt: str, body: str) -> Reflection:
    """Save a new private entry."""
    prompt, body = _checked(prompt, body)
    moment = now()
    entry = Reflection(
        author_id=author.id, prompt=prompt, body=body, created_at=moment, updated_at=moment
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def edit(author: User, public_id: str, prompt: str, body: str) -> Reflection:
    """Change one of the author's entries."""
    entry = entry_of(author, public_id)
    entry.prompt, entry.body = _checked(prompt, body)
    entry.updated_at = now()
    db.session.commit()
    return entry


def remove(author: User, public_id: str) -> None:
    """Delete one of the author's entries for good."""
    db.session.delete(entry_of(author, public_id))
    db.session.commit()


def share_passage(author: User, public_id: str, passage: str) -> SharedPassage:
    """Send the partner a copy of words the author chose; the entry stays private."""
    entry_of(author, public_id)
    couple = current_couple(author)
    if couple is None:
        raise Invalid("You are not linked with a partner, so there is no one to share with.")
    passage = (passage or "").strip()
    if not passage:
        raise Invalid("Choose the words you want to share.")
    if len(passage) > PASSAGE_LIMIT:
        raise Invalid(f"A shared passage can hold up to {PASSAGE_LIMIT:,} characters.")
    shared = SharedPassage(couple_id=couple.id, author_id=author.id, body=passage, created_at=now())
    db.session.add(shared)
    db.session.commit()
    announce(couple.id, "passage_shared", passage_view(shared))
    return shared


def _passages(condition) -> list[SharedPassage]:
    return list(
        db.session.scalars(
            select(SharedPassage).where(condition)
            .order_by(SharedPassage.created_at.desc(), SharedPassage.id.desc())
        )
    )


def passages_in(couple: Couple) -> list[SharedPassage]:
    """Every passage shared in a couple, newest first."""
    return _passages(SharedPassage.couple_id == couple.id)


def passages_by(author: User) -> list[SharedPassage]:
    """Every passage the author shared, in any couple, newest first."""
    return _passages(SharedPassage.author_id == author.id)


def passages_with(user: User) -> list[SharedPassage]:
    """Every passage shared in any couple the user is or was part of, by either partner."""
    return _passages(SharedPassage.couple_id.in_(couple_ids_of(user)))


def passage_view(passage: SharedPassage) -> dict:
    """What the couple's pages and live events show of a shared passage."""
    return {
        "id": passage.public_id,
        "author_id": passage.author_id,
        "author": passage.author.name,
        "text": passage.body,
        "shared_at": passage.created_at.isoformat(),
    }


def erase_private_data(user: User, **_signal) -> None:
    """Erase the user's private entries (on account deletion); passages they shared stay with the couple."""
    db.session.execute(delete(Reflection).where(Reflection.author_id == user.id))
