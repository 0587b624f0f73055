from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.render.plain import render_plain
from bot.rooms.reply import CLIENT_TITLE, HOST_TITLE
from bot.rooms.service import RoomService
from bot.shared.answer import Answer, Intent
from tests.rooms.helpers import ZONE, fixed_clock, settings_with

USER_REF = "u7f3a9c2e8d41"
DISPLAY_NAME = "Dr Sam Taylor"


def reply(settings: Settings, text: str = "room") -> Answer:
    service = RoomService.from_settings(settings, clock=fixed_clock)
    return service.answer(text, timezone=ZoneInfo(ZONE), display_name=DISPLAY_NAME, user_ref=USER_REF)


def words(answer: Answer) -> str:
    return render_plain(answer)


def full(settings: Settings, text: str = "room") -> str:
    """The room reply and the checklist that "checklist" (or "more") brings: everything the counsellor can read."""
    service = RoomService.from_settings(settings, clock=fixed_clock)
    return words(reply(settings, text)) + "\n\n" + words(service.checklist())


def test_host_link_comes_first_and_the_host_message_fits_a_phone(
    self_hosted_settings: Settings, public_settings: Settings, jaas_settings: Settings
) -> None:
    for settings in (self_hosted_settings, public_settings, jaas_settings):
        answer = reply(settings)
        host_message = render_plain(replace(answer, follow_ups=()))
        first_lines = host_message.splitlines()[:5]
        assert any(answer.links[0].url in line for line in first_lines), first_lines
        # A sign-in token makes the link itself about 600 characters long; the words around it stay short.
        assert len(host_message.replace(answer.links[0].url, "")) < 700, len(host_message)
        if settings is public_settings:
            assert len(host_message) < 900
        assert "turn on the lobby" in host_message
        assert "Say “checklist”" in host_message


def test_two_messages_host_first_then_the_forwardable_invitation(self_hosted_settings: Settings) -> None:
    answer = reply(self_hosted_settings)
    assert answer.intent is Intent.ROOM
    assert answer.title == HOST_TITLE == "Your host link: do not forward"
    (client,) = answer.follow_ups
    assert client.title == CLIENT_TITLE == "Link for your client"
    assert client.intent is Intent.ROOM
    assert not client.follow_ups


def test_every_link_is_marked_sensitive(self_hosted_settings: Settings, public_settings: Settings) -> None:
    for settings in (self_hosted_settings, public_settings):
        answer = reply(settings)
        links = [link for message in (answer, *answer.follow_ups) for link in message.links]
        assert len(links) == 2
        assert all(link.sensitive for link in links)


def test_the_invitation_is_neutral_and_carries_no_host_token(self_hosted_settings: Settings) -> None:
    answer = reply(self_hosted_settings, "room for 3pm")
    (client,) = answer.follow_ups
    text = words(client)
    (host_link,) = answer.links
    assert host_link.url not in text
    assert "jwt=" not in text
    for private in (DISPLAY_NAME, "Sam", "Taylor", USER_REF, "counsell", "therap"):
        assert private not in text
    assert "today at 15:00 (America/New_York time)" in text


def test_the_checklist_is_there_and_honest(self_hosted_settings: Settings) -> None:
    text = full(self_hosted_settings)
    assert "Before you admit your client" in text
    assert "turn on the lobby" in text
    assert "password that only you know" in text
    assert "only if you both use a desktop Chromium browser" in text
    assert "Check the participant list" in text
    assert "The link cannot switch any of these on" in text


@pytest.mark.parametrize("backend", ["self-hosted", "public"])
def test_the_reply_never_claims_the_link_turns_on_protections(
    backend: str, self_hosted_settings: Settings, public_settings: Settings
) -> None:
    text = words(reply(self_hosted_settings if backend == "self-hosted" else public_settings)).lower()
    for claim in (
        r"lobby (is|has been|was) (on|enabled|turned on|switched on)",
        r"password (is|has been|was) set",
        r"(is|are) (now )?end-to-end encrypted",
        r"encryption (is|has been) (on|enabled)",
        r"link (turns|switches) on",
        r"with (a|the) lobby (already )?on",
    ):
        assert not re.search(claim, text), claim


def test_e2ee_limits_are_stated(self_hosted_settings: Settings) -> None:
    text = full(self_hosted_settings)
    assert "not the chat" in text
    assert "Jitsi mobile apps" in text
    assert "recording, phone dial-in" in text
    assert "about 20 people" in text
    assert "whoever runs your Jitsi server could technically access the audio and video" in text


def test_meet_jit_si_reply_says_the_host_must_sign_in_and_names_the_private_option(
    public_settings: Settings,
) -> None:
    answer = reply(public_settings)
    text = full(public_settings)
    assert "the host must sign in with Google, GitHub or Facebook" in text
    assert "self-hosted Jitsi server" in text
    assert "let in automatically when you arrive" in text
    assert "8x8" in text
    assert "never expires" in text
    (client,) = answer.follow_ups
    assert client.links[0].url == answer.links[0].url


def test_another_public_server_is_not_described_as_meet_jit_si() -> None:
    text = full(settings_with(jitsi_url="https://jitsi.example.net", timezone=ZONE))
    assert "jitsi.example.net is a Jitsi server run by someone else" in text
    assert "data-processing agreement" in text
    assert "Google, GitHub or Facebook" not in text


def test_self_hosted_reply_explains_who_holds_a_token(self_hosted_settings: Settings) -> None:
    text = full(self_hosted_settings)
    assert "Your client's link carries no token" in text
    assert "America/New_York time" in text


def test_jaas_reply_explains_both_tokens(jaas_settings: Settings) -> None:
    text = full(jaas_settings)
    assert "JaaS" in text
    assert "your client's does not" in text


def test_a_scheduled_reply_says_when_in_words(self_hosted_settings: Settings) -> None:
    text = words(reply(self_hosted_settings, "room at 5:00"))  # 05:00 has passed in New York: tomorrow
    assert "tomorrow, Sunday 29 November, at 05:00" in text


def test_the_reply_says_nothing_is_kept(public_settings: Settings) -> None:
    assert "I keep no copy of this room or its links" in words(reply(public_settings))
    assert "I do not keep a copy of any room or its links" in full(public_settings)
