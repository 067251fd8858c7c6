"""personal links made in advance are invitations, exchanged for the participant's own link

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_respondent_invitation_hash'),
                                          ['invitation_hash'])
    # The facilitator's file still holds the links made before: each becomes an invitation,
    # so whoever opens it next must press "Beginnen" and gets a link of their own.
    op.execute("UPDATE respondent SET invitation_hash = token_hash WHERE source = 'personal'")


def downgrade() -> None:
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_respondent_invitation_hash'), type_='unique')
        batch_op.drop_column('invitation_hash')
