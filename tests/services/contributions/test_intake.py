"""The intake service's rules, independent of the web layer."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import ItemKind, Status, Submission, TagSource
from app.services import NotEditable, StaleVersion, ValidationFailed
from app.services.contributions import intake
from tests import factories


def test_submit_stores_everything_apart(session, open_round):
    submission, token = factories.make_submission(
        session, open_round, email=" me@example.org ", age_range="18_24", gender="female",
        principles=["p2", "P2"], commitments=["C3"])
    assert submission.personal.email == "me@example.org"
    assert submission.personal.age_range.value == "18_24"
    assert submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.PRINCIPLE) == ["P2"]
    assert submission.tag_codes(TagSource.CONTRIBUTOR, ItemKind.COMMITMENT) == ["C3"]
    assert intake.find_by_token(session, token).id == submission.id


def test_no_personal_row_when_nothing_personal_is_given(session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    assert submission.personal is None


def test_references_are_unique_and_unambiguous(session, open_round):
    references = {factories.make_submission(session, open_round)[0].reference
                  for _ in range(30)}
    assert len(references) == 30
    assert not any(ch in "01ILOU" for ref in references for ch in ref.replace("-", ""))



def test_validation_collects_all_errors_at_once(session, open_round):
    with pytest.raises(ValidationFailed) as caught:
        intake.submit(session, intake.SubmissionInput(round_id=open_round.id))
    assert {"language", "title", "body", "actor_type", "country",
            "consent_processing"} <= set(caught.value.errors)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_retired_items_are_refused(session, open_round):
    from app.db import utcnow
    from app.models import TaxonomyItem
    item = session.scalar(select(TaxonomyItem).where(TaxonomyItem.code == "T02"))
    item.retired_at = utcnow()
    session.flush()
    with pytest.raises(ValidationFailed) as caught:
        intake.submit(session, intake.SubmissionInput(
            **factories.submission_data(open_round, technologies=["T02"])))
    assert "technologies" in caught.value.errors


def test_update_checks_version_and_status(session, open_round):
    submission, _ = factories.make_submission(session, open_round)
    data = intake.SubmissionInput(**factories.submission_data(open_round, title="New"))
    with pytest.raises(StaleVersion):
        intake.update(session, submission, data, version=submission.version + 1)
    intake.update(session, submission, data, version=submission.version)
    assert submission.title == "New"
    submission.status = Status.REJECTED
    with pytest.raises(NotEditable):
        intake.update(session, submission, data, version=submission.version)


def test_erase_leaves_an_anonymous_tombstone(session, open_round):
    submission, _ = factories.make_submission(session, open_round, email="x@example.org")
    intake.erase(session, submission)
    session.commit()
    copy = intake.copy_of(submission)
    assert copy["status"] == "withdrawn"
    assert copy["title"] == "" and copy["body"] == "" and copy["email"] is None
    assert copy["round_id"] == open_round.id and copy["erased_at"]
