"""The cards of the home page and of an archive: each feature registers its own card here, and the two views ask.

A card is a template and a function that gives the template its values (or None: no card for this person now).
The function runs only when a page with cards is drawn, never on other pages. A card names the stylesheet it
needs, so the page links it in its head.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template
from markupsafe import Markup

from couples.models import Couple, User

# card_data(user, couple, archived) -> the template's values, or None to leave the card out. The couple was
# authorized by the page: the user's linked couple on the home page, a former one (archived=True) on an archive,
# and None only when a view draws one card alone for someone not linked (see `values`).
CardData = Callable[[User, Couple | None, bool], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Card:
    name: str
    template: str
    data: CardData
    order: int
    pages: tuple[str, ...]
    stylesheet: str | None


@dataclass(frozen=True)
class Drawn:
    """A card drawn for one page: its HTML and the stylesheet the page's head links."""

    name: str
    html: Markup
    stylesheet: str | None


HOME, ARCHIVE = "home", "archive"
_cards: dict[str, Card] = {}


def register(name: str, template: str, data: CardData, order: int, *, pages: tuple[str, ...] = (HOME, ARCHIVE),
             stylesheet: str | None = None) -> None:
    """Add a feature's card to the pages it belongs on (registering a name again replaces it). Cards are drawn
    in `order`, smallest first."""
    _cards[name] = Card(name, template, data, order, pages, stylesheet)


def values(name: str, user: User, couple: Couple | None, archived: bool = False) -> dict[str, Any]:
    """What one card's template is drawn with, for a view that draws the card alone or a page that shows the
    same facts."""
    return {"couple": couple, "archived": archived, **(_cards[name].data(user, couple, archived) or {})}


def draw(user: User, couple: Couple, archived: bool = False) -> list[Drawn]:
    """Every card the page shows, drawn, in order: the home page's (archived=False) or an archive's."""
    drawn = []
    page = ARCHIVE if archived else HOME
    for card in sorted(_cards.values(), key=lambda c: (c.order, c.name)):
        if page not in card.pages:
            continue
        found = card.data(user, couple, archived)
        if found is not None:
            html = Markup(render_template(card.template, couple=couple, archived=archived, **found))
            drawn.append(Drawn(card.name, html, card.stylesheet))
    return drawn


def stylesheets(cards: list[Drawn], *others: str) -> list[str]:
    """The stylesheets the page's head links: the `others` the page itself needs, then the drawn cards', each once."""
    return list(dict.fromkeys([*others, *(card.stylesheet for card in cards if card.stylesheet)]))
