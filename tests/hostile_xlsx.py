"""Hostile XLSX files for the workshop intake (#14 item 9), written part by part: a
minimal workbook whose worksheet and shared strings a test chooses. A spreadsheet program
never writes these; a stranger can."""
import io
import zipfile

XML = '<?xml version="1.0" encoding="UTF-8"?>'
OOXML = "http://schemas.openxmlformats.org"
DOC = f"{OOXML}/officeDocument/2006/relationships"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CT = (f'{XML}<Types xmlns="{OOXML}/package/2006/content-types">'
      '<Default Extension="rels" '
      'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
      f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
      '{sst}</Types>')
SST_CT = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
RELS = (f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WB = (f'{XML}<workbook xmlns="{OOXML}/spreadsheetml/2006/main" xmlns:r="{DOC}"><sheets>'
      '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = (f'{XML}<Relationships xmlns="{OOXML}/package/2006/relationships">'
           f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
           '{sst}</Relationships>')
SST_REL = f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
NS = f'xmlns="{OOXML}/spreadsheetml/2006/main"'


def _cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(sheet_rows, *, dimension=None, shared_strings=None):
    """sheet_rows: iterable of XML <row> strings (written lazily)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        sst = shared_strings is not None
        z.writestr("[Content_Types].xml", CT.format(sst=SST_CT if sst else ""))
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS.format(sst=SST_REL if sst else ""))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'.encode())
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            for row in sheet_rows:
                f.write(row.encode())
            f.write(b"</sheetData></worksheet>")
        if sst:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {NS}>'.encode())
                for chunk in shared_strings:
                    f.write(chunk.encode())
                f.write(b"</sst>")
    return out.getvalue()


HEADER = ('<row r="1">' + _cell("A1", "language") + _cell("B1", "title")
          + _cell("C1", "consent_processing") + '</row>')


def wide_rows(n, *, last="XFD"):
    yield HEADER
    for i in range(2, n + 2):
        yield f'<row r="{i}">{_cell(f"A{i}", "en")}{_cell(f"{last}{i}", "x")}</row>'


def wide(n=30000, declared=True):
    """The review's file: rows with a cell in column A and one in column XFD."""
    return xlsx(wide_rows(n), dimension=f"A1:XFD{n + 1}" if declared else None)


def tall(n=1_000_000, declared=False):
    """Many short rows."""
    return xlsx(wide_rows(n, last="B"), dimension=f"A1:B{n + 1}" if declared else None)


def strings_bomb(count=3_000_000):
    """A shared-strings table of millions of distinct short strings, one cell using it."""
    def chunks():
        for start in range(0, count, 10000):
            end = min(count, start + 10000)
            yield "".join(f"<si><t>s{i}</t></si>" for i in range(start, end))
    rows = [HEADER, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return xlsx(rows, dimension="A1:C2", shared_strings=chunks())


def long_strings_bomb(size=400_000_000):
    """One shared string of hundreds of megabytes (it compresses to almost nothing)."""
    def chunks():
        yield "<si><t>"
        for _ in range(size // 1_000_000):
            yield "a" * 1_000_000
        yield "</t></si>"
    rows = [HEADER, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>']
    return xlsx(rows, dimension="A1:C2", shared_strings=chunks())


def entity_bomb():
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
           '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
           '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
           '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
           '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
           '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
           '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
           '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>')
    data = xlsx([HEADER, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'], dimension="A1:C2",
                shared_strings=["<si><t>&lol9;</t></si>"])
    # put the DOCTYPE in front of the shared strings part
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                body = body.replace(b'<?xml version="1.0" encoding="UTF-8"?>', lol.encode())
            z.writestr(info.filename, body)
    return out.getvalue()


def full(rows=2000, cols=50, declared=False, text="word "):
    """The largest file the caps allow: every cell of rows x cols filled, inline text."""
    from openpyxl.utils import get_column_letter
    letters = [get_column_letter(c) for c in range(1, cols + 1)]
    def gen():
        yield HEADER
        for i in range(2, rows + 2):
            cells = "".join(_cell(f"{letter}{i}", f"{text}{i}") for letter in letters)
            yield f'<row r="{i}">{cells}</row>'
    return xlsx(gen(), dimension=f"A1:{letters[-1]}{rows + 1}" if declared else None)
