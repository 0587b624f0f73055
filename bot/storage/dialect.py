"""SQL that PostgreSQL and SQLite spell differently, in one place."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Table, func, literal_column, type_coerce
from sqlalchemy.sql.elements import ColumnElement


def insert_for(dialect: str, table: Table) -> Any:
    """The dialect's INSERT, which has `on_conflict_do_nothing` and `on_conflict_do_update` (spelled alike)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def now_seconds(dialect: str) -> ColumnElement[float]:
    """The database server's clock in seconds since 1970. Leases are compared on one clock, the database's,
    so instances on hosts whose clocks disagree still agree on when a lease ran out."""
    if dialect == "postgresql":
        return type_coerce(func.extract("epoch", func.clock_timestamp()), Float)
    return literal_column("((julianday('now') - 2440587.5) * 86400.0)", Float)
