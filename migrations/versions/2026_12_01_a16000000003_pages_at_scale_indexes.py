"""indexes for pages at 100,000 people: participants by role and name, exports by role and
email, the mentors of a specialty

Revision ID: a16000000003
Revises: a16000000002
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a16000000003'
down_revision = 'a16000000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_role_name', 'users', ['role', 'name', 'id'], unique=False)
    op.create_index('ix_users_role_email', 'users', ['role', 'email'], unique=False)
    op.create_index(
        'ix_mentor_specialties_specialty',
        'mentor_specialties',
        ['specialty_id', 'mentor_profile_id'],
        unique=False,
    )
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite plans by statistics only once ANALYZE has gathered them; without them it may
        # walk a whole role in name order where one site's people would do.
        op.execute('ANALYZE')


def downgrade():
    op.drop_index('ix_mentor_specialties_specialty', table_name='mentor_specialties')
    op.drop_index('ix_users_role_email', table_name='users')
    op.drop_index('ix_users_role_name', table_name='users')
