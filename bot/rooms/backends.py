"""The three kinds of meeting server, and choosing one from the settings.

- public: any Jitsi server with no token settings (meet.jit.si by default). The bot cannot issue tokens there:
  host and client get the same link.
- self-hosted: the operator's own Jitsi with token auth (HS256). Only the host link carries a token, because
  jicofo makes every token holder a moderator; the client joins as a guest and waits for the host.
- jaas: 8x8's Jitsi as a Service (RS256 with a key id). JaaS wants a token for everyone, so the client gets a
  non-moderator one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from bot.config import ConfigError, Settings, variable_name
from bot.rooms.links import room_url
from bot.rooms.tokens import (
    TokenWindow,
    jaas_claims,
    self_hosted_claims,
    sign_hs256,
    sign_rs256,
)

BackendKind = Literal["self-hosted", "jaas", "public"]

JAAS_URL = "https://8x8.vc"
JAAS_APP_PREFIX = "vpaas-magic-cookie-"
MIN_SECRET_BYTES = 32
PUBLIC_JITSI_HOST = "meet.jit.si"


@dataclass(frozen=True, slots=True)
class Participant:
    """Who a token is for: an opaque id (never a phone number or name) and the name shown in the meeting."""

    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class IssuedLinks:
    host_url: str = field(repr=False)
    client_url: str = field(repr=False)
    issues_tokens: bool


class Backend(Protocol):
    @property
    def kind(self) -> BackendKind: ...

    @property
    def base_url(self) -> str: ...

    def links(
        self, room: str, window: TokenWindow, host: Participant, client: Participant
    ) -> IssuedLinks: ...


@dataclass(frozen=True, slots=True)
class PublicBackend:
    base_url: str
    kind: BackendKind = "public"

    @property
    def is_meet_jit_si(self) -> bool:
        return urlsplit(self.base_url).hostname == PUBLIC_JITSI_HOST

    def links(self, room: str, window: TokenWindow, host: Participant, client: Participant) -> IssuedLinks:
        url = room_url(self.base_url, room)
        return IssuedLinks(host_url=url, client_url=url, issues_tokens=False)


@dataclass(frozen=True, slots=True)
class SelfHostedBackend:
    base_url: str
    app_id: str
    secret: bytes = field(repr=False)
    xmpp_domain: str
    kind: BackendKind = "self-hosted"

    def links(self, room: str, window: TokenWindow, host: Participant, client: Participant) -> IssuedLinks:
        claims = self_hosted_claims(
            app_id=self.app_id,
            xmpp_domain=self.xmpp_domain,
            room=room,
            user_id=host.user_id,
            name=host.name,
            window=window,
        )
        token = sign_hs256(claims, self.secret)
        # No token for the client: any token would make them a moderator too.
        return IssuedLinks(
            host_url=room_url(self.base_url, room, token),
            client_url=room_url(self.base_url, room),
            issues_tokens=True,
        )


@dataclass(frozen=True, slots=True)
class JaasBackend:
    app_id: str
    key_id: str
    private_key: RSAPrivateKey = field(repr=False)
    kind: BackendKind = "jaas"

    @property
    def base_url(self) -> str:
        return f"{JAAS_URL}/{self.app_id}"

    def links(self, room: str, window: TokenWindow, host: Participant, client: Participant) -> IssuedLinks:
        def token(who: Participant, moderator: bool) -> str:
            claims = jaas_claims(
                app_id=self.app_id,
                room=room,
                user_id=who.user_id,
                name=who.name,
                moderator=moderator,
                window=window,
            )
            return sign_rs256(claims, self.private_key, self.key_id)

        return IssuedLinks(
            host_url=room_url(self.base_url, room, token(host, moderator=True)),
            client_url=room_url(self.base_url, room, token(client, moderator=False)),
            issues_tokens=True,
        )


def backend_from_settings(settings: Settings) -> Backend:
    """The back end the settings describe, or `ConfigError` with one line per problem."""
    jitsi_fields = ("jitsi_app_id", "jitsi_app_secret", "jitsi_xmpp_domain")
    jaas_fields = ("jaas_app_id", "jaas_key_id", "jaas_private_key_file")
    jitsi_set = [name for name in jitsi_fields if getattr(settings, name) is not None]
    jaas_set = [name for name in jaas_fields if getattr(settings, name) is not None]

    if jitsi_set and jaas_set:
        raise ConfigError(
            [
                f"{variable_name('jaas_app_id')}: set either the CONFIDANT_JITSI_APP_* variables (your own "
                "server) or the CONFIDANT_JAAS_* variables (8x8 JaaS), not both"
            ]
        )
    if jaas_set:
        return _jaas(settings)
    if jitsi_set:
        return _self_hosted(settings)
    return PublicBackend(base_url=settings.jitsi_url)


def _missing(settings: Settings, fields: tuple[str, ...], what: str) -> list[str]:
    return [
        f"{variable_name(name)}: must be set too for {what}"
        for name in fields
        if getattr(settings, name) is None
    ]


def _self_hosted(settings: Settings) -> SelfHostedBackend:
    fields = ("jitsi_app_id", "jitsi_app_secret", "jitsi_xmpp_domain")
    problems = _missing(settings, fields, "token sign-in on your own Jitsi server")
    if urlsplit(settings.jitsi_url).hostname == PUBLIC_JITSI_HOST:
        problems.append(
            f"{variable_name('jitsi_url')}: set it to your own Jitsi server; meet.jit.si does not accept "
            "tokens from this bot"
        )
    secret = b""
    if settings.jitsi_app_secret is not None:
        secret = settings.jitsi_app_secret.get_secret_value().encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            problems.append(f"{variable_name('jitsi_app_secret')}: must be at least {MIN_SECRET_BYTES} bytes")
    for name in ("jitsi_app_id", "jitsi_xmpp_domain"):
        value = getattr(settings, name)
        if value is not None and (not value.strip() or "*" in value):
            problems.append(f"{variable_name(name)}: must be a plain name, not empty and without '*'")
    if problems:
        raise ConfigError(problems)
    assert settings.jitsi_app_id is not None
    assert settings.jitsi_xmpp_domain is not None
    return SelfHostedBackend(
        base_url=settings.jitsi_url,
        app_id=settings.jitsi_app_id.strip(),
        secret=secret,
        xmpp_domain=settings.jitsi_xmpp_domain.strip(),
    )


def _jaas(settings: Settings) -> JaasBackend:
    fields = ("jaas_app_id", "jaas_key_id", "jaas_private_key_file")
    problems = _missing(settings, fields, "8x8 JaaS")
    app_id = (settings.jaas_app_id or "").strip()
    if settings.jaas_app_id is not None and not (
        app_id.startswith(JAAS_APP_PREFIX) and len(app_id) > len(JAAS_APP_PREFIX) and "/" not in app_id
    ):
        problems.append(f"{variable_name('jaas_app_id')}: must be your JaaS AppID, {JAAS_APP_PREFIX}…")
    key_id = (settings.jaas_key_id or "").strip()
    if settings.jaas_key_id is not None and (not key_id or "*" in key_id):
        problems.append(f"{variable_name('jaas_key_id')}: must be the API key id from the JaaS console")
    private_key = None
    if settings.jaas_private_key_file is not None:
        private_key, problem = _load_private_key(settings.jaas_private_key_file)
        if problem:
            problems.append(f"{variable_name('jaas_private_key_file')}: {problem}")
    if problems:
        raise ConfigError(problems)
    assert private_key is not None
    # The console shows the key id either alone or as AppID/keyId; the `kid` header wants the latter.
    kid = key_id if key_id.startswith(app_id + "/") else f"{app_id}/{key_id}"
    return JaasBackend(app_id=app_id, key_id=kid, private_key=private_key)


def _load_private_key(path: Path) -> tuple[RSAPrivateKey | None, str | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, f"cannot read {path}: {error.strerror or error}"
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # No detail: the parser's message could quote part of the key.
        return None, f"{path} is not an unencrypted PEM private key"
    if not isinstance(key, RSAPrivateKey):
        return None, f"{path} holds a private key that is not RSA; JaaS signs with RS256"
    if key.key_size < 2048:
        return None, f"{path} holds a {key.key_size}-bit RSA key; use at least 2048 bits"
    return key, None
