"""folded name keys for searching names without diacritics

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:12:40.118204

``user_account.name_key`` and ``certificate.learner_name_key`` hold ``lms.text.fold`` of the
name beside them, so that "huong" finds "Nguyễn Thị Hường" on SQLite and PostgreSQL alike. The
columns are added NOT NULL with an empty default (SQLite can add such a column without copying
the table), then every existing row gets its key computed by the same Python function the
application uses.
"""
from alembic import op
import sqlalchemy as sa

from lms.text import fold


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

KEY_LENGTH = 120
BATCH = 1000


def _backfill(table_name: str, source: str, key: str) -> None:
    """Set ``key`` = fold(``source``) on every row, BATCH rows per statement."""
    connection = op.get_bind()
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column(source, sa.String),
                     sa.column(key, sa.String))
    rows = connection.execute(sa.select(table.c.id, table.c[source]).order_by(table.c.id)).all()
    change = (sa.update(table).where(table.c.id == sa.bindparam('row_id'))
              .values({key: sa.bindparam('folded')}))
    for start in range(0, len(rows), BATCH):
        connection.execute(change, [{'row_id': row_id, 'folded': fold(name)[:KEY_LENGTH]}
                                    for row_id, name in rows[start:start + BATCH]])


def upgrade():
    # recreate='never': both steps work in place on SQLite, so user_account is never copied (see
    # downgrade for why copying it would be dangerous).
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=KEY_LENGTH), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_user_account_name_key'), ['name_key'], unique=False)

    with op.batch_alter_table('certificate', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('learner_name_key', sa.String(length=KEY_LENGTH), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_certificate_learner_name_key'), ['learner_name_key'], unique=False)

    _backfill('user_account', 'full_name', 'name_key')
    _backfill('certificate', 'learner_name', 'learner_name_key')


def downgrade():
    # recreate='never': SQLite (3.35 and later) drops these columns in place. Copying the tables
    # instead would drop user_account while foreign keys are enforced, and ON DELETE CASCADE
    # would then delete every row that refers to a user (progress, certificates…).
    with op.batch_alter_table('certificate', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_learner_name_key'))
        batch_op.drop_column('learner_name_key')

    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_name_key'))
        batch_op.drop_column('name_key')
