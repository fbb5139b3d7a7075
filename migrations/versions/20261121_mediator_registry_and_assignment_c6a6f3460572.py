"""Mediator registry fields (Art. 9, 14, 16), specialisations, absences, weekly hours, region policies,
assignment explanations.

Revision ID: c6a6f3460572
Revises: 7b3d1ad5b9a4
Create Date: 2026-11-21 13:18:54.472278

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c6a6f3460572'
down_revision = '7b3d1ad5b9a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assignment_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('co_mediation_for_interethnic', sa.Boolean(), nullable=False),
    sa.Column('co_mediation_for_high_tension', sa.Boolean(), nullable=False),
    sa.Column('allow_republic_pool', sa.Boolean(), nullable=False),
    sa.Column('ethnicity_mode', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False, server_default=sa.func.current_timestamp()),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_assignment_policy_region_id_region')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_assignment_policy_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_policy')),
    sa.UniqueConstraint('region_id', name=op.f('uq_assignment_policy_region_id'))
    )
    op.create_table('mediator_absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.CheckConstraint("kind IN ('leave', 'illness', 'other')", name=op.f('ck_mediator_absence_kind')),
    sa.CheckConstraint('"end" >= start', name=op.f('ck_mediator_absence_ordered')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediator.id'], name=op.f('fk_mediator_absence_mediator_id_mediator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator_absence'))
    )
    with op.batch_alter_table('mediator_absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediator_absence_mediator_id'), ['mediator_id'], unique=False)

    op.create_table('mediator_specialization',
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediator.id'], name=op.f('fk_mediator_specialization_mediator_id_mediator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('mediator_id', 'category', name=op.f('pk_mediator_specialization'))
    )
    with op.batch_alter_table('mediator_specialization', schema=None) as batch_op:
        batch_op.create_index('ix_mediator_specialization_category', ['category', 'mediator_id'], unique=False)

    op.create_table('mediator_weekly_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start', sa.Time(), nullable=False),
    sa.Column('end', sa.Time(), nullable=False),
    sa.CheckConstraint('"end" > start', name=op.f('ck_mediator_weekly_hours_ordered')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_mediator_weekly_hours_weekday')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediator.id'], name=op.f('fk_mediator_weekly_hours_mediator_id_mediator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator_weekly_hours'))
    )
    with op.batch_alter_table('mediator_weekly_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediator_weekly_hours_mediator_id'), ['mediator_id'], unique=False)

    with op.batch_alter_table('case_assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('override_reason', sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column('ethnicity_used', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('conflict_ties', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('conflict_note', sa.String(length=2000), nullable=True))

    with op.batch_alter_table('mediator', schema=None) as batch_op:
        batch_op.add_column(sa.Column('education', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('higher_education', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('certificate_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('retired_judge', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('takes_cases_elsewhere', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('max_active_cases', sa.Integer(), nullable=False, server_default='5'))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('legal_address', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('suspended_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('disqualifications', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('ethnicity', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('ethnicity_consent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=False, server_default=sa.func.current_timestamp()))
        batch_op.create_index('ix_mediator_region_status', ['region_id', 'status'], unique=False)
        batch_op.create_check_constraint('max_active_cases', 'max_active_cases BETWEEN 0 AND 100')
        batch_op.create_check_constraint('ethnicity_needs_consent',
                                         'ethnicity IS NULL OR ethnicity_consent_on IS NOT NULL')

    with op.batch_alter_table('mediator_language', schema=None) as batch_op:
        batch_op.create_index('ix_mediator_language_language', ['language', 'mediator_id'], unique=False)



def downgrade():
    with op.batch_alter_table('mediator_language', schema=None) as batch_op:
        batch_op.drop_index('ix_mediator_language_language')

    with op.batch_alter_table('mediator', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_mediator_ethnicity_needs_consent'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_mediator_max_active_cases'), type_='check')
        batch_op.drop_index('ix_mediator_region_status')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('ethnicity_consent_on')
        batch_op.drop_column('ethnicity')
        batch_op.drop_column('disqualifications')
        batch_op.drop_column('status_reason')
        batch_op.drop_column('suspended_until')
        batch_op.drop_column('legal_address')
        batch_op.drop_column('email')
        batch_op.drop_column('phone')
        batch_op.drop_column('max_active_cases')
        batch_op.drop_column('takes_cases_elsewhere')
        batch_op.drop_column('retired_judge')
        batch_op.drop_column('certificate_date')
        batch_op.drop_column('certificate_number')
        batch_op.drop_column('higher_education')
        batch_op.drop_column('education')

    with op.batch_alter_table('case_assignment', schema=None) as batch_op:
        batch_op.drop_column('conflict_note')
        batch_op.drop_column('conflict_ties')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('ethnicity_used')
        batch_op.drop_column('override_reason')
        batch_op.drop_column('explanation')

    with op.batch_alter_table('mediator_weekly_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediator_weekly_hours_mediator_id'))

    op.drop_table('mediator_weekly_hours')
    with op.batch_alter_table('mediator_specialization', schema=None) as batch_op:
        batch_op.drop_index('ix_mediator_specialization_category')

    op.drop_table('mediator_specialization')
    with op.batch_alter_table('mediator_absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediator_absence_mediator_id'))

    op.drop_table('mediator_absence')
    op.drop_table('assignment_policy')
