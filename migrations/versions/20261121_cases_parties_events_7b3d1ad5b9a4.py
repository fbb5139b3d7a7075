"""Cases: cases, parties, timeline events, case numbering, assignments, and full-text search per engine.

Revision ID: 7b3d1ad5b9a4
Revises: 9d6b2c2ad112
Create Date: 2026-11-21 12:58:22.969885

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3d1ad5b9a4'
down_revision = '9d6b2c2ad112'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_number_counter',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_case_number_counter_region_id_region')),
    sa.PrimaryKeyConstraint('region_id', 'year', name=op.f('pk_case_number_counter'))
    )
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('interethnic', 'family', 'labour', 'education', 'neighbours_land', 'property', 'religious', 'minor_criminal', 'administrative', 'other', name='case_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('channel', sa.Enum('walk_in', 'phone', 'akimat', 'police', 'court', 'school', 'public_accord_council', 'monitoring', 'other', name='case_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('tension', sa.Enum('low', 'elevated', 'high', 'critical', name='tension_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('tension_signals', sa.JSON(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('registered', 'screening', 'awaiting_assignment', 'assigned', 'in_mediation', 'closed', name='case_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome', sa.Enum('full_agreement', 'partial_agreement', 'no_agreement', 'not_eligible', 'withdrawn', 'referred', name='case_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('termination_ground', sa.Enum('agreement_signed', 'settlement_impossible', 'joint_refusal', 'unilateral_refusal', 'term_expired', name='termination_ground', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('closing_reason', sa.String(length=2000), nullable=True),
    sa.Column('referred_to', sa.String(length=300), nullable=True),
    sa.Column('excl_third_party', sa.Boolean(), nullable=True),
    sa.Column('excl_party_incapable', sa.Boolean(), nullable=True),
    sa.Column('excl_state_body', sa.Boolean(), nullable=True),
    sa.Column('excl_corruption', sa.Boolean(), nullable=True),
    sa.Column('screening_note', sa.String(length=2000), nullable=True),
    sa.Column('proposal_sent_on', sa.Date(), nullable=True),
    sa.Column('proposal_accepted_on', sa.Date(), nullable=True),
    sa.Column('contract_signed_on', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('extension_reason', sa.String(length=1000), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('extension_days BETWEEN 0 AND 365', name=op.f('ck_case_extension_days')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_case_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['house_id'], ['friendship_house.id'], name=op.f('fk_case_house_id_friendship_house')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_case_region_id_region')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_case_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case')),
    sa.UniqueConstraint('number', name=op.f('uq_case_number')),
    sa.UniqueConstraint('region_id', 'year', 'sequence', name=op.f('uq_case_region_id_year_sequence'))
    )
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_deadline', ['deadline', 'id'], unique=False)
        batch_op.create_index('ix_case_house_deadline', ['house_id', 'deadline', 'id'], unique=False)
        batch_op.create_index('ix_case_house_received', ['house_id', 'received_on', 'id'], unique=False)
        batch_op.create_index('ix_case_received', ['received_on', 'id'], unique=False)
        batch_op.create_index('ix_case_region_deadline', ['region_id', 'deadline', 'id'], unique=False)
        batch_op.create_index('ix_case_region_received', ['region_id', 'received_on', 'id'], unique=False)
        batch_op.create_index('ix_case_state_received', ['state', 'received_on', 'id'], unique=False)

    op.create_table('case_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.CheckConstraint("role IN ('lead', 'co')", name=op.f('ck_case_assignment_role')),
    sa.CheckConstraint("status IN ('proposed', 'accepted', 'declined', 'recused', 'replaced', 'objected')", name=op.f('ck_case_assignment_status')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['user_account.id'], name=op.f('fk_case_assignment_assigned_by_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_assignment_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediator.id'], name=op.f('fk_case_assignment_mediator_id_mediator')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignment'))
    )
    with op.batch_alter_table('case_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_case_assignment_case', ['case_id', 'ended_at'], unique=False)
        batch_op.create_index('ix_case_assignment_mediator', ['mediator_id', 'ended_at', 'case_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=2000), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_case_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_event_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('person', 'organisation', name='party_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('role', sa.Enum('applicant', 'respondent', 'other', name='party_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('full_name', sa.String(length=300), nullable=False),
    sa.Column('name_folded', sa.String(length=300), nullable=False),
    sa.Column('iin_bin', sa.String(length=12), nullable=True),
    sa.Column('preferred_language', sa.String(length=8), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('representative_name', sa.String(length=300), nullable=True),
    sa.Column('representative_basis', sa.String(length=300), nullable=True),
    sa.Column('is_minor', sa.Boolean(), nullable=False),
    sa.Column('ethnicity', sa.String(length=60), nullable=True),
    sa.Column('ethnicity_consent_on', sa.Date(), nullable=True),
    sa.Column('consent_mediation_on', sa.Date(), nullable=True),
    sa.Column('consent_mediation_method', sa.String(length=16), nullable=True),
    sa.Column('consent_data_on', sa.Date(), nullable=True),
    sa.Column('consent_data_method', sa.String(length=16), nullable=True),
    sa.CheckConstraint('ethnicity IS NULL OR ethnicity_consent_on IS NOT NULL', name=op.f('ck_party_ethnicity_needs_consent')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_party_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party')),
    sa.UniqueConstraint('case_id', 'position', name=op.f('uq_party_case_id_position'))
    )
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_party_iin_bin'), ['iin_bin'], unique=False)
        batch_op.create_index('ix_party_name_folded', ['name_folded'], unique=False)
    _create_search()


def downgrade():
    _drop_search()
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index('ix_party_name_folded')
        batch_op.drop_index(batch_op.f('ix_party_iin_bin'))
        batch_op.drop_index(batch_op.f('ix_party_case_id'))

    op.drop_table('party')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('case_assignment', schema=None) as batch_op:
        batch_op.drop_index('ix_case_assignment_mediator')
        batch_op.drop_index('ix_case_assignment_case')

    op.drop_table('case_assignment')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_state_received')
        batch_op.drop_index('ix_case_region_received')
        batch_op.drop_index('ix_case_region_deadline')
        batch_op.drop_index('ix_case_received')
        batch_op.drop_index('ix_case_house_received')
        batch_op.drop_index('ix_case_house_deadline')
        batch_op.drop_index('ix_case_deadline')

    op.drop_table('case')
    op.drop_table('case_number_counter')


# Copied from mediation/models/search_ddl.py as it stood when this revision was written: a revision must
# not change when the models do.
def _create_search():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE INDEX ix_case_search_text_fts ON "case" USING gin (to_tsvector('simple', search_text))""")
        return
    op.execute("""CREATE VIRTUAL TABLE case_fts USING fts5(
                  search_text, content='case', content_rowid='id', tokenize='unicode61 remove_diacritics 0')""")
    op.execute("""CREATE TRIGGER case_fts_insert AFTER INSERT ON "case" BEGIN
                  INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END""")
    op.execute("""CREATE TRIGGER case_fts_delete AFTER DELETE ON "case" BEGIN
                  INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END""")
    op.execute("""CREATE TRIGGER case_fts_update AFTER UPDATE OF search_text ON "case" BEGIN
                  INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
                  INSERT INTO case_fts(rowid, search_text) VALUES (new.id, new.search_text); END""")


def _drop_search():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_case_search_text_fts")
        return
    for trigger in ("case_fts_insert", "case_fts_delete", "case_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS case_fts")
