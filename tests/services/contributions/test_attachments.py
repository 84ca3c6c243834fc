"""The attachment service (issue #21): the type by content, the limited reader process,
file names, and what the text feeds: language, search, suggestions, campaigns."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Status, Submission
from app.services import ValidationFailed
from app.services.assist import search, suggest
from app.services.contributions import attachments, extract, intake
from app.services.contributions.attachments import Limits, Upload
from app.services.review import moderation, tagging
from tests import attachment_files as files
from tests import factories
from tests.helpers import make_user

LIMITS = Limits(max_files=3, max_bytes=10 * 1024 * 1024, total_bytes=20 * 1024 * 1024)


def refusal(app, upload: Upload) -> str:
    with app.test_request_context("/en/"), pytest.raises(ValidationFailed) as caught:
        attachments.check([upload], LIMITS)
    [message] = caught.value.errors["files"]
    return str(message)


@pytest.mark.parametrize(("data", "kind"), [
    (files.pdf_file("hello"), "pdf"),
    (files.docx_file("hello"), "docx"),
    (files.odt_file("hello"), "odt"),
    ("\ufeffhello".encode("utf-16-be"), "text"),
    ("\ufeffhello".encode(), "text"),
    (b"plain hello", "text"),
])
def test_the_type_comes_from_the_content_never_the_name(app, data, kind):
    with app.app_context():
        [checked] = attachments.check([Upload("no-extension", data)], LIMITS)
    assert checked.kind == kind and "hello" in checked.text


def test_the_reader_runs_in_a_process_limited_in_time_and_memory(app, monkeypatch):
    data = files.pdf_file("hello")
    with app.app_context():
        # Too little memory to even start: the process dies or gives up, the worker not.
        monkeypatch.setattr(attachments, "MEMORY_BYTES", 16 * 1024 * 1024)
        assert attachments.read(data)["ok"] is False
        monkeypatch.setattr(attachments, "MEMORY_BYTES", 256 * 1024 * 1024)
        monkeypatch.setattr(attachments, "WALL_SECONDS", 0.001)
        assert attachments.read(data) == {"ok": False, "error": "limits"}
    assert "could not be read within our limits of time and memory" in refusal(
        app, Upload("slow.pdf", data))


def test_the_reader_sets_its_own_limits():
    import resource
    import subprocess
    import sys

    probe = ("import resource, sys; sys.path.insert(0, sys.argv[1]); import extract; "
             "extract.limit(7, 200 * 1024 * 1024); "
             "print(resource.getrlimit(resource.RLIMIT_CPU)[0], "
             "resource.getrlimit(resource.RLIMIT_AS)[0], "
             "resource.getrlimit(resource.RLIMIT_FSIZE)[0])")
    folder = str(__import__("pathlib").Path(extract.__file__).parent)
    done = subprocess.run([sys.executable, "-I", "-c", probe, folder],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["7", str(200 * 1024 * 1024), "0"]
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != 200 * 1024 * 1024  # not ours


@pytest.mark.parametrize(("name", "shown"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\paper.pdf", "paper.pdf"),
    ("evil\u202egnp.pdf", "evilgnp.pdf"),
    ("line\nbreak\x00.docx", "linebreak.docx"),
    ("  spaced   out  .txt ", "spaced out .txt"),
    ("a" * 300 + ".docx", "a" * 195 + ".docx"),
    (None, ""),
])
def test_file_names_are_made_safe_to_show(name, shown):
    assert attachments.clean_filename(name) == shown


def test_every_refused_file_is_named_and_none_is_read_when_one_is_too_large(app):
    with app.test_request_context("/en/"), pytest.raises(ValidationFailed) as caught:
        attachments.check([Upload("a.txt", b"x" * (LIMITS.max_bytes + 1)),
                           Upload("b.pdf", files.HTML_PAGE)], LIMITS)
    messages = [str(m) for m in caught.value.errors["files"]]
    assert messages == ["“a.txt” is larger than 10 MB: each file may be at most 10 MB."]
    with app.test_request_context("/en/"), pytest.raises(ValidationFailed) as caught:
        attachments.check([Upload("a.pdf", b""), Upload("b.pdf", files.HTML_PAGE),
                           Upload("c.txt", b"fine")], LIMITS)
    assert [str(m)[:7] for m in caught.value.errors["files"]] == ["“a.pdf”", "“b.pdf”"]


def test_a_campaign_of_the_same_pdf_folds(app, session, open_round):
    paper = files.pdf_file(
        "We, the undersigned organisations, call on the United Nations to guarantee "
        "meaningful connectivity, open standards and public oversight of artificial "
        "intelligence in every country, with independent audits and redress for people "
        "harmed by automated decisions.")
    with app.app_context():
        first, _ = factories.make_submission(session, open_round, title="Our position",
                                             body="", files=[Upload("a.pdf", paper)])
        second, _ = factories.make_submission(session, open_round, title="Our position",
                                              body="", files=[Upload("b.pdf", paper)])
        other, _ = factories.make_submission(session, open_round, title="Our position",
                                             body="", files=[Upload("c.txt", b"Something "
                                                             b"else entirely about rivers, "
                                                             b"fishing and the weather.")])
    rows = {s.id: s.cluster_id for s in session.scalars(select(Submission))}
    assert rows[first.id] is not None and rows[first.id] == rows[second.id]
    assert rows[other.id] != rows[first.id]


def test_search_finds_a_pending_view_by_its_file_and_after_a_decision_only_public_files(
        app, session, open_round):
    with app.app_context():
        view, _ = factories.make_submission(session, open_round, body="Short note.", files=[
            Upload("withheld.txt", b"The word quasarite is in the withheld file."),
            Upload("public.txt", b"The word pulsarite is in the public file.")])
    ids = lambda word: list(session.scalars(  # noqa: E731
        select(Submission.id).where(search.condition(session, word))))
    assert ids("quasarite") == ids("pulsarite") == [view.id]
    stored = session.get(Submission, view.id)
    stored.attachments[1].public = True
    moderator = make_user(session, "moderator")
    moderation.decide(session, stored, by=moderator, action="approve",
                      version=stored.version,
                      tags=tagging.TagInput(principles=["P2"], technologies=["T15"]))
    session.commit()
    assert stored.status == Status.APPROVED
    assert ids("quasarite") == [] and ids("pulsarite") == [view.id]


def test_the_files_text_feeds_language_and_suggestions(app, session, open_round):
    arabic = ("تدعو هذه الورقة الأمم المتحدة إلى ضمان الاتصال الهادف بالإنترنت في كل قرية، "
              "وإلى حماية البيانات الشخصية والخصوصية في أنظمة الذكاء الاصطناعي.")
    with app.app_context():
        view, _ = factories.make_submission(session, open_round, title="ورقة", body="",
                                            language="ar", technologies=[], principles=[],
                                            files=[Upload("ورقة.docx", files.docx_file(arabic))])
    stored = session.get(Submission, view.id)
    assert stored.attachments[0].language == "ar"
    assert stored.detected_language == "ar"
    text = suggest.submission_text(stored)
    assert "الذكاء الاصطناعي" in text


def test_removing_a_file_reads_the_view_again(app, session, open_round):
    with app.app_context():
        view, _ = factories.make_submission(session, open_round, body="A short note.", files=[
            Upload("a.txt", b"The word meteorite is only in this file.")])
        stored = session.get(Submission, view.id)
        intake.remove_file(session, stored, stored.attachments[0].id)
        session.commit()
        assert list(session.scalars(select(Submission.id).where(
            search.condition(session, "meteorite")))) == []
