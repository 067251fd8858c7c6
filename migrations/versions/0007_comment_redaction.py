"""comment redaction: the facilitator's redacted version of a free text

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 15:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_text', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('redacted_text')
