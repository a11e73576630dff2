"""a key for the opaque form fields of each quiz attempt

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 15:20:00.000000

``quiz_attempt.form_key``: a random key per attempt. The attempt page names its fields and
offers its values as HMAC tokens under this key (lms.quiz.tokens), so that no field name or
value tells a real option id, item id or place. The column is added in place; every attempt
still open gets a key now (submitted attempts never show a form again; the application gives
a key to any open attempt that lacks one).
"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('form_key', sa.String(length=32), nullable=True))

    connection = op.get_bind()
    table = sa.table('quiz_attempt', sa.column('id', sa.Integer), sa.column('status', sa.String),
                     sa.column('form_key', sa.String))
    open_ids = connection.execute(sa.select(table.c.id).where(table.c.status == 'open')).scalars().all()
    if open_ids:
        connection.execute(sa.update(table).where(table.c.id == sa.bindparam('row_id'))
                           .values(form_key=sa.bindparam('key')),
                           [{'row_id': row_id, 'key': secrets.token_hex(16)} for row_id in open_ids])


def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('form_key')
