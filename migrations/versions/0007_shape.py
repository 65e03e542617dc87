"""agreements: documents stored before their shape was enforced are repaired by one more edit in their log

Revision ID: 0007_shape
Revises: 0006_agreements_signing
Create Date: 2026-12-01

Each document's log is read; a document that breaks the shape ``agreements/shape.py`` enforces gets
one repair update appended (``shape.repair``): copies of an id get fresh ids (only the copy holding
the id's signatures keeps it), foreign keys and unseen entries are dropped, fields of the wrong type
become what the page showed. What cannot be repaired without losing words (a text past its bound) is
kept and reported. Nothing is rewritten: the log only grows, so the downgrade has nothing to undo.
"""
import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_shape"
down_revision = "0007_holes"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

documents = sa.table("agreement_document", sa.column("id", sa.Integer))
updates = sa.table("document_update", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                   sa.column("data", sa.LargeBinary))
signatures = sa.table("agreement_signature", sa.column("document_id", sa.Integer),
                      sa.column("item_id", sa.String), sa.column("text_hash", sa.String))


def repair_document(connection, document_id: int) -> list[str] | None:
    """Repair one document by appending an update to its log; None if it needed nothing, else what is left over."""
    from pycrdt import Doc

    from agreements import shape, signing
    from agreements.models import DocumentUpdate

    doc = Doc()
    for (data,) in connection.execute(
        sa.select(updates.c.data).where(updates.c.document_id == document_id).order_by(updates.c.id)
    ):
        doc.apply_update(data)
    try:
        shape.check_document(doc)
        return None
    except shape.ShapeError:
        pass
    signed: dict[str, set[str]] = {}
    for item_id, digest in connection.execute(
        sa.select(signatures.c.item_id, signatures.c.text_hash).where(signatures.c.document_id == document_id)
    ):
        signed.setdefault(item_id, set()).add(digest)
    before = doc.get_state()
    left = shape.repair(doc, lambda agreements: signing.holders(agreements, signed))
    connection.execute(sa.insert(DocumentUpdate.__table__).values(
        document_id=document_id, data=doc.get_update(before), user_id=None, is_snapshot=False))
    return left


def upgrade():
    connection = op.get_bind()
    for (document_id,) in connection.execute(sa.select(documents.c.id).order_by(documents.c.id)).all():
        left = repair_document(connection, document_id)
        if left is not None:
            log.info("agreements document %s repaired%s", document_id,
                     f"; still to be shortened by its couple: {'; '.join(left)}" if left else "")


def downgrade():
    pass
