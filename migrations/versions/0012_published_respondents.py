"""published respondents: how many submitted respondents the results counted at the last
close or reopen, so that results shown while answering is open move in steps of three; and
the ballots whose tally the vote's last close showed

Existing scans get the number of their submitted respondents, so every page shows what it
showed before the upgrade and moves on in steps from there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_respondents', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('vote_published', sa.JSON(), nullable=True))
    op.execute(
        "UPDATE assessment SET published_respondents = (SELECT count(*) FROM respondent "
        "WHERE respondent.assessment_id = assessment.id "
        "AND respondent.submitted_at IS NOT NULL)")


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('vote_published')
        batch_op.drop_column('published_respondents')
