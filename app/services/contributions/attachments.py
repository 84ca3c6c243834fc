"""Files attached to a view (issue #21): checked, read and stored, trusting nothing in them.

`check` takes what arrived (names and bytes) and returns what may be stored, or raises
`ValidationFailed` with one localized message per refused file under ``files``: too many,
too large, empty, not a type we read, named as one type but holding another, encrypted,
damaged, too many pages, or too costly to read. The type is decided by the content: the
bytes are read by `extract.py` in a fresh interpreter limited to `CPU_SECONDS` of CPU,
`MEMORY_BYTES` of address space and `WALL_SECONDS` of wall-clock time, so that a bomb
costs that process and never the web worker. Nothing is stored until every file passed.

`attach` puts the files in the store (`app.storage`) and adds their rows; `detach` and
`detach_all` take them away. A file on disk goes when the last row naming its SHA-256
goes, once the transaction commits (`_unlink_after_commit`); files put by a transaction
that rolls back are removed again, unless another row already named them.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess  # nosec B404 - runs only our own reader script (extract.py), never a shell
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import storage
from app.i18n import lazy_gettext as _l
from app.i18n import lazy_ngettext
from app.models import Attachment, Submission
from app.models.attachment import FILENAME_MAX
from app.services import NotEditable, NotFound, ValidationFailed
from app.services.contributions import extract
from app.services.text import langid

CPU_SECONDS = 10
WALL_SECONDS = 10
MEMORY_BYTES = 256 * 1024 * 1024
MAX_PAGES = extract.MAX_PAGES
EXTRACT_SCRIPT = str(Path(extract.__file__).resolve())

CONTENT_TYPES = {
    extract.PDF: "application/pdf",
    extract.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    extract.ODT: "application/vnd.oasis.opendocument.text",
    extract.TEXT: "text/plain",
}
# A name ending so announces that type: a file named so and holding another is refused.
EXTENSIONS = {".pdf": extract.PDF, ".docx": extract.DOCX, ".odt": extract.ODT,
              ".txt": extract.TEXT}
FORMAT_NAMES = {extract.PDF: "PDF", extract.DOCX: "Word (DOCX)",
                extract.ODT: "OpenDocument (ODT)", extract.TEXT: "TXT"}
# The form's <input accept>: a hint for the browser's file picker, never trusted.
ACCEPT = ",".join([*EXTENSIONS, *dict.fromkeys(CONTENT_TYPES.values())])



def _refusal(code: str, name: str, named: str | None = None) -> Any:
    """Why a file was refused, for its contributor (`code` from extract.py, or ours)."""
    if code == "empty":
        return _l("“%(name)s” is empty.", name=name)
    if code == "type":
        return _l("“%(name)s” is not a PDF, Word (DOCX), OpenDocument (ODT) or plain-text "
                  "file. Save it in one of these formats and attach it again.", name=name)
    if code == "mislabelled":
        return _l("“%(name)s” is not the %(format)s file its name says. Save it again "
                  "from the program that made it.", name=name, format=named)
    if code == "encrypted":
        return _l("“%(name)s” is encrypted or protected by a password. Attach a copy "
                  "without protection.", name=name)
    if code == "pages":
        return lazy_ngettext("“%(name)s” has more than %(num)d page. Attach a shorter "
                             "document or a summary.",
                             "“%(name)s” has more than %(num)d pages. Attach a shorter "
                             "document or a summary.", MAX_PAGES, name=name)
    if code in ("bomb", "limits"):
        return _l("“%(name)s” could not be read within our limits of time and memory. "
                  "Attach a simpler version, for example a PDF of the text alone.", name=name)
    return _l("“%(name)s” is damaged and could not be read. Save it again from the "
              "program that made it, or attach it as a PDF.", name=name)


@dataclass
class Upload:
    """A file as it arrived: its name (only ever shown) and its bytes."""

    filename: str
    data: bytes


@dataclass
class Checked:
    """A file that passed: what will be stored."""

    filename: str
    data: bytes
    size: int
    kind: str
    text: str
    page_count: int | None
    language: str | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_bytes: int
    total_bytes: int

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(max_files=int(config["ATTACHMENT_MAX_FILES"]),
                   max_bytes=int(float(config["ATTACHMENT_MAX_MB"]) * 1024 * 1024),
                   total_bytes=int(float(config["ATTACHMENT_TOTAL_MB"]) * 1024 * 1024))

    @property
    def max_mb(self) -> str:
        return _mb(self.max_bytes)

    @property
    def total_mb(self) -> str:
        return _mb(self.total_bytes)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def limits() -> Limits:
    """The current app's limits (ATTACHMENT_MAX_FILES, _MAX_MB, _TOTAL_MB)."""
    return Limits.from_config(current_app.config)


def clean_filename(name: Any) -> str:
    """A file name fit to show: no folders, no control or direction-changing characters,
    at most FILENAME_MAX characters with the extension kept."""
    if not isinstance(name, str):
        return ""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs",
                                                                        "Co", "Cn"})
    name = " ".join(name.split()).strip(" .")
    if len(name) > FILENAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = stem[:FILENAME_MAX - len(ext) - 1] + "." + ext if ext else name[:FILENAME_MAX]
    return name


def read(data: bytes) -> dict[str, Any]:
    """What extract.py makes of `data`, read in a limited process of its own."""
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 - our own script, no shell, bytes on stdin
            [sys.executable, "-I", EXTRACT_SCRIPT, str(CPU_SECONDS), str(MEMORY_BYTES)],
            input=data, capture_output=True, timeout=WALL_SECONDS, check=False,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"})
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "limits"}
    if done.returncode != 0:  # killed for CPU (SIGXCPU) or out of memory
        current_app.logger.info("attachment reader stopped (%s): %s", done.returncode,
                                done.stderr[-300:].decode("utf-8", "replace"))
        return {"ok": False, "error": "limits"}
    try:
        result = json.loads(done.stdout)
    except ValueError:
        return {"ok": False, "error": "malformed"}
    if not isinstance(result, dict) or (result.get("ok") and result.get("type")
                                        not in CONTENT_TYPES):
        return {"ok": False, "error": "malformed"}
    return result


def _sizes(uploads: list[Upload], bound: Limits) -> list[Any]:
    errors: list[Any] = []
    if len(uploads) > bound.max_files:
        errors.append(lazy_ngettext("Attach at most %(num)d file.",
                                    "Attach at most %(num)d files.", bound.max_files))
        return errors
    for upload in uploads:
        if len(upload.data) > bound.max_bytes:
            errors.append(_l("“%(name)s” is larger than %(size)s MB: each file may be at "
                             "most %(size)s MB.", name=upload.filename or "?",
                             size=bound.max_mb))
    total = sum(len(u.data) for u in uploads)
    if total > bound.total_bytes:
        errors.append(_l("Your files come to %(total)s MB together: at most %(size)s MB "
                         "may be attached to one view.", total=_mb(total),
                         size=bound.total_mb))
    return errors


def check(uploads: list[Upload], bound: Limits) -> list[Checked]:
    """Every upload read and accepted, or ValidationFailed({"files": [...]}) naming each
    refused one. Nothing is stored here."""
    uploads = [Upload(clean_filename(u.filename), u.data) for u in uploads]
    errors = _sizes(uploads, bound)
    if errors:
        raise ValidationFailed({"files": errors})
    checked: list[Checked] = []
    for upload in uploads:
        name = upload.filename or "?"
        if not upload.data:
            errors.append(_refusal("empty", name))
            continue
        result = read(upload.data)
        if not result.get("ok"):
            errors.append(_refusal(str(result.get("error")), name))
            continue
        kind = result["type"]
        named = EXTENSIONS.get(os.path.splitext(upload.filename)[1].lower())
        if named is not None and named != kind:
            errors.append(_refusal("mislabelled", name, FORMAT_NAMES[named]))
            continue
        text = str(result.get("text") or "")
        pages = result.get("pages")
        checked.append(Checked(filename=upload.filename, data=upload.data,
                               size=len(upload.data), kind=kind, text=text,
                               page_count=pages if isinstance(pages, int) else None,
                               language=langid.detect(text)))
    if errors:
        raise ValidationFailed({"files": errors})
    return checked


# Storing and removing.

_NEW = "attachments.new_files"
_UNUSED = "attachments.unused_files"


def attach(session: Session, submission: Submission, files: list[Checked]) -> None:
    """Store `files` and add them to `submission` (after those it has)."""
    if not files:
        return
    store = storage.store()
    start = max((a.position for a in submission.attachments), default=-1) + 1
    for offset, item in enumerate(files):
        sha256 = hashlib.sha256(item.data).hexdigest()
        existed = store.exists(sha256)
        store.put(item.data)
        if not existed:
            session.info.setdefault(_NEW, []).append((str(store.root), sha256))
        submission.attachments.append(Attachment(
            position=start + offset, sha256=sha256, size=item.size,
            content_type=item.content_type, filename=item.filename or "",
            text=item.text, page_count=item.page_count, language=item.language))


def detach(session: Session, submission: Submission, attachment_id: Any) -> Attachment:
    """The contributor removes one file while the view waits for review."""
    if not submission.is_editable:
        raise NotEditable(_l("This view has already been reviewed and can no longer be "
                             "changed."))
    found = next((a for a in submission.attachments if str(a.id) == str(attachment_id)),
                 None)
    if found is None:
        raise NotFound(_l("This file is not attached to this view."))
    submission.attachments.remove(found)
    session.flush()
    forget_unused(session, [found.sha256])
    return found


def detach_all(session: Session, submission: Submission) -> None:
    """Every file of an erased view goes (the file on disk with the last row naming it)."""
    if not submission.attachments:
        return
    shas = [a.sha256 for a in submission.attachments]
    submission.attachments = []
    session.flush()
    forget_unused(session, shas)


def forget_unused(session: Session, shas: list[str]) -> None:
    """Remove the files of `shas` from the store after the commit, those no row names."""
    if not shas:
        return
    root = str(storage.store().root)
    for sha256 in dict.fromkeys(shas):
        if session.scalar(select(Attachment.id).where(Attachment.sha256 == sha256)
                          .limit(1)) is None:
            session.info.setdefault(_UNUSED, []).append((root, sha256))


def orphans(session: Session, *, older_than_seconds: float = 3600) -> list[str]:
    """Files in the store that no row names (a crash between writing a file and the
    commit, or a removal whose commit never came back), older than an hour: a file being
    stored by a request still in flight is younger."""
    store = storage.store()
    named = set(session.scalars(select(Attachment.sha256).distinct()))
    cutoff = time.time() - older_than_seconds
    return [sha for sha in store.names()
            if sha not in named and store.path(sha).stat().st_mtime < cutoff]


def _unlink(pairs: list[tuple[str, str]]) -> None:
    for root, sha256 in pairs:
        storage.FileStore(root).delete(sha256)


@event.listens_for(Session, "after_commit")
def _unlink_after_commit(session: Session) -> None:
    session.info.pop(_NEW, None)
    _unlink(session.info.pop(_UNUSED, []))


@event.listens_for(Session, "after_soft_rollback")
def _undo_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.nested:
        return
    session.info.pop(_UNUSED, None)
    _unlink(session.info.pop(_NEW, []))
