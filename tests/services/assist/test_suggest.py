"""Suggested tags: the lexicon, the classifier, their quality and speed, the audit trail."""
from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import utcnow
from app.models import (
    KIND_OF_GROUP,
    AuditEvent,
    LexiconEntry,
    Submission,
    SuggestModel,
    TaxonomyItem,
)
from app.services.assist import suggest
from app.services.platform import lexicon
from app.services.platform import taxonomy as taxonomy_service
from app.services.review import moderation, tagging
from app.services.text.textnorm import has_cjk, normalize
from tests import factories
from tests.helpers import make_user
from tests.suggest_data import labelled_set


def _match(session, version, text):
    return lexicon.match(suggest.compiled_lexicon(session, version.id), text)


@pytest.mark.parametrize("text", [
    "نحن قلقون على الخصوصية في عصر الذكاء الاصطناعي",      # as in the lexicon
    "نحن قلقون على الخصوصيه في عصر الذكاء الاصطناعى",      # taa marbuta as haa, alef maqsura
    "نحن قلقون على الخُصُوصِيَّة في عصر الذَّكاء الاصْطِناعِيّ",  # with diacritics
    "نحن قلقون على الخصـــوصية في عصر الذكا الاصطناعي",     # tatweel, hamza left out
    "نحن قلقون على خصوصية بياناتنا وبالذكاء الاصطناعي",      # no article, with proclitics
])
def test_lexicon_matches_arabic_however_it_is_typed(session, taxonomy, text):
    found = _match(session, taxonomy, text)
    assert "TH02" in found and "T01" in found, found
    # The evidence is the text as typed, so the moderator recognizes it.
    assert all(word in text for word in found["T01"] + found["TH02"])


def test_lexicon_hamza_forms_fold_both_ways(session, taxonomy):
    assert "T15" in _match(session, taxonomy, "لا يوجد انترنت في القرية")
    assert "T15" in _match(session, taxonomy, "لا يوجد إنترنت في القرية")
    assert "TH12" in _match(session, taxonomy, "نعيش في المناطق النائيه")


def test_lexicon_finds_a_chinese_term_inside_a_sentence(session, taxonomy):
    found = _match(session, taxonomy, "我认为联合国应该利用人工智能帮助农村地区的学生。")
    assert found["T01"] == ["人工智能"]
    assert "TH12" in found and "TH07" in found
    assert "T01" not in _match(session, taxonomy, "我认为联合国应该帮助农村地区。")


def test_lexicon_words_prefixes_and_boundaries(session, taxonomy):
    found = _match(session, taxonomy, "Вопросы конфиденциальности и ПРИВАСИ; la privacidad.")
    assert found["TH02"] == ["конфиденциальности", "privacidad"]
    # "AI" is a whole word: not inside "said" or "maintain"; accents and case fold.
    assert "T01" not in _match(session, taxonomy, "She said we must maintain the aim.")
    assert "T01" in _match(session, taxonomy, "Le rôle de l'IA dans l'ONU")
    assert "T01" in _match(session, taxonomy, "INTELIGENCIA ARTIFICIAL y educacion")


def test_lexicon_load_keeps_admin_edits_unless_refresh(session, taxonomy):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "TH02"))
    admin = make_user(session, "admin")
    lexicon.update_terms(session, item, {"fr": "vie privée\nconfidentialit*"}, by=admin)
    entry = session.get(LexiconEntry, item.id)
    del entry.terms["ru"]
    entry.terms = dict(entry.terms)
    session.commit()

    taxonomy_service.load(session)
    session.commit()
    terms = session.get(LexiconEntry, item.id).terms
    assert terms["fr"] == ["vie privée", "confidentialit*"]  # the admin's edit stays
    assert "конфиденциальност*" in terms["ru"]  # the missing language is filled in

    taxonomy_service.load(session, refresh=True)
    session.commit()
    assert "données personnelles" in session.get(LexiconEntry, item.id).terms["fr"]


def test_update_terms_validates_and_is_audited(session, taxonomy):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T06"))
    admin = make_user(session, "admin")
    with pytest.raises(moderation.ValidationFailed) as caught:
        lexicon.update_terms(session, item, {"en": "drone\x00s", "es": "x" * 81, "fr": "*"})
    assert set(caught.value.errors) == {"lexicon.en", "lexicon.es", "lexicon.fr"}
    session.rollback()

    lexicon.update_terms(session, item, {"en": "drone*\nquadcopter, UAV\n\ndrone*"}, by=admin)
    session.commit()
    assert session.get(LexiconEntry, item.id).terms["en"] == ["drone*", "quadcopter", "UAV"]
    assert "طائرة مسيرة" in session.get(LexiconEntry, item.id).terms["ar"]  # untouched
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "taxonomy.lexicon"))
    assert event.target_id == item.id and event.after == {
        "en": ["drone*", "quadcopter", "UAV"]}
    # The compiled lexicon follows the edit (the per-process cache is keyed on it).
    assert _match(session, taxonomy, "A quadcopter flew over")["T06"] == ["quadcopter"]


def test_retired_items_are_not_suggested(session, taxonomy):
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T06"))
    assert "T06" in _match(session, taxonomy, "drones")
    taxonomy_service.set_retired(session, item, True)
    session.commit()
    assert "T06" not in _match(session, taxonomy, "drones")


# The labelled multilingual set, stored as approved submissions with moderators' tags.

@pytest.fixture()
def coded(session, open_round):
    moderator = make_user(session, "moderator", "coder@example.org")
    ids = []
    for index, (lang, text, codes) in enumerate(labelled_set()):
        submission, _ = factories.make_submission(
            session, open_round, language=lang, title=f"#{index}", body=text,
            technologies=[], principles=[], commitments=[])
        groups = {name: [c for c in codes if suggest.group_of_code(c) == name]
                  for name in KIND_OF_GROUP}
        submission = session.get(Submission, submission.id)
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version, tags=tagging.TagInput(**groups))
        ids.append(submission.id)
    session.commit()
    return ids


def test_the_labelled_set_is_big_and_balanced_enough():
    views = suggest.load_labelled()
    assert len(views) >= 180
    assert {v.language for v in views} == {"ar", "zh", "en", "fr", "ru", "es"}
    counts = Counter(code for v in views for group in suggest.REQUIRED for code in v.codes[group])
    assert set(counts) == {"P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3", "C4"}
    assert min(counts.values()) >= 20, counts
    assert all(v.codes["principles"] and v.codes["commitments"] for v in views)


def test_the_labelled_set_is_not_in_the_lexicon_or_the_descriptions():
    """No sentence of the evaluation set was copied into what suggestions learn from."""
    taxonomy_file = (Path(lexicon.DEFAULT_FILE).parent / "taxonomy.json").read_text("utf-8")
    known = normalize(Path(lexicon.DEFAULT_FILE).read_text("utf-8") + taxonomy_file)
    for view in suggest.load_labelled():
        for sentence in re.split(r"[.!?。！？؟]", view.text):
            # A sentence, not a word that any text about the code would use ("Transparencia").
            if len(sentence.split()) >= 3 or (has_cjk(sentence) and len(sentence.strip()) >= 8):
                assert normalize(sentence) not in known, sentence


def test_suggestions_meet_their_targets_on_the_labelled_set(session, taxonomy, capsys):
    evaluation = suggest.evaluate(session, folds=5, seed=0)
    cold = evaluation.figures["cold"]["suggestions"]
    trained = evaluation.figures["trained"]
    with capsys.disabled():
        print("\nsuggested principles/commitments on the labelled set: cold recall@2 "
              f"{cold['principles'].recall_at2:.3f}/{cold['commitments'].recall_at2:.3f}, "
              f"trained micro-F1 {suggest.SetEvaluation.micro(trained['suggestions']):.3f} "
              f"(baseline {suggest.SetEvaluation.micro(trained['majority_baseline']):.3f})")
    assert cold["principles"].recall_at2 >= 0.6
    assert cold["commitments"].recall_at2 >= 0.6
    micro = suggest.SetEvaluation.micro(trained["suggestions"])
    assert micro >= 0.6
    assert micro >= suggest.SetEvaluation.micro(trained["majority_baseline"]) + 0.2
    assert len(evaluation.spread["trained"]["suggestions"]) == 5
    # Each scenario (one story told in six languages) is tested in one fold only.
    views = suggest.load_labelled()
    folds = suggest._folds(views, 5, 0)
    assert sorted(i for fold in folds for i in fold) == list(range(len(views)))
    for fold in folds:
        inside = {views[i].scenario for i in fold}
        assert not inside & {v.scenario for i, v in enumerate(views) if i not in set(fold)}


def test_principles_and_commitments_are_ranked_even_without_a_keyword(session, taxonomy,
                                                                      open_round):
    submission, _ = factories.make_submission(
        session, open_round, title="Mi pueblo",
        body="Nadie nos pregunta nada. Vengan a hablar con nosotros antes de decidir.",
        principles=[], commitments=[])
    found = suggest.suggestions(session, submission)
    assert sorted(s.code for s in found["principles"]) == ["P1", "P2", "P3", "P4", "P5"]
    assert sorted(s.code for s in found["commitments"]) == ["C1", "C2", "C3", "C4"]
    for group in suggest.REQUIRED:
        assert all(s.low and s.confidence < suggest.SHOW_FROM and s.source == "prior"
                   for s in found[group])
        assert [s.confidence for s in found[group]] == sorted(
            (s.confidence for s in found[group]), reverse=True)
    assert suggest.as_json(found)["principles"][0]["low_confidence"] is True
    # Other groups stay quiet below SHOW_FROM.
    assert found["technologies"] == [] and found["themes"] == []


def test_the_arabic_digital_divide_view_gets_principles_and_commitments(session, taxonomy,
                                                                         open_round):
    """The view that issue #17 started from: suggestions offered technologies and themes
    and no principle or commitment, although one of each is needed to approve."""
    submission, _ = factories.make_submission(
        session, open_round, title="الشباب والفجوة الرقمية", language="ar",
        body="أنا من قرية صغيرة في صعيد مصر. الشباب هنا لا يملكون إنترنت سريعا ولا حواسيب، "
             "والمدرسة بلا مختبر. الفجوة الرقمية تكبر كل سنة ولا أحد يسألنا عن رأينا.",
        principles=[], commitments=[])
    found = suggest.suggestions(session, submission)
    for group in suggest.REQUIRED:
        assert found[group], group  # ranked, whatever fired
        confidences = [s.confidence for s in found[group]]
        assert confidences == sorted(confidences, reverse=True)
    # Inclusion (P2) is what a moderator would tag, and it comes first or second.
    assert "P2" in [s.code for s in found["principles"][:2]]
    payload = suggest.as_json(found)
    assert payload["principles"] and payload["commitments"]


def test_training_stores_a_model_that_suggestions_use_quickly(session, coded, capsys):
    record = suggest.train(session)
    session.commit()
    assert record.trained_on == 96 and record.data
    # No held-out figure from a handful of submissions: it swung from run to run.
    assert set(record.metrics) == {"codes", "features"}

    # A principle has no keyword in this text: the classifier, trained on the set, adds it.
    submission = session.get(Submission, coded[0])
    found = suggest.suggestions(session, submission)
    assert found["technologies"][0].code == "T01"
    assert found["themes"][0].code == "TH02"
    assert "P1" in [s.code for s in found["principles"]]
    assert all(0 <= s.confidence <= 1 for group in found.values() for s in group)
    for group in found.values():
        assert [s.confidence for s in group] == sorted((s.confidence for s in group),
                                                       reverse=True)

    # Loaded as the review page loads them (answers and round with the submission).
    submissions = [tagging.get_for_review(session, i) for i in coded]
    suggest.suggestions(session, submissions[0])  # model unpickled, lexicon compiled
    # CPU time, not wall time: six test runs share two cores here, and what is measured
    # is what scoring costs (about 4 ms measured: lexicon, classifier, ranking).
    started = time.process_time()
    for submission in submissions:
        suggest.suggestions(session, submission)
    per_submission = (time.process_time() - started) / len(submissions) * 1000
    with capsys.disabled():
        print(f"\nsuggested tags: {per_submission:.2f} ms CPU per submission (lexicon, "
              f"classifier and the query that checks for a new model or lexicon)")
    assert per_submission < 20

    for _ in range(3):
        suggest.train(session)
    session.commit()
    assert len(session.scalars(select(SuggestModel.id)).all()) == suggest.KEEP_MODELS


def test_no_model_and_no_text(session, taxonomy, open_round):
    submission, _ = factories.make_submission(session, open_round, title="Camps",
                                              body="Drones for the refugee camps.")
    found = suggest.suggestions(session, submission)
    assert [s.code for s in found["technologies"]] == ["T06"]
    assert found["technologies"][0].evidence == ["Drones"]
    assert suggest.as_json(found)["themes"][0] == {
        "code": "TH14", "confidence": round(suggest.lexicon_confidence(1), 3),
        "evidence": ["refugee"], "low_confidence": False}
    submission.erased_at = utcnow()
    assert suggest.suggestions(session, submission) == {g: [] for g in KIND_OF_GROUP}
    with pytest.raises(suggest.NotEnoughData):
        suggest.train(session)


def test_accepted_suggestions_join_the_tags_and_the_audit_log(session, taxonomy, open_round):
    moderator = make_user(session, "moderator")
    submission, _ = factories.make_submission(session, open_round, principles=[],
                                              technologies=[])
    tags, details = tagging.with_accepted(
        tagging.TagInput(principles=["P2"]), shown=["T15", "TH12", "P2", "bogus"],
        accepted=["t15", "TH12"])
    assert tags.technologies == ["T15"] and tags.themes == ["TH12"]
    assert details == {"shown": {"technologies": ["T15"], "themes": ["TH12"],
                                 "principles": ["P2"]},
                       "accepted": {"technologies": ["T15"], "themes": ["TH12"]}}
    submission = session.get(Submission, submission.id)
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version, tags=tags, suggestions=details)
    session.commit()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.approve"))
    assert event.details["suggestions"]["accepted"] == {"technologies": ["T15"],
                                                        "themes": ["TH12"]}

    rows = {r.group: r for r in suggest.acceptance_rates(session, utcnow() - dt.timedelta(1))}
    assert (rows["technologies"].shown, rows["technologies"].accepted) == (1, 1)
    assert (rows["principles"].shown, rows["principles"].accepted,
            rows["principles"].tagged) == (1, 0, 1)
    assert rows["commitments"].rate == 0.0
    assert suggest.acceptance_rates(session, utcnow() + dt.timedelta(1))[0].shown == 0

    assert tagging.with_accepted(tagging.TagInput(), [], [])[1] is None


def test_cli_train_and_evaluate(runner, session, coded, tmp_path):
    views = suggest.load_labelled()
    small = tmp_path / "set.jsonl"
    small.write_text("\n".join(json.dumps({
        "text": v.text, "lang": v.language, "scenario": v.scenario,
        "principles": sorted(v.codes["principles"]),
        "commitments": sorted(v.codes["commitments"])}, ensure_ascii=False)
        for v in views if v.language in ("en", "ar")), encoding="utf-8")
    result = runner.invoke(args=["suggest", "evaluate", "--file", str(small), "--folds", "3"])
    assert result.exit_code == 0, result.output
    ar = sum(v.language == "ar" for v in views)
    en = sum(v.language == "en" for v in views)
    assert f"Labelled set: {ar + en} views (ar {ar}, en {en})" in result.output
    for word in ("precision", "recall@1", "recall@2", "micro-F1", "majority_baseline",
                 "cold", "trained", "mean", "±"):
        assert word in result.output
    assert session.scalar(select(SuggestModel.id)) is None  # evaluating stores nothing

    result = runner.invoke(args=["suggest", "train"])
    assert result.exit_code == 0, result.output
    assert "trained on 96 submissions" in result.output
    assert "micro-F1" not in result.output and "held-out" not in result.output.lower()
    assert session.scalar(select(SuggestModel.trained_on)) == 96


def test_cli_refuses_without_enough_decisions(runner, session, taxonomy):
    result = runner.invoke(args=["suggest", "train"])
    assert result.exit_code == 1
    assert "At least 10 approved submissions with tags are needed; there are 0." in \
        result.output


def test_a_model_that_cannot_be_loaded_leaves_the_lexicon(session, taxonomy, open_round):
    submission, _ = factories.make_submission(session, open_round, title="Camps",
                                              body="Drones for the refugee camps.")
    session.add(SuggestModel(trained_on=0, metrics={}, data=b"not a pickle"))
    session.commit()
    found = suggest.suggestions(session, submission)
    assert [s.code for s in found["technologies"]] == ["T06"]
