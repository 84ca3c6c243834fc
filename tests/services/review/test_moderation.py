"""Decisions on submissions (app/services/review/moderation.py), at the service level."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, RejectReason, Status, TagSource
from app.services import NotEditable, StaleVersion, ValidationFailed
from app.services.review import moderation, tagging
from tests import factories
from tests.helpers import make_user


@pytest.fixture()
def moderator(session):
    return make_user(session, "moderator")


def test_approve_tags_and_audits_without_text(session, open_round, moderator):
    submission, _ = factories.make_submission(session, open_round, body="Private words here.")
    moderation.decide(session, submission, by=moderator, action="approve",
                      version=submission.version,
                      tags=tagging.TagInput(principles=["p2"], commitments=["C1"],
                                            keywords=["  Rural  Access "]))
    session.commit()
    assert submission.status == Status.APPROVED
    assert submission.tag_codes(TagSource.MODERATOR) == ["C1", "P2"]
    assert [k.text for k in submission.keywords] == ["rural access"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "submission.approve"))
    assert event.actor_id == moderator.id
    assert event.after["tags"]["principles"] == ["P2"]
    assert "Private words" not in str(event.before) + str(event.after) + str(event.details)


def test_approval_needs_a_principle_or_commitment(session, open_round, moderator):
    submission, _ = factories.make_submission(session, open_round)
    with pytest.raises(ValidationFailed) as caught:
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version, tags=tagging.TagInput())
    assert "principles" in caught.value.errors
    assert submission.status == Status.PENDING


def test_unknown_codes_are_named_in_the_error(session, open_round, moderator):
    submission, _ = factories.make_submission(session, open_round)
    with pytest.raises(ValidationFailed) as caught:
        moderation.decide(session, submission, by=moderator, action="approve",
                          version=submission.version,
                          tags=tagging.TagInput(principles=["P9"], commitments=["T01"]))
    assert "P9" in str(caught.value.errors["principles"][0])
    assert "T01" in str(caught.value.errors["commitments"][0])


def test_reject_needs_a_known_reason(session, open_round, moderator):
    submission, _ = factories.make_submission(session, open_round)
    with pytest.raises(ValidationFailed):
        moderation.decide(session, submission, by=moderator, action="reject",
                          version=submission.version, reason="because")
    moderation.decide(session, submission, by=moderator, action="reject",
                      version=submission.version, reason="off_topic")
    session.commit()
    assert submission.status == Status.REJECTED
    assert submission.reject_reason == RejectReason.OFF_TOPIC


def test_a_stale_version_is_refused(session, open_round, moderator):
    submission, _ = factories.make_submission(session, open_round)
    seen = submission.version
    moderation.decide(session, submission, by=moderator, action="reject", version=seen,
                      reason="spam")
    session.commit()
    with pytest.raises(StaleVersion):
        moderation.decide(session, submission, by=moderator, action="approve", version=seen,
                          tags=tagging.TagInput(principles=["P1"]))
    with pytest.raises(ValidationFailed):
        moderation.decide(session, submission, by=moderator, action="approve",
                          version="1", tags=tagging.TagInput(principles=["P1"]))


def test_a_withdrawn_view_cannot_be_reviewed(session, open_round, moderator):
    submission, _ = factories.make_submission(session, open_round)
    submission.status = Status.WITHDRAWN
    session.commit()
    with pytest.raises(NotEditable):
        moderation.decide(session, submission, by=moderator, action="reject",
                          version=submission.version, reason="spam")


def test_bulk_decides_each_item_on_its_own(session, open_round, moderator):
    first, _ = factories.make_submission(session, open_round)
    second, _ = factories.make_submission(session, open_round, body="Another view entirely.")
    third, _ = factories.make_submission(session, open_round, body="A third view.")
    result = moderation.bulk(session, by=moderator, action="approve",
                             tags=tagging.TagInput(principles=["P1"]),
                             selection=[(first.id, first.version),
                                        (second.id, second.version + 1),
                                        (2_000_000_000, 1)])
    session.commit()
    assert result.done == [first.id]
    assert result.stale == [second.id, 2_000_000_000]
    assert first.status == Status.APPROVED and second.status == Status.PENDING
    bad = moderation.bulk(session, by=moderator, action="approve", tags=tagging.TagInput(),
                          selection=[(third.id, third.version)])
    assert list(bad.invalid) == [third.id] and "principles" in bad.invalid[third.id]
    assert third.status == Status.PENDING
