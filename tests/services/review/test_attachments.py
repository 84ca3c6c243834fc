"""The moderators' public/withheld decision on attached files (issue #21)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Submission
from app.services import NotFound
from app.services.review import attachments
from tests import attachment_data, factories
from tests.helpers import make_user


def test_set_public_audits_each_change_and_nothing_else(app, session, open_round):
    files = attachment_data.view_with_files(app, session, open_round)
    moderator = make_user(session, "moderator")
    submission = session.get(Submission, files.submission.id)
    found = attachments.set_public(session, submission, files.withheld.id, public=True,
                                   by=moderator)
    assert found.public is True
    attachments.set_public(session, submission, str(files.withheld.id), public=True,
                           by=moderator)  # already public: nothing to log
    attachments.set_public(session, submission, files.public.id, public=False, by=moderator)
    session.commit()
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)
                             .where(AuditEvent.action.like("attachment.%"))).all()
    assert [(e.action, e.target_id) for e in events] == [
        ("attachment.public", files.withheld.id), ("attachment.withheld", files.public.id)]
    assert events[0].details == {"submission_id": submission.id,
                                 "sha256": files.withheld.sha256}


@pytest.mark.parametrize("ident", ["999999", "x", "", "-1", None])
def test_unknown_ids_are_not_found(app, session, open_round, ident):
    files = attachment_data.view_with_files(app, session, open_round)
    with pytest.raises(NotFound):
        attachments.set_public(session, files.submission, ident, public=True,
                               by=make_user(session, "moderator"))


def test_another_views_file_is_not_found(app, session, open_round):
    files = attachment_data.view_with_files(app, session, open_round)
    other, _ = factories.make_submission(session, open_round)
    assert attachments.find(session, other.id, files.public.id) is None
    with pytest.raises(NotFound):
        attachments.set_public(session, other, files.public.id, public=False,
                               by=make_user(session, "moderator"))
    session.expire_all()
    assert attachments.find(session, files.submission.id, files.public.id).public is True


def test_a_file_made_public_after_the_decision_is_searched_and_withheld_again_is_not(
        app, session, open_round):
    from app.services.assist import search

    moderator = make_user(session, "moderator")
    files = attachment_data.view_with_files(app, session, open_round, approved_by=moderator)
    session.commit()
    word = attachment_data.WITHHELD_TEXT.split()[-1].strip(".")

    def found() -> bool:
        return session.scalar(select(Submission.id).where(
            Submission.id == files.submission.id, search.condition(session, word))) is not None

    assert not found()  # decided: a withheld file's text is not searched
    submission = session.get(Submission, files.submission.id)
    attachments.set_public(session, submission, files.withheld.id, public=True, by=moderator)
    session.commit()
    assert found()
    attachments.set_public(session, submission, files.withheld.id, public=False, by=moderator)
    session.commit()
    assert not found()
