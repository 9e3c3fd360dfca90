"""Opening whatever file the owner points collector at.

This is the only module that touches the spreadsheet file when reading. It
turns .xlsx, .xlsm, .xls, .ods and .csv files into plain grids of values
(python-calamine does the heavy lifting) and turns every way a file can be
unreadable into one plain sentence.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
import struct
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator, Optional

import python_calamine
from defusedxml import ElementTree
from zlib import error as zlib_error

from collector import header
from collector.model import bulk_records

# A zip whose parts inflate beyond this is refused before anything is parsed.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
# What a tracking workbook can hold and still be read in seconds and a few hundred MB of memory:
# about 200,000 invoices of XML, 10 million cells in one sheet's rectangle, a 64 MB CSV.
MAX_XML_BYTES = 128 * 1024**2
MAX_SHEET_CELLS = 10_000_000
MAX_MEMBERS = 10_000
MAX_TEXT_BYTES = 64 * 1024**2
MAX_BINARY_BYTES = 128 * 1024**2

EXCEL_KINDS = (".xlsx", ".xlsm")
# collector's own tabs: never the owner's data, so not read. (collector reads last week's History
# itself when it writes the new one; that tab is small.)
COLLECTOR_TABS = ("aging", "actions", "history")
READ_ONLY_KINDS = (".xls", ".ods", ".csv")


# What zipfile raises for a damaged package: a bad directory, an unknown version or method,
# an encrypted member, a stream that ends early or does not inflate.
_DAMAGED_ZIP = (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError, zlib_error)


class WorkbookError(Exception):
    """The file cannot be read at all. The message is one plain sentence."""


class NoSuchWorkbook(WorkbookError):
    """The path names no file: a usage mistake rather than a data problem."""


@dataclass
class RawSheet:
    name: str
    rows: list[list[object]]
    visible: bool = True
    _formulas: Optional[dict[tuple[int, int], str]] = field(default=None, repr=False)
    _formula_loader: Optional[Callable[[], dict[tuple[int, int], str]]] = field(default=None, repr=False)

    def formulas(self) -> dict[tuple[int, int], str]:
        """Formulas that have no saved result, by (row, column), both from 0. Read on first use."""
        if self._formulas is None:
            self._formulas = self._formula_loader() if self._formula_loader else {}
        return self._formulas

    def value(self, row: int, col: int) -> object:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return ""


@dataclass
class Source:
    path: str
    kind: str  # ".xlsx", ".xlsm", ".xls", ".ods" or ".csv"
    sheets: list[RawSheet]
    date1904: bool = False
    defined_names: dict[str, str] = field(default_factory=dict)  # workbook-level name -> reference

    def sheet(self, name: str) -> Optional[RawSheet]:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        return None


def require_file(path: str) -> None:
    """A plain sentence when the path names nothing, or a folder."""
    if not os.path.exists(path):
        raise NoSuchWorkbook(f"There is no file at {path}. Check the name and the folder.")
    if os.path.isdir(path):
        raise NoSuchWorkbook(f"{path} is a folder, not a workbook. Give the path of the .xlsx file.")


def open_source(path: str, meanwhile: Optional[Callable[[], None]] = None) -> Source:
    """Read every sheet of a tracking workbook into memory as plain values.

    ``meanwhile`` is work for the time python-calamine parses an .xlsx/.xlsm, which it does
    without holding the interpreter (the writer's own reading, for one).
    """
    require_file(path)
    name = os.path.basename(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise WorkbookError(
            f"collector cannot open {name} ({error.strerror or 'the system refused'}). Check that you may "
            "read it, or copy it to your Documents folder and try again."
        ) from None
    if not head:
        raise WorkbookError(f"{name} is empty (0 bytes). Restore it from a backup or pick another file.")
    if head.startswith(b"PK\x03\x04"):
        return _open_zip(path, name, meanwhile)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_ole(path, name)
    if path.lower().endswith((".csv", ".txt", ".tsv")):
        return _open_csv(path, name)
    if _looks_like_html(path):
        raise WorkbookError(
            f"{name} is a web page (HTML) with a spreadsheet's name, as some programs export it, so "
            "collector cannot read it. Open it in Excel and save it as .xlsx, then run collector on that file."
        )
    if _looks_like_csv(path):
        raise WorkbookError(
            f"{name} is a CSV text file with a spreadsheet's name, so collector cannot read it as one. "
            "Rename it to end in .csv, or open it in Excel and save it as .xlsx."
        )
    raise WorkbookError(
        f"{name} is not a spreadsheet collector can read. Save it from Excel as .xlsx and try again."
    )


def _looks_like_csv(path: str) -> bool:
    with open(path, "rb") as handle:
        start = handle.read(4096)
    try:
        first_line = start.decode("utf-8-sig").splitlines()[0]
    except (UnicodeDecodeError, IndexError):
        return False
    return first_line.isprintable() and any(mark in first_line for mark in ",;\t")


def _looks_like_html(path: str) -> bool:
    with open(path, "rb") as handle:
        start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) and (
        b"<html" in start or b"<table" in start)


def _too_big(name: str, size: int, limit: int) -> WorkbookError:
    return WorkbookError(
        f"{name} holds {size / 1024**2:,.0f} MB of spreadsheet data, more than the {limit // 1024**2} MB "
        "collector reads (about 200,000 invoices), so collector will not open it. Split it into smaller "
        "workbooks, for example by moving paid invoices to an archive workbook."
    )


def _open_zip(path: str, name: str, meanwhile: Optional[Callable[[], None]] = None) -> Source:
    if _declared_members(path) > MAX_MEMBERS:
        raise WorkbookError(
            f"{name} holds more than {MAX_MEMBERS:,} files inside it, far more than any tracking workbook, "
            "so collector will not open it. If it is really yours, open it in Excel and save it again."
        )
    try:
        archive = zipfile.ZipFile(path)
        names = set(archive.namelist())
        _refuse_bombs(archive, name)
    except _DAMAGED_ZIP:
        raise WorkbookError(
            f"{name} is damaged (it is not a complete Excel file). Restore it from a backup, "
            "or open it in Excel and save it again."
        ) from None
    if "content.xml" in names and "mimetype" in names:
        kind = ".ods"
    elif "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        kind = ".xlsm" if path.lower().endswith(".xlsm") or "xl/vbaProject.bin" in names else ".xlsx"
        if "xl/workbook.bin" in names:
            raise WorkbookError(
                f"{name} is an Excel binary workbook (.xlsb). Save it from Excel as .xlsx and try again."
            )
    else:
        raise WorkbookError(f"{name} is a zip file but not a spreadsheet. Save it from Excel as .xlsx.")
    date1904, names = _workbook_facts(archive) if kind in EXCEL_KINDS else (False, {})
    if kind not in EXCEL_KINDS:
        _refuse_far_ods_cells(archive, name)
        return Source(path=path, kind=kind, sheets=_calamine_sheets(path, name), date1904=date1904,
                      defined_names=names)
    _refuse_lying_string_count(archive, name)
    tabs = _collector_tabs(archive)
    parts = _refuse_far_cells(archive, name, skip={part for part, tab in tabs.items() if tab != "history"})
    # calamine parses without holding the interpreter lock: the parts are looked through for
    # formulas meanwhile, instead of before or after.
    with ThreadPoolExecutor(1) as worker:
        reading = worker.submit(_calamine_sheets, path, name, set(tabs.values()))
        plain = _plain_parts(parts)
        del parts
        if meanwhile is not None:
            meanwhile()
        sheets = reading.result()
    _attach_formula_loaders(path, sheets)
    _skip_formula_loaders(archive, path, sheets, plain)
    return Source(path=path, kind=kind, sheets=sheets, date1904=date1904, defined_names=names)


def _declared_members(path: str) -> int:
    """How many files the zip's end record says it holds, read before zipfile builds its directory."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or end + 22 > len(tail):
            return 0
        count = struct.unpack_from("<H", tail, end + 10)[0]
        locator = end - 20
        if count == 0xFFFF and locator >= 0 and tail[locator:locator + 4] == b"PK\x06\x07":
            offset = struct.unpack_from("<Q", tail, locator + 8)[0]
            handle.seek(min(offset, size))
            record = handle.read(56)
            if record[:4] == b"PK\x06\x06" and len(record) == 56:
                count = struct.unpack_from("<Q", record, 32)[0]
        return count


def _refuse_bombs(archive: zipfile.ZipFile, name: str) -> None:
    total = xml = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 50 * 1024**2 and ratio > MAX_COMPRESSION_RATIO):
            raise WorkbookError(
                f"{name} unpacks to far more data than a tracking workbook holds, so collector "
                "will not open it. If it is really yours, split it into smaller workbooks."
            )
        if info.filename.lower().endswith((".xml", ".rels")):
            xml += info.file_size
    if xml > MAX_XML_BYTES:
        raise _too_big(name, xml, MAX_XML_BYTES)


# A cell that holds something (<c r="B7">, not the self-closing <c r="B7" s="1"/> of a formatted
# empty cell), a row's r="7", and a cell or row with no r="..." at all (then positions are counted).
_XLSX_FILLED_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*[\"']\$?([A-Za-z]+)\$?([0-9]+)[\"'][^>]*(?<!/)>")
_XLSX_NO_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)(?=[\s/>])(?![^>]*\sr\s*=)")
_XLSX_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_XLSX_REF = re.compile(rb"\sr\s*=\s*[\"']\$?([A-Za-z]*)\$?([0-9]+)[\"']")


_SST_COUNT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?\buniqueCount\s*=\s*[\"']\s*([0-9]+)")


def _refuse_lying_string_count(archive: zipfile.ZipFile, name: str) -> None:
    """calamine reserves memory for as many shared strings as the part says it holds: a damaged
    uniqueCount="4294967295" would abort the process. Each string takes at least 12 bytes of XML,
    and below 20 million the reservation is harmless, so a count that is merely wrong is let through."""
    for member in archive.infolist():
        if member.filename.lower().endswith("sharedstrings.xml"):
            try:
                with archive.open(member) as stream:
                    found = _SST_COUNT.search(stream.read(4096))
            except _DAMAGED_ZIP:
                continue
            if found and int(found.group(1)) > max(member.file_size // 12, 20_000_000):
                raise WorkbookError(
                    f"{name} is damaged: its list of text values claims {int(found.group(1)):,} entries, far "
                    "more than the file holds. Restore it from a backup, or open it in Excel and save it again."
                )


def _collector_tabs(archive: zipfile.ZipFile) -> dict[str, str]:
    """The parts (lower case) of the sheets that are collector's own tabs, with their normalized names."""
    from collector.package import Package

    try:
        sheets = Package(archive, "").sheets()
    except Exception:  # a damaged workbook is reported by calamine below, with every sheet read
        return {}
    return {part.lower(): header.normalize(name) for name, part in sheets
            if part and header.normalize(name) in COLLECTOR_TABS}


def _refuse_far_cells(archive: zipfile.ZipFile, name: str,
                      skip: set[str] = frozenset()) -> dict[zipfile.ZipInfo, list[bytes]]:
    """calamine makes a full rectangle of every sheet: a stray cell at XFD1048576 would ask for
    17 billion cells and abort the process, so each sheet's reach is measured from its XML first.
    Each part is inflated once, for this and for a look for formulas afterwards (_plain_parts):
    the parts are returned, in blocks, by their member."""
    parts = {}
    for member in archive.infolist():
        lowered = member.filename.lower()
        if lowered in skip:
            continue  # collector's own tab, which calamine is not asked to read
        if lowered.startswith("xl/worksheets/") and lowered.endswith(".xml") and lowered.count("/") == 2:
            try:
                blocks, plainly_small = _inflated_and_looked_at(archive, member)
                part = lambda: io.BytesIO(b"".join(blocks))
                parts[member] = blocks
                if plainly_small or _surely_small(part):
                    continue
                rows, cols = _xlsx_extent(part)
            except _DAMAGED_ZIP:
                continue  # calamine reports a damaged part in its own words
            if rows * cols > MAX_SHEET_CELLS:
                raise _far_cells(name, _sheet_title(archive, member.filename), rows, cols)
    return parts


# The quickest test, one search of each block: every cell tag is written <c r="..."> with a reference
# of one letter and a row below 300,000, or two letters and a row below 10,000 (at most 7.8 million
# cells either way), and no c or row tag has a namespace prefix. A cell tag written any other way,
# or reaching further, sends the part to the slower measures below, which decide.
_XLSX_CELL_NOT_PLAINLY_NEAR = re.compile(
    rb'<c(?:[\t\n\r/>]| (?!r="[A-Za-z](?:[0-9]{1,5}"|[12][0-9]{5}"|[A-Za-z][0-9]{1,4}")))')
_XLSX_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")


def _plainly_small(text: bytes) -> bool:
    """True when every cell in ``text`` (whole tags only) is written the usual way and is near A1."""
    return not _XLSX_CELL_NOT_PLAINLY_NEAR.search(text) and not _XLSX_PREFIXED.search(text)


def _inflated_and_looked_at(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[list[bytes], bool]:
    """A part's bytes in blocks, and whether every block is _plainly_small. Each block is looked
    at while the next is inflated (zlib lets go of the interpreter lock), so the look costs
    little more than the inflating."""
    blocks = []
    plainly_small = True
    with archive.open(member) as stream:
        for block in _read_ahead(_tags(stream, 4 << 20, keep_long_tags=True)):
            blocks.append(block)
            plainly_small = plainly_small and _plainly_small(block)
    return blocks, plainly_small


def _read_ahead(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """The same blocks, the next one made in a worker thread while the caller handles this one."""
    with ThreadPoolExecutor(1) as worker:
        ahead = worker.submit(next, blocks, None)
        while True:
            block = ahead.result()
            if block is None:
                return
            ahead = worker.submit(next, blocks, None)
            yield block


def _plain_parts(parts: dict[zipfile.ZipInfo, list[bytes]]) -> set[zipfile.ZipInfo]:
    """The parts that hold no formula, so their formulas need not be looked for again."""
    from collector.xlsx_formulas import _mentions_formulas

    return {member for member, blocks in parts.items() if not _mentions_formulas(_Blocks(blocks))}


class _Blocks:
    """A stream over blocks already in memory: each read returns the next whole block (an empty
    one would read as the end)."""

    def __init__(self, blocks: list[bytes]) -> None:
        self._blocks = (block for block in blocks if block)

    def read(self, size: int = -1) -> bytes:
        return next(self._blocks, b"")


def _tags(stream, size: int = 1 << 20, keep_long_tags: bool = False) -> Iterator[bytes]:
    """The XML text in blocks cut just before a "<", so no tag is split between two blocks. A tag
    longer than 64 KB (no real one is) loses its start, unless ``keep_long_tags``: then the blocks
    joined are the whole text."""
    tail = b""
    while True:
        block = stream.read(size)
        if not block:
            yield tail
            return
        text = tail + block
        cut = text.rfind(b"<")
        text, tail = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
        if not keep_long_tags:
            tail = tail[-65_536:]  # a hostile tag loses only itself
        yield text


# The quick test: every c and row tag written the usual way (no prefix, r="..." first) and no
# reference anywhere far enough out to matter. Anything else goes to the exact measure below.
_XLSX_C_WITHOUT_LEADING_REF = re.compile(rb"<c(?=[\s/>])(?!\s+r\s*=)")
_XLSX_ROW_WITHOUT_LEADING_REF = re.compile(rb"<row(?=[\s/>])(?!\s+r\s*=)")
_XLSX_ANY_REF = r"r\s*=\s*[\"']"
_XLSX_REF_AT = re.compile(rb"r\s*=\s*[\"']\$?([A-Za-z]*)\$?([0-9]*)")


def _surely_small(open_part: Callable[[], IO[bytes]]) -> bool:
    """True when the sheet's rectangle is certainly within MAX_SHEET_CELLS, found without looking
    at every cell: the furthest column and row of any r="..." in the part bound those of its cells."""
    from collector.formula import col_index

    narrow_rows = MAX_SHEET_CELLS // 26
    # Candidates: references with two or more letters, or with a row number that may pass narrow_rows.
    candidate = _ref_pattern(rf"(?:[$A-Za-z]{{2}}|[$A-Za-z]{{0,3}}(?:{_beyond(narrow_rows)}))")
    wide: set[bytes] = set()
    far_row = 0
    with open_part() as stream:
        for text in _tags(stream):
            if (_XLSX_PREFIXED.search(text) or _XLSX_C_WITHOUT_LEADING_REF.search(text)
                    or _XLSX_ROW_WITHOUT_LEADING_REF.search(text)):
                return False
            for found in candidate.finditer(text):
                if text[found.start() - 1:found.start()] == b":":
                    continue  # xmlns:r="http://...", a namespace, not a cell's reference
                letters, digits = _XLSX_REF_AT.match(text, found.start()).groups()
                if len(letters) > 1:
                    wide.add(letters)
                if digits:
                    far_row = max(far_row, int(digits))
    if any(len(c) > 3 for c in wide):
        return False
    cols = max([26] + [col_index(c.decode("ascii")) + 1 for c in wide])
    if cols == 26:
        return far_row <= narrow_rows
    return _rows_within(open_part, MAX_SHEET_CELLS // cols)


def _beyond(limit: int) -> str:
    """A pattern for every digit string whose number may exceed ``limit`` (and some that do not)."""
    digits = str(limit)
    return rf"[0-9]{{{len(digits) + 1},}}|[{digits[0]}-9][0-9]{{{len(digits) - 1}}}"


@functools.lru_cache(maxsize=64)
def _ref_pattern(after: str) -> re.Pattern[bytes]:
    return re.compile((_XLSX_ANY_REF + after).encode())


def _rows_within(open_part: Callable[[], IO[bytes]], limit: int) -> bool:
    """Whether no r="..." in the part names a row beyond ``limit``."""
    beyond = _ref_pattern(rf"\$?[A-Za-z]*\$?({_beyond(limit)})")
    with open_part() as stream:
        for text in _tags(stream):
            if any(int(found) > limit for found in beyond.findall(text)):
                return False
    return True


def _xlsx_extent(open_part: Callable[[], IO[bytes]]) -> tuple[int, int]:
    """(rows, columns) of the rectangle from A1 to the furthest cell holding something."""
    from collector.formula import col_index

    letters: set[bytes] = set()
    numbers: set[bytes] = set()
    with open_part() as stream:
        for text in _tags(stream):
            if _XLSX_NO_REF.search(text):
                return _counted_extent(open_part)
            for column, row in _XLSX_FILLED_CELL.findall(text):
                letters.add(column)
                numbers.add(row)
    cols = max((col_index(c.decode("ascii")) + 1 for c in letters), default=0)
    return max((int(n) for n in numbers), default=0), cols


def _counted_extent(open_part: Callable[[], IO[bytes]]) -> tuple[int, int]:
    """The slow way, tag by tag, for sheets whose cells or rows leave out r="..."."""
    from collector.formula import col_index

    rows = cols = row = col = 0
    with open_part() as stream:
        for text in _tags(stream):
            for tag, attributes, empty in _XLSX_TAG.findall(text):
                ref = _XLSX_REF.search(attributes)
                if tag == b"row":
                    row, col = (int(ref.group(2)) if ref and ref.group(2) else row + 1), 0
                    continue
                if ref and ref.group(1):
                    col = col_index(ref.group(1).decode("ascii")) + 1
                    row = int(ref.group(2)) if ref.group(2) else row
                else:
                    col += 1
                if not empty:
                    rows, cols = max(rows, row), max(cols, col)
    return rows, cols


_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb"table:number-(?:rows|columns)-repeated\s*=\s*[\"']([0-9]{1,12})[\"']")


def _refuse_far_ods_cells(archive: zipfile.ZipFile, name: str) -> None:
    """The same for .ods, where one cell 'repeated' 16,384 times across a million rows is a few bytes."""
    try:
        with archive.open("content.xml") as stream:
            text = stream.read()
    except (KeyError, *_DAMAGED_ZIP):
        return
    sheet, rows, row_repeat, filled_rows, width, col, cols = "", 0, 1, 0, 0, 0, 0
    for closing, tag, attributes, empty in _ODS_TAG.findall(text):
        repeat = _ODS_REPEAT.search(attributes)
        count = int(repeat.group(1)) if repeat else 1
        if tag == b"table" and not closing:
            found = re.search(rb"table:name\s*=\s*[\"']([^\"']*)", attributes)
            sheet, rows, filled_rows, cols = (found.group(1).decode("utf-8", "replace") if found else ""), 0, 0, 0
        elif tag == b"table-row" and not closing:
            row_repeat, width, col = count, 0, 0
        elif tag == b"table-row" and closing:
            rows += row_repeat
            if width:
                filled_rows, cols = rows, max(cols, width)
            if filled_rows * cols > MAX_SHEET_CELLS:
                raise _far_cells(name, sheet, filled_rows, cols)
        elif tag in (b"table-cell", b"covered-table-cell") and not closing:
            col += count
            if not empty or b"value-type" in attributes:
                width = col


def _far_cells(name: str, sheet: str, rows: int, cols: int) -> WorkbookError:
    from collector.formula import col_letter

    corner = f"{col_letter(max(cols, 1) - 1)}{rows}"
    return WorkbookError(
        f"{name} has something in its sheet '{sheet}' as far out as cell {corner}, which makes a grid "
        f"of {rows * cols:,} cells, more than the {MAX_SHEET_CELLS:,} collector reads. Delete whatever is far "
        "below or to the right of your data (Ctrl+End in Excel goes to it), save, and run collector again."
    )


def _sheet_title(archive: zipfile.ZipFile, part: str) -> str:
    """The name the owner sees on the tab of a worksheet part, or the part's file name."""
    from collector.package import Package

    try:
        return next(name for name, found in Package(archive, "").sheets() if (found or "").lower() == part.lower())
    except Exception:  # the title is only for the message
        return part.rsplit("/", 1)[-1]


def _workbook_facts(archive: zipfile.ZipFile) -> tuple[bool, dict[str, str]]:
    """The date system and the workbook-level defined names, from xl/workbook.xml."""
    try:
        root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except Exception:  # a damaged workbook.xml is reported by calamine below
        return False, {}
    date1904, names = False, {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr":
            date1904 = element.get("date1904", "0").lower() in ("1", "true")
        elif tag == "definedName" and element.get("localSheetId") is None and element.text:
            names[element.get("name", "")] = element.text
    return date1904, names


def _open_ole(path: str, name: str) -> Source:
    if os.path.getsize(path) > MAX_BINARY_BYTES:
        raise _too_big(name, os.path.getsize(path), MAX_BINARY_BYTES)
    with open(path, "rb") as handle:
        blob = handle.read(min(os.path.getsize(path), 4 * 1024**2))
    if "EncryptionInfo".encode("utf-16-le") in blob or b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d" in blob:
        raise _password_error(name)
    return Source(path=path, kind=".xls", sheets=_calamine_sheets(path, name))


def _password_error(name: str) -> WorkbookError:
    return WorkbookError(
        f"{name} is protected with a password, so collector cannot read it. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook), save, and run collector again."
    )


def _calamine_sheets(path: str, name: str, skip: set[str] = frozenset()) -> list[RawSheet]:
    """Every worksheet's values, but for those whose normalized name is in ``skip``."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        wanted = [meta for meta in workbook.sheets_metadata
                  if meta.typ == python_calamine.SheetTypeEnum.WorkSheet and header.normalize(meta.name) not in skip]
        with bulk_records():  # a million cells to Python values: no cycle collection meanwhile
            grids = _grids(path, workbook, [meta.name for meta in wanted])
        return [RawSheet(name=meta.name, rows=grid, visible=meta.visible == python_calamine.SheetVisibleEnum.Visible)
                for meta, grid in zip(wanted, grids)]
    except python_calamine.PasswordError:
        raise _password_error(name) from None
    except python_calamine.WorksheetNotFound as error:
        raise WorkbookError(
            f"{name} is damaged: its sheet '{_short(error)}' is listed but missing from the file. Restore it "
            "from a backup, or open it in Excel and save it again."
        ) from None
    except Exception as error:  # calamine raises several types for damaged files
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise _password_error(name) from None
        raise WorkbookError(
            f"{name} is damaged and cannot be read ({_short(error)}). Restore it from a backup, "
            "or open it in Excel and save it again."
        ) from None


def _grids(path: str, workbook: python_calamine.CalamineWorkbook, names: list[str]) -> list[list[list[object]]]:
    """Each named sheet's values. calamine lets go of the interpreter lock while it parses, so the
    sheets after the first (the invoices, as a rule, and the biggest) are parsed meanwhile in
    another thread, from their own opening of the file: one opening serves one thread at a time.
    A damaged sheet raises as it would read in turn, the first one first."""
    grid = lambda book, name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    if len(names) < 2:
        return [grid(workbook, name) for name in names]
    with ThreadPoolExecutor(1) as worker:
        rest = worker.submit(lambda: (lambda own: [grid(own, name) for name in names[1:]])(
            python_calamine.CalamineWorkbook.from_path(path)))
        first = grid(workbook, names[0])
        return [first] + rest.result()


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


def _attach_formula_loaders(path: str, sheets: list[RawSheet]) -> None:
    for sheet in sheets:
        sheet._formula_loader = (lambda sheet_name=sheet.name: _formulas(path, sheet_name))


def _skip_formula_loaders(archive: zipfile.ZipFile, path: str, sheets: list[RawSheet],
                          plain: set[zipfile.ZipInfo]) -> None:
    """A sheet whose part (found as xlsx_formulas finds it) is among the ``plain`` ones, already
    looked through, has no formulas: what its loader would find without reading the part again."""
    from collector.package import MAX_PART_BYTES, Package

    if not plain:
        return
    package = Package(archive, path)
    for sheet in sheets:
        try:
            info = package.members.get(package.sheet_part(sheet.name).lstrip("/").lower())
        except Exception:  # the loader reports what is wrong, if the sheet's formulas are ever asked for
            continue
        if info in plain and info.file_size <= MAX_PART_BYTES:
            sheet._formulas = {}


def _formulas(path: str, sheet_name: str) -> dict[tuple[int, int], str]:
    """A sheet's unsaved formulas; a part calamine could read but the XML parser refuses is the
    file's fault (an entity declaration, damaged XML), so it becomes a WorkbookError."""
    from collector import xlsx_formulas

    try:
        return xlsx_formulas.sheet_formulas(path, sheet_name)
    except ValueError as error:
        raise WorkbookError(str(error).replace(path, os.path.basename(path))) from None


def _open_csv(path: str, name: str) -> Source:
    if os.path.getsize(path) > MAX_TEXT_BYTES:
        raise _too_big(name, os.path.getsize(path), MAX_TEXT_BYTES)
    with open(path, "rb") as handle:
        raw = handle.read()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise WorkbookError(f"{name} is not a text file, so it cannot be read as CSV.")
    text = _decode(raw)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [list(row) for row in reader]
    except csv.Error:
        raise WorkbookError(
            f"{name} cannot be read as CSV: near line {reader.line_num} a value runs on for more than "
            f"{csv.field_size_limit():,} characters, usually a quote mark that is never closed. Fix that "
            "line, or open the file in Excel and save it as .xlsx."
        ) from None
    sheet_name = os.path.splitext(name)[0]
    return Source(path=path, kind=".csv", sheets=[RawSheet(name=sheet_name, rows=rows)])


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("cp1252", errors="replace")
