"""Time zones: every moment is shown in the reader's own zone (taken from their browser at sign-up)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_of(user) -> ZoneInfo:
    """The person's time zone, or UTC when they have none we know."""
    try:
        return ZoneInfo(getattr(user, "time_zone", None) or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(moment: datetime, user) -> datetime:
    """The moment on the person's own clock."""
    return moment.astimezone(zone_of(user))


def local_date(moment: datetime, user) -> str:
    """A day as people write it, on the person's own calendar: '1 December 2026'."""
    return f"{local(moment, user):%-d %B %Y}"


def local_moment(moment: datetime, user, seconds: bool = False) -> str:
    """A day and time on the person's own clock: '1 December 2026, 18:35' (or '18:35:07' to tell two apart)."""
    return f"{local(moment, user):%-d %B %Y, %H:%M{':%S' if seconds else ''}}"
