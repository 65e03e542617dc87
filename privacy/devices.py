"""Sessions and devices: see where you are logged in and end what you do not recognise."""
from datetime import datetime, timedelta
import functools

from flask import current_app
from sqlalchemy import select
import ua_parser

from couples import accounts, clock
from couples.errors import NotFound
from couples.models import LoginSession, User
from extensions import db
from live.sockets import disconnect_sockets

MAX_AGENT = 512  # characters of a user agent read: it is the client's text, and the regexes' cost grows with it

# Browser and system names as ua-parser's regexes (uap-core, kept up to date upstream) find them, in the short
# words a person knows their device by.
_SYSTEMS = {"Mac OS X": "Mac", "Chrome OS": "ChromeOS"}
_APPLE_DEVICES = ("iPhone", "iPad")


def device_label(user_agent: str | None) -> str:
    """A short, human name for a browser and device, like “Firefox on Windows” or “Safari on iPhone”."""
    return _label((user_agent or "")[:MAX_AGENT])


@functools.lru_cache(maxsize=1024)
def _label(agent: str) -> str:
    """device_label of an agent already cut to MAX_AGENT: the cache keeps short keys, whatever a browser sends."""
    found = ua_parser.parse(agent)
    browser = _browser(found.user_agent.family if found.user_agent else None)
    system = _system(found.os.family if found.os else None, found.device.family if found.device else None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def _browser(family: str | None) -> str | None:
    if not family or family == "Other":
        return None
    for extra in ("Mobile ", "Headless"):
        family = family.removeprefix(extra)
    for extra in (" Mobile iOS", " Mobile", " iOS", " WebView"):
        family = family.removesuffix(extra)
    return family


def _system(family: str | None, device: str | None) -> str | None:
    if not family or family == "Other":
        return None
    if family == "iOS":
        return next((name for name in _APPLE_DEVICES if device and device.startswith(name)), "iPhone")
    return _SYSTEMS.get(family, family)


def warm() -> None:
    """Build the parser once, as a process starts (its first use compiles hundreds of regexes: about 0.1 s)."""
    device_label("Mozilla/5.0")


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
