"""hardening: facilitator.session_version, raised to end all of an account's login sessions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('facilitator', schema=None) as batch_op:
        batch_op.drop_column('session_version')
