from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.config import ConfigError, Settings
from bot.rooms.backends import JaasBackend, PublicBackend, SelfHostedBackend, backend_from_settings
from tests.rooms.helpers import APP_ID, JAAS_APP_ID, JAAS_KEY_ID, SECRET, XMPP_DOMAIN, settings_with


def config_lines(settings: Settings) -> list[str]:
    with pytest.raises(ConfigError) as error:
        backend_from_settings(settings)
    assert str(error.value) == "\n".join(error.value.lines)
    return error.value.lines


def test_no_token_settings_means_the_public_server(public_settings: Settings) -> None:
    backend = backend_from_settings(public_settings)
    assert isinstance(backend, PublicBackend)
    assert backend.kind == "public"
    assert backend.is_meet_jit_si


def test_another_public_server_is_still_public() -> None:
    backend = backend_from_settings(settings_with(jitsi_url="https://jitsi.example.net/"))
    assert isinstance(backend, PublicBackend)
    assert backend.base_url == "https://jitsi.example.net"
    assert not backend.is_meet_jit_si


def test_full_token_settings_mean_self_hosted(self_hosted_settings: Settings) -> None:
    backend = backend_from_settings(self_hosted_settings)
    assert isinstance(backend, SelfHostedBackend)
    assert (backend.kind, backend.app_id, backend.xmpp_domain) == ("self-hosted", APP_ID, XMPP_DOMAIN)
    assert backend.secret == SECRET.encode()
    assert SECRET not in repr(backend)


def test_full_jaas_settings_mean_jaas(jaas_settings: Settings) -> None:
    backend = backend_from_settings(jaas_settings)
    assert isinstance(backend, JaasBackend)
    assert backend.kind == "jaas"
    assert backend.key_id == f"{JAAS_APP_ID}/{JAAS_KEY_ID}"
    assert backend.base_url == f"https://8x8.vc/{JAAS_APP_ID}"


def test_a_key_id_copied_whole_from_the_console_is_not_prefixed_twice(key_file: Path) -> None:
    settings = settings_with(
        jaas_app_id=JAAS_APP_ID, jaas_key_id=f"{JAAS_APP_ID}/{JAAS_KEY_ID}", jaas_private_key_file=key_file
    )
    backend = backend_from_settings(settings)
    assert isinstance(backend, JaasBackend)
    assert backend.key_id == f"{JAAS_APP_ID}/{JAAS_KEY_ID}"


def self_hosted(**overrides: str) -> Settings:
    values = {
        "jitsi_url": "https://meet.example.org",
        "jitsi_app_id": APP_ID,
        "jitsi_app_secret": SECRET,
        "jitsi_xmpp_domain": XMPP_DOMAIN,
        **overrides,
    }
    return settings_with(**{name: value for name, value in values.items() if value != ""})


def test_a_weak_secret_is_one_line_naming_the_variable() -> None:
    assert config_lines(self_hosted(jitsi_app_secret="x" * 31)) == [
        "CONFIDANT_JITSI_APP_SECRET: must be at least 32 bytes"
    ]


def test_a_secret_of_exactly_32_bytes_is_enough() -> None:
    assert isinstance(backend_from_settings(self_hosted(jitsi_app_secret="k" * 32)), SelfHostedBackend)


def test_a_missing_xmpp_domain_is_named() -> None:
    (line,) = config_lines(self_hosted(jitsi_xmpp_domain=""))
    assert line.startswith("CONFIDANT_JITSI_XMPP_DOMAIN: ")


def test_every_problem_gets_its_own_line() -> None:
    lines = config_lines(
        self_hosted(jitsi_url="https://meet.jit.si", jitsi_app_secret="short", jitsi_xmpp_domain="")
    )
    assert len(lines) == 3
    assert [line.split(":")[0] for line in sorted(lines)] == [
        "CONFIDANT_JITSI_APP_SECRET",
        "CONFIDANT_JITSI_URL",
        "CONFIDANT_JITSI_XMPP_DOMAIN",
    ]
    assert all("\n" not in line and "short" not in line for line in lines)


def test_a_wildcard_domain_is_refused() -> None:
    assert config_lines(self_hosted(jitsi_xmpp_domain="*")) == [
        "CONFIDANT_JITSI_XMPP_DOMAIN: must be a plain name, not empty and without '*'"
    ]


def test_half_configured_jaas_names_each_missing_variable() -> None:
    lines = config_lines(settings_with(jaas_app_id=JAAS_APP_ID))
    assert sorted(line.split(":")[0] for line in lines) == [
        "CONFIDANT_JAAS_KEY_ID",
        "CONFIDANT_JAAS_PRIVATE_KEY_FILE",
    ]


def test_an_unreadable_key_file_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    lines = config_lines(
        settings_with(jaas_app_id=JAAS_APP_ID, jaas_key_id=JAAS_KEY_ID, jaas_private_key_file=missing)
    )
    assert len(lines) == 1
    assert lines[0].startswith(f"CONFIDANT_JAAS_PRIVATE_KEY_FILE: cannot read {missing}")


def test_a_file_that_is_not_a_key_is_one_line_without_its_content(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n")
    (line,) = config_lines(
        settings_with(jaas_app_id=JAAS_APP_ID, jaas_key_id=JAAS_KEY_ID, jaas_private_key_file=path)
    )
    assert line == f"CONFIDANT_JAAS_PRIVATE_KEY_FILE: {path} is not an unencrypted PEM private key"


def test_a_key_that_is_not_rsa_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ec.pem"
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (line,) = config_lines(
        settings_with(jaas_app_id=JAAS_APP_ID, jaas_key_id=JAAS_KEY_ID, jaas_private_key_file=path)
    )
    assert "not RSA" in line


def test_a_short_rsa_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "short.pem"
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - refusing it is the point
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (line,) = config_lines(
        settings_with(jaas_app_id=JAAS_APP_ID, jaas_key_id=JAAS_KEY_ID, jaas_private_key_file=path)
    )
    assert "1024-bit" in line


def test_an_app_id_that_is_not_a_jaas_app_id_is_named(key_file: Path) -> None:
    lines = config_lines(
        settings_with(jaas_app_id="my-app", jaas_key_id=JAAS_KEY_ID, jaas_private_key_file=key_file)
    )
    assert lines == ["CONFIDANT_JAAS_APP_ID: must be your JaaS AppID, vpaas-magic-cookie-…"]


def test_both_back_ends_at_once_is_refused(key_file: Path) -> None:
    settings = settings_with(
        jitsi_app_id=APP_ID,
        jitsi_app_secret=SECRET,
        jitsi_xmpp_domain=XMPP_DOMAIN,
        jitsi_url="https://meet.example.org",
        jaas_app_id=JAAS_APP_ID,
        jaas_key_id=JAAS_KEY_ID,
        jaas_private_key_file=key_file,
    )
    (line,) = config_lines(settings)
    assert "not both" in line
