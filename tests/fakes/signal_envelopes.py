"""Builders for the JSON signal-cli emits, shaped after the research note §3 (its Json*.java records).

Jackson writes the envelope's source fields even when they are null, so the builders do too.
"""

from __future__ import annotations

from typing import Any

BOT_NUMBER = "+4930111111"
BOT_UUID = "0a0b0c0d-1111-4222-8333-944445555666"
ANNA_NUMBER = "+4915122222222"
ANNA_UUID = "6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d"
GROUP_ID = "kq0b3x0w1lG2m1x9yVb4Zc0eS8sQn2l5r7tW9yA1bC0="


def person(index: int) -> tuple[str, str]:
    """A distinct made-up (number, uuid) pair."""
    return f"+49151{index:08d}", f"6f1c8e2a-3b7d-4a55-9c0e-{index:012d}"


def envelope(
    *,
    number: str | None = ANNA_NUMBER,
    uuid: str | None = ANNA_UUID,
    timestamp: int = 1767225600123,
    account: str = BOT_NUMBER,
    **blocks: Any,
) -> dict[str, Any]:
    return {
        "envelope": {
            "source": number or uuid,
            "sourceNumber": number,
            "sourceUuid": uuid,
            "sourceName": "Anna B.",
            "sourceDevice": 1,
            "timestamp": timestamp,
            "serverReceivedTimestamp": timestamp + 333,
            "serverDeliveredTimestamp": timestamp + 666,
            **blocks,
        },
        "account": account,
    }


def data_message(text: str | None, *, timestamp: int = 1767225600123, **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": timestamp,
        "message": text,
        "expiresInSeconds": 0,
        "isExpirationUpdate": False,
        "viewOnce": False,
        **extra,
    }


def text_frame(text: str | None, *, timestamp: int = 1767225600123, **kwargs: Any) -> dict[str, Any]:
    return envelope(timestamp=timestamp, dataMessage=data_message(text, timestamp=timestamp), **kwargs)


def group_frame(
    text: str,
    *,
    timestamp: int = 1767225700001,
    mention_bot: bool = False,
    group_type: str = "DELIVER",
    **kwargs: Any,
) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "groupInfo": {
            "groupId": GROUP_ID,
            "groupName": "Supervision Team",
            "revision": 12,
            "type": group_type,
        }
    }
    if mention_bot:
        extra["mentions"] = [{"name": BOT_NUMBER, "number": BOT_NUMBER, "uuid": BOT_UUID, "start": 0, "length": 1}]
        text = "\ufffc " + text
    return envelope(timestamp=timestamp, dataMessage=data_message(text, timestamp=timestamp, **extra), **kwargs)


def sync_sent_frame(text: str, *, timestamp: int = 1767225800000) -> dict[str, Any]:
    sent = {
        "destination": ANNA_NUMBER,
        "destinationNumber": ANNA_NUMBER,
        "destinationUuid": ANNA_UUID,
        **data_message(text, timestamp=timestamp),
    }
    return envelope(number=BOT_NUMBER, uuid=BOT_UUID, timestamp=timestamp, syncMessage={"sentMessage": sent})


def typing_frame(action: str = "STARTED") -> dict[str, Any]:
    return envelope(timestamp=1767225599000, typingMessage={"action": action, "timestamp": 1767225599000})


def receipt_frame() -> dict[str, Any]:
    return envelope(
        timestamp=1767225610000,
        receiptMessage={
            "when": 1767225610000,
            "isDelivery": False,
            "isRead": True,
            "isViewed": False,
            "timestamps": [1767225601234],
        },
    )


def edit_frame(text: str, *, target: int = 1767225600123, timestamp: int = 1767225650000) -> dict[str, Any]:
    return envelope(
        timestamp=timestamp,
        editMessage={"targetSentTimestamp": target, "dataMessage": data_message(text, timestamp=timestamp)},
    )


def reaction_frame() -> dict[str, Any]:
    reaction = {
        "emoji": "👍",
        "targetAuthor": BOT_NUMBER,
        "targetAuthorNumber": BOT_NUMBER,
        "targetAuthorUuid": BOT_UUID,
        "targetSentTimestamp": 1767225601234,
        "isRemove": False,
    }
    return envelope(timestamp=1767225620000, dataMessage=data_message(None, timestamp=1767225620000, reaction=reaction))


def exception_frame() -> dict[str, Any]:
    frame = envelope(timestamp=1767225630000)
    frame["exception"] = {
        "message": "Untrusted identity for " + ANNA_NUMBER,
        "type": "UntrustedIdentityException",
    }
    return frame


def error_frame() -> dict[str, Any]:
    return {"error": "Failed to receive: connection to " + ANNA_NUMBER + " reset"}
