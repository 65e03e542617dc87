"""The content shape of an agreements document inside its CRDT.

Root ``Y.Map`` "doc": ``title: Y.Text``, ``sections: Y.Array<Y.Map>``.
A section map: ``id`` (str), ``title: Y.Text``, ``prompt`` (str), ``items: Y.Array<Y.Map>``.
An item map (one agreement): ``id`` (str), ``text: Y.Text``.

Both partners can write anything into the CRDT, so every reader here is defensive:
entries that do not have the expected shape are skipped, never trusted.
"""

from __future__ import annotations

import inspect
import re
import secrets
import weakref
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator, NamedTuple

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


# --- the shape the server enforces --------------------------------------------------------------
#
# Every update is checked as it is applied (``Watch``): only what it changed is looked at, so a
# keystroke in a full document costs the same as in an empty one. New content (an inserted section
# or agreement, a replaced value) is checked whole, which is bounded by the update's own size.
# A document already past a bound (stored before these bounds) still takes every deletion and
# every edit that does not make it longer.

MAX_TEXT = 2000  # characters of one agreement: the editor's own limit (static/src/agreements/editor.js)
MAX_TITLE = 200  # characters of the document's or a section's title
MAX_PROMPT = 300  # characters of a section's prompt (set once, with the section)
MAX_SECTIONS = 50
MAX_ITEMS = 200  # agreements in one section

ID_FORMAT = re.compile(r"[A-Za-z0-9_-]{22}")  # what new_id() makes: 16 random bytes, url-safe base64
ROOT_KEYS = frozenset({"title", "sections"})
SECTION_KEYS = frozenset({"id", "title", "prompt", "items"})
ITEM_KEYS = frozenset({"id", "text"})


class ShapeError(ValueError):
    """A change that would leave the document in another shape than the one described above."""


def _refuse(why: str) -> None:
    raise ShapeError(why)


def _grew_past(text: Text, limit: int, inserted: int, deleted: int) -> bool:
    """True when a text changed by ``inserted``/``deleted`` UTF-8 bytes ends longer than ``limit`` characters, and longer than it was."""
    # len(Text) counts UTF-8 bytes, an upper bound of the characters: most texts need no str().
    return inserted > deleted and len(text) > limit and len(str(text)) > limit


def _check_new_text(value, limit: int, what: str) -> None:
    """A text that arrives whole: a Y.Text of plain characters, without formatting or embeds."""
    if not isinstance(value, Text):
        _refuse(f"{what} must be a text.")
    for chunk, attributes in value.diff():
        if not isinstance(chunk, str) or attributes:
            _refuse(f"{what} may hold only plain text.")
    if len(value) > limit and len(str(value)) > limit:
        _refuse(f"{what} may be at most {limit:,} characters long.")


def _check_new_id(value, new_ids: list[str]) -> None:
    if not isinstance(value, str) or not ID_FORMAT.fullmatch(value):
        _refuse("Every section and agreement needs an id of the app's own kind.")
    new_ids.append(value)


def _check_new_item(value, new_ids: list[str]) -> None:
    if not isinstance(value, Map) or set(value.keys()) != ITEM_KEYS:
        _refuse("An agreement holds exactly an id and a text.")
    _check_new_id(value["id"], new_ids)
    _check_new_text(value["text"], MAX_TEXT, "An agreement")


def _check_new_items(value, new_ids: list[str]) -> None:
    if not isinstance(value, Array) or len(value) > MAX_ITEMS:
        _refuse(f"A section holds a list of at most {MAX_ITEMS:,} agreements.")
    for item in value:
        _check_new_item(item, new_ids)


def _check_new_section(value, new_ids: list[str]) -> None:
    if not isinstance(value, Map) or set(value.keys()) != SECTION_KEYS:
        _refuse("A section holds exactly an id, a title, a prompt and its agreements.")
    _check_new_id(value["id"], new_ids)
    _check_new_text(value["title"], MAX_TITLE, "A section's title")
    _check_prompt(value["prompt"])
    _check_new_items(value["items"], new_ids)


def _check_prompt(value) -> None:
    if not isinstance(value, str) or len(value) > MAX_PROMPT:
        _refuse(f"A section's prompt is a plain text of at most {MAX_PROMPT:,} characters.")


def _check_new_sections(value, new_ids: list[str]) -> None:
    if not isinstance(value, Array) or len(value) > MAX_SECTIONS:
        _refuse(f"A document holds a list of at most {MAX_SECTIONS} sections.")
    for section in value:
        _check_new_section(section, new_ids)


# What may be found under each key of each kind of map, and how a new value there is checked.
_FIELDS: dict[str, dict[str, Callable[[object, list[str]], None]]] = {
    "root": {
        "title": lambda value, ids: _check_new_text(value, MAX_TITLE, "The document's title"),
        "sections": _check_new_sections,
    },
    "section": {
        "id": _check_new_id,
        "title": lambda value, ids: _check_new_text(value, MAX_TITLE, "A section's title"),
        "prompt": lambda value, ids: _check_prompt(value),
        "items": _check_new_items,
    },
    "item": {
        "id": _check_new_id,
        "text": lambda value, ids: _check_new_text(value, MAX_TEXT, "An agreement"),
    },
}
_TEXT_LIMITS = {"title": MAX_TITLE, "section title": MAX_TITLE, "text": MAX_TEXT}


def set_max_text(chars: int) -> None:
    """Set how many characters one agreement may hold in this process (the app's AGREEMENTS_MAX_AGREEMENT_CHARS)."""
    global MAX_TEXT
    MAX_TEXT = _TEXT_LIMITS["text"] = chars
_ARRAYS = {"sections": (MAX_SECTIONS, _check_new_section), "items": (MAX_ITEMS, _check_new_item)}


def role(path: list) -> str | None:
    """What the shared type at this path from the root map is: "root", "sections", "section", ... (None: no place in the shape).

    Indices (ints) only come from arrays and keys (strs) from maps, so the path alone says it.
    """
    pattern = tuple(p if isinstance(p, str) else 0 for p in path)
    return _ROLES.get(pattern)


_ROLES = {
    (): "root",
    ("title",): "title",
    ("sections",): "sections",
    ("sections", 0): "section",
    ("sections", 0, "title"): "section title",
    ("sections", 0, "items"): "items",
    ("sections", 0, "items", 0): "item",
    ("sections", 0, "items", 0, "text"): "text",
}


def _check_map_change(kind: str, keys: dict, new_ids: list[str]) -> None:
    fields = _FIELDS[kind]
    for key, change in keys.items():
        action = change.get("action")
        if action == "delete":
            if key in fields:
                _refuse("A section or agreement keeps every one of its parts (delete it whole instead).")
            continue  # dropping a foreign key is always fine
        if key not in fields:
            _refuse("Nothing but the document's own parts can be added to it.")
        if key == "id" and action == "update" and change.get("oldValue") != change.get("newValue"):
            _refuse("The id of a section or agreement never changes.")
        if key == "id" and action == "update":
            continue
        fields[key](change.get("newValue"), new_ids)


def _check_text_change(kind: str, target, delta: list) -> None:
    if not isinstance(target, Text):
        _refuse("The document's texts must stay texts.")
    inserted = deleted = 0
    for op in delta:
        if op.get("attributes"):
            _refuse("The document holds only plain text.")
        if "insert" in op:
            if not isinstance(op["insert"], str):
                _refuse("The document holds only plain text.")
            inserted += len(op["insert"].encode("utf-8"))
        deleted += op.get("delete", 0)
    limit = _TEXT_LIMITS[kind]
    if _grew_past(target, limit, inserted, deleted):
        what = "An agreement" if kind == "text" else "A title"
        _refuse(f"{what} may be at most {limit:,} characters long.")


def _check_array_change(kind: str, target, delta: list, new_ids: list[str]) -> None:
    if not isinstance(target, Array):
        _refuse("The document's lists must stay lists.")
    limit, check = _ARRAYS[kind]
    inserted = deleted = 0
    for op in delta:
        for value in op.get("insert", ()):
            check(value, new_ids)
            inserted += 1
        deleted += op.get("delete", 0)
    if inserted > deleted and len(target) > limit:
        _refuse(f"A document holds at most {MAX_SECTIONS} sections, and a section at most {MAX_ITEMS:,} agreements.")


@dataclass
class _Change:
    path: list
    target: object
    delta: list | None = None  # arrays and texts
    keys: dict | None = None  # maps


def check_changes(changes: list[_Change], new_ids: list[str]) -> None:
    """Raise ShapeError unless every recorded change keeps the shape; collect the ids it brings in."""
    for change in changes:
        kind = role(change.path)
        if kind is None:
            _refuse("Nothing but the document's own parts can be added to it.")
        if kind in _FIELDS:
            if change.keys is None or not isinstance(change.target, Map):
                _refuse("The document's parts must stay what they are.")
            _check_map_change(kind, change.keys, new_ids)
        elif kind in _ARRAYS:
            _check_array_change(kind, change.target, change.delta or [], new_ids)
        else:
            _check_text_change(kind, change.target, change.delta or [])


def _ids_in(array) -> Counter:
    """How many times each id occurs among the maps of an array (sections or one section's agreements)."""
    found: Counter = Counter()
    for entry in array if isinstance(array, Array) else ():
        if isinstance(entry, Map) and isinstance(entry.get("id"), str):
            found[entry["id"]] += 1
    return found


class _Ids:
    """Where a document's ids are, as of one state of it: its sections' ids, and each section's agreements' ids.

    Kept up to date from the changes each checked update makes: an array that lost entries is counted
    again (one section's agreements, or the list of sections), so a move or a deletion costs one
    section, never the whole document. Texts never touch it.
    """

    def __init__(self, doc: Doc):
        self.state = b""
        self.sections: Counter = Counter()
        self.items: dict[str, Counter] = {}
        self.recount_sections(doc)

    def recount_sections(self, doc: Doc) -> None:
        array = root_map(doc).get("sections")
        self.sections = _ids_in(array)
        self.items = {sid: found for sid, found in self.items.items() if sid in self.sections}
        for section in array if isinstance(array, Array) else ():
            sid = section.get("id") if isinstance(section, Map) else None
            if isinstance(sid, str) and sid not in self.items:
                self.recount(section)

    def recount(self, section) -> None:
        if isinstance(section, Map) and isinstance(section.get("id"), str):
            self.items[section["id"]] = _ids_in(section.get("items"))

    def occurrences(self, item_id: str) -> int:
        return self.sections[item_id] + sum(found[item_id] for found in self.items.values())


def all_ids(doc: Doc) -> Counter:
    """How many times each section and agreement id occurs in the document (a full walk)."""
    ids = _Ids(doc)
    return sum(ids.items.values(), Counter(ids.sections))


_known: "weakref.WeakKeyDictionary[Doc, _Ids]" = weakref.WeakKeyDictionary()


def _section_at(doc: Doc, path: list):
    array = root_map(doc).get("sections")
    return array[path[1]] if isinstance(array, Array) and path[1] < len(array) else None


def _check_unique(doc: Doc, before: bytes, changes: list[_Change], new_ids: list[str]) -> None:
    """Refuse ids used twice in the document, counting again only the arrays these changes touched."""
    recount_sections, full, touched = False, False, []
    for change in changes:
        kind = role(change.path)
        if kind == "root" and "sections" in change.keys:
            full = True
        elif kind == "sections":
            recount_sections = True
            touched += [v for op in change.delta for v in op.get("insert", ())]
        elif kind == "section" and {"id", "items"} & set(change.keys):
            recount_sections = True
            touched.append(change.target)
        elif kind in ("items", "item") and (kind == "items" or "id" in change.keys):
            touched.append(_section_at(doc, change.path))
    known = _known.get(doc)
    if not (full or recount_sections or touched):  # texts and titles only: the ids stay where they were
        if known is not None and known.state == before:
            known.state = doc.get_state()
        return
    if full or known is None or known.state != before:
        known = _known[doc] = _Ids(doc)
    else:
        if recount_sections:
            known.recount_sections(doc)
        for section in touched:
            known.recount(section)
    if any(known.occurrences(i) > 1 for i in new_ids):
        del _known[doc]
        _refuse("Two sections or agreements cannot share an id.")
    known.state = doc.get_state()


class Watch:
    """Records what one apply (or server-side edit) changes in a document, to check it afterwards.

    Use ``with Watch(doc) as watch: ...change doc...`` then ``watch.check()``.
    """

    def __init__(self, doc: Doc):
        self.doc = doc
        self.changes: list[_Change] = []

    # pycrdt reads a callback's signature on every subscription; this one is given, not inspected.
    __signature__ = inspect.Signature([inspect.Parameter("events", inspect.Parameter.POSITIONAL_ONLY)])

    def __enter__(self) -> "Watch":
        self.before = self.doc.get_state()
        self.roots = set(self.doc.keys())
        self.root = root_map(self.doc)
        self.subscription = self.root.observe_deep(self)
        return self

    def __exit__(self, *exc) -> None:
        self.root.unobserve(self.subscription)

    def __call__(self, events) -> None:
        """Record the changes of one transaction (called by pycrdt as it commits)."""
        for event in events:
            self.changes.append(_Change(event.path, event.target, getattr(event, "delta", None),
                                        getattr(event, "keys", None)))

    def check(self) -> None:
        """Raise ShapeError if the recorded changes broke the document's shape."""
        if set(self.doc.keys()) - self.roots - {ROOT}:
            _refuse("A document holds nothing beside its own content.")
        new_ids: list[str] = []
        check_changes(self.changes, new_ids)
        _check_unique(self.doc, self.before, self.changes, new_ids)


def check_document(doc: Doc) -> None:
    """Raise ShapeError unless the whole document has the shape (a full walk: for migrations and tests)."""
    if set(doc.keys()) - {ROOT}:
        _refuse("A document holds nothing beside its own content.")
    root = root_map(doc)
    if set(root.keys()) != ROOT_KEYS:
        _refuse("The document holds exactly a title and its sections.")
    ids: list[str] = []
    _check_new_text(root["title"], MAX_TITLE, "The document's title")
    _check_new_sections(root["sections"], ids)
    if len(set(ids)) != len(ids):
        _refuse("Two sections or agreements cannot share an id.")


def _is_clean_text(value) -> bool:
    return isinstance(value, Text) and all(isinstance(c, str) and not a for c, a in value.diff())


def _repair_fields(entry: Map, fields: dict[str, Callable[[object], object]]) -> None:
    """Drop foreign keys; put what the page showed (an empty text, an empty list) where a field is not of its type."""
    for key in set(entry.keys()) - set(fields):
        del entry[key]
    for key, repaired in fields.items():
        value = entry.get(key)
        fixed = repaired(value)
        if fixed is not value:
            entry[key] = fixed


def _text_field(value):
    return value if _is_clean_text(value) else Text(_text(value))


def _prompt_field(value):
    return value[:MAX_PROMPT] if isinstance(value, str) else ""


def _array_field(value):
    return value if isinstance(value, Array) else Array()


def _shown_entries(array: Array) -> list[Map]:
    """Keep the entries the page showed (maps with an id); delete the rest, which nobody could see."""
    for index in reversed(range(len(array))):
        entry = array[index]
        if not (isinstance(entry, Map) and isinstance(entry.get("id"), str)):
            del array[index]
    return list(array)


def repair(doc: Doc, holders: Callable[[list[tuple[str, str]]], list[bool]]) -> list[str]:
    """Bring a document stored before the shape was enforced back into it, as one edit; return what is left over.

    What the page showed stays as it was shown: junk nobody could see (entries without an id, foreign
    keys) is dropped, and a field of the wrong type becomes what the page showed for it (an empty
    text). Copies of an id get fresh ids, except the one ``holders`` (given the agreements' (id, text)
    in document order) says holds the id's signatures; so no copy can carry a signature. Texts past a
    bound are kept as written (they can still be shortened), and so are other roots (a CRDT cannot
    remove a root): both are returned, to be reported.
    """
    with doc.transaction():
        root = root_map(doc)
        _repair_fields(root, {"title": _text_field, "sections": _array_field})
        section_maps = _shown_entries(root["sections"])
        item_maps: list[Map] = []
        for section in section_maps:
            _repair_fields(section, {"id": lambda v: v, "title": _text_field, "prompt": _prompt_field,
                                     "items": _array_field})
            for item in _shown_entries(section["items"]):
                _repair_fields(item, {"id": lambda v: v, "text": _text_field})
                item_maps.append(item)
        holding = holders([(item["id"], str(item["text"])) for item in item_maps])
        taken: set[str] = set()
        for item, holds in sorted(zip(item_maps, holding), key=lambda pair: not pair[1]):
            if item["id"] in taken or not ID_FORMAT.fullmatch(item["id"]):
                item["id"] = new_id()
            taken.add(item["id"])
        for section in section_maps:
            if section["id"] in taken or not ID_FORMAT.fullmatch(section["id"]):
                section["id"] = new_id()
            taken.add(section["id"])
    try:
        check_document(doc)
    except ShapeError as error:
        return [str(error)]
    return []
