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
    # Only the missing ones: running this again after a downgrade must not fail or duplicate.
    existing = {row[0] for row in op.get_bind().execute(sa.select(specialties.c.slug))}
    missing = [{"slug": s, "name": n} for s, n in SPECIALTIES if s not in existing]
    if missing:
        op.bulk_insert(specialties, missing)


def downgrade():
    # The vocabulary stays: people's profiles refer to it, and deleting it would lose them.
    pass
