"""priority vote: the group's vote on which lessons to work on first

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('priority_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('voter_hash', sa.String(length=64), nullable=True),
    sa.Column('lessons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_priority_vote_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_priority_vote')),
    sa.UniqueConstraint('assessment_id', 'voter_hash', name='uq_priority_vote_assessment_voter')
    )
    with op.batch_alter_table('priority_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_priority_vote_assessment_id'), ['assessment_id'], unique=False)
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_status', sa.String(length=10), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('vote_max_choices', sa.Integer(), server_default='3', nullable=False))
        batch_op.create_check_constraint('vote_status', "vote_status in ('none', 'open', 'closed')")


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_assessment_vote_status'), type_='check')
        batch_op.drop_column('vote_max_choices')
        batch_op.drop_column('vote_status')
    with op.batch_alter_table('priority_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_priority_vote_assessment_id'))
    op.drop_table('priority_vote')
