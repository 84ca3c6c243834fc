"""Campaign folding: near-duplicates fold as they arrive, distinct texts do not."""
from __future__ import annotations

import random
import threading
import time

import numpy as np
import pytest
from sqlalchemy import func, select

from app import create_app
from app.db import bulk_insert, db
from app.models import AuditEvent, Round, Status, Submission
from app.models.cluster import Cluster, ClusterBand, SubmissionSignature
from app.services.assist import clusters, minhash
from app.services.contributions import intake
from app.services.reporting.reports import ReportFilter, totals
from app.services.review import campaigns as campaign_service
from app.services.review import moderation, tagging
from config import TestingConfig
from tests import factories
from tests.factories import make_submission
from tests.helpers import make_user

EN = ("I am writing as a teacher in Nairobi. Affordable internet is the first step for our "
      "schools. The United Nations should help governments train teachers in digital skills. "
      "My name is Amina Wanjiru and I support this call.")
EN_VARIANTS = {
    "copy": EN,
    "small edits": EN.replace("first step", "very first step").replace("help", "support"),
    "reordered": ("The United Nations should help governments train teachers in digital "
                  "skills. My name is Amina Wanjiru and I support this call. I am writing as "
                  "a teacher in Nairobi. Affordable internet is the first step for our schools."),
    "other name": EN.replace("Amina Wanjiru", "John Otieno").replace("Nairobi", "Kisumu"),
}
EN_DISTINCT = [
    "As a teacher in Nairobi I see that our schools lack computers. The United Nations "
    "should fund digital skills training for teachers, and governments must make internet "
    "affordable.",
    "Artificial intelligence should be regulated by the UN so that governments cannot use "
    "it for surveillance of young people.",
]
AR = ("الإنترنت بأسعار معقولة هو الخطوة الأولى لقريتي. ينبغي للأمم المتحدة أن تساعد الحكومات "
      "على تدريب المعلمين في المهارات الرقمية. اسمي أحمد محمود وأنا أؤيد هذا النداء.")
AR_VARIANTS = {
    "copy": AR,
    "small edits": AR.replace("الخطوة الأولى", "أول خطوة"),
    "diacritics": AR.replace("الإنترنت", "الإِنترنت").replace("الأولى", "الاولى"),
    "reordered": ("اسمي أحمد محمود وأنا أؤيد هذا النداء. ينبغي للأمم المتحدة أن تساعد الحكومات "
                  "على تدريب المعلمين في المهارات الرقمية. الإنترنت بأسعار معقولة هو الخطوة "
                  "الأولى لقريتي."),
    "other name": AR.replace("أحمد محمود", "فاطمة الزهراء"),
}
AR_DISTINCT = [
    "يجب أن يشارك الشباب في القرارات المتعلقة بالتكنولوجيا. ينبغي تنظيم الذكاء الاصطناعي "
    "لحماية بياناتنا.",
    "أنا معلم وأرى أن مدارسنا تفتقر إلى الحواسيب. على الأمم المتحدة أن تمول تدريب المعلمين "
    "على المهارات الرقمية.",
]


def _submit(session, round_, body, language="en", title="My view"):
    submission, _token = make_submission(session, round_, body=body, language=language,
                                         title=title)
    return submission


def _cluster_of(session, submission):
    return session.scalar(select(Submission.cluster_id).where(Submission.id == submission.id))


@pytest.mark.parametrize("language, base, variants, distinct", [
    ("en", EN, EN_VARIANTS, EN_DISTINCT),
    ("ar", AR, AR_VARIANTS, AR_DISTINCT),
])
def test_near_duplicates_fold_and_distinct_texts_do_not(session, open_round, language, base,
                                                        variants, distinct):
    first = _submit(session, open_round, base, language)
    assert first.cluster_id is None  # alone so far
    folded = {name: _submit(session, open_round, text, language)
              for name, text in variants.items()}
    others = [_submit(session, open_round, text, language) for text in distinct]

    cluster_id = _cluster_of(session, first)
    assert cluster_id is not None
    assert {name: _cluster_of(session, s) for name, s in folded.items()} == \
        {name: cluster_id for name in variants}
    assert [_cluster_of(session, s) for s in others] == [None] * len(distinct)
    cluster = session.get(Cluster, cluster_id)
    session.refresh(cluster)
    assert cluster.size == 1 + len(variants)
    assert cluster.languages == [language]
    assert cluster.first_at == first.created_at
    assert clusters.campaign_stats(session, open_round.id) == \
        {"clusters": 1, "folded": 1 + len(variants)}


def test_signature_ignores_sentence_order_and_scores_as_documented():
    sig = minhash.signature(EN)
    assert np.array_equal(sig, minhash.signature(EN_VARIANTS["reordered"]))
    assert minhash.similarity(sig, minhash.signature(EN_VARIANTS["other name"])) >= \
        minhash.THRESHOLD
    for text in EN_DISTINCT:
        assert minhash.similarity(sig, minhash.signature(text)) < minhash.THRESHOLD
    assert minhash.signature("I agree.") is None  # too short to call it a campaign


def test_signature_cost_stays_under_a_millisecond():
    texts = [EN, AR, EN * 8]
    started = time.process_time()  # CPU: test runs share the cores here
    for _ in range(100):
        for text in texts:
            minhash.signature(text)
    per_text = (time.process_time() - started) / 300
    assert per_text < 0.002  # measured ~0.1-0.4 ms; generous for a loaded CI machine


def _campaign_copy(rng: random.Random, names: list[str]) -> str:
    words = (f"My name is {rng.choice(names)}. We call on the United Nations to guarantee "
             "universal, affordable and meaningful connectivity for every young person by "
             "2030, and to include youth in every decision about digital technologies. "
             "Governments must close the digital divide.").split()
    for _ in range(rng.randint(0, 3)):  # a dropped or doubled word
        index = rng.randrange(3, len(words))
        if rng.random() < 0.5:
            del words[index]
        else:
            words.insert(index, words[index])
    return " ".join(words) + rng.choice(["", " Thank you.", " Signed, a youth group."])


def test_a_500_copy_campaign_folds_into_one_cluster(session, open_round):
    rng = random.Random(3)
    names = ["Amina", "John Otieno", "Maria Fernanda", "Li Wei", "Olga", "Kwame Mensah"]
    loners = [_submit(session, open_round, text) for text in EN_DISTINCT]
    started = time.perf_counter()
    for _ in range(500):
        intake.submit(session, intake.SubmissionInput(
            round_id=open_round.id, language="en", title="Connectivity for youth",
            body=_campaign_copy(rng, names), actor_type="youth", country="KE",
            consent_processing=True))
    session.commit()
    elapsed = time.perf_counter() - started
    sizes = dict(session.execute(select(Submission.cluster_id, func.count())
                                 .where(Submission.round_id == open_round.id)
                                 .group_by(Submission.cluster_id)).all())
    assert sorted(sizes.values()) == [2, 500]
    assert sizes[None] == 2
    assert [_cluster_of(session, s) for s in loners] == [None, None]
    assert clusters.campaign_stats(session, open_round.id) == {"clusters": 1, "folded": 500}
    assert clusters.campaign_stats(session, None) == {"clusters": 1, "folded": 500}
    # The LSH rows stay bounded: BANDS per submission, whatever the campaign's size.
    assert session.scalar(select(func.count()).select_from(ClusterBand)) == \
        502 * minhash.BANDS
    assert elapsed < 60


def test_erasure_decrements_and_a_cluster_of_one_dissolves(session, open_round):
    members = [_submit(session, open_round, text) for text in
               (EN, EN_VARIANTS["other name"], EN_VARIANTS["small edits"])]
    cluster_id = _cluster_of(session, members[0])
    intake.erase(session, members[0])
    session.commit()
    cluster = session.get(Cluster, cluster_id)
    session.refresh(cluster)
    assert cluster.size == 2
    assert cluster.sample_submission_id == members[1].id  # the erased sample was replaced
    assert cluster.first_at == members[1].created_at
    assert _cluster_of(session, members[0]) is None
    assert session.get(SubmissionSignature, members[0].id) is None
    assert session.scalar(select(func.count()).select_from(ClusterBand)
                          .where(ClusterBand.submission_id == members[0].id)) == 0

    intake.erase(session, members[1])
    session.commit()
    assert session.get(Cluster, cluster_id) is None
    assert _cluster_of(session, members[2]) is None
    assert clusters.campaign_stats(session, open_round.id) == {"clusters": 0, "folded": 0}


def test_a_correction_refolds(session, open_round):
    first = _submit(session, open_round, EN)
    second = _submit(session, open_round, EN_VARIANTS["reordered"])
    assert _cluster_of(session, second) == _cluster_of(session, first) is not None
    data = intake.SubmissionInput(round_id=open_round.id, language="en", title="My view",
                                  body=EN_DISTINCT[1], actor_type="youth", country="KE",
                                  consent_processing=True)
    intake.update(session, second, data, version=second.version)
    session.commit()
    assert _cluster_of(session, second) is None
    assert _cluster_of(session, first) is None  # its cluster of one dissolved


def test_folding_does_not_move_the_version_a_moderator_saw(session, open_round):
    first = _submit(session, open_round, EN)
    seen = first.version
    _submit(session, open_round, EN_VARIANTS["copy"])
    session.refresh(first)
    assert first.cluster_id is not None
    assert first.version == seen


def test_unique_voices_count_a_campaign_once(session, open_round):
    for text in (EN, EN_VARIANTS["other name"], EN_VARIANTS["reordered"], *EN_DISTINCT):
        _submit(session, open_round, text)
    everything = [Submission.round_id == open_round.id]
    assert clusters.unique_voices(session, everything) == 3  # one campaign + two loners
    assert session.scalar(select(func.count()).select_from(Submission)
                          .where(*everything)) == 5
    # Reports count approved submissions: approve two copies and one loner.
    moderator = make_user(session, "moderator")
    rows = session.scalars(select(Submission).where(*everything).order_by(Submission.id))
    chosen = [s for s in rows][:2] + [session.scalars(
        select(Submission).where(*everything).order_by(Submission.id.desc())).first()]
    for submission in chosen:
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    assert totals(session, ReportFilter(round_id=open_round.id)) == \
        {"total": 3, "submissions": 3, "unique_voices": 2}


def test_cluster_decision_applies_to_all_but_the_exceptions(session, open_round):
    members = [_submit(session, open_round, text) for text in EN_VARIANTS.values()]
    cluster = session.get(Cluster, _cluster_of(session, members[0]))
    moderator = make_user(session, "moderator")
    listed = campaign_service.members(session, cluster)
    assert [s.id for s in listed.pending] == [s.id for s in members]
    exception = members[2]
    selection = [(s.id, s.version) for s in listed.pending if s.id != exception.id]
    result = campaign_service.decide(session, cluster, by=moderator, action="approve",
                             selection=selection, tags=tagging.TagInput(principles=["P2"]))
    session.commit()
    assert sorted(result.done) == sorted(s.id for s in members if s.id != exception.id)
    statuses = dict(session.execute(select(Submission.id, Submission.status)
                                    .where(Submission.cluster_id == cluster.id)).all())
    assert statuses.pop(exception.id) == Status.PENDING
    assert set(statuses.values()) == {Status.APPROVED}
    from app.models import AuditEvent
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cluster.decide"))
    assert event.target_id == cluster.id
    assert event.details["exceptions"] == [exception.id]
    assert event.details["done"] == len(members) - 1
    assert session.scalar(select(func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "submission.approve")) == len(members) - 1


def test_cluster_decision_refuses_submissions_outside_the_cluster(session, open_round):
    members = [_submit(session, open_round, text) for text in (EN, EN)]
    loner = _submit(session, open_round, EN_DISTINCT[1])
    cluster = session.get(Cluster, _cluster_of(session, members[0]))
    moderator = make_user(session, "moderator")
    with pytest.raises(moderation.ValidationFailed):
        campaign_service.decide(session, cluster, by=moderator, action="reject",
                        selection=[(loner.id, loner.version)], reason="spam")


def test_rebuild_recomputes_what_was_folded_and_folds_bulk_inserts(session, open_round):
    members = [_submit(session, open_round, text) for text in EN_VARIANTS.values()]
    _submit(session, open_round, EN_DISTINCT[0])
    # Rows inserted in bulk (as the demo seed does) bypass intake: no signature, no cluster.
    bulk_insert(session, Submission.__table__,
                ("reference", "manage_token_hash", "round_id", "status", "version", "channel",
                 "language", "title", "body", "consent_processing", "consent_publication",
                 "anonymous", "created_at", "updated_at"),
                [(f"BULK-{i:04d}", f"{i:064d}", open_round.id, "pending", 1, "web", "ar",
                  "رأيي", AR_VARIANTS["other name"] if i % 2 else AR, True, False, True,
                  members[0].created_at, members[0].created_at) for i in range(6)])
    session.commit()
    results = list(clusters.rebuild(session, round_id=open_round.id, batch=100))
    session.commit()
    assert results[-1].submissions == len(members) + 1 + 6
    assert results[-1].clusters == 2
    assert results[-1].folded == len(members) + 6
    assert clusters.campaign_stats(session, open_round.id) == \
        {"clusters": 2, "folded": len(members) + 6}
    # Arrivals after a rebuild fold against the rebuilt index.
    arabic_id = session.scalar(select(Submission.cluster_id)
                               .where(Submission.reference == "BULK-0000"))
    assert arabic_id not in (None, _cluster_of(session, members[0]))
    late = _submit(session, open_round, AR_VARIANTS["reordered"], "ar")
    assert _cluster_of(session, late) == arabic_id
    arabic = session.get(Cluster, arabic_id)
    session.refresh(arabic)
    assert (arabic.size, arabic.languages) == (7, ["ar"])


def test_list_clusters_pages_by_size_with_keyset(session, open_round):
    for copies, text in ((4, EN), (2, AR), (3, EN_DISTINCT[1] + " " + EN_DISTINCT[1])):
        for _ in range(copies):
            _submit(session, open_round, text, "ar" if text == AR else "en")
    first = campaign_service.list_clusters(session, limit=2)
    assert [row.cluster.size for row in first.items] == [4, 3]
    assert first.items[0].pending == 4
    assert first.items[0].sample_text.startswith("I am writing")
    second = campaign_service.list_clusters(session, limit=2, cursor=first.next_cursor)
    assert [row.cluster.size for row in second.items] == [2]
    assert second.next_cursor is None
    newest = campaign_service.list_clusters(session, order="newest")
    assert newest.items[0].cluster.size == 3
    with pytest.raises(moderation.ValidationFailed):
        campaign_service.list_clusters(session, cursor="not-a-cursor")


CHAIN_SENTENCES = [
    "Rural schools need fast internet before anything else.",
    "Teachers should learn to use digital tools in class.",
    "Girls must have the same access to computers as boys.",
    "Local languages belong in every educational app we use.",
    "Data collected from pupils must never be sold to anyone.",
    "Solar power can keep classroom tablets running all day.",
    "Parents want to see what software their children use.",
    "Public funding should favour open source learning tools.",
]


def test_a_chain_of_near_duplicates_is_one_campaign_in_any_order(session, open_round):
    """A = sentences 1-6, B = 2-7, C = 3-8: B is near A and near C, C is far from A. A
    campaign is the connected group of near pairs, so the three are one, whichever
    arrived first (the rule folding followed before made C's fate depend on it)."""
    texts = [" ".join(CHAIN_SENTENCES[start:start + 6]) for start in range(3)]
    a_, b_, c_ = (minhash.signature(t) for t in texts)
    assert minhash.similarity(a_, b_) >= minhash.THRESHOLD
    assert minhash.similarity(b_, c_) >= minhash.THRESHOLD
    assert minhash.similarity(a_, c_) < minhash.THRESHOLD
    for order in ((0, 1, 2), (0, 2, 1), (1, 0, 2)):
        round_ = factories.make_round(session)
        made = {index: _submit(session, round_, texts[index]) for index in order}
        assert len({_cluster_of(session, s) for s in made.values()} - {None}) == 1
        assert None not in {_cluster_of(session, s) for s in made.values()}
        # The rebuild takes the same decisions.
        list(clusters.rebuild(session, round_id=round_.id))
        session.commit()
        assert len({_cluster_of(session, s) for s in made.values()}) == 1
        assert None not in {_cluster_of(session, s) for s in made.values()}


# A campaign whose copies each drop a sentence: a copy without the first sentence and one
# without the second are too far apart (about 0.45) to fold as a pair; both are near the
# full text (about 0.7), which bridges them.
CAMPAIGN = [
    "We call on the United Nations to guarantee universal, affordable and meaningful "
    "connectivity for every young person in our country by 2030.",
    "Young people must be included in every decision about digital technologies, from the "
    "local council to the General Assembly in New York.",
    "Governments must close the digital divide now.",
    "Our schools need trained teachers and working computers.",
    "Connectivity is a right, not a luxury, for the next generation.",
    "Signed, the youth coalition for digital rights.",
]
CAMPAIGN_NAMES = ["Amina", "John Otieno", "Maria Fernanda", "Li Wei", "Olga", "Kwame Mensah"]
# Distinct views on the same topic, one sharing a sentence with the campaign: never folded.
CAMPAIGN_DISTINCT = [
    "Governments must close the digital divide now. I think AI should be regulated by the UN "
    "so that no government can use it to spy on young activists like me.",
    "Our schools need trained teachers and working computers. In my village the only "
    "computer is in the mayor's office and nobody has ever used it for lessons.",
    *EN_DISTINCT,
]


def campaign_copy(dropped: int | None, name: str) -> str:
    return " ".join([f"My name is {name}."] +
                    [s for i, s in enumerate(CAMPAIGN) if i != dropped])


def campaign_texts(copies: int = 24) -> list[tuple[str, str]]:
    """(kind, text): a third without sentence 1, a third without sentence 2, a third
    whole (the bridges)."""
    kinds = [("no-first", 0), ("no-second", 1), ("whole", None)]
    return [(kinds[i % 3][0], campaign_copy(kinds[i % 3][1], CAMPAIGN_NAMES[i % 6]))
            for i in range(copies)]


def test_the_campaign_fixture_needs_its_bridges():
    first, second, whole = (minhash.signature(campaign_copy(d, "Olga")) for d in (0, 1, None))
    assert minhash.similarity(first, second) < minhash.THRESHOLD
    assert minhash.similarity(first, whole) >= minhash.THRESHOLD
    assert minhash.similarity(second, whole) >= minhash.THRESHOLD
    for text in CAMPAIGN_DISTINCT:
        assert minhash.similarity(whole, minhash.signature(text)) < minhash.THRESHOLD


@pytest.mark.parametrize("order", ["bridges last", "bridges first", "shuffled"])
def test_a_campaign_folds_into_one_in_any_order(session, open_round, order):
    texts = campaign_texts()
    if order == "bridges last":
        texts.sort(key=lambda item: item[0] == "whole")
    elif order == "bridges first":
        texts.sort(key=lambda item: item[0] != "whole")
    else:
        random.Random(17).shuffle(texts)
    distinct = [_submit(session, open_round, text) for text in CAMPAIGN_DISTINCT[:2]]
    copies = [_submit(session, open_round, text) for _kind, text in texts]
    distinct += [_submit(session, open_round, text) for text in CAMPAIGN_DISTINCT[2:]]
    assert len({_cluster_of(session, s) for s in copies}) == 1
    cluster_id = _cluster_of(session, copies[0])
    assert cluster_id is not None
    assert [_cluster_of(session, s) for s in distinct] == [None] * len(distinct)
    cluster = session.get(Cluster, cluster_id)
    session.refresh(cluster)
    assert cluster.size == len(copies)
    assert cluster.first_at == min(s.created_at for s in copies)
    assert clusters.campaign_stats(session, open_round.id) == {"clusters": 1,
                                                               "folded": len(copies)}


def test_a_merge_keeps_the_decisions_taken_on_either_campaign(session, open_round):
    moderator = make_user(session, "moderator")
    firsts = [_submit(session, open_round, campaign_copy(0, n)) for n in CAMPAIGN_NAMES[:3]]
    seconds = [_submit(session, open_round, campaign_copy(1, n)) for n in CAMPAIGN_NAMES[3:]]
    one, two = _cluster_of(session, firsts[0]), _cluster_of(session, seconds[0])
    assert None not in (one, two) and one != two
    approved = campaign_service.decide(
        session, session.get(Cluster, one), by=moderator, action="approve",
        selection=[(s.id, s.version) for s in firsts[:2]],
        tags=tagging.TagInput(principles=["P2"], commitments=["C4"]))
    rejected = campaign_service.decide(session, session.get(Cluster, two), by=moderator,
                               action="reject", selection=[(seconds[0].id, seconds[0].version)],
                               reason="spam")
    session.commit()
    assert len(approved.done) == 2 and len(rejected.done) == 1

    bridge = _submit(session, open_round, campaign_copy(None, "Olga"))
    merged = _cluster_of(session, bridge)
    assert merged == min(one, two)
    assert {_cluster_of(session, s) for s in firsts + seconds} == {merged}
    assert session.get(Cluster, max(one, two)) is None
    statuses = {s.id: session.scalar(select(Submission.status).where(Submission.id == s.id))
                for s in firsts + seconds + [bridge]}
    assert [statuses[s.id] for s in firsts] == [Status.APPROVED, Status.APPROVED, Status.PENDING]
    assert [statuses[s.id] for s in seconds] == [Status.REJECTED, Status.PENDING, Status.PENDING]
    members = campaign_service.members(session, session.get(Cluster, merged))
    assert members.counts[Status.APPROVED] == 2 and members.counts[Status.REJECTED] == 1
    assert members.pending_total == 4
    cluster = session.get(Cluster, merged)
    session.refresh(cluster)
    assert cluster.size == 7
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "cluster.merge"))
    assert event.target_id == merged and event.details["merged"] == [max(one, two)]


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_four_concurrent_clients_fold_one_campaign(kind, empty_database, server_url):
    """Four clients post one campaign (and distinct views) at once through the API, each
    request in its own transaction, as four nodes would: one campaign, nothing else."""
    if kind == "postgresql" and not server_url:
        pytest.skip("TEST_DATABASE_URL is not set")

    class Config(TestingConfig):
        DATABASE_URL = empty_database(kind)

    application = create_app(Config)
    assert application.test_cli_runner().invoke(args=["setup"]).exit_code == 0
    with application.app_context():
        round_id = db.session.scalar(select(Round.id))
    db.session.remove()
    texts = [text for _kind, text in campaign_texts(48)] + CAMPAIGN_DISTINCT
    random.Random(4).shuffle(texts)
    start = threading.Barrier(4)
    failures: list[str] = []

    def client(number: int) -> None:
        http = application.test_client()
        start.wait()
        for index, text in enumerate(texts[number::4]):
            response = http.post("/api/v1/submissions", json={
                "round_id": round_id, "language": "en", "title": f"Client {number} #{index}",
                "body": text, "actor_type": "youth", "country": "KE",
                "consent_processing": True})
            if response.status_code != 201:
                failures.append(f"{response.status_code} {response.get_data(as_text=True)}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    try:
        with application.app_context():
            rows = db.session.execute(select(Submission.body, Submission.cluster_id)).all()
            assert len(rows) == len(texts)
            campaign = {cluster for body, cluster in rows if body not in CAMPAIGN_DISTINCT}
            assert len(campaign) == 1 and None not in campaign
            assert [cluster for body, cluster in rows if body in CAMPAIGN_DISTINCT] == \
                [None] * len(CAMPAIGN_DISTINCT)
            assert clusters.campaign_stats(db.session, round_id) == {"clusters": 1,
                                                                     "folded": 48}
    finally:
        db.session.remove()
        db.engine.dispose()


def _plan(session, statement, params=None) -> str:
    from sqlalchemy import text
    from sqlalchemy.dialects import sqlite
    if params:
        statement = statement.params(**params)
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    return " | ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


def test_the_queries_that_must_stay_fast_use_an_index(session, database_url, open_round):
    if not database_url.startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans depend on statistics")
    hashes = {f"h{i}": i for i in range(minhash.BANDS)}
    found = _plan(session, clusters._CANDIDATES, {"round_id": 1, "exclude": 1, **hashes})
    # SQLite names the composite primary key's index sqlite_autoindex_cluster_bands_1.
    assert found.count("SEARCH cluster_bands USING COVERING INDEX") == minhash.BANDS, found
    assert found.count("(round_id=? AND band=? AND hash=?)") == minhash.BANDS, found
    assert "SCAN cluster_bands" not in found and "SCAN submissions" not in found, found
    page = (select(Cluster.id).where(Cluster.size >= 2)
            .order_by(Cluster.size.desc(), Cluster.id.desc()).limit(51))
    found = _plan(session, page)
    assert "ix_clusters_size_id" in found and "TEMP B-TREE" not in found, found
    pending = (select(Submission.id).where(Submission.cluster_id == 1,
                                           Submission.status == Status.PENDING)
               .order_by(Submission.created_at, Submission.id).limit(500))
    found = _plan(session, pending)
    assert "ix_submissions_cluster_id_status_created_at_id" in found, found
    assert "TEMP B-TREE" not in found, found


def test_rebuild_command(runner, session, open_round):
    for text in (EN, EN_VARIANTS["other name"], EN_DISTINCT[1]):
        _submit(session, open_round, text)
    result = runner.invoke(args=["clusters", "rebuild", "--round", str(open_round.id)])
    assert result.exit_code == 0, result.output
    assert "3 submissions read, 1 campaigns (2 submissions folded)" in result.output
    assert clusters.campaign_stats(session, open_round.id) == {"clusters": 1, "folded": 2}


def test_invisible_characters_do_not_escape_folding(session, open_round):
    """A copy with zero-width spaces between letters, a soft hyphen, a word joiner and a
    byte-order mark is the same text; in stored text the joiners a script needs stay."""
    first = _submit(session, open_round, EN)
    hidden = EN.replace("internet", "in\u200bter\u200bnet").replace("teachers", "tea\u00adchers") \
        .replace("digital", "digi\u2060tal\ufeff").replace("schools", "scho\u200bols")
    copy = _submit(session, open_round, hidden)
    assert "\u200b" not in copy.body and "\u00ad" not in copy.body
    # Older rows stored before clean_text dropped them fold the same way.
    assert np.array_equal(minhash.signature(hidden), minhash.signature(EN))
    assert np.array_equal(minhash.signature(EN.replace("a", "a\u200c")), minhash.signature(EN))
    assert _cluster_of(session, first) == _cluster_of(session, copy) is not None
