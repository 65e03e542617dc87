"""The mirroring dialogue: dialogues and their turns.

Revision ID: 0004_dialogue
Revises: 0006_agreements_signing
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_dialogue"
down_revision = "0006_agreements_signing"
branch_labels = None
depends_on = None


def upgrade():
    """Create the dialogue and dialogue_turn tables."""
    op.create_table(
        "dialogue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("open_couple_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("paused_from", sa.String(length=20), nullable=True),
        sa.Column("later_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("delete_requested_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["couple_id"], ["couple.id"], name=op.f("fk_dialogue_couple_id_couple")),
        sa.ForeignKeyConstraint(["delete_requested_by_id"], ["user.id"],
                                name=op.f("fk_dialogue_delete_requested_by_id_user")),
        sa.ForeignKeyConstraint(["receiver_id"], ["user.id"], name=op.f("fk_dialogue_receiver_id_user")),
        sa.ForeignKeyConstraint(["sender_id"], ["user.id"], name=op.f("fk_dialogue_sender_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue")),
        sa.UniqueConstraint("open_couple_id", name=op.f("uq_dialogue_open_couple_id")),
    )
    op.create_index(op.f("ix_dialogue_couple_id"), "dialogue", ["couple_id"], unique=False)
    op.create_table(
        "dialogue_turn",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dialogue_id"], ["dialogue.id"], ondelete="CASCADE",
                                name=op.f("fk_dialogue_turn_dialogue_id_dialogue")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_dialogue_turn_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_turn")),
        sa.UniqueConstraint("dialogue_id", "index", name=op.f("uq_dialogue_turn_dialogue_id")),
    )
    op.create_index(op.f("ix_dialogue_turn_dialogue_id"), "dialogue_turn", ["dialogue_id"], unique=False)


def downgrade():
    """Drop the dialogue tables."""
    op.drop_index(op.f("ix_dialogue_turn_dialogue_id"), table_name="dialogue_turn")
    op.drop_table("dialogue_turn")
    op.drop_index(op.f("ix_dialogue_couple_id"), table_name="dialogue")
    op.drop_table("dialogue")
