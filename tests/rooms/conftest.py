from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.config import Settings, load_settings
from tests.rooms.helpers import APP_ID, JAAS_APP_ID, JAAS_KEY_ID, SECRET, XMPP_DOMAIN, ZONE


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def key_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "jaas.pem"
    path.write_bytes(
        rsa_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@pytest.fixture
def public_settings() -> Settings:
    return load_settings({"CONFIDANT_TIMEZONE": ZONE})


@pytest.fixture
def self_hosted_settings() -> Settings:
    return load_settings(
        {
            "CONFIDANT_JITSI_URL": "https://meet.example.org",
            "CONFIDANT_JITSI_APP_ID": APP_ID,
            "CONFIDANT_JITSI_APP_SECRET": SECRET,
            "CONFIDANT_JITSI_XMPP_DOMAIN": XMPP_DOMAIN,
            "CONFIDANT_TIMEZONE": ZONE,
        }
    )


@pytest.fixture
def jaas_settings(key_file: Path) -> Settings:
    return load_settings(
        {
            "CONFIDANT_JAAS_APP_ID": JAAS_APP_ID,
            "CONFIDANT_JAAS_KEY_ID": JAAS_KEY_ID,
            "CONFIDANT_JAAS_PRIVATE_KEY_FILE": str(key_file),
            "CONFIDANT_TIMEZONE": ZONE,
        }
    )
