"""Alembic environment. Confidant runs migrations itself (`confidant db upgrade`, and at start), handing in an
open connection; see `bot.storage.migrate`."""

from __future__ import annotations

from alembic import context

from bot.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `confidant db upgrade`.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
