"""indexes for the dashboard at 100,000 people (shifts by end, mentorships by mentor and
dates) and, on PostgreSQL, trigram indexes for searching people by name or email (pg_trgm)

Revision ID: a16000000004
Revises: a16000000003
Create Date: 2026-12-01 21:40:00.000000

"""

import logging

from alembic import op

from mentor_match.database import add_name_search_indexes, drop_name_search_indexes

# revision identifiers, used by Alembic.
revision = "a16000000004"
down_revision = "a16000000003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_shifts_end_mentor", "shifts", ["end_at", "mentor_id"], unique=False)
    op.create_index(
        "ix_mentorships_mentor_dates",
        "mentorships",
        ["mentor_id", "created_at", "ended_at"],
        unique=False,
    )
    # Without the rights to create the pg_trgm extension this logs a warning and creates
    # nothing: the upgrade goes on, and searches work as before (without the indexes).
    add_name_search_indexes(op.get_bind(), logging.getLogger("alembic.runtime.migration"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ANALYZE")  # SQLite weighs the new indexes only with fresh statistics


def downgrade():
    drop_name_search_indexes(op.get_bind())
    op.drop_index("ix_mentorships_mentor_dates", table_name="mentorships")
    op.drop_index("ix_shifts_end_mentor", table_name="shifts")
