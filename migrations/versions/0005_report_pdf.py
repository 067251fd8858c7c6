"""report pdf: rendered reports shared by every app server (with a report queue)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_pdf',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_report_pdf_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_report_pdf'))
    )
    with op.batch_alter_table('report_pdf', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_pdf_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_pdf_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('report_pdf', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_pdf_created_at'))
        batch_op.drop_index(batch_op.f('ix_report_pdf_assessment_id'))

    op.drop_table('report_pdf')
