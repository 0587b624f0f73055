from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.kb.loader import KnowledgeError, load_knowledge

TODAY = date(2026, 11, 28)


def platform(entry_id: str = "acme", **changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": entry_id,
        "name": entry_id.title(),
        "operator": "Acme Ltd",
        "category": "messenger",
        "verdict": "acceptable-with-care",
        "aliases": [f"{entry_id} chat"],
        "summary": {"session": "Calls are encrypted.", "wider": "It sells nothing."},
        "e2ee": {"chat_1to1": "default", "calls": "default"},
        "provider_access": "None.",
        "metadata": "Phone number.",
        "presence": {"shown": "Online status.", "can_hide": "yes"},
        "identifiers": "A phone number.",
        "business_model": {"summary": "Subscriptions.", "advertising": False},
        "open_source": {"client": "yes", "server": "no"},
        "jurisdiction": "Switzerland.",
        "compliance": {"hipaa_baa": "No BAA.", "gdpr": "DPA available."},
        "recording": "Nothing is recorded unless you start it.",
        "groups": "Group chats are encrypted too.",
        "mobile": "Apps for Android and iPhone.",
        "accounts": "Your client needs the app and a phone number.",
        "cost": "Free.",
        "ai_features": "No AI features.",
        "backups": "Backups are off by default.",
        "client_message": "You will need the app. I will not record our sessions.",
        "tips": ["Turn off read receipts."],
        "sources": ["https://example.org/a", "https://example.org/b"],
        "reviewed": "2026-11-01",
    }
    entry.update(changes)
    return entry


def topic(entry_id: str = "basics", **changes: object) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": entry_id,
        "name": entry_id.title(),
        "phrasings": [f"{entry_id} question"],
        "short": "Short answer.",
        "long": "Long answer.",
        "sources": ["https://example.org/a", "https://example.org/b"],
        "reviewed": "2026-11-01",
    }
    entry.update(changes)
    return entry


def write(root: Path, kind: str, entry: dict[str, object], name: str | None = None) -> Path:
    folder = root / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or entry['id']}.yaml"
    path.write_text(yaml.safe_dump(entry, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return tmp_path / "knowledge"


def problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root, today=TODAY)
    return caught.value.problems


def test_valid_entries_load(kb: Path) -> None:
    write(kb, "platforms", platform())
    write(kb, "topics", topic())
    knowledge = load_knowledge(kb, today=TODAY)
    assert list(knowledge.platforms) == ["acme"]
    assert knowledge.topics["basics"].short == "Short answer."
    assert knowledge.warnings == ()


def test_yaml_syntax_error_names_file_and_line(kb: Path) -> None:
    (kb / "platforms").mkdir(parents=True)
    (kb / "platforms" / "broken.yaml").write_text("id: broken\nname: [unclosed\n", encoding="utf-8")
    [problem] = problems(kb)
    assert problem.startswith("knowledge/platforms/broken.yaml: line ")
    assert "YAML syntax" in problem


def test_missing_and_wrong_fields_are_listed_as_file_field_problem(kb: Path) -> None:
    entry = platform(verdict="great")
    del entry["tips"]
    write(kb, "platforms", entry)
    found = problems(kb)
    assert any(line.startswith("knowledge/platforms/acme.yaml: verdict: Input should be") for line in found)
    assert "knowledge/platforms/acme.yaml: tips: Field required" in found


def test_nested_field_path(kb: Path) -> None:
    write(kb, "platforms", platform(e2ee={"calls": "sometimes"}))
    assert any(line.startswith("knowledge/platforms/acme.yaml: e2ee.calls: ") for line in problems(kb))


def test_yes_and_no_stay_words(kb: Path) -> None:
    path = write(kb, "platforms", platform())
    path.write_text(path.read_text().replace("client: 'yes'", "client: yes"), encoding="utf-8")
    assert load_knowledge(kb, today=TODAY).platforms["acme"].open_source.client == "yes"


def test_not_a_mapping(kb: Path) -> None:
    (kb / "topics").mkdir(parents=True)
    (kb / "topics" / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert problems(kb) == ["knowledge/topics/list.yaml: (entry): expected a mapping of fields, found list"]


def test_id_must_match_file_name(kb: Path) -> None:
    write(kb, "platforms", platform(), name="other")
    assert "knowledge/platforms/other.yaml: id: 'acme' must match the file name 'other'" in problems(kb)


def test_shared_alias_is_refused(kb: Path) -> None:
    write(kb, "platforms", platform("acme"))
    write(kb, "platforms", platform("bolt", aliases=["Acme-Chat"]))
    expected = "aliases[0]: 'Acme-Chat' is already used by knowledge/platforms/acme.yaml"
    assert any(expected in line for line in problems(kb))


def test_recommended_needs_e2ee_by_default_and_no_ads(kb: Path) -> None:
    write(
        kb,
        "platforms",
        platform(verdict="recommended", recommended_for=["video-sessions"], e2ee={"calls": "optional"}),
    )
    assert any("video-sessions needs end-to-end encryption by default" in line for line in problems(kb))
    write(
        kb,
        "platforms",
        platform(
            verdict="recommended",
            recommended_for=["messaging"],
            business_model={"summary": "Ads.", "advertising": True},
        ),
    )
    assert "knowledge/platforms/acme.yaml: verdict: an advertising business cannot be recommended" in problems(kb)


def test_retired_needs_date_and_existing_successor(kb: Path) -> None:
    write(kb, "platforms", platform(verdict="retired"))
    assert any(line.startswith("knowledge/platforms/acme.yaml: retired: ") for line in problems(kb))
    write(kb, "platforms", platform(verdict="retired", retired={"date": "2025-05-05", "successor": "nope"}))
    assert "knowledge/platforms/acme.yaml: retired.successor: no platform 'nope'" in problems(kb)


def test_incident_needs_date_and_source(kb: Path) -> None:
    write(kb, "platforms", platform(incidents=[{"what": "A leak."}]))
    found = problems(kb)
    assert "knowledge/platforms/acme.yaml: incidents[0].date: Field required" in found
    assert "knowledge/platforms/acme.yaml: incidents[0].source: Field required" in found


def test_sources_must_be_https_and_two(kb: Path) -> None:
    write(kb, "platforms", platform(sources=["http://example.org/a"]))
    found = problems(kb)
    assert any("sources[0]: " in line and "https" in line for line in found)
    assert any("sources: " in line for line in found)


def test_freshness_warns_after_150_days_and_fails_after_365(kb: Path) -> None:
    write(kb, "platforms", platform(reviewed="2026-07-15"))  # 136 days
    assert load_knowledge(kb, today=TODAY).warnings == ()
    write(kb, "platforms", platform(reviewed="2026-06-20"))  # 161 days: due, but CI stays green
    knowledge = load_knowledge(kb, today=TODAY)
    assert knowledge.warnings and "161 days ago; due for a re-check" in knowledge.warnings[0]
    write(kb, "platforms", platform(reviewed="2025-10-01"))
    assert any("reviewed: 423 days ago" in line for line in problems(kb))


def test_short_topic_answer_is_short(kb: Path) -> None:
    write(kb, "topics", topic(short="word " * 121))
    assert any("short: 121 words" in line for line in problems(kb))


def test_references_must_exist(kb: Path) -> None:
    write(kb, "platforms", platform(alternatives=["ghost"]))
    write(kb, "topics", topic(related=["phantom"]))
    found = problems(kb)
    assert "knowledge/platforms/acme.yaml: alternatives[0]: no platform 'ghost'" in found
    assert "knowledge/topics/basics.yaml: related[0]: no entry 'phantom'" in found


def test_empty_folder(kb: Path) -> None:
    kb.mkdir()
    assert problems(kb) == [f"{kb}: (folder): no entries in platforms/ or topics/"]


def test_aspect_fields_and_new_categories_load(kb: Path) -> None:
    write(kb, "platforms", platform(category="ai-tool", recording="Only the host can record, and all are told."))
    write(kb, "topics", topic(law={"us": "An Illinois act requires written consent."}))
    knowledge = load_knowledge(kb, today=TODAY)
    assert knowledge.platforms["acme"].recording == "Only the host can record, and all are told."
    assert knowledge.platforms["acme"].category == "ai-tool"
    law = knowledge.topics["basics"].law
    assert law is not None
    assert (law.uk, law.us) == (None, "An Illinois act requires written consent.")


def test_every_aspect_answer_is_required(kb: Path) -> None:
    entry = platform()
    del entry["client_message"]
    write(kb, "platforms", entry)
    assert "knowledge/platforms/acme.yaml: client_message: Field required" in problems(kb)


def test_aspect_answers_stay_phone_sized(kb: Path) -> None:
    write(kb, "platforms", platform(recording="word " * 100, client_message="x" * 701))
    found = problems(kb)
    prefix = "knowledge/platforms/acme.yaml: "
    assert any(line.startswith(prefix + "recording: String should have at most 420") for line in found)
    assert any(line.startswith(prefix + "client_message: String should have at most 700") for line in found)


def test_law_lines_are_per_region_only(kb: Path) -> None:
    write(kb, "topics", topic(law={"fr": "Not a region we answer for."}))
    assert any(line.startswith("knowledge/topics/basics.yaml: law.fr: Extra inputs") for line in problems(kb))
