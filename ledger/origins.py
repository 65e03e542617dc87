"""Where a promise comes from: an agreement of the couple's documents, pointed at by its stable id,
or an apology whose "what I will do differently" it became (apology/service.py apology_of: the apology
builds on the ledger, not the other way round).

Agreements live inside CRDT documents, so a promise keeps (document id, agreement id) and reads the
agreement's words as they are now; an agreement removed since still leaves the promise standing.
An apology points at its promise (apology.promise_id), so the ledger's own tables stay as they are.
"""
from __future__ import annotations

from dataclasses import dataclass


from agreements import history
from agreements.service import document_for_member, list_documents
from couples.errors import Invalid, NotFound
from couples.models import Couple, User

LABEL_MAX = 80


@dataclass(frozen=True)
class AgreementChoice:
    """One agreement a promise can point at, as its document reads now."""

    doc_id: int
    agreement_id: str
    section: str
    text: str

    @property
    def value(self) -> str:
        """How the picker sends it: 'document id:agreement id'."""
        return f"{self.doc_id}:{self.agreement_id}"

    @property
    def label(self) -> str:
        """The agreement's words, shortened for a list."""
        return self.text if len(self.text) <= LABEL_MAX else self.text[: LABEL_MAX - 1].rstrip() + "…"


def _choices_in(document) -> list[AgreementChoice]:
    content = history.current_content(document)
    return [
        AgreementChoice(document.id, item["id"], section["title"] or "Untitled section", " ".join(item["text"].split()))
        for section in content["sections"]
        for item in section["items"]
        if item["text"].strip()
    ]


def agreement_choices(user: User, couple: Couple) -> list[AgreementChoice]:
    """Every worded agreement of the couple's documents, in document order."""
    return [choice for document in list_documents(user, couple.id) for choice in _choices_in(document)]


def by_key(choices: list[AgreementChoice]) -> dict[tuple[str, str], AgreementChoice]:
    """Choices looked up by the (document id, agreement id) a promise stores."""
    return {(str(c.doc_id), c.agreement_id): c for c in choices}


def find(user: User, couple: Couple, value: str) -> AgreementChoice:
    """The agreement a picker value names, if it is one of this couple's; Invalid otherwise."""
    doc_part, _, agreement_id = (value or "").partition(":")
    try:
        document = document_for_member(user, int(doc_part)) if doc_part.isdigit() else None
    except NotFound:
        document = None
    if document is not None and document.couple_id == couple.id:
        for choice in _choices_in(document):
            if choice.agreement_id == agreement_id:
                return choice
    raise Invalid("That agreement could not be found.", "bad_agreement")
