"""Fixtures: every test runs on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set.

Each database is created empty for the test session (a temporary SQLite file; a new
PostgreSQL database on the TEST_DATABASE_URL server, dropped at the end), its schema built
once, and each test runs inside a transaction that is rolled back afterwards: the views
under test commit into a SAVEPOINT, so they behave as in production and leave nothing.
"""
from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import app.models
from app import create_app
from app.db import Base, db, make_engine
from config import TestingConfig
from tests import factories


def _database_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("TEST_DATABASE_URL"):
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


@pytest.fixture(scope="session")
def server_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


def create_postgres_database(server_url: str) -> str:
    """Create a uniquely named database on the server of `server_url`; return its URL."""
    url = make_url(server_url)
    name = f"unu_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    assert name and re.fullmatch(r"unu_test_[0-9a-f]{12}", name)
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory, server_url):
    """A factory of empty databases of the kind named, dropped at the end of the session."""
    created: list[str] = []

    def make(kind: str) -> str:
        if kind == "sqlite":
            path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex}.db"
            return f"sqlite:///{path}"
        url = create_postgres_database(server_url)
        created.append(url)
        return url

    yield make
    for url in created:
        drop_postgres_database(server_url, url)


@pytest.fixture(scope="session", params=_database_params())
def database_url(request, empty_database) -> Iterator[str]:
    """A database of each kind with the schema built once for the whole session."""
    url = empty_database(request.param)
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url


@pytest.fixture()
def app(database_url, tmp_path):
    class Config(TestingConfig):
        DATABASE_URL = database_url

    application = create_app(Config)
    application.instance_path = str(tmp_path)
    engine = db.engine
    connection = engine.connect()
    outer = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    # No app context is pushed here: each request pushes its own and removes the session
    # at its end, as in production. Test code that needs one uses `app.app_context()`.
    yield application
    db.session.remove()
    outer.rollback()
    connection.close()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, empty_database, server_url, tmp_path):
    """An app on a brand-new, empty database (no schema: for setup, migrations, backups)."""
    if request.param == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")

    class Config(TestingConfig):
        DATABASE_URL = empty_database(request.param)

    application = create_app(Config)
    application.instance_path = str(tmp_path)
    yield application
    db.session.remove()
    db.engine.dispose()


@pytest.fixture()
def session(app):
    return db.session


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def taxonomy(session):
    return factories.load_taxonomy(session)


@pytest.fixture()
def open_round(session, taxonomy):
    return factories.make_round(session)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 at production cost takes ~0.1 s per hash; tests need the logic, not the cost."""
    from argon2 import PasswordHasher

    from app.services.accounts import users as users_service

    production = users_service._hasher
    users_service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users_service._hasher = production
