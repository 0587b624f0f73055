"""Table definitions. What is *not* here matters as much: no message text outside `inbox`, no phone numbers
or transport ids outside `inbox` (which needs them to reply, and is emptied once the answer is sent), and no
invitation code (only its keyed hash)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person who wrote to Confidant, known only by an HMAC of `transport:id` (see `bot.shared.pseudonym`).

    A row exists for an invited user (role "user", from the day they joined) and for anyone who set a setting
    (role None: the terminal's user, an admin, a guest of an open bot). Admins are not stored: they are whoever
    CONFIDANT_ADMINS names, so removing one there takes effect without a stale row saying otherwise.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    transport: Mapped[str | None] = mapped_column(String(16), nullable=True)
    joined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UserSetting(Base):
    """One setting of one user (region, timezone, display name), deleted with the user on /forget."""

    __tablename__ = "user_settings"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))


class SettingsVersion(Base):
    """One row counting changes to users and their settings (set, forget, `confidant users remove`), so that
    every instance keeping settings in memory notices another's change by reading one number."""

    __tablename__ = "settings_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class ProcessedMessage(Base):
    """A message key we have already taken in (hashed, because raw keys contain sender ids), for dedupe."""

    __tablename__ = "processed_messages"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # received -> answered | delivery-unknown | dropped | failed
    outcome: Mapped[str] = mapped_column(String(24))


class InboxMessage(Base):
    """A received message waiting for its answer: the only place message text (and the reply address) rests."""

    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    transport: Mapped[str] = mapped_column(String(16), index=True)
    sender: Mapped[str] = mapped_column(String(200))
    # Other ids of the sender (a Signal number beside the UUID), space-separated, so the allowlist still
    # recognises an admin listed by number when an unfinished message is resumed after a restart.
    sender_aliases: Mapped[str] = mapped_column(String(400), default="", server_default="")
    chat: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    addressed: Mapped[bool] = mapped_column(Boolean, default=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # pending -> sending. A row found in `sending` after a restart may or may not have been delivered.
    state: Mapped[str] = mapped_column(String(16), default="pending")
    # The keyed hash of transport and chat: the unit that one instance at a time answers (InboxLease).
    conversation: Mapped[str] = mapped_column(String(64), index=True, default="", server_default="")
    # When the messenger first refused to deliver its answer (a rate-limit challenge, an untrusted safety
    # number): it waits here, pending, to be sent when that is resolved.
    held_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConversationState(Base):
    """What a user's conversation is about, for "more" and follow-ups on whichever instance answers next:
    knowledge-base ids and flags only, deleted by /forget and a day after the last message."""

    __tablename__ = "conversations"

    user_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    platforms: Mapped[str] = mapped_column(String(400))  # ids, space-separated
    topic: Mapped[str | None] = mapped_column(String(100))
    suggestion: Mapped[str | None] = mapped_column(String(100))
    aspects: Mapped[str] = mapped_column(String(400))
    asked_region: Mapped[bool] = mapped_column(Boolean)
    after_room: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class InboxLease(Base):
    """Which instance answers a conversation's inbox rows, until when. The holder renews it every few seconds;
    a lease that ran out (its holder was killed) is taken over by another instance. Times are seconds on the
    database's clock, so that instances on different hosts agree."""

    __tablename__ = "inbox_leases"

    conversation: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class OperatorAlert(Base):
    """Something only the operator can resolve, shared by every instance and by `confidant signal …`:
    a rate limit (every instance pauses until `until`; the captcha challenge is kept sealed with the secret
    key), or a person whose safety number changed (by the conversation's keyed hash, never their number)."""

    __tablename__ = "operator_alerts"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)  # "rate-limit" | "untrusted"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # the conversation's hash, or ""
    pseudonym: Mapped[str] = mapped_column(String(16))  # what log lines and the operator call it
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    until: Mapped[float | None] = mapped_column(Float)  # seconds since 1970, database clock
    sealed: Mapped[str | None] = mapped_column(Text)


class Invitation(Base):
    """A one-time invitation, known only by an HMAC of its code; deleted when used or once expired."""

    __tablename__ = "invitations"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Stranger(Base):
    """Someone who may not use this Confidant, by the same HMAC as `users.key`: when they were last told so (one
    refusal a day, across restarts) and how many wrong invitation codes they sent this hour. Purged once both
    windows have passed, and deleted when they join."""

    __tablename__ = "strangers"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    refused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    codes_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    wrong_codes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
