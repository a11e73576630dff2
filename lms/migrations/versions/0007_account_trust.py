"""who made an account, whether its owner chose a password, and class invitations

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:05:12.402117

A teacher may no longer put an existing learner in a class without their consent, nor print a
sign-in code for someone who has a password of their own:

- ``user_account.password_chosen_at``: when the owner chose a password. Every account that has
  a password today is given its creation time, the safe assumption (its owner may have chosen
  it): from now on only an administrator can give such an account a sign-in code.
- ``user_account.created_by_id`` and ``created_via``: who made the account and how; unknown
  (NULL) for the accounts made before this revision.
- ``class_invitation``: invitations waiting for the person to accept them.

The columns are added in place (``recreate='never'``): on SQLite, copying ``user_account``
would drop it while foreign keys are enforced, and ON DELETE CASCADE would then delete every row
that refers to a user. On SQLite the foreign key of ``created_by_id`` is written inline with the
column (``inline_references``), the only form ALTER TABLE … ADD COLUMN accepts there; it has no
ON DELETE rule, because SQLite would not report an inline one back to a comparison with the
models (and accounts are never deleted, only anonymized).
"""
from alembic import op
import sqlalchemy as sa

import lms.models.base


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('class_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('login_name', sa.String(length=64), nullable=False),
    sa.Column('login_key', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', lms.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['class_group.id'], name=op.f('fk_class_invitation_class_id_class_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_class_invitation_invited_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_invitation')),
    sa.UniqueConstraint('class_id', 'login_key', name='uq_class_invitation_class_login')
    )
    with op.batch_alter_table('class_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_class_invitation_login_key'), ['login_key'], unique=False)

    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('password_chosen_at', lms.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('created_via', sa.Enum('self', 'teacher', 'import', 'command_line',
                                                             name='account_origin', native_enum=False, length=16),
                                      nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite cannot add a constraint to a table, only a column with its REFERENCES clause.
        op.add_column('user_account', sa.Column('created_by_id', sa.Integer(), sa.ForeignKey('user_account.id'),
                                                nullable=True), inline_references=True)
    else:
        op.add_column('user_account', sa.Column('created_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_user_account_created_by_id_user_account'), 'user_account', 'user_account',
                              ['created_by_id'], ['id'])

    # Whoever has a password today may have chosen it: treat it as their own.
    user = sa.table('user_account', sa.column('password_hash', sa.String),
                    sa.column('password_chosen_at', lms.models.base.UTCDateTime(timezone=True)),
                    sa.column('created_at', lms.models.base.UTCDateTime(timezone=True)))
    op.execute(sa.update(user).where(user.c.password_hash.is_not(None))
               .values(password_chosen_at=user.c.created_at))


def downgrade():
    # In place, as in 0006: SQLite (3.35 and later) drops these columns without copying the table.
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('created_via')
        batch_op.drop_column('password_chosen_at')

    with op.batch_alter_table('class_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_class_invitation_login_key'))

    op.drop_table('class_invitation')
