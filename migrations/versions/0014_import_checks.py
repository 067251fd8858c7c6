"""import checks: when a scan's figures were imported from a backup without its answers

A scan restored from a purged scan's backup shows the summary the file holds; the report's
colophon then says its figures were imported, not computed here. Existing scans were not.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures_imported_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('figures_imported_at')
