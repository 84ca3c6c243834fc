"""Files for the attachment tests (issue #21), built here: real position papers in PDF,
DOCX, ODT and text with Arabic and Chinese, and a corpus of hostile files (bombs, files
renamed, encrypted, empty)."""
from __future__ import annotations

import functools
import io
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

ARABIC = "ورقة موقف الشبكة العربية للحقوق الرقمية حول الذكاء الاصطناعي والمساءلة"
CHINESE = "关于人工智能与数字合作的立场文件，我们呼吁加强问责与透明"


def docx_file(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def odt_file(*paragraphs: str) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    for text in paragraphs:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_file(*pages: str, extra: bytes = b"") -> bytes:
    """A small, valid PDF with one line of Latin text (Helvetica, WinAnsi) per page,
    written object by object with a correct cross-reference table."""
    objects: list[bytes] = []
    count = len(pages)
    font_id = 3
    page_ids = [4 + 2 * i for i in range(count)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % i for i in page_ids)
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                   b"/Encoding /WinAnsiEncoding >>")
    for index, text in enumerate(pages):
        content = b"BT /F1 12 Tf 72 720 Td " + _pdf_string(text) + b" Tj ET"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                       % (font_id, page_ids[index] + 1))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content
                       + b"\nendstream")
    return _assemble(objects, extra)


def _assemble(objects: list[bytes], extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    out.write(extra)
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def big_pdf(size: int, word: str = "zanzibarite") -> bytes:
    """A valid PDF of about `size` bytes: one page of text, then an image-like stream of
    incompressible bytes that the text reader never decodes (as a scanned annex would)."""
    import os

    filler = os.urandom(max(0, size - 1000))
    extra = (b"99 0 obj\n<< /Length %d >>\nstream\n" % len(filler) + filler
             + b"\nendstream\nendobj\n")
    return pdf_file(f"A position paper about {word} and digital cooperation.", extra=extra)


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file("Secret paper"))))
    writer.encrypt("user-password", "owner-password")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_page_count_bomb(claimed: int = 1_000_000_000) -> bytes:
    """A page tree that claims a billion pages."""
    return _assemble([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % claimed,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])


def pdf_page_tree_bomb(kids: int = 200_000) -> bytes:
    """A page tree that names one page two hundred thousand times (and says so)."""
    return _assemble([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b"3 0 R " * kids + b"] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])


def pdf_stream_bomb(megabytes: int = 400) -> bytes:
    """One page whose content stream inflates from a few hundred KB to `megabytes` MB."""
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m " * (1024 * 1024 // 6)
    parts = [compressor.compress(chunk) for _ in range(megabytes)]
    packed = b"".join(parts) + compressor.flush()
    return _assemble([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed
        + b"\nendstream",
    ])


def pdf_nesting_bomb(depth: int = 200_000) -> bytes:
    """An array nested two hundred thousand deep: a recursive parser's stack runs out."""
    return _assemble([
        b"<< /Type /Catalog /Pages 2 0 R /Bomb " + b"[" * depth + b"]" * depth + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])


def pdf_many_pages(count: int = 301) -> bytes:
    return pdf_file(*(f"Page {n}" for n in range(count)))


def docx_zip_bomb(megabytes: int = 150) -> bytes:
    """A .docx whose document.xml inflates to `megabytes` MB (the central directory says
    so before anything is inflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        real = zipfile.ZipFile(io.BytesIO(docx_file("bomb")))
        for item in real.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, real.read(item))
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return out.getvalue()


HTML_PAGE = (b"<!DOCTYPE html><html><head><title>Paper</title></head><body>"
             b"<script>alert(1)</script><p>Not a PDF</p></body></html>")
ELF_BINARY = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
EXE_BINARY = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200


@functools.cache
def soffice_pdf_from_docx(*paragraphs: str) -> bytes | None:
    """A PDF of a DOCX made by LibreOffice headless (embedded fonts with a ToUnicode map,
    so Arabic and Chinese come back out), or None without LibreOffice."""
    soffice = shutil.which("soffice") or ("/usr/bin/soffice"
                                          if Path("/usr/bin/soffice").exists() else None)
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "paper.docx"
        source.write_bytes(docx_file(*paragraphs))
        profile = Path(folder) / "profile"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
             "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=True, capture_output=True, timeout=120)
        return (Path(folder) / "paper.pdf").read_bytes()
