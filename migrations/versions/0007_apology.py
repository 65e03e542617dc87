"""apology: guided apologies, private drafts until sent, with the promise and dialogue they led to

Revision ID: 0007_apology
Revises: 0003_ledger
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_apology'
down_revision = "0007_presence"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('apology',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('couple_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('what_i_did', sa.Text(), nullable=False),
    sa.Column('how_it_affected', sa.Text(), nullable=False),
    sa.Column('responsibility', sa.Text(), nullable=False),
    sa.Column('differently', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('answer', sa.String(length=8), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('promise_id', sa.Integer(), nullable=True),
    sa.Column('dialogue_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("answer IS NULL OR answer IN ('thanks', 'time', 'talk')", name=op.f('ck_apology_answer')),
    sa.CheckConstraint('answer IS NULL OR sent_at IS NOT NULL', name=op.f('ck_apology_answered_once_sent')),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_apology_author_id_user')),
    sa.ForeignKeyConstraint(['couple_id'], ['couple.id'], name=op.f('fk_apology_couple_id_couple'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogue.id'], name=op.f('fk_apology_dialogue_id_dialogue'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['promise_id'], ['promise.id'], name=op.f('fk_apology_promise_id_promise'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apology')),
    sa.UniqueConstraint('promise_id', name=op.f('uq_apology_promise_id'))
    )
    with op.batch_alter_table('apology', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apology_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apology_couple_id'), ['couple_id'], unique=False)


def downgrade():
    with op.batch_alter_table('apology', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apology_couple_id'))
        batch_op.drop_index(batch_op.f('ix_apology_author_id'))

    op.drop_table('apology')
