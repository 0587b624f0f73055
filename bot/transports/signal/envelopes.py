"""Turning signal-cli's JSON (a WebSocket frame, or one element of a polled array) into what the bot acts on.

signal-cli serialises with Jackson defaults: many keys are present but `null`, optional blocks are absent,
key order is not fixed and newer builds add keys. So every lookup here tolerates a missing key, a `null` and
a value of the wrong type; anything unexpected is dropped quietly, never raised.

Only a text `dataMessage` (or an edit of one) reaches the brain. Everything else (typing, receipts, sync
copies, stories, calls, reactions, deletes, group updates, our own messages, undecryptable envelopes) is
reported as `Ignored` with a fixed, loggable reason.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Signal clients put U+FFFC (OBJECT REPLACEMENT CHARACTER) where an @-mention sits in the text.
MENTION_PLACEHOLDER = "\ufffc"


@dataclass(frozen=True, slots=True)
class TextMessage:
    account: str
    # The sender's ACI UUID when known (phone-number privacy can hide the number), else signal-cli's `source`.
    sender: str
    timestamp: int
    text: str
    # signal-cli's base64 group id (`groupInfo.groupId`, the `internal_id` of GET /v1/groups).
    group_id: str | None = None
    addressed: bool = True
    # For an edit: the timestamp of the message it replaces.
    edit_of: int | None = None
    attachment_ids: tuple[str, ...] = ()
    # The sender's phone number when they share it and it is not already `sender` (for the allowlist only).
    sender_number: str | None = None

    @property
    def reply_to(self) -> str:
        """The `/v2/send` recipient: `group.` + base64 of the internal id for groups, else the sender."""
        if self.group_id is not None:
            return "group." + base64.b64encode(self.group_id.encode()).decode("ascii")
        return self.sender

    @property
    def key(self) -> str:
        """Identity of this message for dedupe: (account, sender, envelope timestamp, kind)."""
        kind = "message" if self.edit_of is None else f"edit:{self.edit_of}"
        return f"signal|{self.account}|{self.sender}|{self.timestamp}|{kind}"


@dataclass(frozen=True, slots=True)
class Ignored:
    # A fixed phrase such as "typing" or "receipt": safe to log.
    reason: str
    attachment_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErrorFrame:
    """`{"error": "…"}`, what the server sends when signal-cli reports a receive error."""

    detail: str


Parsed = TextMessage | Ignored | ErrorFrame


def parse_frame(raw: object, *, account: str, own_uuid: str | None = None) -> Parsed:
    frame = _mapping(raw)
    if frame is None:
        return Ignored("malformed")
    if "envelope" not in frame and frame.get("error") is not None:
        return ErrorFrame(str(frame.get("error")))
    envelope = _mapping(frame.get("envelope"))
    if envelope is None:
        return Ignored("malformed")
    frame_account = frame.get("account")
    if isinstance(frame_account, str) and frame_account != account:
        return Ignored("other account")
    if frame.get("exception") is not None:
        return Ignored("exception")

    source_number = _str(envelope.get("sourceNumber"))
    source_uuid = _str(envelope.get("sourceUuid"))
    if source_number == account or (own_uuid is not None and source_uuid == own_uuid):
        return Ignored("own message")
    for block, ignored in _OTHER_BLOCKS:
        if envelope.get(block) is not None:
            return ignored

    edit_of: int | None = None
    data = _mapping(envelope.get("dataMessage"))
    edit = _mapping(envelope.get("editMessage"))
    if data is None and edit is not None:
        data = _mapping(edit.get("dataMessage"))
        edit_of = as_int(edit.get("targetSentTimestamp"))
        if edit_of is None:
            return Ignored("malformed")
    if data is None:
        return Ignored("no message")
    return _parse_data(envelope, data, account=account, own_uuid=own_uuid, edit_of=edit_of)


def own_uuid_from(frame: object, *, account: str) -> str | None:
    """Our own ACI, learned from an envelope our own account sent (a sync copy), if this is one."""
    envelope = _mapping(frame.get("envelope")) if isinstance(frame, Mapping) else None
    if envelope is None or _str(envelope.get("sourceNumber")) != account:
        return None
    return _str(envelope.get("sourceUuid"))


# Built once: typing indicators and receipts are most of the frames that arrive.
_OTHER_BLOCKS = (
    ("syncMessage", Ignored("sync")),
    ("typingMessage", Ignored("typing")),
    ("receiptMessage", Ignored("receipt")),
    ("callMessage", Ignored("call")),
    ("storyMessage", Ignored("story")),
)


_NON_TEXT_DATA = (("reaction", "reaction"), ("remoteDelete", "remote delete"), ("sticker", "sticker"))


def _parse_data(
    envelope: Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    account: str,
    own_uuid: str | None,
    edit_of: int | None,
) -> Parsed:
    attachments = _attachment_ids(data)
    for block, reason in _NON_TEXT_DATA:
        if data.get(block) is not None:
            return Ignored(reason, attachments)
    if data.get("isExpirationUpdate") is True:
        return Ignored("expiration update", attachments)
    group = _mapping(data.get("groupInfo"))
    if group is not None and _str(group.get("type")) == "UPDATE":
        return Ignored("group update", attachments)

    sender = _str(envelope.get("sourceUuid")) or _str(envelope.get("source"))
    timestamp = as_int(envelope.get("timestamp")) or as_int(data.get("timestamp"))
    if sender is None or timestamp is None:
        return Ignored("malformed", attachments)
    raw_text = _str(data.get("message")) or ""
    text = raw_text.replace(MENTION_PLACEHOLDER, " ").strip()
    text = re.sub(r"[ \t]{2,}", " ", text)
    if not text:
        return Ignored("no text", attachments)

    group_id = _str(group.get("groupId")) if group is not None else None
    addressed = True
    if group is not None:
        if group_id is None:
            return Ignored("malformed", attachments)
        addressed = _mentions(data, account=account, own_uuid=own_uuid) or text.startswith("/")
    return TextMessage(
        account=account,
        sender=sender,
        timestamp=timestamp,
        text=text,
        group_id=group_id,
        addressed=addressed,
        edit_of=edit_of,
        attachment_ids=attachments,
        sender_number=number if (number := _str(envelope.get("sourceNumber"))) != sender else None,
    )


def _mentions(data: Mapping[str, Any], *, account: str, own_uuid: str | None) -> bool:
    mentions = data.get("mentions")
    for mention in mentions if isinstance(mentions, list) else ():
        if not isinstance(mention, Mapping):
            continue
        if _str(mention.get("number")) == account:
            return True
        if own_uuid is not None and _str(mention.get("uuid")) == own_uuid:
            return True
    return False


def _attachment_ids(data: Mapping[str, Any]) -> tuple[str, ...]:
    attachments = data.get("attachments")
    ids = (
        _str(item.get("id"))
        for item in (attachments if isinstance(attachments, list) else ())
        if isinstance(item, Mapping)
    )
    return tuple(i for i in ids if i)


def _mapping(value: object) -> Mapping[str, Any] | None:
    # JSON objects are dicts: checked first, as the ABC check costs several times more.
    return value if type(value) is dict or isinstance(value, Mapping) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def as_int(value: object) -> int | None:
    """A JSON number, or a string of digits (signal-cli sends timestamps both ways); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
