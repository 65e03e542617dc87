"""Time zones: every moment is shown in the reader's own zone (taken from their browser at sign-up)."""
from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


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


# The choice offered on the account page: a few zones most people look for first, then every region's cities.
COMMON = {"Europe/London": "London, UK", "Europe/Dublin": "Dublin, Ireland", "Europe/Paris": "Paris, France",
          "Europe/Berlin": "Berlin, Germany", "Europe/Madrid": "Madrid, Spain", "Europe/Rome": "Rome, Italy",
          "America/New_York": "New York (US Eastern)", "America/Chicago": "Chicago (US Central)",
          "America/Denver": "Denver (US Mountain)", "America/Los_Angeles": "Los Angeles (US Pacific)",
          "America/Toronto": "Toronto, Canada", "America/Mexico_City": "Mexico City, Mexico",
          "America/Sao_Paulo": "São Paulo, Brazil", "Africa/Lagos": "Lagos, Nigeria",
          "Africa/Johannesburg": "Johannesburg, South Africa", "Asia/Kolkata": "India",
          "Asia/Shanghai": "China", "Asia/Tokyo": "Tokyo, Japan", "Australia/Sydney": "Sydney, Australia",
          "Pacific/Auckland": "Auckland, New Zealand"}
REGIONS = {"Africa": "Africa", "America": "The Americas", "Asia": "Asia", "Atlantic": "Atlantic islands",
           "Australia": "Australia", "Europe": "Europe", "Indian": "Indian Ocean", "Pacific": "Pacific"}
TZDATA = Path("/usr/share/zoneinfo/tzdata.zi")


@cache
def _places() -> frozenset[str]:
    """Zones with a city of their own: the canonical ones (not old aliases such as 'US/Eastern'), in a region."""
    try:
        names = {line.split()[1] for line in TZDATA.read_text().splitlines() if line.startswith("Z ")}
    except OSError:  # no system zone list: every zone Python knows, still only by region and city
        names = set(available_timezones())
    return frozenset(name for name in names & available_timezones() if name.split("/")[0] in REGIONS)


def city_of(zone: str) -> str:
    """'America/Argentina/Buenos_Aires' -> 'Buenos Aires (Argentina)'."""
    parts = zone.replace("_", " ").split("/")[1:]
    return parts[-1] + (f" ({', '.join(parts[:-1])})" if len(parts) > 1 else "")


def is_choosable(zone: str | None) -> bool:
    """Whether a zone is one a person can pick (a region and a city; no 'Etc/GMT+5', 'Factory' or 'localtime')."""
    return zone in _places() or zone in COMMON


def choices(current: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The choice, as groups: common places first, then each region's cities in alphabetical order.

    A person's current zone stays offered even if it is an old alias their browser gave at sign-up.
    """
    places = set(_places()) | ({current} if current and current.split("/")[0] in REGIONS else set())
    groups = {"Common": list(COMMON.items())}
    for prefix, name in REGIONS.items():
        zones = sorted((z for z in places if z.split("/")[0] == prefix), key=city_of)
        groups[name] = [(zone, city_of(zone)) for zone in zones]
    if current == "UTC" or not current or current.split("/")[0] not in REGIONS:
        groups["Other"] = [("UTC", "UTC (no region)")]
    return groups
