"""Views with attached files for the staff, reference-group and public tests (issue #21).

Files are stored through the committed service (`attachments.attach`, which puts the bytes
in the attachment store and adds the rows), from `Checked` values made here: these tests
are about what happens after a file was accepted, not about reading it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import Attachment, Submission, User
from app.services.contributions import attachments, extract
from tests import factories
from tests.publication_data import approve

ARABIC_TEXT = ("ورقة موقف من شبكة المجتمع المدني: ندعو إلى حوكمة شاملة للذكاء الاصطناعي "
               "وإلى حماية البيانات الشخصية في الخدمات الرقمية للأمم المتحدة.")
ARABIC_NAME = "ورقة موقف الشبكة.pdf"
WITHHELD_TEXT = "WITHHELD-FILE-PHRASE signed by Amina Doe, +254 712 345 678"
WITHHELD_NAME = "signatures-withheld.docx"
PDF_BYTES = b"%PDF-1.7\n% a position paper, stored as sent\n" + bytes(range(256))
DOCX_BYTES = b"PK\x03\x04 signatures of the network's members"


def checked(name: str, data: bytes, *, kind: str = extract.PDF, text: str = "",
            pages: int | None = None, language: str | None = None) -> attachments.Checked:
    return attachments.Checked(filename=name, data=data, size=len(data), kind=kind,
                               text=text, page_count=pages, language=language)


def attach(app: Any, session: Any, submission: Any, *files: attachments.Checked,
           public: tuple[bool, ...] = ()) -> list[Any]:
    """Store `files` with `submission` (committed); `public` marks them in order. The
    store needs an app context, whose end removes the session: the rows come back
    loaded again (and objects loaded before are detached: load them again too)."""
    with app.app_context():
        attachments.attach(session, submission, list(files))
        added = submission.attachments[-len(files):]
        for item, flag in zip(added, public, strict=False):
            item.public = flag
        session.commit()
        ids = [item.id for item in added]
    return [session.get(Attachment, ident) for ident in ids]


@dataclass
class Files:
    submission: Any
    public: Any  # the Arabic position paper, marked public
    withheld: Any  # the list of signatures, left withheld


def view_with_files(app: Any, session: Any, round_: Any, *, approved_by: Any = None,
                    **fields: Any) -> Files:
    """A view with a public Arabic PDF of 12 pages and a withheld DOCX; approved when
    `approved_by` (a moderator) is given."""
    submission, _token = factories.make_submission(session, round_, **fields)
    moderator_id = approved_by.id if approved_by is not None else None
    public, withheld = attach(
        app, session, submission,
        checked(ARABIC_NAME, PDF_BYTES, text=ARABIC_TEXT, pages=12, language="ar"),
        checked(WITHHELD_NAME, DOCX_BYTES, kind=extract.DOCX, text=WITHHELD_TEXT),
        public=(True, False))
    submission = session.get(Submission, submission.id)
    if moderator_id is not None:
        approve(session, session.get(User, moderator_id), submission)
    return Files(submission=submission, public=public, withheld=withheld)
