"""The content shape of an agreements document inside its CRDT.

Root ``Y.Map`` "doc": ``title: Y.Text``, ``sections: Y.Array<Y.Map>``.
A section map: ``id`` (str), ``title: Y.Text``, ``prompt`` (str), ``items: Y.Array<Y.Map>``.
An item map (one agreement): ``id`` (str), ``text: Y.Text``.

Both partners can write anything into the CRDT, so every reader here is defensive:
entries that do not have the expected shape are skipped, never trusted.
"""

from __future__ import annotations

import secrets
from typing import Iterator, NamedTuple

from pycrdt import Array, Doc, Map, Text

ROOT = "doc"


class SuggestedSection(NamedTuple):
    """A section a new document starts with, and the calm prompt shown while it is empty."""

    title: str
    prompt: str


SUGGESTED_SECTIONS: tuple[SuggestedSection, ...] = (
    SuggestedSection(
        "How we handle arguments",
        "What do we each do when a disagreement heats up, and how do we find our way back?",
    ),
    SuggestedSection(
        "Time that is ours",
        "Which moments each week belong to the two of us, and how do we protect them?",
    ),
    SuggestedSection(
        "Exes and other people",
        "What feels fine, and what does not, with former partners and people around us?",
    ),
    SuggestedSection(
        "What each of us needs to feel safe, loved and respected",
        "What small things help each of us feel safe, cared for and taken seriously?",
    ),
    SuggestedSection(
        "Our non-negotiables",
        "What matters so much to each of us that it is not up for debate?",
    ),
    SuggestedSection(
        "Facing stress as a team",
        "When life gets heavy, how do we stay on the same side?",
    ),
)


def new_id() -> str:
    """Return a fresh random, url-safe id (128 random bits, so never reused in practice)."""
    return secrets.token_urlsafe(16)


def new_section(title: str, prompt: str = "") -> Map:
    """Return a prelim section map, ready to be inserted into the sections array."""
    return Map({"id": new_id(), "title": Text(title), "prompt": prompt, "items": Array()})


def new_item(text: str = "", item_id: str | None = None) -> Map:
    """Return a prelim item (one agreement) map, ready to be inserted into a section's items."""
    return Map({"id": item_id or new_id(), "text": Text(text)})


def new_document(title: str, sections=SUGGESTED_SECTIONS) -> bytes:
    """Return the initial update of a document with this title and these (title, prompt) sections."""
    doc = Doc()
    root = doc.get(ROOT, type=Map)
    with doc.transaction():
        root["title"] = Text(title)
        root["sections"] = Array([new_section(s.title, s.prompt) for s in map(_as_section, sections)])
    return doc.get_update()


def _as_section(section) -> SuggestedSection:
    if isinstance(section, SuggestedSection):
        return section
    if isinstance(section, str):
        return SuggestedSection(section, "")
    return SuggestedSection(*section)


def doc_from_update(update: bytes) -> Doc:
    """Return a new Doc holding this (trusted, already validated) update."""
    doc = Doc()
    doc.apply_update(update)
    return doc


def _text(value) -> str:
    if isinstance(value, Text):
        return str(value)
    return ""


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def root_map(doc: Doc) -> Map:
    """Return the document's root map."""
    return doc.get(ROOT, type=Map)


def sections(doc: Doc) -> Iterator[Map]:
    """Yield the well-formed section maps, in order."""
    array = root_map(doc).get("sections")
    if not isinstance(array, Array):
        return
    for section in array:
        if isinstance(section, Map) and isinstance(section.get("id"), str):
            yield section


def items(section: Map) -> Iterator[Map]:
    """Yield the well-formed item maps of a section, in order."""
    array = section.get("items")
    if not isinstance(array, Array):
        return
    for item in array:
        if isinstance(item, Map) and isinstance(item.get("id"), str):
            yield item


def read_title(doc: Doc) -> str:
    """Return the document's title as plain text."""
    return _text(root_map(doc).get("title"))


def read_document(doc: Doc) -> dict:
    """Return the document as a plain, JSON-ready structure."""
    return {
        "title": read_title(doc),
        "sections": [
            {
                "id": section["id"],
                "title": _text(section.get("title")),
                "prompt": _str(section.get("prompt")),
                "items": [
                    {"id": item["id"], "text": _text(item.get("text"))} for item in items(section)
                ],
            }
            for section in sections(doc)
        ],
    }


def find_item(doc: Doc, item_id: str) -> Map | None:
    """Return the item map with this id, or None."""
    for section in sections(doc):
        for item in items(section):
            if item["id"] == item_id:
                return item
    return None


def find_section(doc: Doc, section_id: str) -> Map | None:
    """Return the section map with this id, or None."""
    for section in sections(doc):
        if section["id"] == section_id:
            return section
    return None


def agreement_text(doc: Doc, item_id: str) -> str | None:
    """Return the text of the agreement with this id as the document holds it, or None if absent."""
    item = find_item(doc, item_id)
    if item is None:
        return None
    return _text(item.get("text"))
