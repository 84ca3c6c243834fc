"""Files attached to views never leak (issue #21): a withheld file, or any file of a view
that is pending, rejected, erased (or, for the public, published without consent),
reaches neither the reference group nor the public, whatever id or reference is tried,
and whatever they read (downloads, exports, Word summaries, pages, the API)."""
from __future__ import annotations

import io
import itertools
import json

import docx
import pytest

from app.models import Attachment, Submission, User
from app.services.contributions import intake
from app.services.review import moderation
from tests import attachment_data, factories
from tests.attachment_data import DOCX_BYTES, PDF_BYTES, checked
from tests.helpers import api_token, bearer, login, make_user
from tests.publication_data import approve


def _view(app, session, round_, name, *, public=True, **fields):
    submission, _ = factories.make_submission(session, round_, title=name, **fields)
    (item,) = attachment_data.attach(app, session, submission,
                                     checked(f"{name}.pdf", PDF_BYTES + name.encode(),
                                             text=f"{name}-TEXT", pages=3),
                                     public=(public,))
    return session.get(Submission, submission.id), item


@pytest.fixture()
def mixed(app, session, open_round):
    """Files of every kind of view. Only OPEN is public and published; SHARED is public
    and approved, its author refused publication."""
    moderator_id = make_user(session, "moderator", "leaks-mod@example.org").id
    files = {}

    def by():
        return session.get(User, moderator_id)

    submission, files["OPEN"] = _view(app, session, open_round, "OPEN")
    approve(session, by(), submission)
    # The withheld file of the same published view.
    (files["WITHHELD"],) = attachment_data.attach(
        app, session, session.get(Submission, submission.id),
        checked("WITHHELD.docx", DOCX_BYTES, kind="docx", text="WITHHELD-TEXT"))
    files["OPEN_REF"] = session.get(Submission, submission.id).reference
    submission, files["SHARED"] = _view(app, session, open_round, "SHARED",
                                        consent_publication=False)
    approve(session, by(), submission)
    submission, files["PENDING"] = _view(app, session, open_round, "PENDING")
    submission, files["REJECTED"] = _view(app, session, open_round, "REJECTED")
    moderation.decide(session, submission, by=by(), action="reject",
                      version=submission.version, reason="spam")
    session.commit()
    submission, files["ERASED"] = _view(app, session, open_round, "ERASED")
    approve(session, by(), submission)
    with app.app_context():  # erasing removes the stored files: the store is the app's
        intake.erase(session, session.get(Submission, submission.id))
        session.commit()
    session.expire_all()
    files["refs"] = [s.reference for s in session.query(Submission).all()]
    return files


NEVER_FOR_REFERENCE = ("WITHHELD", "PENDING", "REJECTED", "ERASED")
NEVER_FOR_PUBLIC = (*NEVER_FOR_REFERENCE, "SHARED")


def _ids(mixed, names):
    return [mixed[name].id for name in names]


def test_reference_group_downloads_only_public_files_of_approved_views(client, session,
                                                                       mixed):
    login(client, session, "reference")
    for name in ("OPEN", "SHARED"):
        assert client.get(f"/en/reports/attachments/{mixed[name].id}").status_code == 200
    for ident in [*_ids(mixed, NEVER_FOR_REFERENCE), 0, 999999]:
        response = client.get(f"/en/reports/attachments/{ident}")
        assert response.status_code == 404, ident
        assert "Content-Disposition" not in response.headers


def test_the_public_reaches_only_public_files_of_published_views(client, mixed):
    every_id = [mixed[name].id for name in ("OPEN", *NEVER_FOR_PUBLIC)]
    for reference, ident in itertools.product([*mixed["refs"], "NOPE-NOPE"], every_id):
        status = client.get(f"/en/contributions/{reference}/files/{ident}").status_code
        expected = 200 if (reference, ident) == (mixed["OPEN_REF"], mixed["OPEN"].id) else 404
        assert status == expected, (reference, ident)
    # Neither the moderators' nor the reference group's addresses serve a stranger.
    for ident in every_id:
        assert client.get(f"/en/reports/attachments/{ident}").status_code == 302
        for submission_id in range(1, 7):
            url = f"/en/moderate/submissions/{submission_id}/attachments/{ident}"
            assert client.get(url).status_code == 302


def test_reference_group_reads_no_withheld_name_anywhere(client, session, mixed):
    login(client, session, "reference")
    bodies = [client.get(f"/en/reports/export/submissions.{fmt}").get_data(as_text=True)
              for fmt in ("csv", "jsonl")]
    bodies.append(client.get("/en/reports/summary/P2/views").get_data(as_text=True))
    summary = docx.Document(io.BytesIO(client.get("/en/reports/summary/P2.docx").data))
    bodies.append("\n".join(p.text for p in summary.paragraphs))
    token = bearer(api_token(session, "reference", "leaks-api@example.org"))
    bodies.append(json.dumps(client.get("/api/v1/submissions", headers=token).get_json(),
                             ensure_ascii=False))
    for body in bodies:
        assert "OPEN.pdf" in body and "SHARED.pdf" in body
        for name in NEVER_FOR_REFERENCE:
            assert f"{name}." not in body and f"{name}-TEXT" not in body, name


def test_public_pages_show_no_withheld_or_unpublished_file(client, mixed, open_round):
    pages = [client.get(f"/en/contributions/{reference}").get_data(as_text=True)
             for reference in mixed["refs"]]
    pages.append(client.get(f"/en/rounds/{open_round.id}").get_data(as_text=True))
    joined = "\n".join(pages)
    assert joined.count("OPEN.pdf") == 1
    for name in NEVER_FOR_PUBLIC:
        assert f"{name}." not in joined and f"{name}-TEXT" not in joined, name


def test_withholding_stops_the_downloads_at_once(client, session, mixed):
    item = session.get(Attachment, mixed["OPEN"].id)
    item.public = False
    session.commit()
    assert client.get(f"/en/contributions/{mixed['OPEN_REF']}/files/{item.id}"
                      ).status_code == 404
    login(client, session, "reference")
    assert client.get(f"/en/reports/attachments/{item.id}").status_code == 404
