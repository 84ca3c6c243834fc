"""Double coding: selection, the two codings, reconciliation and Krippendorff's alpha."""
from __future__ import annotations

import krippendorff
import pytest
from sqlalchemy import select

from app.models import AuditEvent, ItemKind, Submission, TagSource
from app.models.coding import Coding, CodingState, DoubleCoding
from app.services import NotEditable, StaleVersion, ValidationFailed
from app.services.reporting import reliability
from app.services.review import agreement, moderation, tagging
from tests import factories
from tests.helpers import make_user

# Krippendorff's alpha, by hand, for one code (say P2) on five submissions, each coded
# present (1) or absent (0) by two moderators:
#
#   submission   1  2  3  4  5
#   coder A      1  1  0  0  1
#   coder B      1  0  0  0  1
#
# Coincidence matrix (nominal, two coders, no missing values): each submission adds its
# two ordered pairs (A,B) and (B,A) with weight 1 / (m - 1) = 1 / (2 - 1) = 1.
#   submissions 1 and 5, (1,1): o11 += 2 each          -> o11 = 4
#   submission 2, (1,0) and (0,1): o10 += 1, o01 += 1  -> o10 = 1, o01 = 1
#   submissions 3 and 4, (0,0): o00 += 2 each          -> o00 = 4
#
#             0    1  | n_c
#        0    4    1  |  5
#        1    1    4  |  5
#                     | n = 10
#
# Observed disagreement D_o = (o01 + o10) / n = 2 / 10 = 0.2
# Expected disagreement D_e = (n0 * n1 + n1 * n0) / (n * (n - 1)) = 50 / 90 = 0.5556
# alpha = 1 - D_o / D_e = 1 - 0.2 / 0.5556 = 1 - 0.36 = 0.64
HAND_CODER_A = [1, 1, 0, 0, 1]
HAND_CODER_B = [1, 0, 0, 0, 1]
HAND_ALPHA = 0.64


def test_alpha_equals_the_hand_computed_example():
    alpha = reliability.alpha_for_pairs(zip(HAND_CODER_A, HAND_CODER_B, strict=True))
    assert alpha == pytest.approx(HAND_ALPHA)
    # units 5, present 3 + 2 = 5, one disagreement: 1 - 9 * 1 / (5 * 5) = 0.64
    assert reliability.binary_alpha(5, 5, 1) == pytest.approx(HAND_ALPHA)
    reference = krippendorff.alpha(reliability_data=[HAND_CODER_A, HAND_CODER_B],
                                   level_of_measurement="nominal")
    assert alpha == pytest.approx(reference)


def test_alpha_perfect_agreement_chance_and_undefined_cases():
    assert reliability.alpha_for_pairs([(1, 1), (0, 0), (1, 1), (0, 0)]) == 1.0
    # Always opposite: worse than chance. n = 4, n0 = n1 = 2, 2 disagreements:
    # 1 - 3 * 2 / (2 * 2) = -0.5
    assert reliability.alpha_for_pairs([(1, 0), (0, 1)]) == pytest.approx(-0.5)
    assert reliability.alpha_for_pairs([(1, 0), (0, 1)]) == pytest.approx(
        krippendorff.alpha(reliability_data=[[1, 0], [0, 1]], level_of_measurement="nominal"))
    assert reliability.alpha_for_pairs([(1, 1), (1, 1), (1, 1)]) is None  # no variation
    assert reliability.alpha_for_pairs([(1, 0)]) is None  # one unit is not enough
    assert reliability.alpha_for_pairs([]) is None


def test_selection_honours_the_share():
    ids = range(1, 20_001)
    assert not any(agreement.is_selected(i, 0) for i in ids)
    assert all(agreement.is_selected(i, 100) for i in ids)
    ten = {i for i in ids if agreement.is_selected(i, 10)}
    twenty = {i for i in ids if agreement.is_selected(i, 20)}
    assert 0.09 < len(ten) / len(ids) < 0.11
    assert 0.19 < len(twenty) / len(ids) < 0.21
    assert ten < twenty  # raising the share only adds submissions
    assert {i for i in ids if agreement.is_selected(i, 10)} == ten  # deterministic


@pytest.mark.parametrize("value", [-1, 101, "abc", "", True, None, "1e2", 12.5])
def test_share_refuses_anything_but_a_whole_percent(value):
    with pytest.raises(ValidationFailed) as caught:
        agreement.parse_percent(value)
    assert "percent" in caught.value.errors


def test_parse_percent_accepts_text_and_numbers():
    assert agreement.parse_percent(" 25 ") == 25
    assert agreement.parse_percent("100%") == 100
    assert agreement.parse_percent(0) == 0


@pytest.fixture()
def people(session):
    return {"first": make_user(session, "moderator", "first@example.org"),
            "second": make_user(session, "moderator", "second@example.org"),
            "third": make_user(session, "moderator", "third@example.org"),
            "admin": make_user(session, "admin", "admin@example.org")}


def approve(session, round_, by, principles=("P2",), commitments=("C4",), **fields):
    submission, _ = factories.make_submission(session, round_, **fields)
    moderation.decide(session, submission, by=by, action="approve", version=submission.version,
                      tags=tagging.TagInput(principles=list(principles),
                                               commitments=list(commitments),
                                               technologies=["T15"], keywords=["access"]))
    session.commit()
    return submission


def test_approval_selects_by_the_round_share_and_keeps_the_first_coding(
        session, open_round, people):
    assert agreement.share_of(session, open_round.id) == 0
    plain = approve(session, open_round, people["first"])
    assert session.get(DoubleCoding, plain.id) is None

    agreement.set_share(session, open_round, "100", by=people["admin"])
    session.commit()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "coding.share"))
    assert event.before == {"percent": 0} and event.after == {"percent": 100}

    chosen = approve(session, open_round, people["first"], principles=["P2", "P1"])
    unit = session.get(DoubleCoding, chosen.id)
    assert unit.state == CodingState.AWAITING and unit.first_coder_id == people["first"].id
    codings = session.scalars(select(Coding).where(Coding.submission_id == chosen.id)).all()
    assert [(c.coder_id, sorted(c.codes)) for c in codings] == [
        (people["first"].id, ["C4", "P1", "P2"])]
    # A rejection codes nothing: the tags are what is double coded.
    rejected, _ = factories.make_submission(session, open_round)
    moderation.decide(session, rejected, by=people["first"], action="reject",
                      version=rejected.version, reason="spam")
    session.commit()
    assert session.get(DoubleCoding, rejected.id) is None


def test_half_share_selects_what_the_hash_says(session, open_round, people):
    agreement.set_share(session, open_round, 50, by=people["admin"])
    session.commit()
    made = [approve(session, open_round, people["first"]) for _ in range(12)]
    selected = {s.id for s in made if session.get(DoubleCoding, s.id) is not None}
    assert selected == {s.id for s in made if agreement.is_selected(s.id, 50)}


@pytest.fixture()
def doubly(session, open_round, people):
    agreement.set_share(session, open_round, 100, by=people["admin"])
    session.commit()
    return open_round


def test_first_coder_cannot_be_the_second(session, doubly, people):
    submission = approve(session, doubly, people["first"])
    unit = agreement.get_unit(session, submission.id)
    assert agreement.is_blind(session, submission, people["second"])
    assert not agreement.is_blind(session, submission, people["first"])
    with pytest.raises(NotEditable):
        agreement.second_code(session, unit, by=people["first"], principles=["P2"],
                              commitments=["C4"])
    assert agreement.second_coding_queue(session, people["first"]).items == []
    assert [u.submission_id for u in agreement.second_coding_queue(
        session, people["second"]).items] == [submission.id]


def test_agreement_removes_nothing(session, doubly, people):
    submission = approve(session, doubly, people["first"])
    before = sorted((t.item.code, t.source.value) for t in submission.tags)
    unit = agreement.get_unit(session, submission.id)
    agreement.second_code(session, unit, by=people["second"], principles=["p2"],
                          commitments=["C4"])
    session.commit()
    session.expire_all()
    assert session.get(DoubleCoding, submission.id).state == CodingState.AGREED
    stored = session.get(Submission, submission.id)
    assert sorted((t.item.code, t.source.value) for t in stored.tags) == before
    assert [k.text for k in stored.keywords] == ["access"]
    assert agreement.reconciliation_queue(session).items == []
    assert agreement.second_coding_queue(session, people["third"]).items == []
    # Coded already: a third moderator is too late.
    with pytest.raises(StaleVersion):
        agreement.second_code(session, agreement.get_unit(session, submission.id),
                              by=people["third"], principles=["P1"], commitments=[])


def test_second_coding_needs_a_known_code(session, doubly, people):
    submission = approve(session, doubly, people["first"])
    unit = agreement.get_unit(session, submission.id)
    with pytest.raises(ValidationFailed) as caught:
        agreement.second_code(session, unit, by=people["second"], principles=[],
                              commitments=[])
    assert "principles" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        agreement.second_code(session, unit, by=people["second"], principles=["P99"],
                              commitments=[])
    assert "principles" in caught.value.errors
    assert session.get(DoubleCoding, submission.id).state == CodingState.AWAITING


def test_disagreement_goes_to_reconciliation_which_sets_the_final_tags(
        session, doubly, people):
    submission = approve(session, doubly, people["first"], principles=["P2"],
                         commitments=["C4"])
    unit = agreement.get_unit(session, submission.id)
    agreement.second_code(session, unit, by=people["second"], principles=["P2", "P3"],
                          commitments=[])
    session.commit()
    queue = agreement.reconciliation_queue(session)
    assert [u.submission_id for u in queue.items] == [submission.id]

    unit = agreement.get_unit(session, submission.id)
    stale = submission.version - 1
    with pytest.raises(StaleVersion):
        agreement.reconcile(session, unit, by=people["third"], version=stale,
                            principles=["P3"], commitments=[])
    session.rollback()
    unit = agreement.get_unit(session, submission.id)
    agreement.reconcile(session, unit, by=people["third"],
                        version=session.get(Submission, submission.id).version,
                        principles=["P2", "P3"], commitments=["C4"])
    session.commit()
    session.expire_all()
    stored = session.get(Submission, submission.id)
    assert stored.tag_codes(TagSource.MODERATOR, ItemKind.PRINCIPLE) == ["P2", "P3"]
    assert stored.tag_codes(TagSource.MODERATOR, ItemKind.COMMITMENT) == ["C4"]
    assert stored.tag_codes(TagSource.MODERATOR, ItemKind.TECHNOLOGY) == ["T15"]  # kept
    assert [k.text for k in stored.keywords] == ["access"]
    final = session.get(DoubleCoding, submission.id)
    assert final.state == CodingState.RECONCILED
    assert final.resolved_by_id == people["third"].id and final.final_codes == ["C4", "P2",
                                                                                 "P3"]
    assert agreement.reconciliation_queue(session).items == []
    actions = set(session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_id == submission.id)))
    assert {"coding.select", "coding.second", "coding.reconcile",
            "submission.tags"} <= actions
    # Both codings stay as coded: alpha measures the coders, not the final tags.
    codings = {c.coder_id: sorted(c.codes) for c in session.scalars(
        select(Coding).where(Coding.submission_id == submission.id))}
    assert codings == {people["first"].id: ["C4", "P2"], people["second"].id: ["P2", "P3"]}


def test_alpha_from_the_database_matches_the_hand_example(session, doubly, people):
    # P2 as in the hand example; C4 coded the same by both everywhere it is present.
    for first_has, second_has, c4 in zip(HAND_CODER_A, HAND_CODER_B, [1, 0, 1, 0, 1],
                                         strict=True):
        first = ["P2"] if first_has else ["P1"]
        second = ["P2"] if second_has else ["P1"]
        commitments = ["C4"] if c4 else []
        submission = approve(session, doubly, people["first"], principles=first,
                             commitments=commitments)
        agreement.second_code(session, agreement.get_unit(session, submission.id),
                              by=people["second"], principles=second, commitments=commitments)
        session.commit()
    approve(session, doubly, people["first"])  # awaiting: not a unit yet
    result = reliability.agreement(session)
    assert result.units == 5
    assert result.for_code("P2").alpha == pytest.approx(HAND_ALPHA)
    assert result.for_code("C4").alpha == 1.0
    assert result.for_code("P5").alpha is None  # never chosen: no variation
    assert {c.kind for c in result.codes} == {"principle", "commitment"}
    assert reliability.Agreement.from_json(result.to_json()) == result
    # The report filter applies: another round has no doubly coded submission.
    from app.services.reporting import reports
    other = factories.make_round(session)
    assert reliability.agreement(session, reports.ReportFilter(round_id=other.id)).units == 0


def test_queues_are_keyset_paginated(session, doubly, people):
    made = [approve(session, doubly, people["first"]) for _ in range(3)]
    first_page = agreement.second_coding_queue(session, people["second"], limit=2)
    assert [u.submission_id for u in first_page.items] == [s.id for s in made[:2]]
    assert first_page.next_cursor
    second_page = agreement.second_coding_queue(session, people["second"], limit=2,
                                                cursor=first_page.next_cursor)
    assert [u.submission_id for u in second_page.items] == [made[2].id]
    assert second_page.next_cursor is None
    with pytest.raises(ValidationFailed):
        agreement.second_coding_queue(session, people["second"], cursor="not-a-cursor!")


def test_queues_walk_their_index(session, database_url, people):
    """EXPLAIN on SQLite (PostgreSQL plans depend on statistics): no sort of the table."""
    if not database_url.startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    from tests.drills.test_query_plans import plan

    for state, conditions in ((CodingState.AWAITING,
                               [DoubleCoding.first_coder_id != people["second"].id]),
                              (CodingState.DISAGREED, [])):
        found = plan(session, agreement.queue_statement(state, conditions, limit=51))
        assert "ix_double_codings_state_selected_at_submission_id" in found, found
        assert "TEMP B-TREE" not in found, found
