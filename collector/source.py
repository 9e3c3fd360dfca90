"""Opening whatever file the owner points collector at.

This is the only module that touches the spreadsheet file when reading. It
turns .xlsx, .xlsm, .xls, .ods and .csv files into plain grids of values
(python-calamine does the heavy lifting) and turns every way a file can be
unreadable into one plain sentence.
"""
from __future__ import annotations

import csv
import io
import os
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Optional

import python_calamine
from defusedxml import ElementTree

# A zip whose parts inflate beyond this is refused before anything is parsed.
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200

EXCEL_KINDS = (".xlsx", ".xlsm")
READ_ONLY_KINDS = (".xls", ".ods", ".csv")


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


def open_source(path: str) -> Source:
    """Read every sheet of a tracking workbook into memory as plain values."""
    if not os.path.exists(path):
        raise NoSuchWorkbook(f"There is no file at {path}. Check the name and the folder.")
    if os.path.isdir(path):
        raise NoSuchWorkbook(f"{path} is a folder, not a workbook. Give the path of the .xlsx file.")
    with open(path, "rb") as handle:
        head = handle.read(8)
    name = os.path.basename(path)
    if not head:
        raise WorkbookError(f"{name} is empty (0 bytes). Restore it from a backup or pick another file.")
    if head.startswith(b"PK\x03\x04"):
        return _open_zip(path, name)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_ole(path, name)
    if path.lower().endswith((".csv", ".txt", ".tsv")):
        return _open_csv(path, name)
    raise WorkbookError(
        f"{name} is not a spreadsheet collector can read. Save it from Excel as .xlsx and try again."
    )


def _open_zip(path: str, name: str) -> Source:
    try:
        archive = zipfile.ZipFile(path)
        names = set(archive.namelist())
        _refuse_bombs(archive, name)
    except zipfile.BadZipFile:
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
    sheets = _calamine_sheets(path, name)
    if kind in EXCEL_KINDS:
        _attach_formula_loaders(path, sheets)
    return Source(path=path, kind=kind, sheets=sheets, date1904=date1904, defined_names=names)


def _refuse_bombs(archive: zipfile.ZipFile, name: str) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > 50 * 1024**2 and ratio > MAX_COMPRESSION_RATIO):
            raise WorkbookError(
                f"{name} unpacks to far more data than a tracking workbook holds, so collector "
                "will not open it. If it is really yours, split it into smaller workbooks."
            )


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


def _calamine_sheets(path: str, name: str) -> list[RawSheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        sheets = []
        for meta in workbook.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            grid = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
            sheets.append(RawSheet(name=meta.name, rows=grid, visible=visible))
        return sheets
    except python_calamine.PasswordError:
        raise _password_error(name) from None
    except Exception as error:  # calamine raises several types for damaged files
        if "password" in str(error).lower() or "encrypt" in str(error).lower():
            raise _password_error(name) from None
        raise WorkbookError(
            f"{name} is damaged and cannot be read ({_short(error)}). Restore it from a backup, "
            "or open it in Excel and save it again."
        ) from None


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]


def _attach_formula_loaders(path: str, sheets: list[RawSheet]) -> None:
    from collector import xlsx_formulas

    for sheet in sheets:
        sheet._formula_loader = (lambda sheet_name=sheet.name: xlsx_formulas.sheet_formulas(path, sheet_name))


def _open_csv(path: str, name: str) -> Source:
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
    rows = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
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
