"""programmes: a programme's landscape of regions, and a scan's choice to take part

A programme (name, questionnaire id, lesson ids) with its owners; per scan the programme it
takes part in and whether it may be named. Existing scans take part in nothing and are
anonymous.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=40), nullable=False),
    sa.Column('lesson_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('name', name=op.f('uq_programme_name'))
    )
    op.create_table('programme_owner',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facilitator_id'], ['facilitator.id'], name=op.f('fk_programme_owner_facilitator_id_facilitator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_programme_owner_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('programme_id', 'facilitator_id', name=op.f('pk_programme_owner'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('named_in_programme', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_assessment_programme_id'), ['programme_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_assessment_programme_id_programme'),
                                    'programme', ['programme_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assessment_programme_id_programme'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_assessment_programme_id'))
        batch_op.drop_column('named_in_programme')
        batch_op.drop_column('programme_id')
    op.drop_table('programme_owner')
    op.drop_table('programme')
