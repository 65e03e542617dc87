"""Accounts: sign up, authenticate, login sessions, change password, delete account."""
from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta
from functools import lru_cache
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse as parse_limit
from sqlalchemy import select, update
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from couples import clock, zones
from couples.errors import Conflict, DomainError, Invalid
from couples.models import LoginSession, User, user_by_email
from extensions import db, limiter
from workers import PASSWORDS, Busy, off_loop

PASSWORD_MIN = 8
PASSWORD_MAX = 128
NAME_MAX = 60

_signals = Namespace()
# Sent with the user just before an account becomes a tombstone, so each feature erases its private data.
account_deleting = _signals.signal("account-deleting")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from zxcvbn's frequency lists."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def _hasher() -> PasswordHasher:
    """An argon2id hasher with the configured cost."""
    cfg = current_app.config
    return _hasher_for(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"])


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_kib: int) -> PasswordHasher:
    """One hasher per cost (a PasswordHasher holds no state besides its parameters)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


class TooBusy(DomainError):
    """So many passwords wait to be checked that this one is not queued: nothing was checked or changed,
    and it counts as no try at all (no budget is spent)."""

    status = 503
    code = "busy"
    headers = {"Retry-After": "5"}

    def __init__(self, message: str = "Many people are signing in right now. Please try again in a moment.",
                 code: str | None = None):
        super().__init__(message, code)

    @classmethod
    def answered(cls, response) -> bool:
        """Whether a response is this refusal (for rate limits: it was no try, so it spends no budget)."""
        return response.status_code == cls.status


def _hash_off_loop(work: Callable, *args):
    """Run one argon2 computation in the password queue, or raise TooBusy when too many already wait."""
    try:
        return off_loop(work, *args, queue=PASSWORDS, most_waiting=current_app.config["PASSWORD_QUEUE_MAX"])
    except Busy:
        raise TooBusy() from None


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password, made once per cost, to verify against when there is no account."""
    return off_loop(hasher.hash, secrets.token_hex(16), queue=PASSWORDS)


def hash_password(password: str) -> str:
    """The argon2id hash of a password, computed off the event loop."""
    return _hash_off_loop(_hasher().hash, password)


def _matches(hasher: PasswordHasher, stored: str, password: str) -> bool:
    """Whether the password matches the stored hash (one argon2 verification, run off the event loop)."""
    def verify() -> bool:
        try:
            return hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    return _hash_off_loop(verify)


def normalise_email(raw: str) -> str:
    """Return the canonical form of an email address, or raise Invalid with a readable reason."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise Invalid(f"That email address doesn't look right: {exc}", "bad_email") from exc


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short, too long, or among the most common ones."""
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"Please use at least {PASSWORD_MIN} characters.", "password_short")
    if len(password) > PASSWORD_MAX:
        raise Invalid(f"Please use at most {PASSWORD_MAX} characters.", "password_long")
    if password.lower() in _common_passwords():
        raise Invalid("That password is one of the most common ones. Please choose another.", "password_common")


# Control and format characters (bidirectional embeddings, overrides and isolates among them, which could make a
# name read as something else on the partner's screen), but the two joiners some scripts and emoji need.
_JOINERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern, the grapheme joiner).
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")
# Words the interface itself uses for people: a name that reads as one of them would mislead.
RESERVED_NAMES = frozenset({"you", "your", "yours", "yourself", "me", "partner", "your partner", "a partner",
                            "former partner", "a former partner", "the former partner", "your former partner",
                            "common ground"})


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNPS" and char not in _BLANKS


def _clean_name(display_name: str) -> str:
    """Trim a display name and check it: a length, no control or layout-changing characters, something
    visible, and not a word the interface uses for people (like "you" or "former partner")."""
    name = " ".join(unicodedata.normalize("NFC", display_name or "").split())
    if not name:
        raise Invalid("Please tell us what to call you.", "name_missing")
    if len(name) > NAME_MAX:
        raise Invalid(f"Please keep your name under {NAME_MAX} characters.", "name_long")
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES and c not in _JOINERS for c in name):
        raise Invalid("Your name has a hidden or control character in it. Please type it again.", "name_characters")
    if not any(_visible(c) for c in name):
        raise Invalid("Please use at least one letter or number in your name.", "name_invisible")
    words = "".join(c if c.isalnum() else " " for c in unicodedata.normalize("NFKC", name).casefold()).split()
    if " ".join(words) in RESERVED_NAMES:
        raise Invalid("The app uses those words itself, so that name would be confusing. Please choose another.",
                      "name_reserved")
    return name


def sign_up(email: str, display_name: str, password: str, time_zone: str = "UTC") -> User:
    """Create an account; raise Invalid for bad values and Conflict if the email is taken."""
    address = normalise_email(email)
    name = _clean_name(display_name)
    check_password_rules(password)
    taken = user_by_email(address)
    if taken:
        # Asking about her address spends her account's budget, like a wrong password (SECURITY.md).
        _guard(f"account:{taken.id}", lambda: False)
        raise Conflict("An account with that email already exists. You can sign in instead.", "email_taken")
    user = User(email=address, display_name=name, password_hash=hash_password(password), time_zone=time_zone)
    db.session.add(user)
    db.session.commit()
    return user


def update_profile(user: User, display_name: str, time_zone: str) -> User:
    """Change the name the partner sees and the person's time zone."""
    if not (zones.is_choosable(time_zone) or time_zone in ("UTC", user.time_zone)):
        raise Invalid("Please pick a time zone from the list.", "bad_time_zone")
    user.display_name = _clean_name(display_name)
    user.time_zone = time_zone
    db.session.commit()
    return user


def _verify(user: User | None, password: str) -> bool:
    """Check a password against the user's stored hash, upgrading the hash if its cost changed.

    Exactly one argon2 verification is made whatever the outcome (no account, no hash, an overlong
    password), against a hash made once, so the time taken does not tell whether the account exists.
    """
    hasher = _hasher()
    real = user is not None and user.is_active and bool(user.password_hash) and len(password) <= PASSWORD_MAX
    stored = user.password_hash if real else _dummy_hash(hasher)
    if not _matches(hasher, stored, password[:PASSWORD_MAX]) or not real:
        return False
    if hasher.check_needs_rehash(user.password_hash):
        try:
            user.password_hash = hash_password(password)
        except TooBusy:  # the old hash still works: upgrade it at a quieter sign-in
            return True
        db.session.commit()
    return True


class TooManyTries(DomainError):
    """This account's budget of wrong passwords is spent for now; it refills after a few minutes."""

    status = 429
    code = "too_many_tries"

    def __init__(self, message: str = "Too many wrong passwords in a short time. Please wait a few minutes "
                                      "and try again.", code: str | None = None):
        super().__init__(message, code)


def _budget():
    """The limit on wrong passwords for one account (or one trusted browser of it)."""
    return parse_limit(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])


def _guard(key: str, check: Callable[[], bool]) -> bool:
    """Run one password check against the budget named by key: refused when it is spent; only a
    wrong password spends it, so signing in and out often never locks anyone out."""
    if limiter.enabled and not limiter.limiter.test(_budget(), "password", key):
        raise TooManyTries()
    if check():
        return True
    if limiter.enabled:
        limiter.limiter.hit(_budget(), "password", key)
    return False


def _guess_key(user: User | None, email: str, device: str | None) -> str:
    """Whose budget a sign-in spends: a browser this account signed in on before has its own (OWASP's
    device cookies), so someone hammering her address from elsewhere cannot keep her out; any other
    browser shares the account's. An address with no account is limited the same way, by its canonical form."""
    if user is None:
        try:
            return "address:" + normalise_email(email)
        except Invalid:
            return "address:" + (email or "").strip().lower()[:254]
    trusted = device_of(device)
    if trusted and trusted[0] == user.id:
        return f"device:{user.id}:{trusted[1]}"
    return f"account:{user.id}"


def authenticate(email: str, password: str, device: str | None = None) -> User | None:
    """Return the user for these credentials, or None, taking as long either way; raise TooManyTries
    when this account's budget of wrong passwords (or this trusted browser's) is spent."""
    user = account_for(email)
    return user if _guard(_guess_key(user, email, device), lambda: _verify(user, password)) else None


def confirm_password(user: User, password: str) -> None:
    """Check the password of someone already signed in (before a change that needs it), limited like
    signing in; raise Invalid when it is wrong and TooManyTries when too many were."""
    if not _guard(f"confirm:{user.id}", lambda: _verify(user, password or "")):
        raise Invalid("That password is not right.", "wrong_password")


def device_token(user: User) -> str:
    """A signed value naming the account, for a cookie that marks this browser as one she signed in on."""
    return _device_signer().dumps([user.id, secrets.token_urlsafe(12)])


def device_of(token: str | None) -> tuple[int, str] | None:
    """The (account id, browser nonce) a device cookie names, if it is ours, intact and not too old."""
    if not token:
        return None
    try:
        user_id, nonce = _device_signer().loads(token, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except (BadSignature, TypeError, ValueError):
        return None
    return (user_id, nonce) if isinstance(user_id, int) and isinstance(nonce, str) else None


def is_trusted_device(email: str, token: str | None) -> bool:
    """Whether this browser signed in before as the account the address leads to."""
    trusted = device_of(token)
    if trusted is None:
        return False
    user = account_for(email)
    return user is not None and user.id == trusted[0]


def _device_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device")


def account_for(email: str) -> User | None:
    """The account an address typed into a form leads to (normalised as at sign-up), or None."""
    try:
        address = normalise_email(email)
    except Invalid:
        return None
    return user_by_email(address)


def start_session(user: User, user_agent: str = "") -> LoginSession:
    """Record a new signed-in browser for the user and return it (its id goes into the cookie)."""
    login = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, user_agent=(user_agent or "")[:300])
    db.session.add(login)
    db.session.commit()
    return login


def live_session(session_id: str | None) -> LoginSession | None:
    """Return the login session if it exists, has not ended and has not idled out; note the activity."""
    if not session_id:
        return None
    login = db.session.get(LoginSession, session_id)
    if login is None or login.ended_at is not None or not login.user.is_active:
        return None
    at = clock.now()
    idle = timedelta(seconds=current_app.config["IDLE_TIMEOUT"])
    if at - login.last_seen_at > idle:
        end_sessions(login.user, only=login.id)
        return None
    if at - login.last_seen_at > timedelta(seconds=30):  # write at most twice a minute per session
        login.last_seen_at = at
        db.session.commit()
    return login


def end_sessions(user: User, only: str | None = None, keep: str | None = None) -> list[str]:
    """End one login session (`only`), or all but `keep`; return the ids ended. Sockets are closed by the caller."""
    query = select(LoginSession.id).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if only:
        query = query.where(LoginSession.id == only)
    if keep:
        query = query.where(LoginSession.id != keep)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(update(LoginSession).where(LoginSession.id.in_(ids)).values(ended_at=clock.now()))
        db.session.commit()
    return ids


def change_password(user: User, current: str, new: str, keep_session: str | None) -> list[str]:
    """Set a new password after checking the current one; end every other session; return their ids."""
    confirm_password(user, current)
    check_password_rules(new)
    user.password_hash = hash_password(new)
    db.session.commit()
    return end_sessions(user, keep=keep_session)


def delete_account(user: User, password: str) -> None:
    """Erase the person's account after checking the password. Shared words stay, shown as "former partner"."""
    from couples import linking  # linking needs accounts' errors; import here to keep the graph one-way

    confirm_password(user, password)
    linking.leave_all(user)
    account_deleting.send(user)
    end_sessions(user)
    user.email = None
    user.display_name = ""
    user.password_hash = None
    user.share_presence = False
    user.deleted_at = clock.now()
    db.session.commit()
