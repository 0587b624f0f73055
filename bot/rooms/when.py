"""When the session starts, from what the counsellor typed: "room for 3pm", "tomorrow 10:00", "in 2 hours".

The start sets the token window, so a wrong guess means a link that does not open when it matters. Anything
that looks like a time but cannot be read exactly ("room for 3", "half three", "next week") gets a question
back, never a guess. A time of day that has already passed today (and whose hour is over) means tomorrow, and
the reply says so in words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.rooms.tokens import SESSION_LENGTH

MAX_AHEAD = timedelta(days=7)

EXAMPLES = '"room for 3pm", "room tomorrow 10:00", "room at 14:30" or "room in 2 hours"'

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ALIASES = {"tues": "tuesday", "weds": "wednesday", "thurs": "thursday"}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# Words that show the counsellor meant a time we could not read; other words ("client", "please") are ignored.
_TIMEISH = frozenset(
    (
        # Not "one", "may", "am", "next", "day": too common in ordinary requests ("a new one", "next client").
        "morning afternoon evening night later half quarter past oclock o'clock pm a.m p.m hour hours "
        "minute minutes min mins days week weeks weekend fortnight month yesterday midnight "
        "january february march april june july august september october november december "
        "thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty "
        + " ".join(word for word in _NUMBER_WORDS if len(word) > 2 and word != "one")
    ).split()
)

_MERIDIEM = r"(?P<meridiem>am|pm|a\.m\.?|p\.m\.?)"
_RELATIVE = re.compile(
    r"\bin\s+(?:(?P<half>half\s+an?\s+hour)|(?P<count>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve)\s*(?P<unit>minutes?|mins?|hours?|hrs?|h)\b)"
)
_CLOCK = re.compile(r"\b(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*" + _MERIDIEM + r"?(?![\w.])")
_HOUR_MERIDIEM = re.compile(r"\b(?P<hour>\d{1,2})\s*" + _MERIDIEM + r"(?![\w.])")
_NOON = re.compile(r"\b(?:noon|midday)\b")
_DAY = re.compile(
    r"\b(?:today|tonight|tomorrow|tmrw|" + "|".join(_WEEKDAYS) + "|" + "|".join(_WEEKDAY_ALIASES) + r")\b"
)
_PERIOD = re.compile(r"\b(?:in\s+the\s+)?(?P<period>morning|afternoon|evening|tonight)\b")
_AFTER_NOON = ("afternoon", "evening", "tonight")
_BARE_HOUR = re.compile(r"\b(?:at\s+|for\s+)?(?P<hour>\d{1,2})(?:\s*o'?clock)?\b(?![:.]\d)")


@dataclass(frozen=True, slots=True)
class Start:
    """A session start in the counsellor's time zone; `asked` is False when no time was given (so: now)."""

    at: datetime
    asked: bool


@dataclass(frozen=True, slots=True)
class Unclear:
    """What to ask the counsellor instead of guessing."""

    question: str


def parse_start(text: str, *, now: datetime, tz: ZoneInfo) -> Start | Unclear:
    """Read a session start from a room request such as "room tomorrow 10:00"."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local_now = now.astimezone(tz)
    cleaned = " " + re.sub(r"[,;!?\"“”()]", " ", text.lower().replace("’", "'")) + " "

    relative, cleaned = _take_relative(cleaned)
    if isinstance(relative, Unclear):
        return relative
    day_word, cleaned = _take(_DAY, cleaned)
    clock, cleaned = _take_clock(cleaned)
    if isinstance(clock, Unclear):
        return clock
    period, cleaned = _take(_PERIOD, cleaned, group="period")
    if day_word == "tonight":
        period = period or "tonight"
    if clock is None and period is not None:
        clock, cleaned = _take_bare_hour(cleaned, period)
    elif clock is not None and period in _AFTER_NOON and 1 <= clock.hour <= 11:
        clock = clock.replace(hour=clock.hour + 12)  # "7:30 in the evening"

    leftover = _leftover_problem(cleaned)
    if leftover is not None:
        return leftover
    if relative is not None:
        if day_word or clock:
            return Unclear(f"Please give either a time or a delay, not both, for example {EXAMPLES}.")
        if relative > MAX_AHEAD:
            return Unclear("I can make links up to 7 days ahead. Please ask me nearer the time.")
        return Start(at=local_now + relative, asked=True)
    if clock is None:
        if day_word is not None or period is not None:
            return Unclear(f"What time should the session start? For example {EXAMPLES}.")
        return Start(at=local_now, asked=False)
    return _on_day(clock, day_word, local_now, tz)


def _take(pattern: re.Pattern[str], text: str, group: int | str = 0) -> tuple[str | None, str]:
    match = pattern.search(text)
    if match is None:
        return None, text
    return match.group(group), text[: match.start()] + " " + text[match.end() :]


def _take_relative(text: str) -> tuple[timedelta | Unclear | None, str]:
    match = _RELATIVE.search(text)
    if match is None:
        return None, text
    rest = text[: match.start()] + " " + text[match.end() :]
    if match.group("half"):
        return timedelta(minutes=30), rest
    count_text = match.group("count")
    count = float(_NUMBER_WORDS.get(count_text, 0) or count_text)
    unit = match.group("unit")
    minutes = count * 60 if unit.startswith("h") else count
    if minutes > MAX_AHEAD.total_seconds() / 60:
        # Checked before building the timedelta, which overflows on absurd numbers ("in 99999999999 hours").
        return Unclear(f"I make links up to {MAX_AHEAD.days} days ahead. Try {EXAMPLES}."), rest
    delta = timedelta(minutes=minutes)
    if delta <= timedelta(0):
        return Unclear(f"I could not read that delay. Try {EXAMPLES}."), rest
    return delta, rest


def _take_clock(text: str) -> tuple[time | Unclear | None, str]:
    for pattern in (_CLOCK, _HOUR_MERIDIEM):
        match = pattern.search(text)
        if match is None:
            continue
        rest = text[: match.start()] + " " + text[match.end() :]
        hour = int(match.group("hour"))
        minute = int(match.groupdict().get("minute") or 0)
        meridiem = (match.group("meridiem") or "").replace(".", "")
        if meridiem:
            if not 1 <= hour <= 12:
                return Unclear(f'"{match.group().strip()}" is not a time I can read. Try {EXAMPLES}.'), rest
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59:
            return Unclear(f'"{match.group().strip()}" is not a time I can read. Try {EXAMPLES}.'), rest
        return time(hour, minute), rest
    match = _NOON.search(text)
    if match is not None:
        return time(12, 0), text[: match.start()] + " " + text[match.end() :]
    return None, text


def _take_bare_hour(text: str, period: str) -> tuple[time | None, str]:
    # "10 in the morning", "tonight at 7": the period settles am or pm.
    match = _BARE_HOUR.search(text)
    if match is None or not 1 <= int(match.group("hour")) <= 12:
        return None, text
    hour = int(match.group("hour")) % 12 + (12 if period in _AFTER_NOON else 0)
    return time(hour, 0), text[: match.start()] + " " + text[match.end() :]


def _leftover_problem(text: str) -> Unclear | None:
    words = [word.strip(".") for word in text.split()]
    timeish = [word for word in words if any(c.isdigit() for c in word) or word in _TIMEISH]
    if not timeish:
        return None
    if len(timeish) == 1 and re.fullmatch(r"\d{1,2}", timeish[0]):
        hour = int(timeish[0])
        if 1 <= hour <= 12:
            return Unclear(f"Did you mean {hour}am or {hour}pm? For example: room for {hour}pm")
        return Unclear(f"What time did you mean? Please write it like 14:30, for example {EXAMPLES}.")
    return Unclear(f"I could not read the time in that. Please write it like {EXAMPLES}.")


def _on_day(clock: time, day_word: str | None, local_now: datetime, tz: ZoneInfo) -> Start | Unclear:
    today = local_now.date()
    if day_word in (None, "today", "tonight"):
        day = today
    elif day_word in ("tomorrow", "tmrw"):
        day = today + timedelta(days=1)
    else:
        weekday = _WEEKDAYS.index(_WEEKDAY_ALIASES.get(day_word, day_word))
        day = today + timedelta(days=(weekday - today.weekday()) % 7)

    start = _local(day, clock, tz)
    if start is None:
        return Unclear(f"{clock:%H:%M} does not exist that day because the clocks change. Pick another.")
    if start + SESSION_LENGTH <= local_now:
        # Over already. Without a day, the next one is meant (like an alarm clock); with one, we ask.
        if day_word in ("today", "tonight"):
            return Unclear(f"{clock:%H:%M} today has passed. Did you mean: room tomorrow {clock:%H:%M}?")
        if day_word is None or day_word in _WEEKDAYS or day_word in _WEEKDAY_ALIASES:
            start = _local(day + timedelta(days=1 if day_word is None else 7), clock, tz)
        if start is None or start + SESSION_LENGTH <= local_now:
            return Unclear(f"That time has passed. Please give one still ahead, for example {EXAMPLES}.")
    if start - local_now > MAX_AHEAD:
        return Unclear("I can make links up to 7 days ahead. Please ask me nearer the time.")
    return Start(at=start, asked=True)


def _local(day: date, clock: time, tz: ZoneInfo) -> datetime | None:
    """The wall-clock time in `tz`, or None when it falls in a daylight-saving gap."""
    candidate = datetime.combine(day, clock, tzinfo=tz)
    round_trip = candidate.astimezone(ZoneInfo("UTC")).astimezone(tz)
    return candidate if round_trip.replace(tzinfo=None) == candidate.replace(tzinfo=None) else None


def describe_start(start: datetime, *, now: datetime, tz: ZoneInfo) -> str:
    """ "today at 15:00", "tomorrow, Sunday 29 November, at 10:00" or "Monday 30 November at 10:00"."""
    local, today = start.astimezone(tz), now.astimezone(tz).date()
    clock = f"{local:%H:%M}"
    if local.date() == today:
        return f"today at {clock}"
    long_date = f"{local:%A} {local.day} {local:%B}"
    if local.date() == today + timedelta(days=1):
        return f"tomorrow, {long_date}, at {clock}"
    return f"{long_date} at {clock}"
