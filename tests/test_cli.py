"""The confidant command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest


def clean_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """The process environment without the developer's CONFIDANT_ settings, in the test's data folder."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CONFIDANT_")}
    environment["CONFIDANT_DATA_DIR"] = os.environ["CONFIDANT_DATA_DIR"]
    environment.update(env or {})
    return environment


def confidant(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = clean_environment(env)
    return subprocess.run(  # noqa: S603 - our own program, fixed arguments
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_ask_json_compare() -> None:
    result = confidant("ask", "--json", "zoom vs jitsi")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["intent"] == "compare"
    assert answer["platforms"] == ["zoom", "jitsi-meet"]
    assert answer["topic"] is None
    assert "Zoom" in answer["text"] and "Jitsi" in answer["text"]


def test_ask_plain_prints_the_answer() -> None:
    result = confidant("ask", "is", "WhatsApp", "safe?")
    assert result.returncode == 0
    assert result.stdout.startswith("WhatsApp: ")
    assert "Reviewed " in result.stdout


def test_ask_json_streams_one_line_per_question_in_order() -> None:
    questions = "is signal private\nwhat is e2ee\n\nis myspace safe\n"
    result = confidant("ask", "--json", "-", stdin=questions)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # One object per input line, the blank one included, so line N answers line N.
    assert [line["intent"] for line in lines] == ["platform", "topic", "unknown", "unknown"]
    assert lines[0]["platforms"] == ["signal"]
    assert lines[1]["topic"] == "e2ee"
    assert lines[3]["platforms"] == []
    assert "no reviewed entry" in lines[3]["text"]


def test_ask_json_reports_the_aspects() -> None:
    result = confidant("ask", "--json", "does zoom record my sessions without me knowing")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert (answer["intent"], answer["platforms"], answer["aspects"]) == ("platform", ["zoom"], ["recording"])
    assert answer["text"].startswith("Zoom: ")
    assert "Recording: " in answer["text"][:400]


def test_ask_json_conversation_follows_up_and_plain_lines_do_not() -> None:
    turns = "is whatsapp safe?\nwhat about groups?\nand on android?\nwhat about signal?\nmore\n"
    conversation = confidant("ask", "--json", "--conversation", "-", stdin=turns)
    assert conversation.returncode == 0, conversation.stderr
    answers = [json.loads(line) for line in conversation.stdout.splitlines()]
    assert [(a["intent"], a["platforms"], a["aspects"]) for a in answers] == [
        ("platform", ["whatsapp"], []),
        ("platform", ["whatsapp"], ["groups"]),
        ("platform", ["whatsapp"], ["mobile"]),
        ("platform", ["signal"], ["mobile"]),
        ("more", ["signal"], []),
    ]
    separate = confidant("ask", "--json", "-", stdin=turns)
    answers = [json.loads(line) for line in separate.stdout.splitlines()]
    assert answers[1]["platforms"] == [] and answers[1]["intent"] in ("topic", "unknown")
    assert answers[4]["intent"] == "more" and answers[4]["platforms"] == []


@pytest.mark.parametrize("word", ["quit", "exit", "bye"])
def test_chat_leaves_on_quit_exit_or_bye(word: str) -> None:
    result = confidant("chat", stdin=f"is signal safe\n{word}\nis zoom safe\n")
    assert result.returncode == 0, result.stderr
    assert "Signal" in result.stdout and "Zoom:" not in result.stdout


def test_chat_reads_piped_input_and_keeps_settings(tmp_path: Path) -> None:
    database = tmp_path / "chat.db"
    env = {"CONFIDANT_DATABASE_URL": f"sqlite:///{database}"}
    result = confidant("chat", stdin="hello\nregion us\nis zoom safe\nmore\n", env=env)
    assert result.returncode == 0, result.stderr
    blocks = [block for block in result.stdout.split("\n----\n") if block.strip()]
    assert len(blocks) == 4
    assert "Saved" in blocks[1]
    assert "HIPAA (US)" in blocks[2] and "UK/EU GDPR" not in blocks[2]
    assert "the details" in blocks[3]
    assert database.exists()


async def confidant_in_background(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`confidant` in a process of its own while this event loop goes on serving (a fake server, /readyz)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=clean_environment(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def test_run_without_messengers_explains_itself() -> None:
    result = confidant("run")
    assert result.returncode != 0
    assert "CONFIDANT_SIGNAL_URL" in result.stderr and "CONFIDANT_TELEGRAM_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_configuration_is_one_line_per_variable() -> None:
    result = confidant("ask", "hi", env={"CONFIDANT_REGION": "mars", "CONFIDANT_ACCESS": "everyone"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert {line.split(":")[0] for line in lines} == {"CONFIDANT_REGION", "CONFIDANT_ACCESS"}
    assert "Traceback" not in result.stderr


def test_kb_check_and_list() -> None:
    check = confidant("kb", "check")
    assert check.returncode == 0, check.stderr
    listing = json.loads(confidant("kb", "list", "--json").stdout)
    ids = {row["id"] for row in listing}
    assert {"whatsapp", "signal", "zoom", "jitsi-meet", "e2ee"} <= ids
    row = next(row for row in listing if row["id"] == "zoom")
    assert set(row) == {"id", "kind", "name", "aliases", "reviewed", "sources"}
    assert row["kind"] == "platform" and row["sources"]


def test_kb_stale(tmp_path: Path) -> None:
    from tests.kb.test_loader import platform, write

    write(tmp_path, "platforms", platform("newer", reviewed=str(date.today() - timedelta(days=200))))
    write(tmp_path, "platforms", platform("older", reviewed=str(date.today() - timedelta(days=300))))
    write(tmp_path, "platforms", platform("fresh", reviewed=str(date.today())))
    result = confidant("kb", "stale", "--json", env={"CONFIDANT_KNOWLEDGE_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(row["id"], row["days"]) for row in rows] == [("older", 300), ("newer", 200)]
    text = confidant("kb", "stale", "--days", "100000")
    assert text.returncode == 0 and text.stdout == ""
    assert "reviewed more than 100000 days ago" in text.stderr
    assert confidant("kb", "stale", "--days", "soon").returncode == 2


def test_kb_check_reports_broken_yaml(tmp_path: Path) -> None:
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "bad.yaml").write_text("id: bad\nname: [\n", encoding="utf-8")
    result = confidant("kb", "check", env={"CONFIDANT_KNOWLEDGE_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "platforms/bad.yaml: line " in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    result = confidant("db", "upgrade", env={"CONFIDANT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()


@pytest.mark.parametrize("question", ["", "   ", "🙂", "a" * 5000, "\x01\x02\u202e", "ｉｓ　ｚｏｏｍ　ｓａｆｅ"])
def test_odd_input_gets_an_answer_not_a_traceback(question: str) -> None:
    result = confidant("ask", "--json", question)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"]


def test_a_reader_that_goes_away_is_not_an_error() -> None:
    environment = clean_environment()
    questions = "".join(f"is zoom safe {n}\n" for n in range(300))
    command = f"{sys.executable} -m bot ask - | head -c 10"
    result = subprocess.run(  # noqa: S602 - a fixed pipeline of our own program
        command, shell=True, input=questions, capture_output=True, text=True, env=environment, timeout=60, check=False
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stderr


def test_ask_checks_room_settings_only_when_a_room_is_asked_for() -> None:
    broken = {"CONFIDANT_JITSI_APP_ID": "confidant"}  # half a self-hosted set-up
    assert confidant("ask", "is signal safe", env=broken).returncode == 0
    room = confidant("ask", "room", env=broken)
    assert room.returncode == 2
    assert "CONFIDANT_JITSI_APP_SECRET" in room.stderr
    assert "Traceback" not in room.stderr


def test_chat_checks_room_settings_at_start() -> None:
    result = confidant("chat", stdin="is signal safe\n", env={"CONFIDANT_JITSI_APP_ID": "confidant"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert "CONFIDANT_JITSI_APP_SECRET" in result.stderr


def test_run_says_plainly_when_the_telegram_bot_api_cannot_be_reached() -> None:
    token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    env = {"CONFIDANT_TELEGRAM_TOKEN": token, "CONFIDANT_TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    result = confidant("run", env=env)
    assert result.returncode == 1
    assert "Telegram: cannot reach the Bot API at CONFIDANT_TELEGRAM_API_URL" in result.stderr
    assert "ABCDEFGHIJ" not in result.stderr and "Traceback" not in result.stderr


def test_a_telegram_webhook_needs_its_secret_and_an_address_of_its_own() -> None:
    env = {
        "CONFIDANT_TELEGRAM_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "CONFIDANT_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram",
        "CONFIDANT_TELEGRAM_WEBHOOK_ADDR": "127.0.0.1:9090",
    }
    result = confidant("run", env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "CONFIDANT_TELEGRAM_WEBHOOK_SECRET: required with CONFIDANT_TELEGRAM_WEBHOOK_URL, so that only "
        "Telegram can post updates",
        "CONFIDANT_TELEGRAM_WEBHOOK_ADDR: must differ from CONFIDANT_HTTP_ADDR; the webhook faces the "
        "internet and /metrics must not",
    ]


def test_broken_files_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    def run_in(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = clean_environment({"CONFIDANT_DATA_DIR": str(folder / "data"), **(env or {})})
        return subprocess.run(  # noqa: S603 - our own program, fixed arguments
            [sys.executable, "-m", "bot", *args],
            input="",
            capture_output=True,
            text=True,
            env=environment,
            cwd=folder,
            timeout=60,
            check=False,
        )

    cases: list[tuple[str, str, dict[str, str]]] = []
    toml = tmp_path / "toml"
    toml.mkdir()
    (toml / "confidant.toml").write_text("region = \n", encoding="utf-8")
    cases.append((str(toml), "confidant.toml: not valid TOML", {}))
    dotenv = tmp_path / "dotenv"
    dotenv.mkdir()
    (dotenv / ".env").write_bytes(b"\xff\xfe=1\n")
    cases.append((str(dotenv), ".env or confidant.toml: not UTF-8 text", {}))
    damaged = tmp_path / "damaged"
    (damaged / "data").mkdir(parents=True)
    (damaged / "data" / "secret.key").write_text("not hex", encoding="ascii")
    cases.append((str(damaged), "CONFIDANT_SECRET_KEY: ", {}))
    cases.append(
        (
            str(tmp_path),
            "CONFIDANT_DATABASE_URL: is not a database URL",
            {"CONFIDANT_DATABASE_URL": "postgresql://u:pw@host:notaport/db"},
        )
    )
    for folder, expected, env in cases:
        result = run_in(Path(folder), "chat", env=env)
        assert result.returncode == 2, (folder, result.stderr)
        assert result.stderr.startswith(expected), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


def test_database_and_data_folder_are_private(tmp_path: Path) -> None:
    data = tmp_path / "private"
    result = confidant("chat", stdin="region uk\n", env={"CONFIDANT_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert data.stat().st_mode & 0o777 == 0o700
    for name in ("confidant.db", "secret.key"):
        assert (data / name).stat().st_mode & 0o077 == 0, name


def test_ctrl_c_leaves_chat_at_once() -> None:
    import signal
    import time

    environment = clean_environment()
    read_end, write_end = os.pipe()  # an open stdin that never sends a line, like a person thinking
    try:
        with subprocess.Popen(
            [sys.executable, "-m", "bot", "chat"],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=environment,
        ) as chat:
            time.sleep(2)  # started and waiting for input
            chat.send_signal(signal.SIGINT)
            try:
                assert chat.wait(timeout=5) == 130
            finally:
                chat.kill()
            assert chat.stderr is not None
            assert b"Traceback" not in chat.stderr.read()
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_typo_in_confidant_toml_is_one_line_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "confidant.toml").write_text('signal_nubmer = "+447700900123"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "is signal safe"],
        capture_output=True,
        text=True,
        env=clean_environment(),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "confidant.toml: 'signal_nubmer' is not a setting (did you mean signal_number?)\n"
    assert result.stdout == ""
