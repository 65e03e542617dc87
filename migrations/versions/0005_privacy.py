"""privacy: private reflections and shared passages

Revision ID: 0005_privacy
Revises: 0001_foundation
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


revision = "0005_privacy"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reflection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_reflection_author_id_user"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflection")),
    )
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reflection_author_id"), ["author_id"], unique=False)

    op.create_table(
        "shared_passage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_shared_passage_author_id_user")),
        sa.ForeignKeyConstraint(["couple_id"], ["couple.id"], name=op.f("fk_shared_passage_couple_id_couple"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_passage")),
    )
    with op.batch_alter_table("shared_passage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shared_passage_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shared_passage_couple_id"), ["couple_id"], unique=False)


def downgrade():
    with op.batch_alter_table("shared_passage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shared_passage_couple_id"))
        batch_op.drop_index(batch_op.f("ix_shared_passage_author_id"))
    op.drop_table("shared_passage")
    with op.batch_alter_table("reflection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reflection_author_id"))
    op.drop_table("reflection")
