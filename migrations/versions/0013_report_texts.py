"""report texts: the facilitator's foreword and own advice per lesson, the report's
"definitief" version and date, and the scan's commissioner (opdrachtgever)

Existing scans get no texts, no commissioner and a report that was never marked final.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 21:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=10), server_default='extend', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode in ('replace', 'extend')", name=op.f('ck_report_text_mode')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_report_text_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_text')),
    sa.UniqueConstraint('assessment_id', 'part', name='uq_report_text_assessment_part')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commissioner', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('report_version', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('report_final_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('report_final_at')
        batch_op.drop_column('report_version')
        batch_op.drop_column('commissioner')
    op.drop_table('report_text')
