"""invitations by e-mail: the addresses and their deliveries, unlinked from respondents

An invitation holds an address (emptied later), the keyed hash of its personal link and how
its e-mails fared; the facilitator's own texts per language; the last day to answer.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('link_hash', sa.String(length=64), nullable=False),
    sa.Column('delivery', sa.String(length=10), nullable=False),
    sa.Column('message', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('reminders', sa.Integer(), server_default='0', nullable=False),
    sa.Column('sent_in', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("delivery in ('queued', 'sending', 'sent', 'failed')",
                       name=op.f('ck_invitation_delivery')),
    sa.CheckConstraint("message in ('invitation', 'reminder')", name=op.f('ck_invitation_message')),
    sa.CheckConstraint("language in ('nl', 'en')", name=op.f('ck_invitation_language')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'],
                            name=op.f('fk_invitation_assessment_id_assessment'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('assessment_id', 'address', name='uq_invitation_assessment_address'),
    sa.UniqueConstraint('link_hash', name=op.f('uq_invitation_link_hash'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_assessment_id'), ['assessment_id'],
                              unique=False)
    op.create_table('mail_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.CheckConstraint("kind in ('invitation', 'reminder')", name=op.f('ck_mail_text_kind')),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'],
                            name=op.f('fk_mail_text_assessment_id_assessment'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_text')),
    sa.UniqueConstraint('assessment_id', 'language', 'kind',
                        name='uq_mail_text_assessment_language_kind')
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_by', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_column('answer_by')
    op.drop_table('mail_text')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_assessment_id'))
    op.drop_table('invitation')
