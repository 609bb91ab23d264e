"""site-scoped coordinators: a coordinator's sites and regions, and the sites a round covers

Revision ID: a16000000002
Revises: a14000000001
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16000000002'
down_revision = 'a14000000001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'coordinator_sites',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['site_id'], ['sites.id'],
            name=op.f('fk_coordinator_sites_site_id_sites'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_coordinator_sites_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', 'site_id', name=op.f('pk_coordinator_sites')),
    )
    op.create_index(
        op.f('ix_coordinator_sites_site_id'), 'coordinator_sites', ['site_id'], unique=False
    )
    op.create_table(
        'coordinator_regions',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'],
            name=op.f('fk_coordinator_regions_user_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', 'region', name=op.f('pk_coordinator_regions')),
    )
    op.create_table(
        'round_sites',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['round_id'], ['match_rounds.id'],
            name=op.f('fk_round_sites_round_id_match_rounds'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['site_id'], ['sites.id'],
            name=op.f('fk_round_sites_site_id_sites'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('round_id', 'site_id', name=op.f('pk_round_sites')),
    )
    op.create_index(op.f('ix_round_sites_site_id'), 'round_sites', ['site_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_round_sites_site_id'), table_name='round_sites')
    op.drop_table('round_sites')
    op.drop_table('coordinator_regions')
    op.drop_index(op.f('ix_coordinator_sites_site_id'), table_name='coordinator_sites')
    op.drop_table('coordinator_sites')
