"""`flask setup` on a brand-new database: migrate, load the taxonomy, create a demo round."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import create_app
from app.db import db
from app.models import Round, TaxonomyItem
from app.services import rounds
from config import TestingConfig


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, empty_database, server_url, tmp_path):
    if request.param == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")

    class Config(TestingConfig):
        DATABASE_URL = empty_database(request.param)

    application = create_app(Config)
    application.instance_path = str(tmp_path)
    yield application
    db.session.remove()
    db.engine.dispose()


def test_setup_is_idempotent_and_leaves_an_open_round(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "Created demo round" in first.output
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0, second.output
    assert "Created demo round" not in second.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 1
        assert db.session.scalar(select(func.count()).select_from(TaxonomyItem)) == 43
        [demo] = rounds.open_rounds(db.session)
        assert set(demo.title) == {"ar", "zh", "en", "fr", "ru", "es"}
        assert all(set(q.text) == set(demo.title) for q in demo.questions)
    client = fresh_app.test_client()
    for lang in ("ar", "zh", "en", "fr", "ru", "es"):
        html = client.get(f"/{lang}/submit").get_data(as_text=True)
        assert 'name="csrf_token"' in html, lang
