"""compose.yaml, the Dockerfile and .dockerignore, checked statically: no Docker engine runs here.

compose.yaml is validated against the Compose Specification's JSON schema as vendored by check-jsonschema
(`vendor.compose-spec`), then checked against the code it deploys: every setting reaches the container, no
secret travels in a plain variable, and the Jitsi profile is wired to Confidant's token settings.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import SECRET_FIELDS, Settings, variable_name

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

# Set by compose.yaml for this deployment, whatever .env says; everything else comes from .env.
FIXED = {"CONFIDANT_SIGNAL_URL": "http://signal-api:8080", "CONFIDANT_DATA_DIR": "/data"}
JITSI = ("jitsi-web", "jitsi-prosody", "jitsi-jicofo", "jitsi-jvb")
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY$|PASS$|DATABASE_URL$")


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def service(name: str) -> dict[str, Any]:
    return compose()["services"][name]  # type: ignore[no-any-return]


def environment(name: str) -> dict[str, str | None]:
    """A service's `environment` list as a mapping; a bare NAME (passed through from .env) maps to None."""
    entries = service(name).get("environment", [])
    assert isinstance(entries, list), f"{name}: environment is written as a list in this file"
    return {key: (value if sep else None) for key, sep, value in (entry.partition("=") for entry in entries)}


def check_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed command on our own file
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# -- the schema --


def test_compose_file_follows_the_compose_specification() -> None:
    result = check_schema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_mistake(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text(encoding="utf-8").replace("    env_file:", "    env_files:"), encoding="utf-8")
    result = check_schema(broken)
    assert result.returncode == 1
    assert "env_files" in result.stdout + result.stderr


# -- settings and secrets --


def test_every_setting_reaches_the_confidant_container() -> None:
    confidant = service("confidant")
    assert confidant["env_file"] == [".env"], "the whole .env goes to the container"
    env = environment("confidant")
    plain = {key: value for key, value in env.items() if not key.endswith("_FILE")}
    assert plain == FIXED, "only what describes this deployment overrides .env"
    documented = ENV_EXAMPLE.read_text(encoding="utf-8")
    for field in Settings.model_fields:
        name = variable_name(field)
        if field in SECRET_FIELDS or name in FIXED:
            continue
        assert re.search(rf"^(# )?{name}=", documented, re.MULTILINE), f"add {name} to .env.example"


def test_every_secret_is_a_file_and_never_a_plain_variable() -> None:
    data = compose()
    env = environment("confidant")
    mounted = service("confidant")["secrets"]
    for field in SECRET_FIELDS:
        name = variable_name(field)
        assert name not in env
        path = env[name + "_FILE"]
        assert path is not None and path.startswith("/run/secrets/"), name
        secret = path.removeprefix("/run/secrets/")
        assert secret in mounted
        assert data["secrets"][secret] == {"file": f"./secrets/{secret}"}
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    for field in SECRET_FIELDS:
        assert not re.search(rf"^#? ?{variable_name(field)}=", example, re.MULTILINE), field
    for name in data["services"]:
        for key, value in environment(name).items():
            if SECRET_WORDS.search(key) and not key.endswith("_FILE"):
                raise AssertionError(f"{name}: {key}={value} is a secret in a plain variable")
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "secrets/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_postgres_keeps_its_data_in_a_volume_and_is_healthy_before_confidant_starts() -> None:
    postgres = service("postgres")
    image, _, tag = postgres["image"].partition(":")
    assert image == "postgres" and re.match(r"\d+", tag), "pin the major version"
    assert "postgres-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "postgres-data" in compose()["volumes"]
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert environment("postgres")["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "ports" not in postgres
    assert service("confidant")["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_confidant_runs_read_only_without_privileges() -> None:
    confidant = service("confidant")
    assert confidant["read_only"] is True
    assert confidant["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in confidant["security_opt"]
    assert "confidant-data:/data" in confidant["volumes"]


# -- the jitsi profile --


def test_jitsi_is_an_optional_profile_of_pinned_images() -> None:
    tags = set()
    for name in JITSI:
        definition = service(name)
        assert definition["profiles"] == ["jitsi"]
        image, _, tag = definition["image"].rpartition(":")
        assert image == f"ghcr.io/jitsi/{name.removeprefix('jitsi-')}"
        assert re.fullmatch(r"stable-\d+(-\d+)?", tag)
        tags.add(tag)
    assert len(tags) == 1, "the four images move together"
    for name in ("postgres", "signal-api", "confidant"):
        assert "profiles" not in service(name)


def test_jitsi_is_wired_to_confidants_token_settings_and_hardened() -> None:
    prosody = environment("jitsi-prosody")
    assert prosody["JWT_APP_ID"] == "${CONFIDANT_JITSI_APP_ID:-}"
    assert prosody["JWT_ACCEPTED_ISSUERS"] == prosody["JWT_ACCEPTED_AUDIENCES"] == prosody["JWT_APP_ID"]
    assert prosody["JWT_ALLOW_EMPTY"] == "0"  # no room created without a token
    assert prosody["ENABLE_LOBBY"] == "1"
    for name in ("jitsi-web", "jitsi-prosody", "jitsi-jicofo"):
        env = environment(name)
        assert env["ENABLE_AUTH"] == "1" and env["AUTH_TYPE"] == "jwt", name
        assert env["ENABLE_RECORDING"] == "0" and env["ENABLE_TRANSCRIPTIONS"] == "0", name
    for name in ("jitsi-web", "jitsi-prosody"):
        assert environment(name)["ENABLE_GUESTS"] == "1", name  # clients join without a token
    assert environment("jitsi-web")["ENABLE_LIVESTREAMING"] == "0"
    for name in JITSI:
        env = environment(name)
        assert env["XMPP_DOMAIN"] == "${CONFIDANT_JITSI_XMPP_DOMAIN:-meet.jitsi}", name
        if "PUBLIC_URL" in env:
            assert env["PUBLIC_URL"] == "${CONFIDANT_JITSI_URL:-}", name
    # The same secret file signs Confidant's tokens and checks them in Prosody.
    assert environment("confidant")["CONFIDANT_JITSI_APP_SECRET_FILE"] == "/run/secrets/jitsi_app_secret"
    start = " ".join(service("jitsi-prosody")["entrypoint"])
    assert 'JWT_APP_SECRET="$$(cat /run/secrets/jitsi_app_secret)"' in start
    assert start.endswith("exec /init")
    assert "jitsi_app_secret" in service("jitsi-prosody")["secrets"]


def test_jitsi_secrets_are_read_from_files_by_each_container() -> None:
    for name, variables in {
        "jitsi-prosody": ("JWT_APP_SECRET", "JICOFO_AUTH_PASSWORD", "JVB_AUTH_PASSWORD"),
        "jitsi-jicofo": ("JICOFO_AUTH_PASSWORD",),
        "jitsi-jvb": ("JVB_AUTH_PASSWORD",),
    }.items():
        start = " ".join(service(name)["entrypoint"])
        for variable in variables:
            match = re.search(rf'{variable}="\$\$\(cat /run/secrets/(\w+)\)"', start)
            assert match, (name, variable)
            assert match.group(1) in service(name)["secrets"]


# -- the image --


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile()
    last_from = max(index for index, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def test_the_image_is_multi_stage_and_runs_as_an_unprivileged_user() -> None:
    assert sum(op == "FROM" for op, _ in dockerfile()) >= 2
    stage = final_stage()
    users = [argument for op, argument in stage if op == "USER"]
    assert users, "the final stage sets a USER"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 1000, "a numeric non-root uid (Kubernetes runAsNonRoot can check it)"
    assert ("COPY", "--from=build /opt/confidant /opt/confidant") in stage
    assert not any(op == "COPY" and "--from" not in argument for op, argument in stage), "only the build result"


def test_the_image_keeps_its_data_in_a_volume_and_checks_its_health() -> None:
    stage = final_stage()
    assert ("VOLUME", '["/data"]') in stage
    assert any(op == "ENV" and "CONFIDANT_DATA_DIR=/data" in argument for op, argument in stage)
    assert any(op == "ENV" and "PYTHONDONTWRITEBYTECODE=1" in argument for op, argument in stage)
    [healthcheck] = [argument for op, argument in stage if op == "HEALTHCHECK"]
    assert healthcheck.endswith('CMD ["confidant", "health"]')
    assert ("ENTRYPOINT", '["confidant"]') in stage
    assert ("CMD", '["run"]') in stage


def dockerignored(path: str) -> bool:
    """Docker's rule: the last pattern that matches a path (or a folder above it) decides; `!` re-includes."""
    ignored = False
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
        candidates = prefixes if not pattern.startswith("**/") else [*prefixes, *parts]
        target = pattern.removeprefix("**/")
        if any(fnmatch.fnmatchcase(candidate, target) for candidate in candidates):
            ignored = not negate
    return ignored


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "secrets/database_url",
        "signal-cli-config/data/accounts.json",
        ".git/config",
        ".venv/bin/python",
        "confidant.db",
        "tests/test_deploy.py",
        "bot/__pycache__/cli.cpython-311.pyc",
        "compose.yaml",
    ],
)
def test_the_build_context_leaves_out_secrets_and_state(path: str) -> None:
    assert dockerignored(path)


@pytest.mark.parametrize(
    "path", ["pyproject.toml", "README.md", "bot/cli.py", "knowledge/platforms/signal.yaml", "migrations/env.py"]
)
def test_the_build_context_has_what_the_image_copies(path: str) -> None:
    assert not dockerignored(path)
    copied = {
        source.rstrip("/")
        for op, argument in dockerfile()
        if op == "COPY" and "--from" not in argument
        for source in argument.split()[:-1]
    }
    assert path.split("/")[0] in copied
