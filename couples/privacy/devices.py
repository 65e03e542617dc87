"""Sessions and devices: see where you are logged in and end what you do not recognise."""
import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from couples import accounts, clock
from couples.errors import NotFound
from couples.live import disconnect_sockets
from couples.models import LoginSession, User
from extensions import db

_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("Mac", re.compile(r"Macintosh|Mac OS X")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def device_label(user_agent: str | None) -> str:
    """A short, human name for a browser and device, like “Firefox on Windows”."""
    agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def approximately(moment: datetime, reference: datetime) -> str:
    """How long ago, roughly, in words (“just now”, “about 3 hours ago”)."""
    seconds = max(0, (reference - moment).total_seconds())
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86400
    if minutes < 2:
        return "just now"
    if hours < 1:
        return f"{int(minutes)} minutes ago"
    if days < 1:
        return "about an hour ago" if hours < 2 else f"about {int(hours)} hours ago"
    if days < 2:
        return "yesterday"
    if days < 30:
        return f"{int(days)} days ago"
    return "more than a month ago"


def active_sessions(user: User) -> list[LoginSession]:
    """The user's signed-in browsers that have neither ended nor idled out, most recent first."""
    idle = timedelta(seconds=current_app.config["IDLE_TIMEOUT"])
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(
                LoginSession.user_id == user.id,
                LoginSession.ended_at.is_(None),
                LoginSession.last_seen_at > clock.now() - idle,
            )
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.created_at.desc())
        )
    )


def end_session(user: User, public_id: str) -> None:
    """Log out one of the user's sessions (named by its public id) and close its sockets; anyone else's is not
    found."""
    login = next((login for login in active_sessions(user) if login.public_id == public_id), None)
    if login is None:
        raise NotFound("That session has already ended.")
    _close(accounts.end_sessions(user, only=login.id))


def end_other_sessions(user: User, keep: str) -> int:
    """Log out every session of the user but `keep`, close their sockets; return how many ended."""
    ended = accounts.end_sessions(user, keep=keep)
    _close(ended)
    return len(ended)


def _close(login_session_ids: list[str]) -> None:
    for login_session_id in login_session_ids:
        disconnect_sockets(login_session_id=login_session_id)
