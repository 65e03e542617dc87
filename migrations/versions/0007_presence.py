"""privacy: a partner's request for space, while it lasts

Revision ID: 0007_presence
Revises: 0003_ledger
Create Date: 2026-12-01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_presence"
down_revision = "0003_ledger"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "space",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["couple_id"], ["couple.id"], name=op.f("fk_space_couple_id_couple"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_space_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_space")),
    )
    with op.batch_alter_table("space", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_space_couple_id"), ["couple_id"], unique=False)


def downgrade():
    with op.batch_alter_table("space", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_space_couple_id"))
    op.drop_table("space")
