"""The `confidant` command. Imports are lazy so that `confidant ask` starts fast."""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

# Not even asyncio is imported here: `confidant ask` runs without an event loop (see _without_loop).
if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.assistant import Assistant
    from bot.shared.answer import Answer
    from bot.transports.messenger import Subcommands
    from bot.unconfigured import Defaults

Result = TypeVar("Result")

PIPED_SEPARATOR = "----"
LEAVE_WORDS = frozenset({"quit", "exit", "bye", "goodbye", "q"})  # leave the terminal chat


def _parser(wanted: str | None = None) -> argparse.ArgumentParser:
    """The command line. With `wanted` naming one of our commands, only that command's parser is built: each one
    costs a fraction of a millisecond, and `confidant ask` is started often. Anything else gets them all."""
    parser = argparse.ArgumentParser(prog="confidant", description="Is this platform safe for my clients?")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if wanted in COMMANDS:
        COMMANDS[wanted](commands)
        return parser
    for add in COMMANDS.values():
        add(commands)
    from bot.transports import registry

    registry.add_commands(commands)
    return parser


def _add_chat(commands: Subcommands) -> None:
    commands.add_parser("chat", help="chat in the terminal (reads piped input too)")


def _add_ask(commands: Subcommands) -> None:
    ask = commands.add_parser("ask", help="one answer, printed as the user would read it")
    ask.add_argument(
        "--json", action="store_true", help="print a JSON object ({intent, platforms, topic, aspects, text})"
    )
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="the questions are one conversation: follow-ups refer to the lines before",
    )
    ask.add_argument("question", nargs="+", help="the question, or - to read one question per line from stdin")


def _add_room(commands: Subcommands) -> None:
    room = commands.add_parser("room", help="a fresh meeting room: host link, client link, checklist")
    room.add_argument("--json", action="store_true")
    room.add_argument("--when", help='when the session starts, e.g. "3pm" or "tomorrow 10:00"')


def _add_run(commands: Subcommands) -> None:
    commands.add_parser("run", help="run the configured messenger transports (Signal, Telegram)")


def _add_health(commands: Subcommands) -> None:
    commands.add_parser(
        "health", help="exit 0 if the `confidant run` on CONFIDANT_HTTP_ADDR is ready (container health checks)"
    )


def _add_kb(commands: Subcommands) -> None:
    kb = commands.add_parser("kb", help="check, list or publish the knowledge base, or list what is due for review")
    kb_commands = kb.add_subparsers(dest="kb_command", required=True, metavar="KB_COMMAND")
    kb_commands.add_parser("check", help="validate every entry")
    kb_list = kb_commands.add_parser("list", help="one row per entry")
    kb_list.add_argument("--json", action="store_true")
    kb_site = kb_commands.add_parser("site", help="write the knowledge base as a static website into DIR")
    kb_site.add_argument("dir", metavar="DIR", help="the folder to write (created if missing)")
    kb_stale = kb_commands.add_parser("stale", help="entries due for review, oldest first, with their sources")
    kb_stale.add_argument(
        "--days", type=_days, default=None, help="reviewed more than this many days ago (default: 150)"
    )
    kb_stale.add_argument("--json", action="store_true")


def _add_invite(commands: Subcommands) -> None:
    invite = commands.add_parser("invite", help="a one-time invitation code: whoever sends `join CODE` becomes a user")
    invite.add_argument("--json", action="store_true", help='print {"code", "expires_at"}')
    invite.add_argument("--days", type=_invitation_days, default=None, help="days the code works (default: 7)")


def _add_users(commands: Subcommands) -> None:
    users = commands.add_parser("users", help="list or remove the people who may use this Confidant")
    users_commands = users.add_subparsers(dest="users_command", required=True, metavar="USERS_COMMAND")
    users_list = users_commands.add_parser("list", help="admins and invited users, by pseudonym")
    users_list.add_argument("--json", action="store_true", help='print a list of {"id", "role", "transport", "since"}')
    users_remove = users_commands.add_parser("remove", help="forget an invited user: membership and settings")
    users_remove.add_argument("id", metavar="ID", help="the pseudonym `confidant users list` shows")


def _add_db(commands: Subcommands) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply migrations to the configured database")
    db_backup = db_commands.add_parser(
        "backup", help="a consistent copy of the SQLite database into a new FILE, also while running"
    )
    db_backup.add_argument("file", help="where to write the copy (must not exist yet)")


# Ours, in the order `confidant --help` lists them; the messengers' own commands follow (bot/transports/registry.py).
COMMANDS: dict[str, Callable[[Subcommands], None]] = {
    "chat": _add_chat,
    "ask": _add_ask,
    "room": _add_room,
    "run": _add_run,
    "health": _add_health,
    "kb": _add_kb,
    "invite": _add_invite,
    "users": _add_users,
    "db": _add_db,
}


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days")
    return days


def _invitation_days(text: str) -> int:
    from bot.people.cli import MAX_DAYS

    days = _days(text)
    if not 1 <= days <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"an invitation works for 1 to {MAX_DAYS} days, not {text}")
    return days


def _as_json(answer: Answer, text: str) -> str:
    return json.dumps(
        {
            "intent": answer.intent.value,
            "platforms": list(answer.platforms),
            "topic": answer.topic,
            "aspects": list(answer.aspects),
            "text": text,
        },
        ensure_ascii=False,
    )


async def _answer(assistant: Assistant, question: str) -> tuple[Answer | None, str]:
    from bot.render.plain import render_plain
    from bot.shared.answer import Answer as AnswerType
    from bot.transports.console import incoming

    answer = await assistant.respond(incoming(question))
    if answer is None:
        return None, ""
    assert isinstance(answer, AnswerType)
    return answer, render_plain(answer)


def _without_loop(work: Coroutine[Any, Any, Result]) -> Result:
    """Runs a coroutine that never waits for I/O, as the assistant without a database never does, without an
    event loop: importing asyncio alone would cost `confidant ask` a tenth of its start. A coroutine that does
    wait is a programming error here, and says so."""
    try:
        while True:
            if work.send(None) is not None:
                break  # a future: it waits for something only an event loop can give
    except StopIteration as done:
        result: Result = done.value
        return result
    work.close()
    raise RuntimeError("`confidant ask` has no event loop, but the assistant waited for I/O")


def _ask(
    settings: Settings | Defaults, questions: Iterable[str], *, as_json: bool, out: TextIO, conversation: bool = False
) -> int:
    # What loads here (modules, the knowledge base, the brain's indexes) lives until the program ends, so the
    # collections its allocations would set off find nothing: paused, they no longer cost a twentieth of the start.
    gc.disable()
    try:
        from bot.app import assistant_for
        from bot.keys import keyer_for
        from bot.transports.console import incoming

        # No database: `ask` keeps no state (only the installation's secret key, created once), so it starts fast.
        assistant = assistant_for(settings, keyer=keyer_for(settings), users=None, defer_rooms=True)
    finally:
        gc.enable()
    for question in questions:
        if not conversation:
            _without_loop(assistant.end_conversation(incoming(question)))
        answer, text = _without_loop(_answer(assistant, question))
        if answer is None:
            continue
        out.write((_as_json(answer, text) if as_json else text) + "\n")
        out.flush()
    # The program ends here. Frozen, what is still alive is not walked again by the interpreter's last collection
    # at exit (a tenth of `ask`'s time); it is freed all the same.
    gc.freeze()
    return 0


def _chat(settings: Settings, stdin: TextIO, out: TextIO) -> int:
    """Reads lines in the main thread and runs the assistant for each: Ctrl-C then interrupts the read at
    once (a reader thread would keep the program waiting for one more line)."""
    import asyncio

    from bot.app import open_app

    interactive = stdin.isatty()
    with asyncio.Runner() as runner:
        app = runner.run(open_app(settings, shared=False))
        try:
            if interactive:
                out.write("Confidant: is a platform safe for client work? “help” for more, Ctrl-D to leave.\n")
            while True:
                if interactive:
                    out.write("\nyou> ")
                    out.flush()
                line = stdin.readline()
                if not line:
                    break
                if not line.strip():
                    continue
                if line.strip().casefold().strip("/!.") in LEAVE_WORDS:
                    if interactive:
                        out.write("Goodbye. Platforms change, so check again before you switch to a new one.\n")
                    break
                _, text = runner.run(_answer(app.assistant, line.rstrip("\n")))
                # Piped: a rule after each answer, so a script can tell where one ends.
                out.write(text + ("\n" if interactive else f"\n{PIPED_SEPARATOR}\n"))
                out.flush()
        finally:
            runner.run(app.close())
    return 0


async def _db_upgrade(settings: Settings, out: TextIO) -> int:
    from bot.app import open_database

    engine = await open_database(settings)
    await engine.dispose()
    out.write("database is up to date\n")
    return 0


def _people(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.people import cli as people

    if args.command == "invite":
        return asyncio.run(people.invite(settings, as_json=args.json, days=args.days, out=sys.stdout))
    if args.users_command == "list":
        return asyncio.run(people.list_users(settings, as_json=args.json, out=sys.stdout))
    return asyncio.run(people.remove_user(settings, args.id, out=sys.stdout, err=sys.stderr))


def _db_backup(settings: Settings, file: str) -> int:
    from pathlib import Path

    from bot.config import database_url
    from bot.storage.backup import BackupError, backup_sqlite
    from bot.storage.database import sqlite_path

    database = sqlite_path(database_url(settings))
    if database is None:
        print(
            "confidant db backup: the database is PostgreSQL; back it up with pg_dump (docs/operating.md)",
            file=sys.stderr,
        )
        return 2
    try:
        backup_sqlite(database, Path(file))
    except BackupError as error:
        print(f"confidant db backup: {error}", file=sys.stderr)
        return 1
    print(f"backed up {database} to {file}")
    return 0


def _run(settings: Settings, err: TextIO) -> int:
    from bot.transports import registry

    problems = registry.problems(settings)
    if problems:
        err.writelines(line + "\n" for line in problems)
        return 2
    import asyncio

    from bot.runner import run_transports

    return asyncio.run(run_transports(settings))


def _questions(words: Sequence[str], stdin: TextIO) -> Iterable[str]:
    if list(words) == ["-"]:
        # Blank lines are questions too (they get the help answer), so output line N answers input line N.
        return (line.rstrip("\n") for line in stdin)
    return [" ".join(words)]


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = _parser(words[0] if words else None).parse_args(words)
    from bot.configerror import ConfigError

    try:
        if args.command == "ask":
            # Validated settings only where something configures them (bot/unconfigured.py), so that on a machine
            # where nothing does, `ask` starts without loading pydantic.
            from bot.unconfigured import settings_for_ask

            questions = _questions(args.question, sys.stdin)
            return _ask(
                settings_for_ask(), questions, as_json=args.json, out=sys.stdout, conversation=args.conversation
            )
        from bot.config import load_settings

        settings = load_settings()
        if args.command not in ("kb", "health"):
            from bot.logs import setup_logging

            setup_logging(settings.log_level, settings.log_format)
        return _dispatch(args, settings)
    except ConfigError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`confidant ask … | head`): not an error, and no traceback at exit either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "kb":
        from bot.kb.check import check, listing, stale
        from bot.kb.knowledge import REVIEW_DUE_DAYS, bundled_knowledge_dir

        root = settings.knowledge_dir or bundled_knowledge_dir()
        if args.kb_command == "check":
            return check(root, sys.stdout, sys.stderr)
        if args.kb_command == "site":
            from bot.site.cli import run_site_command

            return run_site_command(root, args.dir, settings.site_url, sys.stdout, sys.stderr)
        if args.kb_command == "stale":
            days = REVIEW_DUE_DAYS if args.days is None else args.days
            return stale(root, sys.stdout, sys.stderr, days=days, as_json=args.json)
        return listing(root, sys.stdout, sys.stderr, as_json=args.json)
    if args.command == "chat":
        return _chat(settings, sys.stdin, sys.stdout)
    if args.command == "db" and args.db_command == "backup":
        return _db_backup(settings, args.file)
    if args.command == "db":
        import asyncio

        return asyncio.run(_db_upgrade(settings, sys.stdout))
    if args.command in ("invite", "users"):
        return _people(args, settings)
    if args.command == "run":
        return _run(settings, sys.stderr)
    if args.command == "health":
        from bot.health import check_ready

        ready, line = check_ready(settings.http_addr)
        print(line, file=sys.stdout if ready else sys.stderr)
        return 0 if ready else 1
    if args.command == "room":
        from bot.rooms.cli import run_room_command

        return run_room_command(settings, as_json=args.json, when=args.when, out=sys.stdout)
    from bot.transports import registry

    status = registry.run_command(args, settings)
    return 2 if status is None else status
