"""What each conversation is about (ids and flags only), so that several instances can share conversations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("platforms", sa.String(length=400), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("suggestion", sa.String(length=100), nullable=True),
        sa.Column("aspects", sa.String(length=400), nullable=False),
        sa.Column("asked_region", sa.Boolean(), nullable=False),
        sa.Column("after_room", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_key", name="pk_conversations"),
    )
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
    op.drop_table("conversations")
