"""agreements: signatures of agreements and named versions of documents

Revision ID: 0006_agreements_signing
Revises: 0002_agreements
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_agreements_signing'
down_revision = '0002_agreements'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['agreement_document.id'], name=op.f('fk_agreement_signature_document_id_agreement_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signer_id'], ['user.id'], name=op.f('fk_agreement_signature_signer_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_signature'))
    )
    with op.batch_alter_table('agreement_signature', schema=None) as batch_op:
        batch_op.create_index('ix_agreement_signature_document_id_item_id', ['document_id', 'item_id'], unique=False)

    op.create_table('agreement_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('last_update_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_ids', sa.String(length=200), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['agreement_document.id'], name=op.f('fk_agreement_version_document_id_agreement_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_agreement_version_actor_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_version'))
    )
    with op.batch_alter_table('agreement_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_version_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('agreement_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_version_document_id'))

    op.drop_table('agreement_version')
    with op.batch_alter_table('agreement_signature', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_signature_document_id_item_id')

    op.drop_table('agreement_signature')
