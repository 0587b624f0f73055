from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, local_timezone
from bot.transports import registry


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.access == "allowlist"
    assert settings.jitsi_url == "https://meet.jit.si"
    assert settings.region is None
    assert registry.enabled(settings) == []


def test_values_are_read_and_normalised() -> None:
    settings = load_settings(
        {
            "CONFIDANT_ADMINS": "signal:+447700900123, telegram:123456",
            "CONFIDANT_REGION": "UK",
            "CONFIDANT_LOG_LEVEL": "debug",
            "CONFIDANT_SIGNAL_URL": "http://127.0.0.1:8080/",
            "CONFIDANT_TIMEZONE": "Europe/London",
        }
    )
    assert settings.admins == ("signal:+447700900123", "telegram:123456")
    assert settings.region == "uk"
    assert settings.log_level == "DEBUG"
    assert settings.signal_url == "http://127.0.0.1:8080"


def test_every_bad_value_gets_one_line_naming_its_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "CONFIDANT_REGION": "mars",
                "CONFIDANT_TIMEZONE": "Middle/Earth",
                "CONFIDANT_SIGNAL_NUMBER": "07700 900123",
                "CONFIDANT_ADMINS": "bob",
                "CONFIDANT_HTTP_ADDR": "nowhere",
                "CONFIDANT_DATABASE_URL": "mysql://x",
            }
        )
    lines = caught.value.lines
    assert len(lines) == 6
    for variable in ("REGION", "TIMEZONE", "SIGNAL_NUMBER", "ADMINS", "HTTP_ADDR", "DATABASE_URL"):
        assert sum(line.startswith(f"CONFIDANT_{variable}: ") for line in lines) == 1
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("123456:ABCdef\n", encoding="utf-8")
    settings = load_settings({"CONFIDANT_TELEGRAM_TOKEN_FILE": str(secret)})
    assert settings.telegram_token is not None
    assert settings.telegram_token.get_secret_value() == "123456:ABCdef"
    assert "ABCdef" not in repr(settings)


def test_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"CONFIDANT_SECRET_KEY_FILE": str(tmp_path / "missing")})
    [line] = caught.value.lines
    assert line.startswith("CONFIDANT_SECRET_KEY_FILE: cannot read ")


def test_process_environment_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "confidant.toml").write_text('region = "eu"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFIDANT_TIMEZONE", "Europe/Berlin")
    settings = load_settings()
    assert settings.region == "eu"  # from the file
    assert settings.timezone == "Europe/Berlin"  # the environment wins


def test_empty_secret_file_counts_as_unset(tmp_path: Path) -> None:
    # compose.yaml mounts every secret file, used or not: an empty one must not switch a messenger on.
    empty = tmp_path / "telegram_token"
    empty.write_text("\n", encoding="utf-8")
    settings = load_settings({"CONFIDANT_TELEGRAM_TOKEN_FILE": str(empty)})
    assert settings.telegram_token is None


def test_default_time_zone_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    assert load_settings({}).timezone == "Europe/London"
    assert load_settings({"CONFIDANT_TIMEZONE": "Asia/Tokyo"}).timezone == "Asia/Tokyo"


def zoneinfo_link(tmp_path: Path, target: str) -> Path:
    localtime = tmp_path / "etc" / "localtime"
    localtime.parent.mkdir(parents=True, exist_ok=True)
    localtime.symlink_to(target)
    return localtime


@pytest.mark.parametrize(
    ("tz", "link", "expected"),
    [
        ("America/New_York", "/usr/share/zoneinfo/Europe/London", "America/New_York"),  # TZ first
        (":Asia/Tokyo", None, "Asia/Tokyo"),  # glibc's leading colon
        (":/usr/share/zoneinfo/Asia/Tokyo", None, "Asia/Tokyo"),  # a path into zoneinfo
        ("GMT0BST,M3.5.0/1,M10.5.0", "/usr/share/zoneinfo/Europe/Paris", "Europe/Paris"),  # POSIX rules: no name
        ("", "/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"),
        ("", "../usr/share/zoneinfo/posix/Australia/Sydney", "Australia/Sydney"),  # relative, posix/ tree
        ("", "/usr/share/zoneinfo/Not/AZone", "UTC"),
        ("Nowhere/Special", None, "UTC"),
        ("", None, "UTC"),
    ],
)
def test_local_timezone_finds_the_iana_name(tmp_path: Path, tz: str, link: str | None, expected: str) -> None:
    localtime = zoneinfo_link(tmp_path, link) if link else tmp_path / "etc" / "localtime"
    assert local_timezone({"TZ": tz} if tz else {}, localtime=localtime) == expected


def test_local_timezone_reads_debians_etc_timezone(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "localtime").write_bytes(b"TZif2")  # a copied file, not a link: its name is lost
    (etc / "timezone").write_text("Europe/Dublin\n", encoding="utf-8")
    assert local_timezone({}, localtime=etc / "localtime") == "Europe/Dublin"


def test_unknown_toml_keys_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "confidant.toml").write_text(
        'signal_nubmer = "+447700900123"\nREGION = "uk"\ncolour = "blue"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.lines == [
        "confidant.toml: 'signal_nubmer' is not a setting (did you mean signal_number?)",
        "confidant.toml: 'colour' is not a setting",
    ]


def test_site_url_is_checked_and_loses_its_trailing_slash() -> None:
    assert load_settings({"CONFIDANT_SITE_URL": "https://example.org/scorecard/"}).site_url == (
        "https://example.org/scorecard"
    )
    assert load_settings({}).site_url is None
    with pytest.raises(ConfigError) as caught:
        load_settings({"CONFIDANT_SITE_URL": "example.org"})
    assert caught.value.lines == ["CONFIDANT_SITE_URL: must be an http:// or https:// URL"]


def test_rate_per_minute_defaults_to_20_and_0_turns_it_off() -> None:
    assert load_settings({}).rate_per_minute == 20
    assert load_settings({"CONFIDANT_RATE_PER_MINUTE": "0"}).rate_per_minute == 0
    for bad in ("-1", "lots"):
        with pytest.raises(ConfigError) as caught:
            load_settings({"CONFIDANT_RATE_PER_MINUTE": bad})
        [line] = caught.value.lines
        assert line.startswith("CONFIDANT_RATE_PER_MINUTE: ")
