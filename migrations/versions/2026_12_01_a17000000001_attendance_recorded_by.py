"""who recorded a booking's attendance

Revision ID: a17000000001
Revises: d011eba9ae27
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a17000000001'
down_revision = 'd011eba9ae27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_bookings_attendance_recorded_by_id_users'),
            'users',
            ['attendance_recorded_by_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_bookings_attendance_recorded_by_id_users'), type_='foreignkey'
        )
        batch_op.drop_column('attendance_recorded_by_id')
