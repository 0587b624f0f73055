"""Meeting URLs, with the token in the fragment.

The fragment (after `#`) never leaves the browser: it is not sent to the web server, so it stays out of
access logs, `Referer` headers and the fetchers that build link previews. Jitsi reads `#jwt=` like `?jwt=`,
and parses every fragment value as JSON, hence the percent-encoded quotes: `#jwt=%22<token>%22`.
Percent-encoding keeps the quotes from ending the link when Signal or Telegram linkify it.

`config.doNotStoreRoom=true` keeps the room (and the token in it) out of the app's recent-meetings list on a
shared device. Fragment options are client-side conveniences the recipient can edit, never security controls.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.rooms.names import is_valid_room_name

FRAGMENT_OPTIONS = "config.doNotStoreRoom=true"


def room_url(base_url: str, room: str, token: str | None = None, *, token_in_query: bool = False) -> str:
    """`base_url/room`, with the token in the fragment (or, as a fallback for old clients, the query)."""
    if not is_valid_room_name(room):
        raise ValueError("room name must match [a-z0-9-]{20,50}")
    url = f"{base_url.rstrip('/')}/{room}"
    if token is None:
        return f"{url}#{FRAGMENT_OPTIONS}"
    if token_in_query:
        # Query strings reach server logs; docker-jitsi-meet's nginx redacts `jwt=` but others may not.
        return f"{url}?jwt={quote(token, safe='')}#{FRAGMENT_OPTIONS}"
    return f"{url}#jwt={quote(chr(34) + token + chr(34), safe='')}&{FRAGMENT_OPTIONS}"
