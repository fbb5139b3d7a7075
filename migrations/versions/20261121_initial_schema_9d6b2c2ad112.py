"""Initial schema: organisation, accounts, audit trail (append-only), mediator registry.

Revision ID: 9d6b2c2ad112
Revises: 
Create Date: 2026-11-21 12:45:37.037280

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d6b2c2ad112'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kato2', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name_kk', sa.String(length=120), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('centre_kk', sa.String(length=80), nullable=True),
    sa.Column('centre_ru', sa.String(length=80), nullable=True),
    sa.Column('centre_en', sa.String(length=80), nullable=True),
    sa.CheckConstraint("kind IN ('city', 'oblast')", name=op.f('ck_region_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('kato2', name=op.f('uq_region_kato2'))
    )
    op.create_table('friendship_house',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name_kk', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('is_republican', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_friendship_house_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_friendship_house'))
    )
    with op.batch_alter_table('friendship_house', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_friendship_house_region_id'), ['region_id'], unique=False)

    op.create_table('mediation_room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('has_interpreter_equipment', sa.Boolean(), nullable=False),
    sa.Column('has_video_link', sa.Boolean(), nullable=False),
    sa.Column('step_free_access', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('capacity BETWEEN 1 AND 500', name=op.f('ck_mediation_room_capacity_range')),
    sa.ForeignKeyConstraint(['house_id'], ['friendship_house.id'], name=op.f('fk_mediation_room_house_id_friendship_house')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_room'))
    )
    with op.batch_alter_table('mediation_room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_room_house_id'), ['house_id'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'manager', 'coordinator', 'mediator', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('failed_login_count', sa.Integer(), nullable=False),
    sa.Column('first_failed_login_at', sa.DateTime(), nullable=True),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('password_changed_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['house_id'], ['friendship_house.id'], name=op.f('fk_user_account_house_id_friendship_house')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_user_account_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_house_id'), ['house_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_region_id'), ['region_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.String(length=40), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor_id_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_event_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)

    _create_append_only_triggers()

    op.create_table('mediator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registry_number', sa.String(length=32), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('professional', 'public')", name=op.f('ck_mediator_kind')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'excluded')", name=op.f('ck_mediator_status')),
    sa.ForeignKeyConstraint(['house_id'], ['friendship_house.id'], name=op.f('fk_mediator_house_id_friendship_house')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_mediator_region_id_region')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mediator_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator')),
    sa.UniqueConstraint('registry_number', name=op.f('uq_mediator_registry_number')),
    sa.UniqueConstraint('user_id', name=op.f('uq_mediator_user_id'))
    )
    with op.batch_alter_table('mediator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediator_house_id'), ['house_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediator_name_folded'), ['name_folded'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediator_region_id'), ['region_id'], unique=False)

    op.create_table('mediator_language',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mediator_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.CheckConstraint("level IN ('native', 'fluent', 'working')", name=op.f('ck_mediator_language_level')),
    sa.ForeignKeyConstraint(['mediator_id'], ['mediator.id'], name=op.f('fk_mediator_language_mediator_id_mediator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediator_language')),
    sa.UniqueConstraint('mediator_id', 'language', name=op.f('uq_mediator_language_mediator_id_language'))
    )


def downgrade():
    _drop_append_only_triggers()
    op.drop_table('mediator_language')
    with op.batch_alter_table('mediator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediator_region_id'))
        batch_op.drop_index(batch_op.f('ix_mediator_name_folded'))
        batch_op.drop_index(batch_op.f('ix_mediator_house_id'))

    op.drop_table('mediator')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index('ix_audit_event_at')
        batch_op.drop_index('ix_audit_event_actor_id_at')

    op.drop_table('audit_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_region_id'))
        batch_op.drop_index(batch_op.f('ix_user_account_house_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('mediation_room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mediation_room_house_id'))

    op.drop_table('mediation_room')
    with op.batch_alter_table('friendship_house', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_friendship_house_region_id'))

    op.drop_table('friendship_house')
    op.drop_table('region')


# The audit trail is append-only: the database itself refuses UPDATE and DELETE on audit_event.
def _create_append_only_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
                      BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
                      FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""")
    else:
        op.execute("""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
                      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")
        op.execute("""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
                      BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")


def _drop_append_only_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
