"""languages: an assessment's questionnaire in more languages, a respondent's own language

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 00:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_translation',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('content_snapshot', sa.Text(), nullable=False),
    sa.CheckConstraint("language in ('nl', 'en')", name=op.f('ck_assessment_translation_language')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_translation_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'language', name=op.f('pk_assessment_translation'))
    )
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_column('language')
    op.drop_table('assessment_translation')
