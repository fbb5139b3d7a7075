"""Assignment statistics: closed cases and agreements per mediator and category, last assignment time.

Revision ID: 61c5dfeee46d
Revises: c6a6f3460572
Create Date: 2026-11-21 13:34:29.497642

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '61c5dfeee46d'
down_revision = 'c6a6f3460572'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mediator_category_stats',
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('agreements', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediator.id'], name=op.f('fk_mediator_category_stats_mediator_id_mediator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mediator_id', 'category', name=op.f('pk_mediator_category_stats'))
    )
    with op.batch_alter_table('mediator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_assigned_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('mediator', schema=None) as batch_op:
        batch_op.drop_column('last_assigned_at')

    op.drop_table('mediator_category_stats')
