"""a round remembers its previous proposal, so a re-run can show what changed

Revision ID: a11000000001
Revises: a13000000001
Create Date: 2026-12-01 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a11000000001'
down_revision = "a13000000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('match_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_run', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('match_rounds', schema=None) as batch_op:
        batch_op.drop_column('previous_run')
