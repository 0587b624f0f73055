"""compose.yaml cannot be run here (no docker), so it is checked statically against the code it deploys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.transports.signal.transport import TESTED_VERSIONS

COMPOSE = Path(__file__).resolve().parents[3] / "compose.yaml"


def services() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data["services"]  # type: ignore[no-any-return]


def env(service: dict[str, Any]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in service["environment"])


def test_signal_image_is_pinned_to_the_tested_version() -> None:
    image, _, tag = services()["signal-api"]["image"].rpartition(":")
    assert image == "bbernhard/signal-cli-rest-api"
    assert tag in TESTED_VERSIONS


def test_signal_api_is_not_published_beyond_loopback_and_never_auto_receives() -> None:
    signal = services()["signal-api"]
    assert all(port.startswith("127.0.0.1:") for port in signal.get("ports", []))
    assert "AUTO_RECEIVE_SCHEDULE" not in env(signal)
    assert env(signal)["MODE"] in ("native", "normal", "json-rpc")
    assert signal["restart"] == "unless-stopped"


def test_confidant_talks_to_the_signal_service_and_keeps_its_data() -> None:
    confidant = services()["confidant"]
    variables = env(confidant)
    assert variables["CONFIDANT_SIGNAL_URL"] == "http://signal-api:8080"
    assert variables["CONFIDANT_DATA_DIR"] == "/data"
    assert any(volume.endswith(":/data") for volume in confidant["volumes"])
    assert confidant["depends_on"]["signal-api"]["condition"] == "service_healthy"
    assert confidant["build"]["dockerfile"] == "Dockerfile"
