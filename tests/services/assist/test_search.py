"""Full-text search across languages (issue #8), on SQLite FTS5 and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.dialects import sqlite

from app.models import Status, Submission, SubmissionSearch
from app.services.assist import search
from app.services.contributions import intake
from app.services.reporting import reports
from app.services.review import moderation, tagging
from tests.factories import make_submission
from tests.helpers import make_user


def found(session, q: str, *, status: Status | None = None) -> set[str]:
    """References of the submissions `q` finds."""
    where = [search.condition(session, q)]
    if status is not None:
        where.append(Submission.status == status)
    return set(session.scalars(select(Submission.reference).where(*where)))


@pytest.fixture()
def texts(session, open_round):
    """One submission per language, by title."""
    made = {}
    for key, language, title, body in [
        ("ar", "ar", "الذكاء الاصطناعي والمساءلة",
         "يجب أن تكون أنظمة الذَّكَاء الاصطناعيّ خاضعة للمساءلة أمام المحاكم في قريتي."),
        ("zh", "zh", "关于规则",
         "联合国应帮助各国政府制定人工智能规则。青年必须参与有关技术的决策。"),
        ("fr", "fr", "Données et consentement",
         "Nos données ne doivent pas être utilisées sans notre consentement éclairé."),
        ("es", "es", "Participación",
         "Los jóvenes deben participar en las decisiones sobre tecnología."),
        ("en", "en", "Connectivity first",
         "Affordable internet is the first step for my village."),
    ]:
        submission, _token = make_submission(session, open_round, language=language,
                                             title=title, body=body)
        made[key] = submission.reference
    return made


def test_arabic_found_with_and_without_hamza_and_diacritics(session, texts):
    for q in ("الذكاء", "الذَّكاء", "الذكاء الاصطناعي", "الاصطناعى", "أنظمة", "انظمه",
              "المساءلة", "المساءله", "الاصطناعيّ"):
        assert found(session, q) == {texts["ar"]}, q


def test_invisible_characters_hide_no_word(session, open_round):
    hidden, _token = make_submission(session, open_round, language="en", title="Hidden",
                                     body="Con\u200bsent: data\u00ad\u2060protec\ufefftion.")
    assert "\u200b" not in hidden.body  # dropped from the stored text too
    for q in ("consent", "dataprotection", "Con\u200bsent"):
        assert found(session, q) == {hidden.reference}, q


def test_chinese_word_found_inside_a_sentence(session, texts):
    for q in ("人工智能", "政府", "技术的决策"):
        assert found(session, q) == {texts["zh"]}, q
    assert found(session, "智能人工") == set()  # bigrams in a row, not in any order


def test_accents_folded_both_ways(session, texts):
    for q in ("donnees", "DONNÉES", "éclaire", "consentement eclairé"):
        assert found(session, q) == {texts["fr"]}, q
    for q in ("tecnologia", "tecnología", "participacion", "Jóvenes decisiones"):
        assert found(session, q) == {texts["es"]}, q


def test_every_term_is_required_and_the_last_is_a_prefix(session, texts):
    assert found(session, "affordable village") == {texts["en"]}
    assert found(session, "affordable consentement") == set()
    assert found(session, "afford") == {texts["en"]}
    assert found(session, "afford ") == set()  # a finished word is a whole word
    assert found(session, "vil step") == set()  # only the last term is a prefix


def test_reference_with_or_without_hyphen(session, texts):
    reference = texts["es"]
    for q in (reference, reference.lower(), reference.replace("-", ""), f"  {reference} "):
        assert found(session, q) == {reference}, q


HOSTILE = ['"', '""', "'", "NEAR(a b)", "a NEAR b", "*", "a*", "-", "-internet", "(", ")",
           "((internet", "internet)", "AND", "OR", "NOT internet", "internet OR", "^first",
           "col:internet", "document:internet", "{document}: x", "a\x00b", "\x00", "\\",
           "%", "_", "%_%", "'; DROP TABLE submissions; --", ":*", "a:*", "!internet",
           "internet & village", "internet | x", "<->", "\u200f\u202e", "🙂",
           "x" * 5000, "internet " * 1000, "人" * 5000, "ـــ", "َ"]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(session, texts, q):
    result = found(session, q)
    assert result <= set(texts.values())


def test_hostile_queries_still_find_their_words(session, texts):
    assert found(session, '"internet"') == {texts["en"]}
    assert found(session, "internet)") == {texts["en"]}
    assert found(session, "-internet") == {texts["en"]}  # no operator: a word is a word
    assert found(session, "NOT internet") == set()  # "not" is a word nobody wrote here


def test_empty_and_punctuation_queries(session, texts):
    assert search.condition(session, "") is None
    assert search.condition(session, "   ") is None
    assert found(session, "!!! ... ???") == set()


def test_correction_reindexes_and_erasure_removes(session, open_round):
    submission, _token = make_submission(session, open_round, title="Solar kiosks",
                                         body="Solar kiosks charge phones in the market.")
    assert found(session, "kiosks") == {submission.reference}
    intake.update(session, submission, intake.SubmissionInput(
        round_id=open_round.id, language="en", title="Mesh networks",
        body="Community mesh networks connect the valley.", actor_type="youth",
        country="KE", consent_processing=True), version=submission.version)
    session.commit()
    assert found(session, "kiosks") == set()
    assert found(session, "mesh valley") == {submission.reference}

    intake.erase(session, submission)
    session.commit()
    assert found(session, "mesh") == set()
    assert session.get(SubmissionSearch, submission.id) is None
    if session.get_bind().dialect.name == "sqlite":
        hits = session.scalar(text("SELECT count(*) FROM submission_search_fts "
                                   "WHERE submission_search_fts MATCH 'mesh'"))
        assert hits == 0


def test_a_redacted_version_replaces_the_original_in_search(session, open_round, taxonomy):
    moderator = make_user(session, "moderator")
    submission, _token = make_submission(session, open_round, title="Clinic drones",
                                         body="Ask Dr Wanjiru Kamau about the drone clinic.")
    assert found(session, "wanjiru") == {submission.reference}
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["P2"]),
                      redacted_text="Ask the doctor about the drone clinic.")
    session.commit()
    assert found(session, "wanjiru") == set()
    assert found(session, "doctor drone") == {submission.reference}
    assert found(session, "drone clinic") == {submission.reference}  # the redacted text
    assert found(session, "drones") == set()  # the title alone: public pages hide it


def test_combined_with_queue_and_report_filters(session, open_round, taxonomy, texts):
    moderator = make_user(session, "moderator")
    pending = moderation.queue(session, moderation.QueueFilter(q="internet")).items
    assert [s.reference for s in pending] == [texts["en"]]
    assert moderation.queue(session, moderation.QueueFilter(
        q="internet", language="fr")).items == []

    submission = session.scalar(select(Submission).where(Submission.reference == texts["en"]))
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version, tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    assert reports.total(session, reports.ReportFilter(q="internet")) == 1
    assert reports.total(session, reports.ReportFilter(q="données")) == 0  # still pending
    assert reports.total(session, reports.ReportFilter(q="internet", language="en")) == 1
    assert reports.total(session, reports.ReportFilter(q="internet", language="es")) == 0
    parsed = reports.ReportFilter.from_args({"q": "  internet  "})
    assert parsed.q == "internet" and parsed.to_args()["q"] == "internet"


def test_snippet_marks_matches_centred_and_escaped():
    body = ("<b>intro</b> " + "filler " * 60 + "the Données sur l'intelligence artificielle "
            + "tail " * 60)
    result = search.snippet(body, "donnees intellig", width=80)
    assert "<mark>Données</mark>" in result
    assert "<mark>intelligence</mark>" in result
    assert "<b>" not in result and len(result.striptags()) <= 82
    assert result.startswith("…") and result.endswith("…")

    arabic = search.snippet("قالت: إنَّ الذَّكاء الاصطناعي مهم", "الذكاء")
    assert "<mark>الذَّكاء</mark>" in arabic
    chinese = search.snippet("联合国应帮助各国政府制定人工智能规则。", "人工智能")
    assert "<mark>人工智能</mark>" in chinese
    escaped = search.snippet("a <script>x</script> b", "script")
    assert "<script>" not in escaped and "&lt;<mark>script</mark>&gt;" in escaped
    assert search.snippet("nothing here", "absent") == "nothing here"
    assert search.snippet("x" * 300, "zz").endswith("…")


def test_fold_expands_cjk_and_keeps_other_words():
    assert search.fold("AI技术发展 in 2030") == "技术 术发 发展 ai in 2030"
    assert search.fold("Éducation — ÉCOLE") == "education ecole"
    assert search.fold("إنَّ الذَّكاءَ") == search.fold("ان الذكا")


def test_search_uses_the_full_text_index(session, texts, database_url):
    condition = search.condition(session, "internet")
    query = select(Submission.id).where(condition)
    if database_url.startswith("sqlite"):
        for status in (Status.PENDING, None):  # a queue tab, and "all" (the API's default)
            f = moderation.QueueFilter(status=status, q="internet")
            queue_page = (select(Submission.id).where(*moderation._conditions(session, f))
                          .order_by(Submission.created_at, Submission.id).limit(51))
            compiled = queue_page.compile(dialect=sqlite.dialect(),
                                          compile_kwargs={"literal_binds": True})
            plan = " | ".join(row[-1] for row in session.execute(
                text(f"EXPLAIN QUERY PLAN {compiled}")))
            # M: the FTS5 index answers the MATCH; submissions are sought, never scanned.
            assert "submission_search_fts VIRTUAL TABLE INDEX 0:M" in plan, plan
            assert "SCAN submissions" not in plan, plan
    else:
        # A handful of rows has no statistics: what matters is that the condition the
        # search writes is one the GIN index can serve.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        compiled = str(query.compile(dialect=session.get_bind().dialect,
                                     compile_kwargs={"literal_binds": True}))
        matching = compiled[compiled.index("(SELECT") + 1:compiled.rindex(")")]
        plan = "\n".join(session.scalars(text(f"EXPLAIN {matching}")))
        assert "Bitmap Index Scan on ix_submission_search_document_tsv" in plan, plan


def test_reindex_rebuilds_documents_and_detected_languages(session, texts):
    session.execute(SubmissionSearch.__table__.delete())
    session.execute(Submission.__table__.update().values(detected_language=None))
    assert found(session, "internet") == set()
    done = list(search.reindex(session, batch=2))
    assert done[-1] == len(texts)
    assert found(session, "internet") == {texts["en"]}
    assert found(session, "人工智能") == {texts["zh"]}
    languages = dict(session.execute(
        select(Submission.reference, Submission.detected_language)).all())
    assert languages[texts["zh"]] == "zh" and languages[texts["ar"]] == "ar"
    assert session.scalar(select(func.count()).select_from(SubmissionSearch)) == len(texts)


def test_queue_pages_are_the_same_for_rare_and_common_matches(session, open_round,
                                                               monkeypatch, database_url):
    """On SQLite a queue page of a common word walks the page's index and checks each id,
    a rare word becomes a list of ids (search.condition(ordered=True)); both must give
    exactly the rows and order of the plain condition."""
    for n in range(7):
        make_submission(session, open_round, title=f"Common {n}",
                        body="Affordable internet for every school." if n % 2 else
                        "Mobile money for small traders.")
    f = moderation.QueueFilter(status=None, q="internet")

    def page() -> list[str]:
        return [s.title for s in moderation.queue(session, f, limit=50).items]

    expected = ["Common 1", "Common 3", "Common 5"]
    assert page() == expected  # rare: 3 matches <= RARE_MATCHES, a list of ids
    monkeypatch.setattr(search, "RARE_MATCHES", 2)
    assert page() == expected  # common: checked along the created_at index
    condition = search.condition(session, "internet", ordered=True)
    sql = str(select(Submission.id).where(condition).compile(dialect=session.get_bind().dialect))
    if database_url.startswith("sqlite"):
        assert "+submissions.id IN" in sql  # the planner cannot start from the matches
        page_sql = (select(Submission.id).where(condition)
                    .order_by(Submission.created_at, Submission.id).limit(51))
        compiled = page_sql.compile(dialect=sqlite.dialect(),
                                    compile_kwargs={"literal_binds": True})
        plan = " | ".join(row[-1] for row in session.execute(
            text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "ix_submissions_created_at_id" in plan and "TEMP B-TREE" not in plan, plan
    # The match is in SQLAlchemy's statement cache, keyed by its shape with the words as
    # parameters: another word, searched the same way in the same process, reuses the
    # statement and must find its own rows.
    f_money = moderation.QueueFilter(status=None, q="money")
    assert [s.title for s in moderation.queue(session, f_money, limit=50).items] == [
        "Common 0", "Common 2", "Common 4", "Common 6"]
    assert page() == expected
    monkeypatch.setattr(search, "RARE_MATCHES", 1000)
    assert search.condition(session, "nothing-like-this", ordered=True) is not None
    assert moderation.queue(session, moderation.QueueFilter(
        status=None, q="nothing-like-this")).items == []


def test_words_of_one_shape_share_one_compiled_statement():
    """The words are parameters of the cached statement, not part of its key: a queue
    searched with ever-new words compiles once per shape (groups, prefix), not per word."""
    def key(q: str):
        return select(Submission.id).where(search.condition(None, q))._generate_cache_key()

    internet_access, mobile_money = key("internet access"), key("mobile money")
    assert internet_access == mobile_money  # CacheKey equality: the statement's shape
    assert [p.effective_value for p in mobile_money.bindparams] == [
        '"mobile" AND "money"*', "mobile", "money"]
    assert key("internet") != internet_access  # one group: another statement
    assert key("internet access ") != internet_access  # no prefix: another statement
