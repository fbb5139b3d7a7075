"""Mediator name order: lists of mediators sort by the Kazakh (and Russian) alphabet, not by code point.

Sorted by the folded name, Әбенов, Қасымова, Өтебаев, Ұлан and Іскаков came after Я. The new column holds the folded
name with each letter of the Kazakh alphabet mapped, in alphabet order, to characters from U+0700 on
(models/mediator.py keeps it through domain/text.name_order_key; the key is frozen here as at this revision). The
registry's lists page and search by it, with the index (name_order, id).

The column is added NOT NULL with a placeholder default that every row then replaces, so SQLite does not rebuild the
table (which would drop the mediator's standing trigger).

Revision ID: 6c1e9b4d2a73
Revises: 9b4e2c7d5f18
Create Date: 2026-12-08 00:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6c1e9b4d2a73'
down_revision = '9b4e2c7d5f18'
branch_labels = None
depends_on = None

ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
ORDER = {ord(letter): chr(0x0700 + position) for position, letter in enumerate(ALPHABET)}


def upgrade():
    postgresql = op.get_context().dialect.name == 'postgresql'
    # Code point order, which PostgreSQL keeps only under the "C" collation, whatever the database's own.
    key_type = sa.String(length=200, collation='C') if postgresql else sa.String(length=200)
    op.add_column('mediator', sa.Column('name_order', key_type, nullable=False, server_default=''))
    if postgresql:
        # In SQL, so that `db upgrade --sql` prints it too: translate() maps character for character.
        op.execute(sa.text("UPDATE mediator SET name_order = translate(name_folded, :letters, :keys)")
                   .bindparams(letters=ALPHABET, keys=ALPHABET.translate(ORDER)))
    else:
        connection = op.get_bind()
        rows = connection.execute(sa.text("SELECT id, name_folded FROM mediator")).all()
        if rows:
            connection.execute(sa.text("UPDATE mediator SET name_order = :key WHERE id = :id"),
                               [{"id": row.id, "key": row.name_folded.translate(ORDER)} for row in rows])
    if postgresql:
        # The placeholder goes once every row has its key: a write that forgot the key fails, as in a new database.
        # (SQLite keeps it: removing a default rebuilds the table there.)
        op.alter_column('mediator', 'name_order', server_default=None)
    op.create_index('ix_mediator_name_order', 'mediator', ['name_order', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_mediator_name_order', table_name='mediator')
    # A plain DROP COLUMN on SQLite too (3.35 or later): a batch would copy the table and drop its standing trigger.
    op.drop_column('mediator', 'name_order')
