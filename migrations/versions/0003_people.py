"""People: roles and since-when on users, one-time invitations, and what is remembered about strangers.

Kept in one revision with a name rather than a number ("people"), so that it can be re-chained after another
branch's revision without anything else depending on it.

Revision ID: people
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "people"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("transport", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "invitations",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_invitations"),
    )
    op.create_index("ix_invitations_expires_at", "invitations", ["expires_at"])
    op.create_table(
        "strangers",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("codes_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrong_codes", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("key", name="pk_strangers"),
    )


def downgrade() -> None:
    op.drop_table("strangers")
    op.drop_table("invitations")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("joined_at")
        batch.drop_column("transport")
        batch.drop_column("role")
