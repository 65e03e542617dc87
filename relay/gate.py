"""Who may open a relay connection: the Origin, the login session in the cookie, and the document.

Everything here reads the database, so it runs in a worker thread inside an app context
(relay.server calls it through its thread pool), never on the event loop.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from itsdangerous import BadSignature
from sqlalchemy import func, select, update
from werkzeug.http import parse_cookie

from agreements.models import DocumentUpdate
from agreements.service import document_for_member
from agreements.signing import Signature
from couples import accounts, clock
from couples.access import may_change
from couples.errors import NotFound
from couples.models import Couple, LoginSession, Membership, User
from extensions import db
from privacy.models import users_in_space
from privacy.presence import presence_flows

# WebSocket close codes (4000-4999 are the application's own; a browser's CloseEvent carries code and reason).
SIGNED_OUT = 4401
FORBIDDEN_ORIGIN = 4403
NOT_FOUND = 4404
TOO_FAST = 4429
ARCHIVED = 4410  # the couple unlinked while connected: reconnect to read the archive
ACTIVITY_NOTED_EVERY = 30  # seconds, as accounts.live_session notes a request's


class Refusal(Exception):
    """A connection the relay will not serve: closed with this code and a calm reason."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class Member:
    """What the relay knows of an admitted connection's person, and what they may do in its document."""

    user_id: int
    name: str
    login_session_id: str
    document_id: int
    couple_id: int
    may_write: bool
    presence: bool  # presence flows between this person and their partner (and the document is not an archive)


def allowed_origins(app: Flask) -> set[str]:
    """The origins whose pages may open relay connections."""
    return {app.config["APP_URL"], *(app.config["SOCKETIO_ALLOWED_ORIGINS"] or [])}


def check_origin(app: Flask, origin: str | None, host: str | None) -> None:
    """Refuse a connection without an Origin, or from a page that is not ours (same host behind a proxy is ours)."""
    if not origin:
        raise Refusal(FORBIDDEN_ORIGIN, "This connection must come from the Common Ground page.")
    if origin in allowed_origins(app) or (host and urlsplit(origin).netloc == host):
        return
    raise Refusal(FORBIDDEN_ORIGIN, "This connection must come from the Common Ground page.")


def signed_out() -> Refusal:
    """The refusal of a connection without a live login session."""
    return Refusal(SIGNED_OUT, "Please sign in again.")


def login_of(app: Flask, cookie_header: str | None) -> LoginSession:
    """The live login session of the session cookie, as the app itself reads it (signature, age, database)."""
    value = parse_cookie(cookie_header or "").get(app.config["SESSION_COOKIE_NAME"])
    if not value:
        raise signed_out()
    serializer = app.session_interface.get_signing_serializer(app)
    try:
        session = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()))
    except BadSignature:
        raise signed_out() from None
    login = accounts.live_session(session.get("login_session"))
    if login is None or str(login.user_id) != str(session.get("_user_id")):
        raise signed_out()
    return login


def admit(app: Flask, cookie_header: str | None, document_id: int) -> Member:
    """The member a connection to document_id serves, or a Refusal (in a worker thread)."""
    with app.app_context():
        login = login_of(app, cookie_header)
        user = login.user
        try:
            document = document_for_member(user, document_id)
        except NotFound:
            raise Refusal(NOT_FOUND, "We couldn't find that document.") from None
        couple = db.session.get(Couple, document.couple_id)
        may_write = may_change(user, couple)
        return Member(user.id, user.name, login.id, document.id, couple.id, may_write,
                      may_write and presence_flows(user, couple.partner_of(user)))


def still_admitted(app: Flask, members: list[Member], active: set[str]) -> dict[tuple[str, int], tuple[bool, bool]]:
    """For each (login session, couple) still live: (may write, presence flows); the others are gone (in a thread).

    A few queries, however many connections the relay holds. The sessions in `active` (whose connections
    sent something) are noted as active, as a request would, so typing keeps a session from idling out.
    """
    if not members:
        return {}
    with app.app_context():
        at = clock.now()
        sessions = {m.login_session_id for m in members}
        _note_activity(sessions & active, at)
        live = set(db.session.scalars(
            select(LoginSession.id).join(User, User.id == LoginSession.user_id).where(
                LoginSession.id.in_(sessions), LoginSession.ended_at.is_(None), User.deleted_at.is_(None),
                LoginSession.last_seen_at > at - timedelta(seconds=app.config["IDLE_TIMEOUT"]))))
        memberships = db.session.execute(
            select(Membership.couple_id, Membership.user_id, Membership.current, Couple.status)
            .join(Couple, Couple.id == Membership.couple_id)
            .where(Membership.couple_id.in_({m.couple_id for m in members}))).all()
        # Rows, not User objects: presence_flows reads only id and share_presence (many connections, every recheck).
        people = {row.id: row for row in db.session.execute(
            select(User.id, User.share_presence).where(User.id.in_({row.user_id for row in memberships})))}
        in_space = users_in_space(people)
        db.session.commit()  # end the read transaction: the next recheck sees newer commits
        couples: dict[int, list] = {}
        for row in memberships:
            couples.setdefault(row.couple_id, []).append(row)
        answer = {}
        for member in members:
            rows = couples.get(member.couple_id, [])
            me = next((row for row in rows if row.user_id == member.user_id), None)
            if member.login_session_id not in live or me is None:
                continue
            may_write = me.current and me.status == Couple.LINKED
            partner = next((people[row.user_id] for row in rows if row.user_id != member.user_id), None)
            answer[(member.login_session_id, member.couple_id)] = (
                may_write, may_write and presence_flows(people[member.user_id], partner, in_space))
        return answer


def _note_activity(sessions: set[str], at) -> None:
    """Note these sessions as active, as a request would (at most every ACTIVITY_NOTED_EVERY seconds each).

    Read first, write only when some session is due: a write takes SQLite's one write lock, which the
    relay's writer thread needs for every commit of the partners' edits.
    """
    due = at - timedelta(seconds=ACTIVITY_NOTED_EVERY)
    stale = set(db.session.scalars(select(LoginSession.id).where(
        LoginSession.id.in_(sessions), LoginSession.ended_at.is_(None), LoginSession.last_seen_at < due)))
    if stale:
        db.session.execute(update(LoginSession).where(LoginSession.id.in_(stale)).values(last_seen_at=at))
    db.session.commit()


def document_marks(app: Flask, document_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """(newest log row id, newest signature id, log rows) of each document, in two queries (in a worker thread)."""
    if not document_ids:
        return {}
    with app.app_context():
        logs = {document_id: (newest, rows) for document_id, newest, rows in db.session.execute(
            select(DocumentUpdate.document_id, func.max(DocumentUpdate.id), func.count(DocumentUpdate.id))
            .where(DocumentUpdate.document_id.in_(document_ids)).group_by(DocumentUpdate.document_id)).all()}
        signatures = dict(db.session.execute(
            select(Signature.document_id, func.max(Signature.id))
            .where(Signature.document_id.in_(document_ids)).group_by(Signature.document_id)).all())
        marks = {}
        for i in document_ids:
            newest, rows = logs.get(i, (0, 0))
            marks[i] = (newest, signatures.get(i, 0), rows)
        return marks
