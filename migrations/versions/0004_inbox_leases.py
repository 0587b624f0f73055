"""Inbox leases: several instances on one database, each conversation answered by one of them at a time.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows waiting at the upgrade get their conversation key from the next start (it needs the secret key).
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("conversation", sa.String(length=64), nullable=False, server_default=""))
        batch.create_index("ix_inbox_conversation", ["conversation"])
    op.create_table(
        "inbox_leases",
        sa.Column("conversation", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("conversation", name="pk_inbox_leases"),
    )
    op.create_index("ix_inbox_leases_expires_at", "inbox_leases", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_leases_expires_at", table_name="inbox_leases")
    op.drop_table("inbox_leases")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index("ix_inbox_conversation")
        batch.drop_column("conversation")
