"""Configuration read from the environment. create_app() starts from Config and lays a given mapping over it."""
import os
import secrets
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent / "instance"


def _secret_key() -> str:
    """Return SECRET_KEY from the environment, or one kept in instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes" are true)."""
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


# The connection budget of one process (ARCHITECTURE.md, "Budgets"). One relay process holds 1,000 couples
# typing, 2,000 people; as many app processes as relays serve their pages. A page holds one Socket.IO WebSocket
# on its app process (its namespaces share it), a document page one relay WebSocket too. Say three tabs each:
# 6,000 sockets on an app process, plus 2,000 page loads at once = 8,000; a relay, two document tabs each:
# 4,000, twice that for reconnects racing the old sockets' close = 8,000. gunicorn's gevent worker accepts
# at most `worker_connections` (1,000 by default, gunicorn.conf.py raises it); the relay has no such cap.
APP_CONNECTIONS = int(os.environ.get("APP_CONNECTIONS", 8000))
RELAY_CONNECTIONS = int(os.environ.get("RELAY_CONNECTIONS", 8000))
# Each connection is an open file; a process also holds its database pool, logs, libraries and listeners.
FILES_BESIDE_CONNECTIONS = 256


def allow_open_files(connections: int) -> int:
    """Raise this process's soft open-files limit (often 1,024) towards what `connections` sockets need, up to the
    hard limit; return the limit now in force."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + FILES_BESIDE_CONNECTIONS
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft


class Config:
    """Settings for `make run` and production; every value can be set from the environment."""

    PRODUCTION = os.environ.get("APP_ENV", "development") == "production"
    SECRET_KEY = None  # filled in by create_app through _secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'app.sqlite'}"
    # One gevent process serves every connection: each handler that reads the database holds a pooled
    # connection until it commits, so the pool is sized for many at once (and at most 50 per process).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {
        "pool_size": int(os.environ.get("DATABASE_POOL_SIZE", 10)),
        "max_overflow": int(os.environ.get("DATABASE_POOL_OVERFLOW", 40)),
    }

    # Sessions: HttpOnly and SameSite always; Secure and the __Host- prefix in production (needs HTTPS).
    SESSION_COOKIE_NAME = "__Host-session" if PRODUCTION else "session"
    SESSION_COOKIE_SECURE = PRODUCTION
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 0
    IDLE_TIMEOUT = int(os.environ.get("IDLE_TIMEOUT", 30 * 60))  # seconds without activity before logout

    # Password hashing (argon2id). The defaults follow the argon2 RFC's second recommended option.
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", 64 * 1024))
    # Password checks that may wait for a hashing thread (beyond those running) before a sign-in, sign-up or
    # re-entered password is refused with a calm 503 and Retry-After. At this cost one hash takes about 0.1 s
    # on one thread (2 cores: one for the loop), so 16 waiting is at most about 2 s of waiting.
    PASSWORD_QUEUE_MAX = int(os.environ.get("PASSWORD_QUEUE_MAX", 16))

    # Rate limits (Flask-Limiter). Short windows: an attacker cannot lock the real person out for long.
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get(
        "SOCKETIO_MESSAGE_QUEUE", "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = False
    # Wrong passwords per account from browsers it never signed in on, and per browser that it did (each
    # has its own budget, so nobody can keep her out by guessing at her address); only failures count.
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "6 per 5 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per 5 minutes")
    SIGNUP_LIMIT_PER_ADDRESS = os.environ.get("SIGNUP_LIMIT_PER_ADDRESS", "10 per hour")
    JOIN_LIMIT_PER_ADDRESS = os.environ.get("JOIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")

    # The cookie that marks a browser as one the account signed in on (its own budget of wrong passwords).
    DEVICE_COOKIE_NAME = "__Host-device" if PRODUCTION else "device"
    DEVICE_COOKIE_DAYS = int(os.environ.get("DEVICE_COOKIE_DAYS", 180))
    # Proxies (load balancers) in front of the app that set X-Forwarded-For/-Proto: per-address limits
    # then count the address they saw. 0: requests come straight from the browser, headers are ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", 0))

    # Invitations
    INVITATION_HOURS = 72

    # Socket.IO: gevent in production; the Origin must match the host unless listed here.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    SOCKETIO_ALLOWED_ORIGINS = [o for o in os.environ.get("SOCKETIO_ALLOWED_ORIGINS", "").split(",") if o] or None
    SOCKETIO_MAX_PAYLOAD = 512 * 1024
    # A socket's login session and write access are read again at most this often while it sends events;
    # in between, revocation is pushed (the affected sockets are closed on every process).
    SOCKET_RECHECK_SECONDS = float(os.environ.get("SOCKET_RECHECK_SECONDS", 10))
    # A partner still counts as here this long after their last page closed, so going from page to page
    # never shows as leaving.
    PRESENCE_GRACE_SECONDS = float(os.environ.get("PRESENCE_GRACE_SECONDS", 10))
    # Several processes append to the documents' logs (they share rooms through the message queue): each
    # reads what the others committed before using a document. One process alone needs no such read.
    AGREEMENTS_SHARED_LOG = _flag("AGREEMENTS_SHARED_LOG", SOCKETIO_MESSAGE_QUEUE is not None)
    SOCKETIO_SERIALIZER = "msgpack"
    # Per socket: events per second on average and at once (over that: `slow_down`; two bursts refused
    # within 10 s: disconnected), and agreements documents open at once (over that: `too_many_documents`).
    SOCKET_EVENTS_PER_SECOND = float(os.environ.get("SOCKET_EVENTS_PER_SECOND", 100))
    SOCKET_EVENTS_BURST = int(os.environ.get("SOCKET_EVENTS_BURST", 400))
    AGREEMENTS_MAX_OPEN_DOCUMENTS = int(os.environ.get("AGREEMENTS_MAX_OPEN_DOCUMENTS", 8))
    # Encoded state of one agreements document; past it, only deletions are accepted (`document_full`).
    AGREEMENTS_MAX_DOCUMENT_BYTES = int(os.environ.get("AGREEMENTS_MAX_DOCUMENT_BYTES", 2 * 1024 * 1024))
    # Characters one agreement may hold: the editor's own limit. Only trace replays of one long text raise it.
    AGREEMENTS_MAX_AGREEMENT_CHARS = int(os.environ.get("AGREEMENTS_MAX_AGREEMENT_CHARS", 2000))

    # The relay (`python -m relay`) serves the agreements documents' live channel as plain WebSockets.
    # RELAY_URL is where pages connect (e.g. wss://example.org/relay behind a reverse proxy); unset, the
    # page's own host on RELAY_PORT. Several relay processes: their URLs, separated by spaces or commas;
    # each document goes to one, by its id modulo their number (relay/address.py, ARCHITECTURE.md). APP_URL is the origin of the pages, the one the relay lets in
    # (with SOCKETIO_ALLOWED_ORIGINS, and any origin equal to the relay's own host).
    RELAY_PORT = int(os.environ.get("RELAY_PORT", 5050))
    RELAY_URL = os.environ.get("RELAY_URL") or None
    APP_URL = os.environ.get("APP_URL", "http://127.0.0.1:5000").rstrip("/")
    # How often the relay reads again, in one query, whether its connections' sessions and couples still hold.
    RELAY_RECHECK_SECONDS = float(os.environ.get("RELAY_RECHECK_SECONDS", 0.5))

    # Where the quick exit goes: a neutral, everyday site.
    QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.wikipedia.org/")

    # Time sources; tests replace them to move the clock without sleeping (NOW: wall clock, MONOTONIC: seconds).
    NOW = None
    MONOTONIC = None

    MAX_CONTENT_LENGTH = 1024 * 1024  # no form of ours needs more; larger bodies get a 413
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which idles out on its own

