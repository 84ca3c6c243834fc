"""Shape of the blind evaluation set for suggested principles and commitments (issue #17).

tests/data/suggest_eval_blind.jsonl was written without looking at the lexicon, the
suggestion code or the earlier evaluation set, so that it measures suggestions honestly.
It must never be used to train a model or to build the lexicon: these tests only check
that it stays large, balanced and well formed."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EVAL_SET = ROOT / "tests" / "data" / "suggest_eval_blind.jsonl"
TAXONOMY = ROOT / "app" / "data" / "taxonomy.json"
LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
KEYS = {"id", "scenario", "lang", "principles", "commitments", "text"}
PER_LANGUAGE = 36
MIN_VIEWS = 216
MIN_PER_CODE = 24
MAX_PER_SCENARIO = 3
MAX_TEXT = 1000


def _codes(group: str) -> set[str]:
    taxonomy = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    return {item["code"] for item in taxonomy[group]}


@pytest.fixture(scope="module")
def views() -> list[dict]:
    lines = EVAL_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_view_has_exactly_the_expected_keys(views):
    for view in views:
        assert set(view) == KEYS, view.get("id")
        assert isinstance(view["scenario"], int), view["id"]


def test_size_and_languages(views):
    assert len(views) >= MIN_VIEWS
    per_language = Counter(view["lang"] for view in views)
    assert per_language == {lang: PER_LANGUAGE for lang in LANGUAGES}


def test_ids_are_unique_and_name_their_language(views):
    ids = [view["id"] for view in views]
    assert len(ids) == len(set(ids))
    for view in views:
        assert view["id"].startswith(f"{view['lang']}-b"), view["id"]


@pytest.mark.parametrize("group", ["principles", "commitments"])
def test_codes_are_valid_and_every_view_has_one(views, group):
    valid = _codes(group)
    for view in views:
        codes = view[group]
        assert codes, f"{view['id']} has no {group}"
        assert len(codes) == len(set(codes)), view["id"]
        assert set(codes) <= valid, view["id"]


@pytest.mark.parametrize("group", ["principles", "commitments"])
def test_every_code_is_well_represented(views, group):
    counts = Counter(code for view in views for code in view[group])
    for code in sorted(_codes(group)):
        assert counts[code] >= MIN_PER_CODE, (code, counts[code])
        languages = {view["lang"] for view in views if code in view[group]}
        assert languages == set(LANGUAGES), (code, sorted(languages))


def test_scenarios_are_told_at_most_three_times(views):
    per_scenario = Counter(view["scenario"] for view in views)
    assert max(per_scenario.values()) <= MAX_PER_SCENARIO
    # Most situations are told once: the set is not one text in six translations.
    told_once = sum(1 for count in per_scenario.values() if count == 1)
    assert told_once > len(per_scenario) / 2
    for scenario in per_scenario:
        languages = [view["lang"] for view in views if view["scenario"] == scenario]
        assert len(languages) == len(set(languages)), scenario


def test_texts_are_short_and_not_empty(views):
    for view in views:
        text = view["text"]
        assert text.strip(), view["id"]
        assert len(text) < MAX_TEXT, view["id"]
    texts = [view["text"] for view in views]
    assert len(texts) == len(set(texts))
