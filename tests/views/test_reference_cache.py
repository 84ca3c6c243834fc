"""The per-process copies of the rounds, the taxonomy and the strategy's current paragraphs
(app.reference): frozen values,
rebuilt when the version of their kind stored in the database moves, and moved in the
same transaction as any change to those rows."""
from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import func, select

from app import reference
from app.db import db
from app.models import (
    ItemKind,
    ReferenceVersion,
    Round,
    StrategyParagraph,
    Submission,
    SubmissionTag,
    TaxonomyItem,
)
from app.models.reference import STRATEGY
from app.services.strategy import sample
from tests.factories import make_submission, submission_data
from tests.helpers import form_post, login, web_form
from tests.views.test_admin import edit_form


def _versions(session) -> dict[str, int]:
    return dict(session.execute(select(ReferenceVersion.kind, ReferenceVersion.version)).all())


@pytest.fixture()
def loads(app, monkeypatch):
    """How many times each kind was built from the database."""
    counted = dict.fromkeys(reference._LOADERS, 0)
    for kind, loader in list(reference._LOADERS.items()):
        def counting(kind=kind, loader=loader):
            counted[kind] += 1
            return loader()
        monkeypatch.setitem(reference._LOADERS, kind, counting)
    return counted


def test_the_copies_are_frozen_values_not_orm_objects(app, session, open_round, taxonomy):
    with app.test_request_context("/en/"):
        found = reference.open_rounds()
        assert [r.id for r in found] == [open_round.id]
        assert isinstance(found[0], reference.RoundData)
        assert not isinstance(found[0], Round)
        with pytest.raises(dataclasses.FrozenInstanceError):
            found[0].title = {"en": "Changed"}
        with pytest.raises(TypeError):
            found[0].title["en"] = "Changed"  # read-only mapping
        items = reference.items_by_kind(open_round.strategy_version_id)
        assert items and all(isinstance(i, reference.ItemData)
                             for group in items.values() for i in group)
        assert found[0].questions[0].text["en"] == "Question 1?"


def test_built_once_per_version_and_rebuilt_when_it_moves(app, client, session, open_round,
                                                          taxonomy, loads):
    round_id = open_round.id
    for _ in range(3):
        assert client.get("/en/submit").status_code == 200
    assert loads == {"rounds": 1, "taxonomy": 1, "strategy": 1}
    before = _versions(session)
    session.get(Round, round_id).title = {"en": "Renamed round"}
    session.commit()  # any writer (CLI, another worker) moves the version with its change
    after = _versions(session)
    assert after["rounds"] == before["rounds"] + 1 and after["taxonomy"] == before["taxonomy"]
    assert "Renamed round" in client.get("/en/submit").get_data(as_text=True)
    assert loads == {"rounds": 2, "taxonomy": 1, "strategy": 1}


def test_a_change_rolled_back_moves_nothing(app, session, open_round, taxonomy):
    before = _versions(session)
    open_round.title = {"en": "Never committed"}
    session.flush()
    assert _versions(session)["rounds"] == before["rounds"] + 1  # within the transaction
    session.rollback()
    assert _versions(session) == before


def test_a_transaction_that_changed_reference_data_reads_it_live(app, session, open_round,
                                                                 taxonomy, loads):
    round_id = open_round.id
    with app.test_request_context("/en/"):
        assert reference.get_round(round_id).title["en"] != "Pending"
        db.session.get(Round, round_id).title = {"en": "Pending"}
        db.session.flush()
        assert reference.get_round(round_id).title["en"] == "Pending"
        db.session.rollback()
    with app.test_request_context("/en/"):
        assert reference.get_round(round_id).title["en"] != "Pending"
    assert loads["rounds"] == 2  # the pending copy was never kept


def test_cached_round_and_taxonomy_serve_form_and_api(client, session, open_round, taxonomy):
    for title in ("First", "Second"):  # the second request uses the held copies
        response = form_post(client, "/en/submit", web_form(open_round, title=title))
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        response = client.post("/api/v1/submissions",
                               json=submission_data(open_round, title=title + " API",
                                                    principles=["P1"]))
        assert response.status_code == 201, response.get_json()
    assert session.scalar(select(func.count()).select_from(Submission)) == 4
    # Two codes each.
    assert session.scalar(select(func.count()).select_from(SubmissionTag)) == 4 * 2
    assert "How should the UN use new technologies?" in client.get("/en/").get_data(
        as_text=True)


def test_an_admin_change_shows_at_once(client, session, open_round, taxonomy):
    assert "Question 1?" in client.get("/en/submit").get_data(as_text=True)
    before = _versions(session)
    login(client, session, "admin")
    page = f"/en/admin/rounds/{open_round.id}"
    form = edit_form(open_round, **{"questions-0-en": "A reworded first question?"})
    assert form_post(client, page, form, page=page).status_code == 303
    assert _versions(session)["rounds"] > before["rounds"]
    assert _versions(session)["taxonomy"] == before["taxonomy"]  # one version per kind
    html = client.get("/en/submit").get_data(as_text=True)
    assert "A reworded first question?" in html and "Question 1?" not in html


def test_queue_filters_follow_the_query_string(client, session, open_round, taxonomy):
    """Each filter shows its own selection, in the page's language."""
    login(client, session, "moderator")

    def selected(html: str, name: str) -> str:
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
        found = re.search(r'<option (?=[^>]*\bselected\b)[^>]*value="([^"]*)"', select_html)
        return found.group(1) if found else ""

    for _ in range(2):
        for language in ("fr", "es", ""):
            html = client.get(f"/en/moderate?language={language}&status=all").get_data(
                as_text=True)
            assert selected(html, "language") == language
            assert selected(html, "status") == "all"
    assert "Langue" in client.get("/fr/moderate?language=fr").get_data(as_text=True)


def test_the_strategy_paragraphs_follow_their_version(app, client, session, open_round,
                                                     taxonomy, loads):
    """The paragraphs a view can be about (form, queue and dashboard filters) are a copy
    too: an edit of the current text moves the `strategy` version and shows at once."""
    sample.ensure_sample(session)
    session.commit()
    assert [p.key for p in _paragraphs(app)][:2] == ["principles.p1", "principles.p2"]
    for _ in range(2):
        assert "Foster inclusion and transparency" in client.get(
            "/en/submit?paragraph=principles.p2").get_data(as_text=True)
    assert loads["strategy"] == 1  # built once, read by the three requests
    before = _versions(session)
    paragraph = session.scalar(select(StrategyParagraph).where(
        StrategyParagraph.key == "principles.p2"))
    paragraph.title = {**paragraph.title, "en": "Foster inclusion, openly"}
    session.commit()
    after = _versions(session)
    assert after[STRATEGY] == before[STRATEGY] + 1
    assert (after["rounds"], after["taxonomy"]) == (before["rounds"], before["taxonomy"])
    assert "Foster inclusion, openly" in client.get(
        "/en/submit?paragraph=principles.p2").get_data(as_text=True)
    copy = _paragraphs(app)[1]
    assert isinstance(copy, reference.ParagraphData) and copy.title["en"] == \
        "Foster inclusion, openly"
    with pytest.raises(TypeError):
        copy.title["en"] = "Changed"  # read-only mapping


def _paragraphs(app):
    with app.test_request_context("/en/"):
        return reference.current_paragraphs()


def test_the_kept_queue_filters_follow_the_rounds(client, session, open_round, taxonomy):
    """The filter form's markup is kept per language, reference versions and filter: a
    renamed round shows in it at once, and no more than 64 forms are kept."""
    login(client, session, "moderator")
    assert "Renamed for the filter" not in client.get("/en/moderate").get_data(as_text=True)
    session.get(Round, open_round.id).title = {"en": "Renamed for the filter"}
    session.commit()
    html = client.get("/en/moderate").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="round".*Renamed for the filter.*?</select>', html, re.S)
    for number in range(70):
        assert client.get(f"/en/moderate?q=word{number}").status_code == 200
    kept = client.application.extensions["queue_fragments"]
    assert kept.cache_info().currsize == 64
    assert 'value="word69"' in client.get("/en/moderate?q=word69").get_data(as_text=True)


def test_the_kept_bulk_bar_follows_the_taxonomy_and_the_language(client, session, open_round,
                                                                 taxonomy):
    """The queue's bulk bar (its tag boxes) is kept per language and taxonomy version: a
    renamed tag shows in it at once, and each language has its own."""
    make_submission(session, open_round)
    session.commit()
    login(client, session, "moderator")
    item = session.scalars(select(TaxonomyItem).where(TaxonomyItem.kind == ItemKind.PRINCIPLE)
                           .order_by(TaxonomyItem.position)).first()
    item_id, english, french = item.id, item.labels["en"], item.labels["fr"]

    def tag_picker(lang: str) -> str:
        html = client.get(f"/{lang}/moderate").get_data(as_text=True)
        return re.search(r'<details class="tag-picker">.*?</details>', html, re.S).group(0)

    assert english in tag_picker("en")
    assert french in tag_picker("fr") and english not in tag_picker("fr")
    item = session.get(TaxonomyItem, item_id)
    item.labels = {**item.labels, "en": "Renamed for the bulk bar"}
    session.commit()
    assert "Renamed for the bulk bar" in tag_picker("en")
    assert english not in tag_picker("en")
