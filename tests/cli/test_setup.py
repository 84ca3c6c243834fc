"""`flask setup` on a brand-new database: migrate, load the taxonomy, create a demo round."""
from __future__ import annotations

from sqlalchemy import func, select

from app.db import db
from app.models import Round, TaxonomyItem
from app.services.platform import rounds


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
