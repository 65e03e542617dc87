"""Agreement documents of a couple: creating them, listing them, and who may open or change one."""
from __future__ import annotations

from sqlalchemy import select

from agreements.models import AgreementDocument, DocumentUpdate
from agreements.shape import SUGGESTED_SECTIONS, new_document
from couples.access import couple_for_member
from couples.errors import Invalid, NotFound
from couples.models import Couple, User
from extensions import db

FIRST_TITLE = "Our agreements"
MAX_TITLE = 200


def create_document(couple: Couple, title: str, sections=SUGGESTED_SECTIONS) -> AgreementDocument:
    """Create a document for the couple, its log starting with the given sections, in one commit."""
    document = AgreementDocument(couple_id=couple.id, title=title)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentUpdate(document_id=document.id, data=new_document(title, sections), user_id=None))
    db.session.commit()
    return document


def create_first_document(couple: Couple) -> AgreementDocument:
    """The document every couple gets when it links, pre-filled with the suggested sections."""
    return create_document(couple, FIRST_TITLE)


def add_document(user: User, couple_id: int, title: str, suggested: bool = False) -> AgreementDocument:
    """Add another document to the user's linked couple (empty, or with the suggested sections)."""
    couple = couple_for_member(user, couple_id, write=True)
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise Invalid(f"Please give the document a title of at most {MAX_TITLE} characters.")
    return create_document(couple, title, SUGGESTED_SECTIONS if suggested else ())


def list_documents(user: User, couple_id: int) -> list[AgreementDocument]:
    """The couple's documents, oldest first, for a current or former member."""
    couple = couple_for_member(user, couple_id)
    return list(
        db.session.scalars(
            select(AgreementDocument)
            .where(AgreementDocument.couple_id == couple.id)
            .order_by(AgreementDocument.created_at, AgreementDocument.id)
        )
    )


def document_for_member(user: User, document_id, write: bool = False) -> AgreementDocument:
    """Return the document if the user is or was in its couple; with write, only while linked.

    Raises NotFound (or ReadOnly for an archive when write is asked), never saying which.
    """
    document = db.session.get(AgreementDocument, document_id) if _is_id(document_id) else None
    if document is None:
        raise NotFound()
    couple_for_member(user, document.couple_id, write=write)
    return document


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
