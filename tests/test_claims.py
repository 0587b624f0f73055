"""Every claim Confidant makes about privacy is backed by a test: each line of `privacy` names its tests here,
and each promise in SECURITY.md names its tests in its table. This file fails when a claim is added without a
test, or when a named test is renamed or removed."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from bot.brain.replies import PRIVACY_LINES

ROOT = Path(__file__).resolve().parents[1]
MARKERS = "tests/privacy/test_markers.py::test_signal_conversations_leave_nothing"
TERMINAL = "tests/privacy/test_markers.py::test_terminal_conversations_leave_nothing"

# Each line of the `privacy` reply, and the tests that prove it.
PRIVACY_EVIDENCE: dict[str, tuple[str, ...]] = {
    PRIVACY_LINES[0]: (
        "tests/storage/test_storage.py::test_database_holds_only_hashes_of_keys_and_no_text_once_answered",
        "tests/storage/test_storage.py::test_deleted_text_does_not_linger_in_sqlite_files",
        MARKERS,
    ),
    PRIVACY_LINES[1]: (
        "tests/shared/test_pseudonym.py::test_user_and_message_keys_never_collide_with_each_other",
        MARKERS,
    ),
    PRIVACY_LINES[2]: (
        "tests/storage/test_storage.py::test_database_holds_only_hashes_of_keys_and_no_text_once_answered",
        "tests/core/test_worker.py::test_purge_forgets_old_dedupe_keys",
    ),
    PRIVACY_LINES[3]: (
        "tests/transports/signal/test_transport.py::test_an_untrusted_person_s_answers_wait_for_trust_then_go_in_order",
        "tests/transports/signal/test_admin.py::test_trust_by_pseudonym_finds_the_address_among_the_identities",
        MARKERS,
    ),
    PRIVACY_LINES[4]: (
        "tests/storage/test_people.py::test_joining_makes_a_user_whatever_id_they_write_from",
        "tests/core/test_doorkeeper.py::test_export_says_in_words_and_json_what_is_held",
    ),
    PRIVACY_LINES[5]: (
        "tests/core/test_doorkeeper.py::test_the_refusal_comes_once_a_day_even_across_a_restart",
        "tests/storage/test_people.py::test_the_app_tidies_expired_invitations_and_old_strangers_hourly",
    ),
    PRIVACY_LINES[6]: (
        "tests/storage/test_conversations.py::test_the_database_holds_ids_and_flags_only",
        "tests/storage/test_conversations.py::test_a_conversation_ends_after_a_day",
        TERMINAL,
    ),
    PRIVACY_LINES[7]: (
        "tests/transports/signal/test_privacy.py::test_full_exchange_logs_nothing_private",
        "tests/transports/telegram/test_privacy.py::test_a_whole_exchange_logs_nothing_private",
        "tests/rooms/test_service.py::test_no_room_name_link_token_or_identity_reaches_the_logs",
        TERMINAL,
        MARKERS,
    ),
    PRIVACY_LINES[8]: (
        "tests/core/test_doorkeeper.py::test_export_says_in_words_and_json_what_is_held",
        "tests/storage/test_people.py::test_forget_leaves_no_row_about_the_person",
        TERMINAL,
    ),
}

TEST_ID = re.compile(r"tests/[\w/]+\.py::test_\w+")


@cache
def defined_tests(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))


def exists(test_id: str) -> bool:
    path, _, name = test_id.partition("::")
    return (ROOT / path).is_file() and name in defined_tests(path)


def security_promises() -> list[tuple[str, list[str]]]:
    """(promise, test ids) for each row of SECURITY.md's table of promises."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    table = text.split("## Promises, and the tests that check them", 1)[1].split("\n## ", 1)[0]
    rows = [
        line for line in table.splitlines() if line.startswith("| ") and not line.startswith(("| promise", "| ---"))
    ]
    return [(row.split(" | ")[0].strip("| "), TEST_ID.findall(row)) for row in rows]


def test_every_privacy_line_has_evidence() -> None:
    assert set(PRIVACY_EVIDENCE) == set(PRIVACY_LINES)


@pytest.mark.parametrize("line", PRIVACY_LINES)
def test_the_evidence_for_each_privacy_line_exists(line: str) -> None:
    missing = [test_id for test_id in PRIVACY_EVIDENCE[line] if not exists(test_id)]
    assert not missing, missing


def test_security_md_has_a_table_of_promises() -> None:
    assert len(security_promises()) >= 10


def test_every_security_promise_names_tests_that_exist() -> None:
    for promise, tests in security_promises():
        assert tests, f"no test named for: {promise}"
        missing = [test_id for test_id in tests if not exists(test_id)]
        assert not missing, (promise, missing)


def test_security_md_says_what_it_cannot_protect_and_how_to_report() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for needed in (
        "The signal-cli host sees every message in plain text",
        "Telegram bot chats are not end-to-end encrypted",
        "The operator can read the inbox while a message waits",
        "## Deployment advice",
        "## Reporting a vulnerability",
    ):
        assert needed in text


def test_the_guard_notices_a_missing_test() -> None:
    assert exists("tests/test_claims.py::test_the_guard_notices_a_missing_test")
    assert not exists("tests/test_claims.py::test_that_does_not_exist")
    assert not exists("tests/no_such_file.py::test_anything")
