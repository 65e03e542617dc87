"""agreements: documents and their append-only update logs

Revision ID: 0002_agreements
Revises: 0005_privacy
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_agreements'
down_revision = '0005_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreement_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_agreement_document_couple_id_couple'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_document'))
    )
    with op.batch_alter_table('agreement_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_document_couple_id'), ['couple_id'], unique=False)

    op.create_table('document_update',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('is_snapshot', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['agreement_document.id'], name=op.f('fk_document_update_document_id_agreement_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_document_update_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_update'))
    )
    with op.batch_alter_table('document_update', schema=None) as batch_op:
        batch_op.create_index('ix_document_update_document_id_id', ['document_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('document_update', schema=None) as batch_op:
        batch_op.drop_index('ix_document_update_document_id_id')

    op.drop_table('document_update')
    with op.batch_alter_table('agreement_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_document_couple_id'))

    op.drop_table('agreement_document')
