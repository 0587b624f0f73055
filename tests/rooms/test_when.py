from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rooms.when import Start, Unclear, describe_start, parse_start
from tests.rooms.helpers import FIXED_NOW, ZONE

TZ = ZoneInfo(ZONE)  # FIXED_NOW is 07:00 on Saturday 28 November 2026 here


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def parsed(text: str, now: datetime = FIXED_NOW, tz: ZoneInfo = TZ) -> Start:
    result = parse_start(text, now=now, tz=tz)
    assert isinstance(result, Start), result
    return result


def question(text: str, now: datetime = FIXED_NOW) -> str:
    result = parse_start(text, now=now, tz=TZ)
    assert isinstance(result, Unclear), result
    return result.question


@pytest.mark.parametrize(
    "text", ["room", "/room", "new meeting", "Room please!", "a new one for my next client"]
)
def test_no_time_means_now(text: str) -> None:
    start = parsed(text)
    assert start.at == FIXED_NOW
    assert start.asked is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("room for 3pm", local(28, 15)),
        ("link for my 3pm", local(28, 15)),
        ("room for 3 p.m.", local(28, 15)),
        ("Room for 3PM", local(28, 15)),
        ("room at 14:30", local(28, 14, 30)),
        ("room at 9.45", local(28, 9, 45)),
        ("room tomorrow 10:00", local(29, 10)),
        ("room 10:00 tomorrow", local(29, 10)),
        ("room tomorrow 10 in the morning", local(29, 10)),
        ("room at noon", local(28, 12)),
        ("room tonight at 7", local(28, 19)),
        ("room for 7:30 in the evening", local(28, 19, 30)),
        ("room monday 9am", local(30, 9)),
        ("room on Saturday 9am", local(28, 9)),  # today is Saturday and 9am is still ahead
        ("room saturday 6am", local(5, 6, month=12)),  # passed: next Saturday
        ("room at 6:30", local(28, 6, 30)),  # started half an hour ago and still under way: today
        ("room at 5:00", local(29, 5)),  # over: tomorrow, which the reply spells out
    ],
)
def test_times_of_day_in_the_counsellors_zone(text: str, expected: datetime) -> None:
    start = parsed(text)
    assert start.at == expected
    assert start.asked is True


@pytest.mark.parametrize(
    ("text", "delay"),
    [
        ("room in 2 hours", timedelta(hours=2)),
        ("room in 90 minutes", timedelta(minutes=90)),
        ("room in an hour", timedelta(hours=1)),
        ("room in half an hour", timedelta(minutes=30)),
        ("room in 1.5 hrs", timedelta(minutes=90)),
    ],
)
def test_delays_count_from_now(text: str, delay: timedelta) -> None:
    assert parsed(text).at == FIXED_NOW + delay


def test_the_zone_decides_the_instant() -> None:
    london = parsed("room for 3pm", tz=ZoneInfo("Europe/London")).at
    new_york = parsed("room for 3pm").at
    assert london.astimezone(UTC) == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert new_york.astimezone(UTC) == datetime(2026, 11, 28, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("room for 3", "3am or 3pm"),
        ("room at 15", "14:30"),
        ("room for quarter past three", "could not read the time"),
        ("room next week", "could not read the time"),
        ("room in 2 days", "could not read the time"),
        ("room for 25:00", '"25:00" is not a time'),
        ("room for 13pm", '"13pm" is not a time'),
        ("room tomorrow morning", "What time"),
        ("room on friday", "What time"),
        ("room for 3pm in 2 hours", "not both"),
        ("room today 5:00", "room tomorrow 05:00"),
        ("room in 200 hours", "7 days"),
    ],
)
def test_unreadable_times_get_a_question_not_a_guess(text: str, asks: str) -> None:
    assert asks in question(text)


def test_a_time_that_does_not_exist_because_clocks_change_gets_a_question() -> None:
    # New York skips from 02:00 to 03:00 on Sunday 14 March 2027.
    saturday_noon = datetime(2027, 3, 13, 12, 0, tzinfo=TZ)
    assert "clocks change" in question("room tomorrow 2:30am", now=saturday_noon)
    assert parsed("room tomorrow 3:30am", now=saturday_noon).at == datetime(2027, 3, 14, 3, 30, tzinfo=TZ)


def test_a_naive_clock_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_start("room", now=FIXED_NOW.replace(tzinfo=None), tz=TZ)


@pytest.mark.parametrize(
    ("start", "words"),
    [
        (local(28, 15), "today at 15:00"),
        (local(29, 10), "tomorrow, Sunday 29 November, at 10:00"),
        (local(30, 9), "Monday 30 November at 09:00"),
    ],
)
def test_starts_are_described_in_words(start: datetime, words: str) -> None:
    assert describe_start(start, now=FIXED_NOW, tz=TZ) == words


def test_absurd_delays_get_a_question_not_an_overflow() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.rooms.when import Unclear, parse_start

    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    for text in ("room in 99999999999999999999 minutes", "room in 9999999999 hours", "room in 8 days"):
        assert isinstance(parse_start(text, now=now, tz=ZoneInfo("Europe/London")), Unclear), text
