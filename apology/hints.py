"""The words that can undo an apology, each with one kind sentence saying why.

One list for both sides: the page shows the hints for what was saved, and the same list travels to the
browser as JSON so the hints follow the writing live. Each pattern is a regular expression that means the
same in Python and in JavaScript (ASCII word boundaries, case ignored).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
import json
import re


@dataclass(frozen=True)
class Pattern:
    """A phrase to notice and a gentle word about it."""

    key: str
    pattern: str
    explanation: str


PATTERNS = (
    Pattern("but", r"\bbut\b",
            "“But” can quietly cancel what came before it; you could end the sentence there, and explain later "
            "if they ask."),
    Pattern("if_you_felt", r"\bif you (?:felt|were)\b",
            "“If you felt” can sound as if their hurt is in doubt; you could name it plainly instead."),
    Pattern("sorry_you", r"\bI(?:['’]m| am) sorry (?:that )?you\b",
            "“I'm sorry you…” turns the focus to their reaction; “I'm sorry I…” keeps it on what you did."),
    Pattern("you_made_me", r"\byou made me\b",
            "“You made me” hands the responsibility back to them; this apology is about your part."),
    Pattern("anyway", r"\banyway\b",
            "“Anyway” can sound like moving on from their hurt; it is all right to stay with it a little longer."),
)

_COMPILED = [(p, re.compile(p.pattern, re.IGNORECASE)) for p in PATTERNS]


def hints(text: str) -> list[Pattern]:
    """The patterns found in a text, in the order of the list, each once."""
    return [p for p, regex in _COMPILED if regex.search(text or "")]


def as_json() -> str:
    """The list as the browser reads it (a data attribute of the writing page)."""
    return json.dumps([asdict(p) for p in PATTERNS], ensure_ascii=False)
