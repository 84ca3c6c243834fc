"""Sending an attachment's bytes to a browser (issue #21): the one place that sets the
headers of a download, for the moderators', the reference group's and the public routes.

A contributor's file is never shown by the browser, whatever it holds: it is always a
download (`Content-Disposition: attachment`, the name in RFC 5987 `filename*` with an
ASCII fallback), with the type decided when it arrived (never the name), `nosniff`, and
a CSP that sandboxes it and allows nothing should a browser render it anyway. It is
never cached: a file a moderator withholds, or a view erased, stops being served at the
next request. Who may download what is decided by the caller (a service finds the row).
"""
from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

from flask import Response, current_app, make_response, render_template

from app import storage
from app.i18n import gettext as _
from app.models import Attachment

SANDBOX_CSP = "sandbox; default-src 'none'"
_UNSAFE_IN_QUOTES = {'"', "\\", ";", ","}


def disposition(filename: str, fallback: str = "attachment") -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded`: old clients read
    the ASCII name, every current browser the exact one."""
    name = filename or fallback
    ascii_name = "".join(
        ch for ch in unicodedata.normalize("NFKD", name)
        if ch.isascii() and ch.isprintable() and ch not in _UNSAFE_IN_QUOTES).strip()
    if not ascii_name.strip(". ") or ascii_name.startswith("."):
        ascii_name = fallback + (f".{name.rsplit('.', 1)[1]}" if "." in name
                                 and name.rsplit(".", 1)[1].isascii() else "")
        ascii_name = "".join(ch for ch in ascii_name if ch.isalnum() or ch in "._-")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_missing(message: Any) -> Response:
    """The 404 page of a file that cannot be given, with `message` saying why."""
    response = make_response(render_template(
        "errors/error.html", status=404, title=_("File not found"), message=str(message)))
    response.status_code = 404
    return response


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    """The file in blocks, closed at its end or when the client goes away."""
    try:
        while block := handle.read(storage.CHUNK):
            yield block
    finally:
        handle.close()


def send_attachment(attachment: Attachment) -> Response:
    """A download of `attachment`, or the 404 page when its file is not in the store."""
    try:
        handle = storage.store().open(attachment.sha256)
    except (FileNotFoundError, ValueError):
        current_app.logger.warning("attachment %s: file %s missing from the store",
                                   attachment.id, attachment.sha256)
        return file_missing(_("This file is listed with the view, but it is no longer in "
                              "the attachment store. An administrator can restore it "
                              "from a backup."))
    size = os.fstat(handle.fileno()).st_size
    # The type exactly as decided on arrival: no charset added (a text file may be UTF-16).
    response = Response(_chunks(handle), content_type=attachment.content_type,
                        direct_passthrough=True)
    response.content_length = size
    headers = response.headers
    headers["Content-Disposition"] = disposition(attachment.filename)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = SANDBOX_CSP
    headers["Cache-Control"] = "private, no-store"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
