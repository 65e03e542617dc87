"""Trust ledger: promises, their schedule versions, deposits.

Revision ID: 0003_ledger
Revises: 0004_dialogue (main: foundation, privacy, agreements, dialogue)
"""
import sqlalchemy as sa
from alembic import op


revision = "0003_ledger"
down_revision = "0004_dialogue"
branch_labels = None
depends_on = None


def upgrade():
    """Create the ledger tables."""
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("promiser_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("agreement_doc_id", sa.String(length=64), nullable=True),
        sa.Column("agreement_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["couple_id"], ["couple.id"], name="fk_promise_couple_id_couple", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["promiser_id"], ["user.id"], name="fk_promise_promiser_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_promise"),
    )
    op.create_index("ix_promise_couple_id", "promise", ["couple_id"])
    op.create_index("ix_promise_promiser_id", "promise", ["promiser_id"])
    op.create_table(
        "promise_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("state IN ('active', 'paused', 'ended')", name="ck_promise_schedule_state"),
        sa.CheckConstraint("kind IN ('once', 'daily', 'weekly')", name="ck_promise_schedule_kind"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_promise_schedule_ends_after_start"),
        sa.ForeignKeyConstraint(["promise_id"], ["promise.id"], name="fk_promise_schedule_promise_id_promise",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_promise_schedule"),
    )
    op.create_index("ix_promise_schedule_promise_id", "promise_schedule", ["promise_id"])
    op.create_table(
        "deposit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_on", sa.Date(), nullable=False),
        sa.Column("kept_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=280), nullable=False),
        sa.Column("thanks", sa.String(length=280), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'confirmed', 'missed')", name="ck_deposit_status"),
        sa.CheckConstraint(
            "(status = 'confirmed' AND confirmed_at IS NOT NULL AND confirmed_by_id IS NOT NULL)"
            " OR (status <> 'confirmed' AND confirmed_at IS NULL AND confirmed_by_id IS NULL)",
            name="ck_deposit_confirmed_has_time",
        ),
        sa.ForeignKeyConstraint(["promise_id"], ["promise.id"], name="fk_deposit_promise_id_promise", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user.id"], name="fk_deposit_confirmed_by_id_user"),
        sa.PrimaryKeyConstraint("id", name="pk_deposit"),
        sa.UniqueConstraint("promise_id", "occurrence_on", name="uq_deposit_promise_occurrence"),
    )
    op.create_index("ix_deposit_promise_id", "deposit", ["promise_id"])


def downgrade():
    """Drop the ledger tables."""
    op.drop_table("deposit")
    op.drop_table("promise_schedule")
    op.drop_table("promise")
