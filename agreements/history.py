"""History of a document: named versions, comparing two of them, restoring a section.

A version is a readable snapshot (the plain structure ``shape.read_document`` returns) with its time,
why it was taken and who had written since the previous one. Versions are only ever added: a
restore is a new edit of the live document, and the versions before it stay as they were.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from diff_match_patch import diff_match_patch
from flask import current_app
from pycrdt import Array, Doc, Map, Text
from sqlalchemy import BigInteger, ForeignKey, Integer, String, func, select
from sqlalchemy import Text as SQLText
from sqlalchemy.orm import Mapped, defer, mapped_column, relationship

from agreements import rooms, shape
from agreements.models import AgreementDocument, DocumentUpdate
from agreements.service import document_for_member
from couples import clock
from couples.errors import NotFound
from couples.models import User
from extensions import UTCDateTime, db
from workers import off_loop

PAUSE_SECONDS = 60
PAUSE = "pause"
SIGNING = "signing"
RESTORE = "restore"


class Version(db.Model):
    """A readable snapshot of a document at one moment, with why it was taken and who wrote since the last one."""

    __tablename__ = "agreement_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("agreement_document.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(300), default="")  # what was signed or restored, in short
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    last_update_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    author_ids: Mapped[str] = mapped_column(String(200), default="[]")
    content_json: Mapped[str] = mapped_column(SQLText)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def content(self) -> dict:
        """The snapshot as ``shape.read_document`` gave it."""
        return json.loads(self.content_json)

    @property
    def authors(self) -> list[User]:
        """The people who changed the document since the previous version."""
        known = self.__dict__.get("_authors")  # set for a whole list at once by all_versions
        if known is not None:
            return known
        ids = json.loads(self.author_ids)
        if not ids:
            return []
        users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
        return [users[i] for i in ids if i in users]


def _latest(document: AgreementDocument) -> Version | None:
    return db.session.scalar(
        select(Version).where(Version.document_id == document.id).order_by(Version.id.desc()).limit(1)
    )


def _last_edit(document: AgreementDocument) -> tuple[int, datetime | None]:
    row = db.session.execute(
        select(DocumentUpdate.id, DocumentUpdate.created_at)
        .where(DocumentUpdate.document_id == document.id)
        .order_by(DocumentUpdate.id.desc())
        .limit(1)
    ).first()
    return (row.id, row.created_at) if row else (0, None)


def _authors_between(document: AgreementDocument, after_id: int, upto_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(DocumentUpdate.user_id)
            .where(DocumentUpdate.document_id == document.id, DocumentUpdate.id > after_id,
                   DocumentUpdate.id <= upto_id, DocumentUpdate.user_id.is_not(None))
            .group_by(DocumentUpdate.user_id)
            .order_by(func.min(DocumentUpdate.id))
        )
    )


def current_content(document: AgreementDocument) -> dict:
    """Return the document as the server's copy holds it now, as plain data."""
    return rooms.read(document.id, document.couple_id, shape.read_document)


def current_update(document: AgreementDocument) -> bytes:
    """The server's copy of the document now, as one update: read it with ``shape.doc_from_update`` where
    the work does not stop the event loop (a CRDT is used only by the thread that made it)."""
    return rooms.read(document.id, document.couple_id, lambda doc: doc.get_update())


def take_version(document: AgreementDocument, reason: str, note: str = "", actor: User | None = None,
                 at: datetime | None = None, content: dict | None = None) -> Version:
    """Store a version of the document as it is now (the caller commits; the id is known at once)."""
    last_id, _ = _last_edit(document)  # read first: the content read next holds at least this much
    previous = _latest(document)
    since = previous.last_update_id if previous else 0
    version = Version(
        document_id=document.id,
        created_at=at or clock.now(),
        reason=reason,
        note=note[:300],
        actor_id=actor.id if actor else None,
        last_update_id=max(last_id, since),
        author_ids=json.dumps(_authors_between(document, since, last_id)),
        content_json=json.dumps(content if content is not None else current_content(document)),
    )
    db.session.add(version)
    db.session.flush()
    return version


def pause() -> timedelta:
    """How long editing must rest before a version is taken by itself."""
    return timedelta(seconds=current_app.config.get("AGREEMENTS_VERSION_PAUSE", PAUSE_SECONDS))


def capture_after_pause(document: AgreementDocument) -> Version | None:
    """Take a version if the document changed since the last one and editing has paused; return it."""
    last_id, last_at = _last_edit(document)
    previous = _latest(document)
    if last_at is None or (previous and previous.last_update_id >= last_id):
        return None
    if clock.now() - last_at < pause():
        return None
    content = current_content(document)
    if previous and previous.content == content:
        return None  # written and undone: nothing to keep
    version = take_version(document, PAUSE, at=last_at, content=content)
    db.session.commit()
    return version


def versions(user: User, document_id: int) -> tuple[AgreementDocument, list[Version]]:
    """Return the document and its versions, newest first, for a current or former member.

    Reading never takes a version: the writer's page asks for one after a pause (a POST), so nothing in the
    history tells one partner when the other opened it."""
    document = document_for_member(user, document_id)
    return document, all_versions(document)


VERSIONS_PER_PAGE = 100  # the history page lists this many at a time (signing adds one each time)


def versions_page(user: User, document_id: int, before: int | None = None) -> tuple[AgreementDocument,
                                                                                   list[Version], Version | None]:
    """One page of the document's history: up to VERSIONS_PER_PAGE versions older than ``before`` (newest
    first), and the next older version if there is one (what the page's last version is compared with)."""
    document = document_for_member(user, document_id)
    found = all_versions(document, before=before, limit=VERSIONS_PER_PAGE + 1)
    return document, found[:VERSIONS_PER_PAGE], found[VERSIONS_PER_PAGE] if len(found) > VERSIONS_PER_PAGE else None


def all_versions(document: AgreementDocument, before: int | None = None, limit: int | None = None) -> list[Version]:
    """Return the document's versions (older than ``before``, at most ``limit``), newest first, with their
    authors: one query for the versions and one for the authors, whatever their number. Each snapshot (up
    to a document's size) is read only if asked for."""
    query = select(Version).where(Version.document_id == document.id).order_by(Version.id.desc())
    if before is not None:
        query = query.where(Version.id < before)
    found = list(db.session.scalars(query.limit(limit).options(defer(Version.content_json))))
    author_ids = {version.id: json.loads(version.author_ids) for version in found}
    wanted = {i for ids in author_ids.values() for i in ids}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    for version in found:
        version._authors = [users[i] for i in author_ids[version.id] if i in users]
    return found


def version_of(document: AgreementDocument, version_id) -> Version:
    """Return one version of this document (NotFound for anything else)."""
    version = db.session.get(Version, version_id) if isinstance(version_id, int) else None
    if version is None or version.document_id != document.id:
        raise NotFound()
    return version


def restore(user: User, document_id: int, version_id: int, section_id) -> Version:
    """Bring a section back as it was in a version, as a new edit of the live document; return the new version."""
    document = document_for_member(user, document_id, write=True)
    version = version_of(document, version_id)
    sections = version.content["sections"]
    position = next((i for i, s in enumerate(sections) if s["id"] == section_id), None)
    if position is None:
        raise NotFound("That section is not in this version.")
    old = sections[position]
    rooms.edit(document.id, document.couple_id, lambda doc: restore_section(doc, old, position), user.id)
    restored = take_version(document, RESTORE, note=short(old["title"] or "Untitled section"), actor=user)
    db.session.commit()
    return restored


def short(text: str, limit: int = 60) -> str:
    """Return the start of a text, cut at a word, for notes and labels."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)

SAME = "same"
ADDED = "added"
REMOVED = "removed"
EDITED = "changed"  # a part in both versions compared, with another text


# A comparison gives up refining after this long in all and shows what is left as whole removed and
# added runs: still exact on both sides, and its cost is bounded whatever the texts are.
COMPARE_SECONDS = 0.5


def diff_words(old: str, new: str, deadline: float | None = None) -> list[tuple[str, str]]:
    """Return the word-level difference of two texts as ``(op, text)`` pieces, op in same/del/ins.

    Each distinct word becomes one character, so diff-match-patch (Myers' O(ND) diff with a deadline)
    runs over words, as it does over lines for line diffs.
    """
    words: list[str] = []
    codes: dict[str, str] = {}

    def encode(text: str) -> str:
        out = []
        for token in _TOKEN.findall(text):
            if token not in codes:
                codes[token] = chr(len(words))
                words.append(token)
            out.append(codes[token])
        return "".join(out)

    differ = diff_match_patch()
    differ.Diff_Timeout = COMPARE_SECONDS
    if deadline is None:
        deadline = time.time() + COMPARE_SECONDS
    ops = {differ.DIFF_EQUAL: "same", differ.DIFF_DELETE: "del", differ.DIFF_INSERT: "ins"}
    runs = _slide_left(differ.diff_main(encode(old), encode(new), False, deadline), differ.DIFF_EQUAL, words)
    return [(ops[op], "".join(words[ord(c)] for c in run)) for op, run in runs if run]


def _slide_left(runs: list[tuple[int, str]], equal: int, words: list[str]) -> list[tuple[int, str]]:
    """Move each lone insertion or deletion left past the spaces it ends with, where the result is the same,
    so an added word is shown with the space before it (" plainly") rather than after it ("plainly ")."""
    runs = [list(run) for run in runs]
    for i in range(1, len(runs)):
        before, edit = runs[i - 1], runs[i]
        after = runs[i + 1] if i + 1 < len(runs) else None
        if edit[0] == equal or before[0] != equal or (after is not None and after[0] != equal):
            continue
        while before[1] and edit[1] and before[1][-1] == edit[1][-1] and words[ord(edit[1][-1])].isspace():
            moved = before[1][-1]
            before[1], edit[1] = before[1][:-1], moved + edit[1][:-1]
            if after is None:
                after = [equal, ""]
                runs.append(after)
            after[1] = moved + after[1]
    return [(op, run) for op, run in runs]


@dataclass
class Change:
    """One section or agreement compared between two versions."""

    id: str
    status: str
    title: list[tuple[str, str]]
    items: list["Change"] = field(default_factory=list)

    @property
    def title_changed(self) -> bool:
        """True when the text itself (title or agreement) differs, not only what is inside."""
        return any(op != "same" for op, _ in self.title)

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
    return SAME if same else EDITED


def _text_change(old: dict | None, new: dict | None, key: str, deadline: float) -> list[tuple[str, str]]:
    return diff_words(old[key] if old else "", new[key] if new else "", deadline)


def compare(old: dict, new: dict) -> list[Change]:
    """Return what changed, section by section and agreement by agreement, from ``old`` to ``new``."""
    return off_loop(_compare, old, new)


def _compare(old: dict, new: dict) -> list[Change]:
    deadline = time.time() + COMPARE_SECONDS  # from when the work starts, not from when it was queued
    changes = []
    for old_section, new_section in _pair_by_id(old.get("sections", []), new.get("sections", [])):
        items = []
        for old_item, new_item in _pair_by_id(
            old_section["items"] if old_section else [], new_section["items"] if new_section else []
        ):
            same = bool(old_item and new_item and old_item["text"] == new_item["text"])
            item_id = (new_item or old_item)["id"]
            items.append(Change(item_id, _status(old_item, new_item, same),
                                _text_change(old_item, new_item, "text", deadline)))
        same = bool(
            old_section and new_section and old_section["title"] == new_section["title"]
            and all(item.status == SAME for item in items)
        )
        section_id = (new_section or old_section)["id"]
        changes.append(Change(section_id, _status(old_section, new_section, same),
                              _text_change(old_section, new_section, "title", deadline), items))
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


def edits_since(document: AgreementDocument, moment: datetime) -> tuple[list[User], datetime | None]:
    """Who changed the document after a moment (in the order they first did), and when the last change was."""
    rows = db.session.execute(
        select(DocumentUpdate.user_id, func.min(DocumentUpdate.id), func.max(DocumentUpdate.created_at))
        .where(DocumentUpdate.document_id == document.id, DocumentUpdate.created_at > moment)
        .group_by(DocumentUpdate.user_id)
        .order_by(func.min(DocumentUpdate.id))
    ).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r[0] for r in rows if r[0]])))}
    last = max((r[2] for r in rows), default=None)
    return [users[r[0]] for r in rows if r[0] in users], last
