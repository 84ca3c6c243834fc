"""`flask strategy import FILE [--publish]` and `flask setup` loading the sample text."""
from __future__ import annotations

import copy
import json

from sqlalchemy import func, select

from app.db import db
from app.models import StrategyChange, StrategyEdition, StrategyParagraph
from app.services.strategy import sample


def _counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (StrategyEdition, StrategyParagraph, StrategyChange))


def test_import_reports_every_problem_and_stores_nothing(app, runner, taxonomy, tmp_path):
    with app.app_context():
        sample.ensure_sample(db.session)
        db.session.commit()
        before = _counts()
    bad = copy.deepcopy(sample.build())
    bad["paragraphs"][0]["text"] = {"en": "x" * 10_001}
    bad["paragraphs"][1]["section"] = "preamble"
    bad["sections"].append({"key": "Bad Key", "title": {}})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(args=["strategy", "import", str(path), "--publish"])
    assert result.exit_code == 1
    for expected in ("label: A version with this label exists already",
                     "paragraphs[0].text.en: Use at most 10000 characters",
                     "paragraphs[1].section: Name one of the sections",
                     "sections[2].key: Use lower-case letters",
                     "sections[2].title: Write this text in one language at least",
                     "nothing was stored"):
        assert expected in result.output, result.output
    with app.app_context():
        assert _counts() == before


def test_import_publishes_and_becomes_the_current_version(app, runner, taxonomy, tmp_path):
    doc = sample.build()
    doc["label"] = "2027"
    doc["paragraphs"][1]["text"]["en"] = "A revised paragraph."
    doc["paragraphs"][1]["change"] = {"explanation": {"en": "Clearer."}, "codes": ["P2"]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(args=["strategy", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "saved as a draft" in result.output
    listed = runner.invoke(args=["strategy", "list"])
    assert listed.output.startswith("2027\tdraft")
    doc["label"] = "2028"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = runner.invoke(args=["strategy", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "published" in result.output
    assert "2028\tcurrent" in runner.invoke(args=["strategy", "list"]).output


def test_setup_loads_the_sample_text_once(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "Loaded the sample strategy text 2018" in first.output
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0, second.output
    assert "sample strategy" not in second.output
    with fresh_app.app_context():
        assert _counts() == (1, 9, 0)
    html = fresh_app.test_client().get("/ar/strategy").get_data(as_text=True)
    assert "تشجيع الإدماج والشفافية" in html and 'href="/ar/submit?paragraph=principles.p2"' in html
