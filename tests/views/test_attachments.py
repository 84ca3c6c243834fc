"""Attached files (issue #21) through the public form and the API: real PDF, DOCX, ODT
and text papers in Arabic and Chinese found by a word only the file holds; the hostile
corpus refused with a clear message, never a 500, leaving no row and no file; the
receipt, the copy and removal; erasure takes the files."""
from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app import storage
from app.models import Attachment, Submission, SubmissionSearch
from app.services.assist import search
from tests import attachment_files as files
from tests.helpers import csrf_token, web_form

WORD = "zanzibarite"  # in the files only
MB = 1024 * 1024


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def stored_files(app) -> list[str]:
    with app.app_context():
        return list(storage.store().names())


def multipart(client, url, data, **kwargs):
    """POST `data` as multipart/form-data, encoded in memory (the test client's own
    encoder spools large bodies to a temporary file it never closes)."""
    def part(value):
        if isinstance(value, tuple):  # (stream, file name[, content type])
            return FileStorage(stream=value[0], filename=value[1],
                               content_type=value[2] if len(value) > 2 else None)
        return value

    values = MultiDict()
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            values.add(key, part(item))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def send(client, open_round, attached, lang="en", **fields):
    """Post the form with `attached`: a list of (file name, bytes)."""
    url = f"/{lang}/submit"
    data = web_form(open_round, **fields)
    data["csrf_token"] = csrf_token(client.get(url).get_data(as_text=True))
    data["files"] = [(io.BytesIO(content), name) for name, content in attached]
    return multipart(client, url, data)


def found_by(session, word: str) -> list[int]:
    return list(session.scalars(select(Submission.id).where(search.condition(session, word))))


def manage_path(response) -> str:
    return response.headers["Location"]


def test_the_form_offers_files_without_javascript(client, open_round):
    html = client.get("/en/submit").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    field = re.search(r"<input type=\"file\"[^>]*>", html).group(0)
    assert 'name="files"' in field and "multiple" in field
    assert 'accept=".pdf,.docx,.odt,.txt,application/pdf' in field
    assert "Up to 3 files: PDF, Word (DOCX), OpenDocument (ODT) or plain text, at most 10 MB " \
           "each and 20 MB together." in html
    arabic = client.get("/ar/submit").get_data(as_text=True)
    assert "3 ملفات على الأكثر" in arabic and 'type="file"' in arabic


@pytest.mark.parametrize("kind", ["docx", "odt", "txt", "pdf"])
def test_a_paper_in_arabic_and_chinese_is_found_by_a_word_only_it_holds(
        app, client, session, open_round, kind):
    paragraphs = (files.ARABIC, files.CHINESE, f"Keyword {WORD}.")
    if kind == "docx":
        content = files.docx_file(*paragraphs)
    elif kind == "odt":
        content = files.odt_file(*paragraphs)
    elif kind == "txt":
        content = ("\ufeff" + "\n".join(paragraphs)).encode("utf-16-le")
    else:
        content = files.soffice_pdf_from_docx(*paragraphs)
        if content is None:
            pytest.skip("LibreOffice (soffice) is not installed")
    response = send(client, open_round, [(f"paper.{kind}", content)], body="See the paper.")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    submission = session.scalar(select(Submission))
    [attachment] = submission.attachments
    assert attachment.filename == f"paper.{kind}"
    assert attachment.size == len(content)
    assert WORD in attachment.text and "المساءلة" in attachment.text
    assert "问责" in attachment.text
    assert found_by(session, WORD) == [submission.id]
    assert found_by(session, "المساءلة") == [submission.id]
    assert found_by(session, "问责") == [submission.id]
    assert stored_files(app) == [attachment.sha256]

    receipt = client.get(manage_path(response)).get_data(as_text=True)
    assert f"paper.{kind}" in receipt and "Documents you attached" in receipt


def test_a_pdf_from_the_small_generator_and_a_view_that_is_only_a_file(
        client, session, open_round):
    content = files.pdf_file(f"A position paper on {WORD} and digital cooperation, written "
                             "by a network of forty organisations working on human rights.",
                             "The second page asks the United Nations to publish its data.")
    response = send(client, open_round, [("Paper.PDF", content)], body="")
    assert response.status_code == 303
    submission = session.scalar(select(Submission))
    assert submission.body == ""
    [attachment] = submission.attachments
    assert attachment.content_type == "application/pdf" and attachment.page_count == 2
    assert attachment.language == "en" and submission.detected_language == "en"
    assert found_by(session, WORD) == [submission.id]


def _nothing_left(app, session) -> None:
    assert count(session, Submission) == 0
    assert count(session, Attachment) == 0
    assert count(session, SubmissionSearch) == 0
    assert stored_files(app) == []


HOSTILE = {
    "pdf page count bomb": ("paper.pdf", files.pdf_page_count_bomb, "more than 300 pages"),
    "pdf page tree bomb": ("paper.pdf", files.pdf_page_tree_bomb, "could not be read within"),
    "pdf stream bomb": ("paper.pdf", files.pdf_stream_bomb, "could not be read within"),
    "pdf nesting bomb": ("paper.pdf", files.pdf_nesting_bomb, "damaged"),
    "pdf of 301 pages": ("paper.pdf", files.pdf_many_pages, "more than 300 pages"),
    "zip bomb docx": ("paper.docx", files.docx_zip_bomb, "could not be read within"),
    "html renamed pdf": ("paper.pdf", lambda: files.HTML_PAGE, "is not a PDF, Word"),
    "elf renamed docx": ("paper.docx", lambda: files.ELF_BINARY, "is not a PDF, Word"),
    "exe renamed docx": ("paper.docx", lambda: files.EXE_BINARY, "is not a PDF, Word"),
    "empty file": ("paper.pdf", lambda: b"", "is empty"),
    "encrypted pdf": ("paper.pdf", files.encrypted_pdf, "encrypted or protected by a password"),
    "docx renamed pdf": ("paper.pdf", lambda: files.docx_file("x"), "is not the PDF file its"),
    "damaged pdf": ("paper.pdf", lambda: b"%PDF-1.7\n" + b"garbage " * 100, "damaged"),
    "docx without its document": (
        "paper.docx", lambda: _zip({"[Content_Types].xml": b"<Types/>"}), "is not a PDF"),
}


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_clearly_and_leaves_nothing(app, client, session,
                                                               open_round, case):
    name, build, message = HOSTILE[case]
    good = files.docx_file(f"A fine paper about {WORD}")
    response = send(client, open_round, [("good.docx", good), (name, build())])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f"“{name}”" in html or "“" not in message
    assert 'id="files-error"' in html and 'href="#files"' in html
    assert "good.docx" not in html  # the good file is not blamed
    _nothing_left(app, session)


def test_hostile_files_are_refused_in_arabic(app, client, session, open_round):
    response = send(client, open_round, [("ورقة.pdf", files.encrypted_pdf())], lang="ar")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "الملف «ورقة.pdf» مشفّر أو محمي بكلمة مرور" in html
    _nothing_left(app, session)


def test_four_files_are_refused(app, client, session, open_round):
    paper = files.docx_file("paper")
    response = send(client, open_round, [(f"p{n}.docx", paper) for n in range(4)])
    assert response.status_code == 422
    assert "Attach at most 3 files." in response.get_data(as_text=True)
    _nothing_left(app, session)


def test_files_too_large_each_and_together(app, client, session, open_round):
    big = files.big_pdf(int(10.5 * MB))
    response = send(client, open_round, [("big.pdf", big)])
    assert response.status_code == 422
    assert "“big.pdf” is larger than 10 MB" in response.get_data(as_text=True)
    seven = files.big_pdf(7 * MB)
    response = send(client, open_round, [("a.pdf", seven), ("b.pdf", seven), ("c.pdf", seven)])
    assert response.status_code == 422
    assert "Your files come to 21 MB together: at most 20 MB" in response.get_data(as_text=True)
    _nothing_left(app, session)


def test_25_mb_gets_a_localized_413_page_and_json(app, client, session, open_round):
    nine = files.big_pdf(9 * MB)
    attached = [("a.pdf", nine), ("b.pdf", nine), ("c.pdf", files.big_pdf(7 * MB))]
    response = send(client, open_round, attached)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "at most 20 MB together" in html and "Traceback" not in html
    arabic = send(client, open_round, attached, lang="ar")
    assert arabic.status_code == 413
    assert "لا يجوز أن يتجاوز مجموع الملفات المرفقة برأي واحد 20" in arabic.get_data(as_text=True)
    api = multipart(client, "/api/v1/submissions", {
        "submission": json.dumps({"round_id": open_round.id}),
        "files": [(io.BytesIO(content), name) for name, content in attached]})
    assert api.status_code == 413
    assert "at most 20 MB together" in api.get_json()["errors"]["request"][0]
    _nothing_left(app, session)


def test_a_json_post_still_refuses_more_than_512_kib(client, open_round):
    response = client.post("/api/v1/submissions", data=b'{"a": "' + b"x" * 600_000 + b'"}',
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["errors"]["request"]


def _api_payload(round_) -> dict:
    return {"round_id": round_.id, "language": "zh", "title": "立场文件", "body": "",
            "actor_type": "civil_society", "country": "CN", "consent_processing": True}


def test_the_api_takes_files_as_multipart(app, client, session, open_round):
    paper = files.odt_file(files.CHINESE, WORD)
    response = multipart(client, "/api/v1/submissions", {
        "submission": (io.BytesIO(json.dumps(_api_payload(open_round)).encode()),
                       "submission.json", "application/json"),
        "files": [(io.BytesIO(paper), "立场.odt")]})
    assert response.status_code == 201, response.get_json()
    submission = session.scalar(select(Submission))
    assert [a.filename for a in submission.attachments] == ["立场.odt"]
    assert submission.attachments[0].content_type == "application/vnd.oasis.opendocument.text"
    assert found_by(session, WORD) == [submission.id]
    token = response.get_json()["manage_url"].rsplit("/", 1)[1]
    copy = client.get(f"/zh/manage/{token}/copy.json").get_json()
    assert copy["attachments"][0]["filename"] == "立场.odt"
    assert WORD in copy["attachments"][0]["text"]


def test_the_api_as_a_text_part_and_its_refusals(app, client, session, open_round):
    # Plain values, made before any request: a request ends by detaching what the test's
    # session holds, and `open_round` is not read again after it.
    fields = _api_payload(open_round)
    payload = json.dumps(fields)
    response = multipart(client, "/api/v1/submissions", {
        "submission": payload, "files": [(io.BytesIO(files.HTML_PAGE), "x.pdf")]},
        headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    [message] = response.get_json()["errors"]["files"]
    assert message.startswith("« x.pdf » n’est pas un fichier PDF")
    response = multipart(client, "/api/v1/submissions",
                         {"files": [(io.BytesIO(b"a"), "a.txt")]})
    assert response.status_code == 400 and "submission" in response.get_json()["errors"]
    response = multipart(client, "/api/v1/submissions", {"submission": "[1, 2"})
    assert response.status_code == 400
    response = multipart(client, "/api/v1/submissions", {"submission": payload},
                         headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    _nothing_left(app, session)
    # JSON-only posts work as before.
    response = client.post("/api/v1/submissions", json=fields | {"body": "Plain JSON"})
    assert response.status_code == 201
    assert session.scalar(select(Submission)).attachments == []


def test_a_retry_with_other_files_is_not_a_replay(client, session, open_round):
    payload = json.dumps(_api_payload(open_round))
    headers = {"Idempotency-Key": "attach-key-0001"}

    def post(text: bytes):
        return multipart(client, "/api/v1/submissions", {
            "submission": payload, "files": [(io.BytesIO(text), "a.txt")]}, headers=headers)

    first = post(b"first paper text")
    assert first.status_code == 201
    assert post(b"first paper text").headers.get("Idempotent-Replayed") == "true"
    other = post(b"another paper text")
    assert other.status_code == 422 and "idempotency_key" in other.get_json()["errors"]
    assert count(session, Attachment) == 1


def test_the_contributor_removes_a_file_while_pending_and_erasing_removes_the_rest(
        app, client, session, open_round):
    shared = files.pdf_file(f"Shared paper {WORD}")
    own = files.docx_file("Only mine: quixotical")
    first = send(client, open_round, [("shared.pdf", shared), ("own.docx", own)],
                 body="First view")
    second = send(client, open_round, [("shared.pdf", shared)], body="Second view")
    assert first.status_code == second.status_code == 303
    assert len(stored_files(app)) == 2
    page = client.get(manage_path(first)).get_data(as_text=True)
    assert "shared.pdf" in page and "own.docx" in page and "1 page" in page
    view = session.scalar(select(Submission).where(Submission.body == "First view"))
    own_row = next(a for a in view.attachments if a.filename == "own.docx")
    remove = re.search(rf'action="([^"]+/files/{own_row.id}/remove)"', page).group(1)
    token = manage_path(first).split("/manage/")[1].split("?")[0]

    # Without the form's token nothing happens.
    refused = client.post(remove, data={})
    assert refused.status_code == 303 and count(session, Attachment) == 3
    done = client.post(remove, data={"csrf_token": csrf_token(page)})
    assert done.status_code == 303
    session.expire_all()
    assert [a.filename for a in session.get(Submission, view.id).attachments] == ["shared.pdf"]
    assert len(stored_files(app)) == 1  # own.docx was in no other view
    assert found_by(session, "quixotical") == []
    # Another view's file cannot be removed through this link.
    other = session.scalar(select(Submission).where(Submission.body == "Second view"))
    other_file, other_sha = other.attachments[0].id, other.attachments[0].sha256
    html = client.get(manage_path(first)).get_data(as_text=True)
    response = client.post(f"/en/manage/{token}/files/{other_file}/remove",
                           data={"csrf_token": csrf_token(html)})
    assert response.status_code == 404

    erase_page = client.get(f"/en/manage/{token}/erase").get_data(as_text=True)
    client.post(f"/en/manage/{token}/erase",
                data={"csrf_token": csrf_token(erase_page), "confirm": "y"})
    session.expire_all()
    assert session.get(Submission, view.id).attachments == []
    # The shared PDF stays on disk: the second view still has it.
    assert stored_files(app) == [other_sha]


def test_a_reviewed_view_keeps_its_files(client, session, open_round):
    from app.models import Status

    response = send(client, open_round, [("a.txt", b"some paper text")])
    page = client.get(manage_path(response)).get_data(as_text=True)
    submission = session.scalar(select(Submission))
    file_id = submission.attachments[0].id
    submission.status = Status.APPROVED
    session.commit()
    html = client.get(manage_path(response)).get_data(as_text=True)
    assert "/remove" not in html
    remove = f"{manage_path(response).split('?')[0]}/files/{file_id}/remove"
    done = client.post(remove, data={"csrf_token": csrf_token(page)})
    assert done.status_code == 303
    session.expire_all()
    assert len(session.scalar(select(Submission)).attachments) == 1
