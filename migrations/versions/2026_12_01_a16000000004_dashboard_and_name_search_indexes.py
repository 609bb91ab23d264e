"""trigram indexes for searching people by name or email on PostgreSQL (pg_trgm); nothing
on SQLite

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
    # Without the rights to create the pg_trgm extension this logs a warning and creates
    # nothing: the upgrade goes on, and searches work as before (without the indexes).
    add_name_search_indexes(op.get_bind(), logging.getLogger("alembic.runtime.migration"))


def downgrade():
    drop_name_search_indexes(op.get_bind())
