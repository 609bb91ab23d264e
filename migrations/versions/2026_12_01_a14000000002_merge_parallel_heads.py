"""join the parallel branches of the schema (guidance and feedback; CPD portfolio; dashboard
indexes)

Revision ID: a14000000002
Revises: a12000000001, a13000000001, a14000000001
Create Date: 2026-12-01 15:15:00.000000

"""


# revision identifiers, used by Alembic.
revision = 'a14000000002'
down_revision = ('a12000000001', 'a13000000001', 'a14000000001')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
