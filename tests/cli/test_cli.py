"""The flask CLI: setup, taxonomy load, rounds create/list."""
from __future__ import annotations

import json

from sqlalchemy import func, select

from app.models import Round, StrategyVersion, TaxonomyItem


def test_taxonomy_load_is_idempotent(runner, session):
    first = runner.invoke(args=["taxonomy", "load"])
    assert first.exit_code == 0, first.output
    assert "43 items added" in first.output
    second = runner.invoke(args=["taxonomy", "load"])
    assert "0 items added, 0 updated" in second.output
    assert session.scalar(select(func.count()).select_from(TaxonomyItem)) == 43
    version = session.scalar(select(StrategyVersion))
    assert version.is_current and version.code == "2018"


def test_rounds_create_and_list(runner, session):
    runner.invoke(args=["taxonomy", "load"])
    result = runner.invoke(args=[
        "rounds", "create", "--title", "Youth round", "--question", "What matters?",
        "--opens", "2026-01-01T00:00Z", "--closes", "2099-01-01"])
    assert result.exit_code == 0, result.output
    created = session.scalar(select(Round))
    assert created.title == {"en": "Youth round"}
    assert [q.text for q in created.questions] == [{"en": "What matters?"}]
    listing = runner.invoke(args=["rounds", "list"])
    assert "open" in listing.output and "Youth round" in listing.output


def test_rounds_create_from_file_in_six_languages(runner, session, tmp_path):
    runner.invoke(args=["taxonomy", "load"])
    spec = {"title": {"en": "T", "ar": "ع", "zh": "题", "fr": "T", "ru": "Т", "es": "T"},
            "description": {"en": "D"}, "questions": [{"en": "Q?", "ar": "س؟"}],
            "opens_at": "2026-01-01T00:00:00+00:00", "closes_at": "2026-02-01T00:00:00+00:00"}
    path = tmp_path / "round.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["rounds", "create", "--file", str(path)])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(Round)).title["zh"] == "题"


def test_rounds_create_refuses_bad_dates(runner, session):
    runner.invoke(args=["taxonomy", "load"])
    result = runner.invoke(args=["rounds", "create", "--title", "x",
                                 "--opens", "2026-02-01", "--closes", "2026-01-01"])
    assert result.exit_code != 0
    assert "close after it opens" in result.output
    result = runner.invoke(args=["rounds", "create", "--title", "x", "--closes", "soon"])
    assert result.exit_code != 0
    assert session.scalar(select(func.count()).select_from(Round)) == 0


def test_rounds_create_needs_taxonomy(runner, session):
    result = runner.invoke(args=["rounds", "create", "--title", "x", "--closes", "2099-01-01"])
    assert result.exit_code != 0
    assert "Load the taxonomy" in result.output


def test_taxonomy_load_keeps_corrections_made_in_the_panel(runner, session):
    runner.invoke(args=["taxonomy", "load"])
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T06"))
    item.labels = {**item.labels, "fr": "Drones (corrigé)"}
    del item.labels["ru"]
    session.commit()
    result = runner.invoke(args=["taxonomy", "load"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T06"))
    assert item.labels["fr"] == "Drones (corrigé)"
    assert item.labels["ru"]  # a missing language is filled in again
    runner.invoke(args=["taxonomy", "load", "--refresh"])
    session.expire_all()
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T06"))
    assert item.labels["fr"] != "Drones (corrigé)"
