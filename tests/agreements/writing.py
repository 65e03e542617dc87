"""Helpers for tests: a couple's document and server-side edits of it, as a partner's browser would make them."""
from __future__ import annotations

from sqlalchemy import select

from agreements import rooms, service, shape
from agreements.history import replace_text
from agreements.models import AgreementDocument
from extensions import db


def new_document(couple):
    """The couple's first document (made when they linked), with the suggested sections."""
    first = db.session.scalar(
        select(AgreementDocument).where(AgreementDocument.couple_id == couple.id).order_by(AgreementDocument.id)
    )
    return first or service.create_first_document(couple)


def add_agreement(document, text: str = "", section: int = 0, author=None) -> str:
    """Add an agreement to a section (by position) through the server's edit path, and return its id."""
    item_id = shape.new_id()

    def change(doc):
        list(shape.sections(doc))[section]["items"].append(shape.new_item(text, item_id))

    rooms.edit(document.id, document.couple_id, change, author.id if author else None)
    return item_id


def set_text(document, item_id: str, text: str, author=None) -> None:
    """Change an agreement's text the way typing would."""
    rooms.edit(document.id, document.couple_id,
               lambda doc: replace_text(shape.find_item(doc, item_id)["text"], text), author.id if author else None)


def content(document) -> dict:
    """The document as the server holds it."""
    return rooms.read(document.id, document.couple_id, shape.read_document)
