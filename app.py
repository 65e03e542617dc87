"""The application factory: `create_app()` is the only way an app is made."""
from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from flask import Flask, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from couples import ids
from couples.errors import DomainError
from extensions import BinaryMsgPackPacket, csrf, db, limiter, login_manager, migrate, socketio, talisman
from live import fair_reading

log = logging.getLogger(__name__)

# Calm words for every HTTP error: what happened, and that nothing changed.
ERROR_PAGES = {
    400: ("Please try again", "Something in that request wasn't right, or the form had expired. Nothing was changed."),
    403: ("Not possible", "That isn't something you can do here."),
    404: ("Not found", "We couldn't find that page."),
    405: ("Not possible", "That page can't be used this way."),
    413: ("Too long", "That was more than we can take in one go. Nothing was changed."),
    429: ("Let's slow down", "Too many tries in a short time. Please wait a few minutes and try again."),
    500: ("Something went wrong", "Something went wrong on our side. What you saved before is safe."),
}

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Turn on WAL and foreign keys for every SQLite connection (other databases are left alone)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL still survives a killed process (a commit is in the WAL before it returns);
        # only a power cut can lose the last commits. FULL would fsync every commit, which alone
        # costs more than a whole live update.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from Config, with `test_config` laid over it when given (flaskr's contract): a mapping
    changes only what it names, so a benchmark or a live server keeps the real settings; the test suite
    passes its own settings explicitly (tests/conftest.py, TEST_SETTINGS)."""
    app = Flask(__name__, instance_path=str(config.INSTANCE))
    app.config.from_object(config.Config)
    app.config.update(test_config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config._secret_key()

    app.session_interface = SocketAwareSessionInterface()
    from agreements import shape
    shape.set_max_text(app.config["AGREEMENTS_MAX_AGREEMENT_CHARS"])
    app.url_map.converters["int"] = ids.DatabaseIdConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.INSTANCE.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    app.after_request(_relay_may_be_reached)  # registered first, so it runs after Talisman's headers are set
    talisman.init_app(
        app,
        force_https=False,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CSP,
        content_security_policy_nonce_in=[],
        frame_options="DENY",
        referrer_policy="no-referrer",
        strict_transport_security=app.config["PRODUCTION"],
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()", "interest-cohort": "()"},
    )
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_PAYLOAD"],
        serializer=BinaryMsgPackPacket if app.config["SOCKETIO_SERIALIZER"] == "msgpack" else "default",
        async_handlers=False,
        transports=["websocket"],
        always_connect=False,
        logger=False,
        engineio_logger=False,
    )
    fair_reading.install(socketio.server.eio)  # one client sending flat out must not hold the process (gevent)
    _require_origin(socketio.server.eio)
    _register(app)
    _init_pages(app)
    if app.config["TRUSTED_PROXIES"]:
        # Outermost, so pages and socket handshakes alike see the address the proxies saw.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _relay_may_be_reached(response):
    """Let pages open the relay's WebSocket: its origin joins the policy's connect-src."""
    from relay.address import relay_origins

    policy = response.headers.get("Content-Security-Policy")
    if policy:
        response.headers["Content-Security-Policy"] = policy.replace(
            "connect-src 'self'", f"connect-src 'self' {' '.join(relay_origins())}", 1)
    return response


class SocketAwareSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session. A socket's events use the copy of it Flask-SocketIO took at connect
    (environ["saved_session"]), so the cookie is not decoded and verified again for every event."""

    def open_session(self, app, request):
        saved = request.environ.get("saved_session")
        return saved if saved is not None else super().open_session(app, request)


def _require_origin(eio_server) -> None:
    """Refuse a socket handshake that does not say where it comes from, on every namespace: Engine.IO checks the
    Origin against the allowed ones only when there is one, and browsers always send it."""
    handle_request = eio_server.handle_request

    def handle_with_origin(environ, start_response):
        if not environ.get("HTTP_ORIGIN"):
            log.info("socket handshake without an Origin refused from %s", environ.get("REMOTE_ADDR"))
            start_response("400 BAD REQUEST", [("Content-Type", "text/plain")])
            return [b"Not an accepted origin."]
        return handle_request(environ, start_response)

    eio_server.handle_request = handle_with_origin


def _init_login(app: Flask) -> None:
    """Flask-Login: a user is loaded only through a live, not idle, login session."""
    from couples import accounts
    from couples.models import User

    login_manager.init_app(app)
    login_manager.login_view = "couples.login"
    login_manager.login_message = "Please sign in first."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        login = accounts.live_session(session.get("login_session"))
        if login is None or str(login.user_id) != user_id:
            return None
        return login.user


def _register(app: Flask) -> None:
    """Blueprints and Socket.IO namespaces of every feature."""
    from agreements import events as agreements_events
    from agreements.service import create_first_document
    from agreements.views import bp as agreements_bp
    from apology.views import bp as apology_bp
    from couples.events import NAMESPACE, CoupleNamespace, announce_unlinked
    from couples.linking import couple_linked, couple_unlinked
    from couples.views import bp as couples_bp
    from dialogue.events import NAMESPACE as DIALOGUE_NAMESPACE, DialogueNamespace
    from dialogue.views import bp as dialogue_bp
    from ledger.views import bp as ledger_bp
    from privacy.views import bp as privacy_bp

    app.register_blueprint(couples_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(dialogue_bp)
    app.register_blueprint(apology_bp)
    socketio.on_namespace(CoupleNamespace(NAMESPACE))
    socketio.on_namespace(agreements_events.AgreementsNamespace(agreements_events.NAMESPACE))
    socketio.on_namespace(DialogueNamespace(DIALOGUE_NAMESPACE))
    socketio.on_error_default(_unexpected_socket_error)
    couple_linked.connect(create_first_document)
    couple_unlinked.connect(announce_unlinked)


def _unexpected_socket_error(error: Exception) -> dict:
    """A handler raised what no refusal covers: log it with its traceback, answer calmly like any refusal."""
    from live.namespace import refuse

    log.exception("socket event %r on %s failed for user %s", getattr(request, "event", {}).get("message"),
                  getattr(request, "namespace", None), getattr(current_user, "id", None), exc_info=error)
    return refuse(DomainError("Something went wrong on our side. What you saved before is safe.", code="internal"))


def _init_pages(app: Flask) -> None:
    """Shared template values, cache headers and calm error pages."""

    from relay.address import relay_url

    @app.context_processor
    def shared_values():
        return {"quick_exit_url": app.config["QUICK_EXIT_URL"], "idle_timeout": app.config["IDLE_TIMEOUT"],
                "relay_url": relay_url}

    @app.after_request
    def no_store(response):
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    def page(status: int, title: str, message: str):
        return render_template("errors/error.html", title=title, message=message), status

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        log.info("refused %s %s for user %s: %s", request.method, request.path,
                 getattr(current_user, "id", None), exc.code)
        html, status = page(exc.status, "That didn't work", str(exc))
        return html, status, exc.headers

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return page(400, *ERROR_PAGES[400])

    def http_error(exc):
        if exc.code == 404:  # refusals of other people's things are 404s too: keep a trace of them
            log.info("not found: %s %s for user %s", request.method, request.path, getattr(current_user, "id", None))
        return page(exc.code, *ERROR_PAGES[exc.code])

    for status in ERROR_PAGES:
        app.register_error_handler(status, http_error)
