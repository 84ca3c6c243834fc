"""Configuration classes, read from the environment.

`APP_ENV` picks the class (`development` by default, `production`, `testing`). Every
setting that differs between machines comes from an environment variable; nothing secret
is a constant in code.
"""
import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def instance_secret(instance_path: str) -> str:
    """Return the secret key kept in ``instance/secret_key``, creating it on first use.

    A development install then keeps its sessions across restarts without anyone
    choosing a secret, and the secret never lives in the repository.
    """
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        key = secrets.token_hex(32)
        fh.write(key)
    return key


class Config:
    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: an SQLite file in the instance folder (see app.db.default_url).
    DATABASE_URL = os.environ.get("DATABASE_URL")
    # Optional read replica for the reference group's reports and exports (PostgreSQL
    # streaming replica); unset, reports read the primary.
    REPORTS_DATABASE_URL = os.environ.get("REPORTS_DATABASE_URL")
    # Connections per worker process: pool size plus overflow must stay under PostgreSQL's
    # max_connections divided by the number of processes (docs/deploy.md).
    DB_POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "5"))
    DB_MAX_OVERFLOW = int(os.environ.get("DB_MAX_OVERFLOW", "5"))
    REDIS_URL = os.environ.get("REDIS_URL")
    # How long SQLite waits for a lock before giving up, in milliseconds.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000"))

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Flask-Babel resolves relative directories against the app package, so be absolute.
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent / "translations")

    # A submission is at most a few answers of 5 000 characters: 512 KiB leaves room for
    # percent-encoded Arabic or Chinese text and refuses anything larger with a 413.
    MAX_CONTENT_LENGTH = 512 * 1024
    MAX_FORM_PARTS = 200
    # Attachments to a view (issue #21): how many files, how large each and together.
    # A request carrying files may be as large as they are together, plus the form.
    ATTACHMENT_MAX_FILES = int(os.environ.get("ATTACHMENT_MAX_FILES", "3"))
    ATTACHMENT_MAX_MB = float(os.environ.get("ATTACHMENT_MAX_MB", "10"))
    ATTACHMENT_TOTAL_MB = float(os.environ.get("ATTACHMENT_TOTAL_MB", "20"))
    # Where the files are kept (app.storage): default `attachments` in the instance folder.
    # Every node must see the same folder (docs/deploy.md: a mounted volume).
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR")
    # The CSRF token of a public form: long enough to write a considered view on a phone.
    CSRF_TIME_LIMIT_MINUTES = int(os.environ.get("CSRF_TIME_LIMIT_MINUTES", "180"))

    # Staff accounts: a second factor for admins and moderators (off only in development
    # unless asked), sessions that end after 30 minutes without activity, and lockout.
    REQUIRE_2FA = _bool("REQUIRE_2FA", True)
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "30"))
    # The staff session cookie itself expires after the same idle time (the server also
    # checks it on every request, see app/__init__.py).
    PERMANENT_SESSION_LIFETIME = dt.timedelta(minutes=STAFF_IDLE_MINUTES)
    # However active, a staff session ends this many hours after signing in.
    STAFF_SESSION_HOURS = float(os.environ.get("STAFF_SESSION_HOURS", "12"))
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "5"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    # A claimed batch of submissions is released after this many minutes.
    CLAIM_MINUTES = int(os.environ.get("CLAIM_MINUTES", "30"))

    # Rate limits (Flask-Limiter), per client address. Shared by every worker and node when
    # REDIS_URL is set, per process otherwise. RATELIMIT_ENABLED=false turns them off (load
    # tests). The trade-off: a workshop of 50 people behind one NAT address sends about
    # 50 views in an hour, a few a minute; 10 a minute and 120 an hour let that through
    # while a single-address bot is held to 120 an hour. Raise them for a larger event.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Retry-After is set on 429s by app.errors; the extension's own headers would put it
    # on every response.
    RATELIMIT_HEADERS_ENABLED = False
    # Several deployments (or test runs) can share one Redis with their own prefixes.
    RATELIMIT_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "unu")
    CACHE_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "unu") + ":cache"
    # A Redis that hangs must not hang requests: short timeouts, then limits are skipped
    # (RATELIMIT_SWALLOW_ERRORS) and counts computed without the cache.
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    RATELIMIT_SWALLOW_ERRORS = True  # Redis down: let requests through, do not fail them
    SUBMIT_RATE_LIMIT = os.environ.get("SUBMIT_RATE_LIMIT", "10 per minute;120 per hour")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;60 per hour")
    RECEIPT_RATE_LIMIT = os.environ.get("RECEIPT_RATE_LIMIT", "60 per minute")
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")
    # Open data downloads stream every published view of a round from the database.
    DOWNLOAD_RATE_LIMIT = os.environ.get("DOWNLOAD_RATE_LIMIT", "10 per minute;60 per hour")
    # A view sent less than this many seconds after the form was shown is flagged for
    # moderators (never dropped: fast typists and pasted texts exist).
    MIN_FILL_SECONDS = float(os.environ.get("MIN_FILL_SECONDS", "3"))
    # A write that waited longer than this in the proxy's queue gets a fast 503.
    OVERLOAD_QUEUE_SECONDS = float(os.environ.get("OVERLOAD_QUEUE_SECONDS", "5"))
    # Counts that scan many rows are cached: the queue's counts per status and keywords, the
    # reports' counts. CACHE_BACKEND says where: `redis` (the default with REDIS_URL: every
    # node), `files` (the default without it: instance/cache, every worker of this machine)
    # or `memory` (each process its own).
    CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "")
    CACHE_DIR = os.environ.get("CACHE_DIR")  # files: default instance/cache/<database>
    COUNTS_CACHE_SECONDS = int(os.environ.get("COUNTS_CACHE_SECONDS", "15"))
    REPORTS_CACHE_SECONDS = int(os.environ.get("REPORTS_CACHE_SECONDS", "60"))
    # Small-cell suppression: with a filter on gender or age, the reference group sees
    # any count under this as "< N" (app.services.reporting.reports.suppressed).
    MIN_CELL_COUNT = int(os.environ.get("MIN_CELL_COUNT", "5"))
    # The Word summary of a code quotes every view up to this many; above, a sample
    # stratified by actor type and region (the reports page lists them all).
    SUMMARY_MAX_VIEWS = int(os.environ.get("SUMMARY_MAX_VIEWS", "3000"))
    # How many proxies in front of the app set X-Forwarded-For (nginx: 1). 0 trusts none.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Email to contributors (the outbox, `flask --app wsgi outbox send`). Without
    # MAIL_SERVER nothing is sent: admins see the queued messages in the admin panel.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "consultation@localhost")

    # Every absolute link (feeds, private links in API answers and on the manage page,
    # emails) starts with this address, never with the request's Host header; e.g.
    # https://consultation.example.org. Required in production.
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "").strip() or None
    # Host names this site answers to (comma-separated, ports ignored); PUBLIC_BASE_URL's
    # host always is one. Any other Host header gets a 400.
    ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    JSON_SORT_KEYS = False

    @classmethod
    def check(cls) -> None:
        """Refuse to start with settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    REQUIRE_2FA = _bool("REQUIRE_2FA", False)
    # `make run` serves here; the loopback names both work.
    PUBLIC_BASE_URL = Config.PUBLIC_BASE_URL or "http://127.0.0.1:5000"
    ALLOWED_HOSTS = Config.ALLOWED_HOSTS or "localhost,127.0.0.1"


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    # Limits stay on (the code path runs in every test) but high: tests send many requests
    # from one address. The rate-limit tests lower them.
    RATELIMIT_STORAGE_URI = "memory://"
    SUBMIT_RATE_LIMIT = LOGIN_RATE_LIMIT = RECEIPT_RATE_LIMIT = API_RATE_LIMIT = \
        DOWNLOAD_RATE_LIMIT = "100000 per minute"
    # Tests check counts right after writes (reference data follows its version anyway).
    CACHE_BACKEND = "memory"
    COUNTS_CACHE_SECONDS = REPORTS_CACHE_SECONDS = 0
    SECRET_KEY = "testing-only-secret"  # noqa: S105 - the test suite's, never deployed
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
    # Flask's test client sends `Host: localhost`; the browser tests' server is 127.0.0.1.
    PUBLIC_BASE_URL = "http://localhost"
    ALLOWED_HOSTS = "localhost,127.0.0.1"


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def check(cls) -> None:
        # Several gunicorn nodes must share one key, so production never generates one.
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 32:
            raise RuntimeError("SECRET_KEY must be set (32 characters or more) in production.")
        if not cls.DATABASE_URL:
            raise RuntimeError("DATABASE_URL must be set in production.")
        if not base_url_host(cls.PUBLIC_BASE_URL):
            raise RuntimeError("PUBLIC_BASE_URL must be set in production, e.g. "
                               "https://consultation.example.org.")


def base_url_host(url: str | None) -> str | None:
    """The host name of an http(s) base URL, or None if it is not one."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.lower()


def trusted_hosts(public_base_url: str | None, allowed_hosts: str) -> list[str] | None:
    """The host names requests may carry: ALLOWED_HOSTS and PUBLIC_BASE_URL's host.
    None (any host) only when neither is set."""
    hosts = [h.strip().lower().rsplit(":", 1)[0] if h.strip().count(":") == 1
             else h.strip().lower() for h in (allowed_hosts or "").split(",") if h.strip()]
    own = base_url_host(public_base_url)
    if own:
        hosts.append(own)
    return sorted(set(hosts)) or None


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def from_env() -> type[Config]:
    name = os.environ.get("APP_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from None
