"""When a promise is due, and what its record adds up to.

Pure date arithmetic on a promise's schedule versions and its records; no
database, no clock. A version is anything with the attributes of
``PromiseSchedule`` (effective_from, state, kind, weekdays, starts_on,
ends_on, due_on); records map an occurrence date to 'pending', 'confirmed'
or 'missed'.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable, Mapping, Protocol, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ONCE, DAILY, WEEKLY = "once", "daily", "weekly"
KINDS = (ONCE, DAILY, WEEKLY)
ACTIVE, PAUSED, ENDED = "active", "paused", "ended"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Version(Protocol):
    effective_from: date
    state: str
    kind: str
    weekdays: str
    starts_on: date
    ends_on: date | None
    due_on: date | None


def zone(name: str | None) -> ZoneInfo:
    """The time zone called ``name``, UTC when it is unknown or missing."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(instant: datetime, tz_name: str | None) -> date:
    """The calendar date of a UTC instant in the given time zone."""
    return instant.astimezone(zone(tz_name)).date()


def week_start(day: date) -> date:
    """The Monday of the week containing ``day``."""
    return day - timedelta(days=day.weekday())


def parse_weekdays(text: str) -> frozenset[int]:
    """Weekday numbers (Monday 0) from their compact stored form, e.g. '024'."""
    return frozenset(int(c) for c in text if c.isdigit() and int(c) < 7)


def format_weekdays(days: Iterable[int]) -> str:
    """The compact stored form of a set of weekday numbers."""
    return "".join(str(d) for d in sorted(set(days)))


def describe(version: Version) -> str:
    """How often a version asks for the promise, in words."""
    if version.kind == DAILY:
        return "every day"
    if version.kind == WEEKLY:
        days = parse_weekdays(version.weekdays)
        if days == frozenset(range(5)):
            return "every weekday"
        return "every " + ", ".join(WEEKDAY_NAMES[d] for d in sorted(days))
    if version.due_on:
        return f"once, by {version.due_on:%a %d %b %Y}"
    return "once"


def version_on(versions: Sequence[Version], day: date) -> Version | None:
    """The version in force on ``day``: the last one made effective on or before it.

    ``versions`` are in the order they were made.
    """
    current = None
    for v in versions:
        if v.effective_from <= day:
            current = v
    return current


def _asks_for(v: Version, day: date) -> bool:
    if v.state != ACTIVE or day < v.starts_on or (v.ends_on and day > v.ends_on):
        return False
    if v.kind == DAILY:
        return True
    if v.kind == WEEKLY:
        return day.weekday() in parse_weekdays(v.weekdays)
    return False


def occurrence_key(versions: Sequence[Version]) -> date | None:
    """The single occurrence date of a one-off promise (its start), None if recurring."""
    return versions[-1].starts_on if versions[-1].kind == ONCE else None


def is_due_on(versions: Sequence[Version], day: date) -> bool:
    """Whether a recurring promise asks to be kept on ``day``."""
    v = version_on(versions, day)
    return v is not None and v.kind != ONCE and _asks_for(v, day)


def occurrences(versions: Sequence[Version], start: date, end: date) -> list[date]:
    """The due dates of a recurring promise between start and end, inclusive."""
    days, day = [], max(start, min(v.starts_on for v in versions))
    while day <= end:
        if is_due_on(versions, day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _one_off_due(versions: Sequence[Version], today: date) -> bool:
    """A one-off counts as due once its due date has passed while it was active."""
    latest = versions[-1]
    if latest.due_on is None or latest.due_on >= today:
        return False
    v = version_on(versions, latest.due_on) or latest
    return v.state == ACTIVE


@dataclass(frozen=True)
class Tally:
    """What a promise's record adds up to on a given day."""

    kept: int  # confirmed deposits
    due: int  # occurrences due so far, not counting those waiting for confirmation
    pending: int  # deposits waiting for the partner
    missed: int  # marked missed by the promiser
    streak: int  # current run of kept occurrences (recurring only)
    best_streak: int

    @property
    def consistency(self) -> float | None:
        """Kept over due so far, in [0, 1]; None while nothing is due."""
        return self.kept / self.due if self.due else None


def due_so_far(versions: Sequence[Version], records: Mapping[date, str], today: date) -> list[date]:
    """Occurrences that count: every recorded one, and unrecorded ones before today.

    Today's occurrence counts only once something is recorded for it, so the
    figure does not drop in the morning of a day that is still ahead.
    """
    key = occurrence_key(versions)
    if key is not None:
        return [key] if key in records or _one_off_due(versions, today) else []
    days = set(occurrences(versions, start=date.min, end=today - timedelta(days=1)))
    return sorted(days | {d for d in records if d <= today})


def tally(versions: Sequence[Version], records: Mapping[date, str], today: date) -> Tally:
    """Consistency and streak figures for one promise.

    A deposit waiting for confirmation is neither kept nor due: waiting is not
    the promiser's failure, and the partner's silence costs nothing.
    """
    days = due_so_far(versions, records, today)
    statuses = [records.get(d) for d in days]
    kept = statuses.count("confirmed")
    pending = statuses.count("pending")
    missed = statuses.count("missed")
    run = best = 0
    if occurrence_key(versions) is None:
        for status in statuses:
            if status == "confirmed":
                run += 1
                best = max(best, run)
            elif status != "pending":
                run = 0
    return Tally(kept=kept, due=len(days) - pending, pending=pending, missed=missed,
                 streak=run, best_streak=best)
