"""The one place that knows about the database engine.

Holds the declarative `Base` (with a naming convention so that Alembic migrations name
constraints the same on SQLite and PostgreSQL), the scoped session used by views, the
CLI and tests, and the engine settings of each database:

* SQLite: WAL journal, ``synchronous=FULL`` (an acknowledged submission survives a power
  cut), foreign keys on, a busy timeout, and transactions begun by us rather than by the
  sqlite3 module, so that SAVEPOINT works and a request that writes takes the write lock
  up front (``BEGIN IMMEDIATE``) instead of failing halfway with "database is locked".
* PostgreSQL (psycopg 3): a pre-pinged, bounded pool.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every engine.

    SQLite has no time zones: values are stored as naive UTC and come back aware, so that
    code never compares naive with aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class utc_date(FunctionElement):  # noqa: N801 - used like a SQL function
    """The UTC calendar date of a timestamp column, on SQLite and PostgreSQL alike."""

    type = Date()
    inherit_cache = True


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element: utc_date, compiler: Any, **kw: Any) -> str:
    return f"date(timezone('UTC', {compiler.process(element.clauses, **kw)}))"


@compiles(utc_date, "sqlite")
def _utc_date_sqlite(element: utc_date, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


# Set while handling a request or command that writes; read when SQLite begins a transaction.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Within a GET (a download that records itself in the audit log): the transactions
    begun inside take SQLite's write lock up front, as a POST's do, and later ones read
    again."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def default_url(instance_path: str) -> str:
    path = Path(instance_path) / "platform.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 5,
                max_overflow: int = 5) -> Engine:
    """Create an engine with the settings this application relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size,
                         max_overflow=max_overflow, pool_recycle=1800, pool_timeout=10)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def bulk_insert(session: Any, table: Any, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert many rows fast, in the session's transaction: COPY on PostgreSQL (an
    executemany there sends a statement a row), the driver's own executemany on SQLite,
    with values as SQLAlchemy would bind them (naive UTC datetimes as text): less than
    half the CPU of an ORM bulk insert. Used by the demo seed and campaign rebuilds.
    Table and column names come from our models, never from input."""
    if not rows:
        return
    connection = session.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608  # nosec B608
                    [tuple(_sqlite_value(v) for v in row) for row in rows])


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(
            sep=" ", timespec="microseconds")
    return value


class Database:
    """The engines and scoped sessions of the running application.

    `session` is the primary's, for everything that writes. `reports_session` reads the
    reference group's reports and exports from a replica when REPORTS_DATABASE_URL is set,
    and is the primary's session otherwise.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.reports_engine: Engine | None = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))
        self._reports_session = scoped_session(sessionmaker(expire_on_commit=False))

    @property
    def reports_session(self) -> Any:
        return self._reports_session if self.reports_engine is not None else self.session

    def init_app(self, app: Any) -> None:
        url = app.config.get("DATABASE_URL") or default_url(app.instance_path)
        options = {"busy_timeout_ms": app.config["SQLITE_BUSY_TIMEOUT_MS"],
                   "pool_size": app.config["DB_POOL_SIZE"],
                   "max_overflow": app.config["DB_MAX_OVERFLOW"]}
        self.engine = make_engine(url, **options)
        self.session.remove()
        self.session.configure(bind=self.engine)
        self._reports_session.remove()
        replica = app.config.get("REPORTS_DATABASE_URL")
        self.reports_engine = make_engine(replica, **options) if replica else None
        if self.reports_engine is not None:
            self._reports_session.configure(bind=self.reports_engine)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()
            self._reports_session.remove()

    def ping(self) -> bool:
        """True when the database (and the reports replica, if any) answers a query."""
        for engine in filter(None, (self.engine, self.reports_engine)):
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception:  # noqa: BLE001 - any failure means "not reachable"
                return False
        return True


db = Database()
