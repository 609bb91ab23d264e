"""seed the twelve specialties of the contract

Revision ID: 5e1d0c0a7b21
Revises: d12573d9496e
Create Date: 2026-11-25 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "5e1d0c0a7b21"
down_revision = "d12573d9496e"
branch_labels = None
depends_on = None

# Written out here, not imported, so this migration means the same thing forever.
SPECIALTIES = [
    ("sterile-compounding", "Sterile compounding"),
    ("nonsterile-compounding", "Non-sterile compounding"),
    ("hazardous-drugs", "Hazardous drugs"),
    ("oncology", "Oncology"),
    ("mtm", "Medication therapy management"),
    ("geriatrics", "Geriatric pharmacy"),
    ("nuclear", "Nuclear pharmacy"),
    ("informatics", "Pharmacy informatics"),
    ("med-rec", "Medication reconciliation"),
    ("inventory", "Inventory and supply chain"),
    ("immunizations", "Immunizations"),
    ("billing", "Billing and reimbursement"),
]

specialties = sa.table("specialties", sa.column("slug", sa.String), sa.column("name", sa.String))


def upgrade():
    op.bulk_insert(specialties, [{"slug": s, "name": n} for s, n in SPECIALTIES])


def downgrade():
    op.execute(
        specialties.delete().where(specialties.c.slug.in_([s for s, _ in SPECIALTIES]))
    )
