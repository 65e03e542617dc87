"""random public ids for private things: reflections, shared passages and login sessions

Revision ID: 0007_holes
Revises: 0003_ledger
Create Date: 2026-12-01

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_holes'
down_revision = "0007_apology"
branch_labels = None
depends_on = None

TABLES = ('reflection', 'shared_passage', 'login_session')


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
        rows = sa.table(table, sa.column('id'), sa.column('public_id'))
        for (row_id,) in connection.execute(sa.select(rows.c.id)).all():
            connection.execute(rows.update().where(rows.c.id == row_id).values(public_id=secrets.token_urlsafe(16)))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_public_id'), ['public_id'], unique=True)


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_public_id'))
            batch_op.drop_column('public_id')
