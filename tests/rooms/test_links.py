from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from bot.rooms.links import room_url

ROOM = "mfrggzdfmztwq2lknnwg23tpoa"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoibWZyZ2cifQ.c2lnbmF0dXJlLV9fXw"
# Characters linkifiers (Signal, Telegram) keep inside a URL; quotes, spaces and angle brackets end it.
LINKIFY_SAFE = re.compile(r"https://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+")


def test_the_token_travels_json_quoted_in_the_fragment() -> None:
    url = room_url("https://meet.example.org", ROOM, TOKEN)
    assert url == f"https://meet.example.org/{ROOM}#jwt=%22{TOKEN}%22&config.doNotStoreRoom=true"
    parts = urlsplit(url)
    assert parts.path == f"/{ROOM}"
    assert parts.query == ""  # nothing the web server, its logs or a preview fetcher would see
    params = dict(parse_qsl(parts.fragment))
    assert json.loads(params["jwt"]) == TOKEN
    assert json.loads(params["config.doNotStoreRoom"]) is True


def test_links_survive_linkification_whole() -> None:
    url = room_url("https://meet.example.org/", ROOM, TOKEN)
    assert LINKIFY_SAFE.fullmatch(url)
    assert '"' not in url
    # Linkifiers drop trailing punctuation; the link must end on a letter or digit.
    assert url[-1].isalnum()
    assert "//" not in url.removeprefix("https://")


def test_a_link_without_a_token_has_only_the_harmless_option() -> None:
    url = room_url("https://meet.jit.si", ROOM)
    assert url == f"https://meet.jit.si/{ROOM}#config.doNotStoreRoom=true"
    assert "jwt" not in url


def test_the_query_fallback_is_available_but_not_the_default() -> None:
    url = room_url("https://meet.example.org", ROOM, TOKEN, token_in_query=True)
    assert dict(parse_qsl(urlsplit(url).query)) == {"jwt": TOKEN}
    assert "jwt" not in urlsplit(room_url("https://meet.example.org", ROOM, TOKEN)).query


@pytest.mark.parametrize("room", ["Room-With-Capitals-aaaaaaa", "a/b-cccccccccccccccccccccc", "x"])
def test_rooms_jitsi_would_rewrite_are_refused(room: str) -> None:
    with pytest.raises(ValueError, match="room name"):
        room_url("https://meet.example.org", room)
