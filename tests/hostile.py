"""Builders of hostile files: what an attacker, a broken exporter or a careless web app hands the owner.

Each builder writes one file and returns its path. The .xlsx packages are assembled part by
part (``package``), so a test can put an entity bomb in exactly one part, lie about a part's
size in the zip directory, or name a member ``../../evil.txt``, none of which openpyxl would
ever write.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Iterator, Mapping, Sequence
from xml.sax.saxutils import escape

from collector.formula import col_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_REL = REL_NS + "/worksheet"
STRINGS_REL = REL_NS + "/sharedStrings"
STYLES_REL = REL_NS + "/styles"
LINK_REL = REL_NS + "/externalLink"

HEADER = ("Customer", "Invoice No", "Invoice Date", "Amount")
ROWS = (("Acme Ltd", "INV-1", 46027, 100), ("Bolt Ltd", "INV-2", 46058, 250.5))  # 2026-01-05, 2026-02-05

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    "</styleSheet>"
)


def workbook_xml(sheet_target_id: str = "rId1", sheet_name: str = "Invoices", extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="{sheet_target_id}"/></sheets>{extra}</workbook>'
    )


def workbook_rels(sheet_target: str = "worksheets/sheet1.xml", extra: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{SHEET_REL}" Target="{sheet_target}"/>'
        f'<Relationship Id="rId2" Type="{STRINGS_REL}" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{STYLES_REL}" Target="styles.xml"/>{extra}</Relationships>'
    )


def sheet_and_strings(rows: Sequence[Sequence[object]]) -> tuple[str, str]:
    """Sheet XML and sharedStrings XML for rows of str (shared), int/float (numbers; column C as dates).

    A str beginning with "=" becomes a formula with no saved result.
    """
    strings: list[str] = []
    cells_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{col_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, str) and value.startswith("="):
                cells.append(f'<c r="{ref}"><f>{escape(value[1:])}</f></c>')
            elif isinstance(value, str):
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                style = ' s="1"' if c == 2 and r > 1 else ""
                cells.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
             f'<sheetData>{"".join(cells_xml)}</sheetData></worksheet>')
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    strings_xml = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}" count="{len(strings)}" '
                   f'uniqueCount="{len(strings)}">{shared}</sst>')
    return sheet, strings_xml


def parts(rows: Sequence[Sequence[object]] = (HEADER, *ROWS)) -> dict[str, bytes]:
    """The parts of a small valid invoice workbook, by member name."""
    sheet, strings = sheet_and_strings(rows)
    texts = {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS, "xl/workbook.xml": workbook_xml(),
        "xl/_rels/workbook.xml.rels": workbook_rels(), "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": strings, "xl/styles.xml": STYLES,
    }
    return {name: text.encode("utf-8") for name, text in texts.items()}


def package(path: Path, members: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write members into a zip as given (names are not cleaned: that is the point)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return Path(path)


def valid_xlsx(path: Path, rows: Sequence[Sequence[object]] = (HEADER, *ROWS)) -> Path:
    return package(path, parts(rows))


# --- entity bombs -------------------------------------------------------------------------------


def billion_laughs_dtd(root: str, levels: int = 10, fan: int = 10) -> str:
    """The classic: each entity ten of the previous; &lol{levels - 1}; expands to fan**levels 'lol's."""
    lines = ['<!ENTITY lol0 "lol">']
    for level in range(1, levels):
        lines.append(f'<!ENTITY lol{level} "{("&lol" + str(level - 1) + ";") * fan}">')
    return f"<!DOCTYPE {root} [{''.join(lines)}]>"


def quadratic_dtd(root: str, size: int = 100_000) -> str:
    """One big entity (no nesting, so 'billion laughs' guards that count depth do not see it)."""
    return f'<!DOCTYPE {root} [<!ENTITY big "{"x" * size}">]>'


def with_entity(xml: bytes, root: str, dtd: str, reference: str, where: str) -> bytes:
    """xml with dtd after its declaration and reference put in place of the text ``where``."""
    text = xml.decode("utf-8")
    declaration_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
    text = text[:declaration_end] + dtd + text[declaration_end:]
    assert where in text, where
    return text.replace(where, reference, 1).encode("utf-8")


def entity_bomb_xlsx(path: Path, part: str, quadratic: bool = False) -> Path:
    """A valid workbook whose one ``part`` declares an entity bomb and uses it in a text node."""
    members = parts()
    root, where = {
        "xl/worksheets/sheet1.xml": ("worksheet", "<v>100</v>"),
        "xl/sharedStrings.xml": ("sst", "<t>Acme Ltd</t>"),
        "xl/workbook.xml": ("workbook", 'name="Invoices"'),
    }[part]
    if quadratic:
        dtd, count = quadratic_dtd(root), 10_000
        reference = "&big;" * count
    else:
        dtd, reference = billion_laughs_dtd(root), "&lol9;"
    if where.startswith("<v>"):
        reference = f"<v>{reference}</v>"
    elif where.startswith("<t>"):
        reference = f"<t>{reference}</t>"
    else:
        reference = f'name="{reference}"'
    members[part] = with_entity(members[part], root, dtd, reference, where)
    return package(path, members)


# --- zip bombs ----------------------------------------------------------------------------------


def zip_bomb_xlsx(path: Path, inflated: int = 1536 * 1024**2, part: str = "xl/worksheets/sheet1.xml",
                  filler: bytes = b"\0", declared: int | None = None) -> Path:
    """A valid workbook whose ``part`` ends in ``inflated`` bytes of filler, deflated about 1000:1.

    With filler b" " the padding goes inside <sheetData>, where an XML parser must read through it.
    ``declared`` is the size the zip headers claim (the true size when None).
    The deflate stream is one 8 MB block of zeros compressed once and repeated (each ends in a
    full flush, so the copies are identical), which makes a 1.5 GB part in a fraction of a second.
    """
    block = 8 * 1024**2
    plain = parts()
    members = {name: _deflated(data) for name, data in plain.items()}
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    before, _, after = plain[part].partition(b"</sheetData>") if filler.isspace() else (plain[part], b"", b"")
    after = b"</sheetData>" + after if filler.isspace() else b""
    padding = filler * block
    count = inflated // block
    stream = compressor.compress(before) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream += (compressor.compress(padding) + compressor.flush(zlib.Z_FULL_FLUSH)) * count
    stream += compressor.compress(after) + compressor.flush()
    crc = zlib.crc32(before)
    for _ in range(count):
        crc = zlib.crc32(padding, crc)
    size = len(before) + count * block + len(after)
    members[part] = (zipfile.ZIP_DEFLATED, stream, zlib.crc32(after, crc), size if declared is None else declared)
    return raw_zip(path, members)


def lying_size_xlsx(path: Path, declared: int, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A valid workbook whose zip headers say ``part`` inflates to ``declared`` bytes."""
    members = {name: _deflated(data) for name, data in parts().items()}
    method, data, crc, _ = members[part]
    members[part] = (method, data, crc, declared)
    return raw_zip(path, members)


def _deflated(data: bytes) -> tuple[int, bytes, int, int]:
    return zipfile.ZIP_DEFLATED, deflate_raw(data), zlib.crc32(data), len(data)


def raw_zip(path: Path, members: Mapping[str, tuple[int, bytes, int, int]]) -> Path:
    """A zip written by hand from (method, compressed bytes, crc, declared size) per member name,
    so a test can declare any size (below 4 GB) and store a stream zipfile would not make."""
    stamp = (0, (2026 - 1980) << 9 | 1 << 5 | 1)  # time, date: 2026-01-01 00:00
    local, central = bytearray(), bytearray()
    for name, (method, data, crc, size) in members.items():
        encoded = name.encode("utf-8")
        offset = len(local)
        fields = (20, 0x800, method, *stamp, crc, len(data), min(size, 0xFFFFFFFE), len(encoded))
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    Path(path).write_bytes(bytes(local + central + end))
    return Path(path)


def many_parts_xlsx(path: Path, count: int = 20_000) -> Path:
    """A valid workbook with ``count`` extra tiny parts, as a zip-of-many-members bomb."""
    members = parts()
    for index in range(count):
        members[f"xl/media/junk{index}.xml"] = b"<x/>"
    return package(path, members, zipfile.ZIP_STORED)


def big_xlsx(path: Path, size: int = 200 * 1024**2, compression: int = zipfile.ZIP_STORED) -> Path:
    """A real workbook of ``size`` bytes of repetitive invoice rows, written in one pass."""
    members = parts()
    head, tail = members["xl/worksheets/sheet1.xml"].split(b"</sheetData>")
    row = b'<row><c t="s"><v>1</v></c><c t="s"><v>2</v></c><c s="1"><v>46027</v></c><c><v>100</v></c></row>'
    count = size // len(row)
    with zipfile.ZipFile(path, "w", compression, allowZip64=True) as archive:
        for name, data in members.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2026, 1, 1, 0, 0, 0))
        info.compress_type = compression
        with archive.open(info, "w", force_zip64=True) as stream:
            stream.write(head)
            chunk = row * 10_000
            for _ in range(count // 10_000):
                stream.write(chunk)
            stream.write(b"</sheetData>" + tail)
    return Path(path)


# --- members named to escape, links out ---------------------------------------------------------


def traversal_xlsx(path: Path, names: Sequence[str]) -> Path:
    """A valid workbook plus members whose names climb out of any folder they would be extracted to."""
    members = parts()
    for name in names:
        members[name] = b"collector must never write this anywhere"
    return package(path, members)


def formula_xlsx(path: Path, amount_formula: str, extra_parts: Mapping[str, bytes] | None = None,
                 rels_extra: str = "", workbook_extra: str = "") -> Path:
    """A valid workbook whose first invoice Amount (D2) is a formula with no saved result."""
    rows = [list(HEADER), ["Acme Ltd", "INV-1", 46027, amount_formula], list(ROWS[1])]
    members = parts(rows)
    members["xl/_rels/workbook.xml.rels"] = workbook_rels(extra=rels_extra).encode()
    members["xl/workbook.xml"] = workbook_xml(extra=workbook_extra).encode()
    members.update(extra_parts or {})
    return package(path, members)


EXTERNAL_LINK = (
    f'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    '<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>'
)
EXTERNAL_LINK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/externalLinkPath" Target="file:///etc/passwd" TargetMode="External"/>'
    "</Relationships>"
)


def external_link_xlsx(path: Path, amount_formula: str = "[1]Sheet1!A1") -> Path:
    """Amount refers to another workbook through an externalLink part, as Excel stores such links."""
    return formula_xlsx(
        path, "=" + amount_formula,
        extra_parts={"xl/externalLinks/externalLink1.xml": EXTERNAL_LINK.encode(),
                     "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_LINK_RELS.encode()},
        rels_extra=f'<Relationship Id="rId9" Type="{LINK_REL}" Target="externalLinks/externalLink1.xml"/>',
        workbook_extra='<externalReferences><externalReference r:id="rId9"/></externalReferences>',
    )


# --- files that are not what their name says ----------------------------------------------------


def html_as_xlsx(path: Path) -> Path:
    """What many web apps send as an 'Excel export': an HTML table named .xlsx (or .xls)."""
    Path(path).write_text(
        "<html><head><meta charset='utf-8'></head><body><table>"
        "<tr><th>Customer</th><th>Invoice Date</th><th>Amount</th></tr>"
        "<tr><td>Acme Ltd</td><td>2026-01-05</td><td>100</td></tr></table></body></html>",
        encoding="utf-8",
    )
    return Path(path)


def csv_as_xlsx(path: Path) -> Path:
    Path(path).write_text("Customer,Invoice Date,Amount\nAcme Ltd,2026-01-05,100\n", encoding="utf-8")
    return Path(path)


def missing_sheet_part_xlsx(path: Path) -> Path:
    """workbook.xml names a sheet whose part is not in the package."""
    members = parts()
    del members["xl/worksheets/sheet1.xml"]
    return package(path, members)


def deflate_raw(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


# --- mutants: damaged copies of good files, for the mutation fuzz -------------------------------

XML_JUNK = (
    b"<", b">", b"&", b"&lol;", b'"', b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b"</row>", b"<row>",
    b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A1" t="e"><v>#REF!</v></c>', b'<c r="B2" t="s"><v>99999</v></c>',
    b'<c r="C3" t="d"><v>not a date</v></c>', b'<c r="D4" t="b"><v>7</v></c>', b"<f>SUM(A:A)/0</f>",
    b"<f>[1]Sheet1!A1</f>", b"<f>cmd|' /C calc'!A0</f>", b'<f t="shared" si="0"/>', b" r=\"ZZZZ0\"",
    b"\x00", b"\xff\xfe", b"9" * 400, b"-1e308", b"\xf0\x9f\x92\xb8", b"<![CDATA[", b"]]>", b"<?pi?>",
)


def mutants(files: Sequence[tuple[str, bytes]], count: int, seed: int) -> Iterator[tuple[str, str, bytes]]:
    """``count`` damaged copies of the given (name, bytes) files: (label, file name, bytes).

    Byte flips, truncation and splicing damage the zip itself; for zip packages half the
    mutants instead damage the XML inside one part and zip it again, so the damage reaches
    the XML parsers rather than stopping at the zip's checksums.
    """
    import io
    import random

    for index in range(count):
        chooser = random.Random(f"{seed}:{index}")  # each mutant can be made again on its own
        name, data = files[index % len(files)]
        how = chooser.choice(("flip", "truncate", "splice", "xml", "xml", "xml")
                             if data[:2] == b"PK" else ("flip", "truncate", "splice"))
        if how == "flip":
            mutated = bytearray(data)
            for _ in range(chooser.randint(1, 24)):
                mutated[chooser.randrange(len(mutated))] = chooser.randrange(256)
            result = bytes(mutated)
        elif how == "truncate":
            result = data[:chooser.randrange(len(data))]
        elif how == "splice":
            other = files[chooser.randrange(len(files))][1]
            start, length = chooser.randrange(len(data)), chooser.randint(1, 4096)
            piece_at = chooser.randrange(len(other))
            result = data[:start] + other[piece_at:piece_at + length] + data[start + chooser.randint(0, length):]
        else:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = {info.filename: archive.read(info) for info in archive.infolist()}
            xml = [n for n in members if n.endswith((".xml", ".rels"))]
            part = chooser.choice(xml)
            members[part] = _mutate_xml(members[part], chooser)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for member, content in members.items():
                    archive.writestr(member, content)
            result = buffer.getvalue()
            how = f"xml:{part}"
        yield f"{index}:{name}:{how}", name, result


def _mutate_xml(text: bytes, chooser) -> bytes:
    for _ in range(chooser.randint(1, 6)):
        at = chooser.randrange(len(text) + 1)
        action = chooser.randrange(5)
        if action == 0:  # insert a hostile token
            text = text[:at] + chooser.choice(XML_JUNK) + text[at:]
        elif action == 1:  # delete a stretch
            text = text[:at] + text[at + chooser.randint(1, 200):]
        elif action == 2:  # duplicate a stretch (repeated rows, repeated cells)
            piece = text[at:at + chooser.randint(1, 400)]
            text = text[:at] + piece * chooser.randint(2, 50) + text[at:]
        elif action == 3:  # change a number (row and column references, indexes, values)
            digits = [i for i in range(len(text)) if 48 <= text[i] <= 57]
            if digits:
                where = chooser.choice(digits)
                text = text[:where] + str(chooser.choice((0, 9, 65536, 1048576, 16384, -1, 10**12))).encode() + text[where + 1:]
        else:  # change one character
            if text:
                text = text[:at] + bytes([chooser.randrange(32, 127)]) + text[at + 1:]
    return text
