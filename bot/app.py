"""Wires the pieces together from `Settings`: knowledge base, brain, database, inbox, assistant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.access.gate import AccessGate
from bot.brain.brain import Brain
from bot.configerror import ConfigError
from bot.core.assistant import Assistant, Rooms
from bot.core.doorkeeper import CODE_WINDOW, REFUSE_EVERY
from bot.core.stores import ConversationStore, InboxStore
from bot.kb import snapshot
from bot.kb.knowledge import KnowledgeError, bundled_knowledge_dir
from bot.keys import keyer_for
from bot.paths import database_url
from bot.shared.answer import Answer
from bot.shared.pseudonym import Keyer
from bot.transports import registry
from bot.unconfigured import Defaults

# The database layer (SQLAlchemy, Alembic) is imported only where a database is opened: `confidant ask` has
# none, and those imports are most of its start-up time.
if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.config import Settings
    from bot.storage.invitations import Invitations
    from bot.storage.stores import MessageStores
    from bot.storage.strangers import Strangers
    from bot.storage.users import Users


def load_brain(settings: Settings | Defaults) -> Brain:
    root = settings.knowledge_dir or bundled_knowledge_dir()
    try:
        # Validated the first time and after any change; from the snapshot the validating loader left otherwise.
        knowledge = snapshot.load(root)
    except KnowledgeError as error:
        raise ConfigError(
            [
                f"CONFIDANT_KNOWLEDGE_DIR: the knowledge base has {len(error.problems)} problem(s); "
                "run `confidant kb check`",
                *error.problems[:5],
            ]
        ) from None
    return Brain(knowledge, site_url=settings.site_url)


def rooms_for(settings: Settings | Defaults) -> Rooms:
    """The meeting-room service; raises ConfigError for a half or wrongly configured back end."""
    from bot.rooms.service import RoomService

    # `confidant ask`'s defaults stand for the settings it reads; a room needs the rest, so they are validated now.
    return RoomService.from_settings(settings.validated() if isinstance(settings, Defaults) else settings)


class DeferredRooms:
    """Rooms set up on first use. For one-shot `confidant ask` only: the JWT and cryptography imports are a
    quarter of its start-up, and most questions are not room requests. Long-running commands check the room
    configuration at start instead, so a broken set-up stops them at once."""

    def __init__(self, settings: Settings | Defaults) -> None:
        self._settings = settings
        self._rooms: Rooms | None = None

    def _loaded(self) -> Rooms:
        if self._rooms is None:
            self._rooms = rooms_for(self._settings)
        return self._rooms

    def answer(self, text: str, *, timezone: ZoneInfo, display_name: str | None, user_ref: str) -> Answer:
        return self._loaded().answer(text, timezone=timezone, display_name=display_name, user_ref=user_ref)

    def checklist(self) -> Answer:
        return self._loaded().checklist()


def gate_for(settings: Settings | Defaults) -> AccessGate:
    return AccessGate(
        mode=settings.access,
        admins=settings.admins,
        local=registry.local_names(),
        rate_per_minute=settings.rate_per_minute,
    )


def assistant_for(
    settings: Settings | Defaults,
    *,
    keyer: Keyer,
    users: Users | None,
    conversations: ConversationStore | None = None,
    invitations: Invitations | None = None,
    strangers: Strangers | None = None,
    defer_rooms: bool = False,
) -> Assistant:
    return Assistant(
        load_brain(settings),
        keyer=keyer,
        gate=gate_for(settings),
        users=users,
        conversations=conversations,
        invitations=invitations,
        strangers=strangers,
        rooms=DeferredRooms(settings) if defer_rooms else rooms_for(settings),
        default_region=settings.region,
        default_timezone=settings.timezone,
    )


@dataclass
class App:
    """Everything a long-running command holds open: the database and what is built on it."""

    settings: Settings
    engine: AsyncEngine
    stores: MessageStores
    users: Users
    invitations: Invitations
    strangers: Strangers
    keyer: Keyer
    assistant: Assistant

    async def tidy(self, now: datetime | None = None) -> int:
        """Forget expired invitations and strangers whose windows have passed (the runner calls it hourly)."""
        now = now or datetime.now(UTC)
        expired = await self.invitations.purge(now)
        old = await self.strangers.purge(now - REFUSE_EVERY, now - CODE_WINDOW)
        return expired + old

    @property
    def inbox(self) -> InboxStore:
        return self.stores.inbox

    async def close(self) -> None:
        await self.stores.close()
        await self.engine.dispose()


async def open_database(settings: Settings) -> AsyncEngine:
    """An engine on the configured database with every migration applied."""
    from bot.storage.database import create_engine
    from bot.storage.migrate import upgrade

    try:
        engine = create_engine(database_url(settings))
    except OSError as error:
        raise ConfigError([f"CONFIDANT_DATABASE_URL: cannot create the database: {error.strerror or error}"]) from None
    try:
        await upgrade(engine)
    except Exception as error:
        await engine.dispose()
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError([f"CONFIDANT_DATABASE_URL: cannot open or migrate the database: {reason}"]) from None
    return engine


async def open_app(settings: Settings, *, shared: bool = True) -> App:
    """Everything `confidant run` (and `chat`) needs. `shared`: conversations live in the database, where
    every instance finds them; `confidant chat` keeps them in its own memory instead."""
    from bot.storage.invitations import Invitations
    from bot.storage.stores import message_stores
    from bot.storage.strangers import Strangers
    from bot.storage.users import Users

    keyer = keyer_for(settings)
    engine = await open_database(settings)
    users, invitations, strangers = Users(engine), Invitations(engine), Strangers(engine)
    stores = message_stores(engine, keyer)
    return App(
        settings=settings,
        engine=engine,
        stores=stores,
        users=users,
        invitations=invitations,
        strangers=strangers,
        keyer=keyer,
        assistant=assistant_for(
            settings,
            keyer=keyer,
            users=users,
            conversations=stores.conversations if shared else None,
            invitations=invitations,
            strangers=strangers,
        ),
    )
