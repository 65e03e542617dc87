"""Reading a document with every agreement's state and signatures: for the page, Markdown, print and "my data"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from agreements import history, shape, signing
from agreements.models import AgreementDocument
from couples import clock
from couples.models import Couple, User, couples_of
from extensions import db
from privacy import mydata
from workers import off_loop


@dataclass
class Agreement:
    """One agreement as read now: its text, its state and the words for that state."""

    id: str
    text: str
    state: signing.AgreementState
    words: dict


@dataclass
class Section:
    """One section as read now."""

    id: str
    title: str
    prompt: str
    agreements: list[Agreement]


@dataclass
class Readable:
    """A whole document as read now, ready for a template or an export."""

    document: AgreementDocument
    title: str
    sections: list[Section]


def readable(document: AgreementDocument, viewer: User | None = None, writable: bool = False) -> Readable:
    """Read the document from the server's copy, with each agreement's state (worded for the viewer).

    The CRDT and the signatures are read here, on the event loop (the database and the room are the
    loop's); walking a document of up to the shape's bounds and wording every state runs off it."""
    update = history.current_update(document)
    signatures = signing.signatures_by_item(document)
    if viewer is not None:
        # The person themselves, not the request's proxy for them (the worker has no request), loaded here
        # so the worker finds them in memory (it must not reach the database).
        viewer = getattr(viewer, "_get_current_object", lambda: viewer)()
        viewer.id
    title, sections = off_loop(_read, update, signatures, viewer, writable)
    return Readable(document, title or document.title, sections)


def _read(update: bytes, signatures: dict, viewer: User | None, writable: bool) -> tuple[str, list[Section]]:
    content = shape.read_document(shape.doc_from_update(update))
    states = iter(signing.states_of(content, signatures))
    sections = [
        Section(
            section["id"],
            section["title"],
            section["prompt"],
            [_agreement(item, next(states), viewer, writable) for item in section["items"]],
        )
        for section in content["sections"]
    ]
    return content["title"], sections


def _agreement(item: dict, state: signing.AgreementState, viewer: User | None, writable: bool) -> Agreement:
    return Agreement(item["id"], item["text"], state, signing.describe(state, viewer, writable))


def local_time(moment: datetime, zone: str = "UTC") -> str:
    """Return a moment as a person reads it in their own time zone, e.g. "2 March 2026, 10:00 Europe/Paris"."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz, zone = ZoneInfo("UTC"), "UTC"
    return f"{moment.astimezone(tz):%-d %B %Y, %H:%M} {zone or 'UTC'}"


def _signature_line(signature, zone: str) -> str:
    return f"{signature.signer.name} ({local_time(signature.signed_at, zone)})"


def state_line(agreement: Agreement, zone: str) -> str:
    """Return one sentence giving the agreement's state and who signed when, for exports."""
    state = agreement.state
    if state.status == signing.AGREED:
        return "Agreed: signed by " + " and ".join(_signature_line(s, zone) for s in state.current) + "."
    if state.status == signing.SIGNED:
        return "Signed by " + " and ".join(_signature_line(s, zone) for s in state.current) + "; waiting for the other signature."
    if state.status == signing.CHANGED_SINCE_SIGNED:
        return ("Changed since signed: " + " and ".join(_signature_line(s, zone) for s in state.stale)
                + " signed an earlier text. Both need to sign again.")
    return "Draft: not signed yet."


def markdown(document: AgreementDocument, reader: User) -> str:
    """Return the document as Markdown, each agreement followed by its state and signatures (written off
    the event loop: a document at the shape's bounds is about a million lines)."""
    return off_loop(_markdown, readable(document), reader.time_zone, clock.now())


def _markdown(doc: Readable, zone: str, now: datetime) -> str:
    lines = [f"# {doc.title or 'Agreements'}", "", f"_As it stood on {local_time(now, zone)}._", ""]
    for section in doc.sections:
        lines += [f"## {section.title or 'Untitled section'}", ""]
        if not section.agreements:
            lines += [f"_{section.prompt or 'No agreements here yet.'}_", ""]
        for number, agreement in enumerate(section.agreements, 1):
            text_lines = (agreement.text.strip() or "(empty)").splitlines() or [""]
            lines.append(f"{number}. {text_lines[0]}")
            lines += [f"   {line}" if line else "" for line in text_lines[1:]]
            lines += ["", f"   _{state_line(agreement, zone)}_", ""]
    return "\n".join(lines).rstrip() + "\n"


def _agreement_data(agreement: Agreement) -> dict:
    return {
        "id": agreement.id,
        "text": agreement.text,
        "state": agreement.state.status,
        "signatures": [
            {"signer": s.signer.name, "signed_at": s.signed_at.isoformat(), "text": s.text}
            for s in agreement.state.signatures
        ],
    }


def export_for_user(user: User) -> dict:
    """Return every agreements document of every couple the user is or was in, JSON-ready."""
    couples = db.session.scalars(couples_of(user).order_by(Couple.id))
    documents = []
    for couple in couples:
        for document in db.session.scalars(
            select(AgreementDocument).where(AgreementDocument.couple_id == couple.id).order_by(AgreementDocument.id)
        ):
            doc = readable(document)
            documents.append({
                "title": doc.title,
                "created_at": document.created_at.isoformat(),
                "couple_status": couple.status,
                "sections": [
                    {
                        "title": section.title,
                        "agreements": [_agreement_data(a) for a in section.agreements],
                    }
                    for section in doc.sections
                ],
                "versions": [
                    {
                        "taken_at": v.created_at.isoformat(),
                        "reason": v.reason,
                        "note": v.note,
                        "by": v.actor.name if v.actor else None,
                        "authors": [a.name for a in v.authors],
                    }
                    for v in history.all_versions(document)
                ],
            })
    return {"agreement_documents": documents}


mydata.register("agreements", export_for_user)
