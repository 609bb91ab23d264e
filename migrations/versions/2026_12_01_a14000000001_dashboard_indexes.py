"""indexes for the programme dashboard: shifts by start time and bookings per shift, covering

Revision ID: a14000000001
Revises: a11000000001
Create Date: 2026-12-01 15:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a14000000001'
down_revision = 'a11000000001'
branch_labels = None
depends_on = None


def upgrade():
    # The new shifts index starts with start_at, so it serves every query the old one did.
    op.drop_index('ix_shifts_start_at', table_name='shifts')
    op.create_index(
        'ix_shifts_start_dashboard',
        'shifts',
        ['start_at', 'status', 'mentor_id', 'seats', 'specialty_id'],
        unique=False,
    )
    op.create_index(
        'ix_bookings_dashboard',
        'bookings',
        ['shift_id', 'status', 'attended', 'hours', 'mentee_id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_bookings_dashboard', table_name='bookings')
    op.drop_index('ix_shifts_start_dashboard', table_name='shifts')
    op.create_index('ix_shifts_start_at', 'shifts', ['start_at'], unique=False)
