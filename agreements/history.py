"""History of a document: named versions, comparing two of them, restoring a section.

A version is a readable snapshot (the plain structure ``shape.read_document`` returns) with its time,
why it was taken and who had written since the previous one. Versions are only ever added: a
restore is a new edit of the live document, and the versions before it stay as they were.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from pycrdt import Array, Doc, Map, Text

from agreements import shape

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

SAME = "same"
ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"


def diff_words(old: str, new: str) -> list[tuple[str, str]]:
    """Return the word-level difference of two texts as ``(op, text)`` pieces, op in same/del/ins."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return pieces


@dataclass
class Change:
    """One section or agreement compared between two versions."""

    id: str
    status: str
    title: list[tuple[str, str]]
    items: list["Change"] = field(default_factory=list)

    @property
    def old_pieces(self) -> list[tuple[str, str]]:
        """Return the pieces shown on the older side (kept and deleted text)."""
        return [p for p in self.title if p[0] != "ins"]

    @property
    def new_pieces(self) -> list[tuple[str, str]]:
        """Return the pieces shown on the newer side (kept and inserted text)."""
        return [p for p in self.title if p[0] != "del"]


def _pair_by_id(old: list[dict], new: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pair entries of two ordered lists by id, in the newer order, each vanished entry near its old place."""
    new_ids = {entry["id"] for entry in new}
    old_by_id = {entry["id"]: entry for entry in old}
    pairs: list[tuple[dict | None, dict | None]] = [(old_by_id.get(e["id"]), e) for e in new]
    for index, entry in enumerate(old):
        if entry["id"] not in new_ids:
            pairs.insert(min(index, len(pairs)), (entry, None))
    return pairs


def _status(old: dict | None, new: dict | None, same: bool) -> str:
    if old is None:
        return ADDED
    if new is None:
        return REMOVED
    return SAME if same else CHANGED


def _text_change(old: dict | None, new: dict | None, key: str) -> list[tuple[str, str]]:
    return diff_words(old[key] if old else "", new[key] if new else "")


def compare(old: dict, new: dict) -> list[Change]:
    """Return what changed, section by section and agreement by agreement, from ``old`` to ``new``."""
    changes = []
    for old_section, new_section in _pair_by_id(old.get("sections", []), new.get("sections", [])):
        items = []
        for old_item, new_item in _pair_by_id(
            old_section["items"] if old_section else [], new_section["items"] if new_section else []
        ):
            same = bool(old_item and new_item and old_item["text"] == new_item["text"])
            item_id = (new_item or old_item)["id"]
            items.append(Change(item_id, _status(old_item, new_item, same), _text_change(old_item, new_item, "text")))
        same = bool(
            old_section and new_section and old_section["title"] == new_section["title"]
            and all(item.status == SAME for item in items)
        )
        section_id = (new_section or old_section)["id"]
        changes.append(
            Change(section_id, _status(old_section, new_section, same), _text_change(old_section, new_section, "title"), items)
        )
    return changes


def _offset(text: str, index: int) -> int:
    """Return the position pycrdt expects for a character index (it counts UTF-8 bytes)."""
    return len(text[:index].encode("utf-8"))


def replace_text(text: Text, new: str) -> None:
    """Turn ``text`` into ``new`` with one small edit (keep the common start and end)."""
    old = str(text)
    if old == new:
        return
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    begin, stop = _offset(old, start), _offset(old, len(old) - end)
    if stop > begin:
        del text[begin:stop]
    inserted = new[start : len(new) - end]
    if inserted:
        text.insert(begin, inserted)


def _set_text(entry: Map, key: str, value: str) -> None:
    """Edit the text under ``key`` into ``value`` (or put a text there if a malformed entry has none)."""
    current = entry.get(key)
    if isinstance(current, Text):
        replace_text(current, value)
    else:
        entry[key] = Text(value)


def restore_section(doc: Doc, old: dict, position: int) -> None:
    """Make the live document's section look as ``old`` (a section of a snapshot) did, as one new edit.

    Agreements still in the section keep their id (and so their signatures, which then match again
    only if the text is exactly what was signed). An agreement that no longer exists comes back with
    a new id: ids are never reused.
    """
    with doc.transaction():
        section = shape.find_section(doc, old["id"])
        if section is None:
            _insert_section(doc, old, position)
            return
        _set_text(section, "title", old["title"])
        if not isinstance(section.get("items"), Array):
            section["items"] = Array()
        _restore_items(section, old["items"])


def _insert_section(doc: Doc, old: dict, position: int) -> None:
    root = shape.root_map(doc)
    if not isinstance(root.get("sections"), Array):
        root["sections"] = Array()
    array = root["sections"]
    index = min(position, len(array))
    array.insert(index, shape.new_section(old["title"], old.get("prompt", "")))
    items = array[index]["items"]
    for item in old["items"]:
        items.append(shape.new_item(item["text"]))


def _first_occurrences(section: Map, ids: set[str]) -> list[str]:
    found: list[str] = []
    for item in shape.items(section):
        if item["id"] in ids and item["id"] not in found:
            found.append(item["id"])
    return found


def _restore_items(section: Map, wanted: list[dict]) -> None:
    array: Array = section["items"]
    present = {item["id"]: item for item in shape.items(section)}
    kept = {entry["id"] for entry in wanted if entry["id"] in present}
    order = [entry["id"] for entry in wanted if entry["id"] in kept]
    if _first_occurrences(section, kept) != order:
        # Yjs arrays cannot move an entry: a reordered section is written out afresh, same ids.
        array.clear()
        for entry in wanted:
            if entry["id"] in present:
                array.append(Map({"id": entry["id"], "text": Text(entry["text"])}))
            else:
                array.append(shape.new_item(entry["text"]))
        return
    keep, seen = set(), set()
    for index, entry in enumerate(array):
        if isinstance(entry, Map) and entry.get("id") in kept and entry["id"] not in seen:
            keep.add(index)
            seen.add(entry["id"])
    for index in reversed(range(len(array))):
        if index not in keep:
            del array[index]
    for index, entry in enumerate(wanted):
        if entry["id"] in present:
            _set_text(array[index], "text", entry["text"])
        else:
            array.insert(index, shape.new_item(entry["text"]))
