"""Alembic: an empty database upgrades to head, and the models have not drifted."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app import create_app
from app.db import Base, db
from app.migrate import alembic_config
from app.models.search import include_object
from config import TestingConfig


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, empty_database, server_url):
    if request.param == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")
    return empty_database(request.param)


def test_upgrade_from_empty_to_head_matches_models(fresh_url, tmp_path):
    class Config(TestingConfig):
        DATABASE_URL = fresh_url

    application = create_app(Config)
    application.instance_path = str(tmp_path)
    with application.app_context():
        command.upgrade(alembic_config(), "head")
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_object}),
                Base.metadata)
            tables = set(inspect(connection).get_table_names())
        assert diff == [], diff
        assert {"submissions", "personal_data", "taxonomy_items", "rounds"} <= tables
        command.downgrade(alembic_config(), "base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    db.engine.dispose()
