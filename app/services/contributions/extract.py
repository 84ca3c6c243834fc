"""Reading an attached file, in a process of its own (issue #21).

Run as a script by `app.services.contributions.attachments.extract`: the file's bytes on
standard input, one JSON object on standard output, either
``{"ok": true, "type": "pdf", "text": "...", "pages": 12}`` or
``{"ok": false, "error": "encrypted"}``. Before reading anything the process limits
itself (`resource.setrlimit`): CPU seconds, address space, no files written, no core
dumps, so that a PDF or ZIP bomb spends this process, never the web worker that started
it (which also kills it after a wall-clock timeout).

The type is decided here by the content alone: magic bytes, then a parse that must
succeed. The file's name and declared type are never read. This module imports nothing
from the app: it starts in a fresh interpreter and must stay small and quick to load.
"""
from __future__ import annotations

import io
import json
import re
import sys
import zipfile

PDF, DOCX, ODT, TEXT = "pdf", "docx", "odt", "text"
MAX_PAGES = 300
# What the text of one file may be at most (characters); the rest is cut off.
TEXT_MAX = 500_000
# ZIP containers (DOCX, ODT): read from the central directory before anything is
# decompressed. A real 300-page document is far under these.
ZIP_MAX_MEMBERS = 2_000
ZIP_MAX_TOTAL = 100 * 1024 * 1024
ZIP_MAX_RATIO = 200  # uncompressed / compressed, for a member of more than 1 MB
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|\?xml|svg|script|head|body|iframe|!--)",
                     re.IGNORECASE)
_ACTIVE = re.compile(rb"<(?:html|script|body|iframe|svg)[\s>/]", re.IGNORECASE)


class Refused(Exception):
    """The file is not one we read; `code` says why (see attachments.MESSAGES)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def limit(cpu_seconds: int, memory_bytes: int) -> None:
    """Limits on this process: CPU time, address space, no files written, no core."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def sniff(data: bytes) -> str:
    """The type the magic bytes announce (the parse must still succeed), or Refused."""
    if not data.strip(b"\x00\t\n\r \x0b\x0c"):
        raise Refused("empty")
    if data[:1024].lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return TEXT
    if b"\x00" in data[:4096] or data.startswith((b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe")):
        raise Refused("type")
    return TEXT


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        raise Refused("malformed") from None
    if len(members) > ZIP_MAX_MEMBERS:
        raise Refused("bomb")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > 1024 * 1024 and \
                member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            raise Refused("bomb")
        if member.flag_bits & 0x1:
            raise Refused("encrypted")
    if total > ZIP_MAX_TOTAL:
        raise Refused("bomb")
    names = {m.filename for m in members}
    if "mimetype" in names:
        if archive.read("mimetype").strip() == ODT_MIMETYPE:
            return ODT
        raise Refused("type")
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        return DOCX
    raise Refused("type")


def _pdf(data: bytes) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Refused("encrypted")
        # The count the page tree claims, before walking it; then the pages it holds.
        claimed = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
        if isinstance(claimed, int) and claimed > MAX_PAGES:
            raise Refused("pages")
        pages = len(reader.pages)
        if pages > MAX_PAGES:
            raise Refused("pages")
        if pages == 0:
            raise Refused("malformed")
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            # Inflated here first: pypdf's text extraction swallows its own limit on
            # inflating a stream (LimitReachedError) and would read a bomb as an empty page.
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
            text = page.extract_text() or ""
            parts.append(text)
            size += len(text)
            if size > TEXT_MAX:
                break
    except FileNotDecryptedError:
        raise Refused("encrypted") from None
    except (RecursionError, LimitReachedError):
        raise Refused("bomb") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            AssertionError, OSError, UnicodeError, ZeroDivisionError):
        raise Refused("malformed") from None
    return "\n\n".join(parts), pages


def _docx(data: bytes) -> tuple[str, int | None]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - python-docx raises many kinds on a broken package
        raise Refused("malformed") from None
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    pages = None
    try:
        properties = document.part.package.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            "extended-properties")
        found = re.search(rb"<(?:\w+:)?Pages>(\d+)<", properties.blob)
        pages = int(found.group(1)) if found else None
    except (KeyError, ValueError, AttributeError):
        pages = None
    return "\n".join(p for p in parts if p), pages


def _odt(data: bytes) -> tuple[str, int | None]:
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - odfpy raises many kinds on a broken package
        raise Refused("malformed") from None
    parts: list[str] = []

    def walk(node) -> None:
        for child in node.childNodes:
            if getattr(child, "qname", None) in ((TEXTNS, "p"), (TEXTNS, "h")):
                parts.append(teletype.extractText(child))
            else:
                walk(child)

    walk(document.text)
    return "\n".join(p for p in parts if p), _odt_pages(document)


def _odt_pages(document) -> int | None:
    """The page count the writer recorded in meta.xml, if it did."""
    if document.meta is None:
        return None
    buffer = io.StringIO()
    document.meta.toXml(0, buffer)
    found = re.search(r'page-count="(\d+)"', buffer.getvalue())
    return int(found.group(1)) if found else None


def _text(data: bytes) -> tuple[str, None]:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, data = "utf-8", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise Refused("type") from None
    if "\x00" in text:
        raise Refused("type")
    head = text[:4096].lstrip("\ufeff").encode("utf-8", "replace")
    if _MARKUP.match(head) or _ACTIVE.search(head):
        raise Refused("type")  # an HTML or XML page is not a plain-text position paper
    controls = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\t\n\r\x0c")
    if controls > 10:
        raise Refused("type")
    return text, None


READERS = {PDF: _pdf, DOCX: _docx, ODT: _odt, TEXT: _text}


def read(data: bytes) -> dict:
    """The type, text and page count of `data`, or why it is refused."""
    try:
        kind = sniff(data)
        text, pages = READERS[kind](data)
        if pages is not None and pages > MAX_PAGES:
            raise Refused("pages")
    except Refused as refused:
        return {"ok": False, "error": refused.code}
    except (MemoryError, RecursionError):
        return {"ok": False, "error": "bomb"}
    except Exception:  # noqa: BLE001 - a hostile file may break a parser in any way
        return {"ok": False, "error": "malformed"}
    text = text.replace("\x00", "")[:TEXT_MAX]
    return {"ok": True, "type": kind, "text": text, "pages": pages}


def main() -> None:
    cpu, memory = int(sys.argv[1]), int(sys.argv[2])
    limit(cpu, memory)
    data = sys.stdin.buffer.read()
    result = read(data)
    sys.stdout.write(json.dumps(result, ensure_ascii=True))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
