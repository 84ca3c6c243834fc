"""What the reference group gets of attached files (issue #21): public files of approved
views, never a withheld one."""
from __future__ import annotations

from app.models import Submission, User
from app.services.contributions import intake
from app.services.reporting import attachments
from tests import attachment_data
from tests.attachment_data import ARABIC_NAME, PDF_BYTES
from tests.helpers import make_user


def test_public_files_of_approved_views_only(app, session, open_round):
    moderator_id = make_user(session, "moderator").id
    pending = attachment_data.view_with_files(app, session, open_round)
    approved = attachment_data.view_with_files(app, session, open_round,
                                               approved_by=session.get(User, moderator_id))
    found = attachments.public_files(session, [pending.submission.id, approved.submission.id])
    assert list(found) == [approved.submission.id]
    (item,) = found[approved.submission.id]
    assert (item.id, item.filename, item.content_type, item.size, item.page_count) == (
        approved.public.id, ARABIC_NAME, "application/pdf", len(PDF_BYTES), 12)
    assert attachments.for_reference_group(session, approved.public.id).id == item.id
    for ident in (approved.withheld.id, pending.public.id, pending.withheld.id, "x", 0):
        assert attachments.for_reference_group(session, ident) is None
    with app.app_context():  # erasing removes the stored files: the store is the app's
        intake.erase(session, session.get(Submission, approved.submission.id))
        session.commit()
    session.expire_all()
    assert attachments.public_files(session, [approved.submission.id]) == {}
    assert attachments.for_reference_group(session, approved.public.id) is None
