"""Formulas whose result the workbook did not save, read straight from the .xlsx package.

Programs that generate workbooks often write a formula without the result Excel would have
stored beside it; calamine then reads the cell as empty. This module finds those cells and
their formula text (a shared formula translated to each cell that uses it), streaming the
sheet so a sheet of 100,000 rows costs little memory. collector.formula works them out.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from typing import IO, Iterator, Optional
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from defusedxml.ElementTree import parse as parse_xml

from collector.formula import col_index, shift_formula

MAX_PART_BYTES = 500 * 1024 * 1024
_CELL_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: Element, name: str) -> Optional[str]:
    """An attribute by its local name, whatever its namespace (r:id in both OOXML dialects)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _size(count: int) -> str:
    return f"{count / 1024 ** 2:,.0f} MB" if count >= 1024 ** 2 else f"{count:,} bytes"


class _Package:
    """The zip members of a workbook, found by name whatever their case."""

    def __init__(self, archive: zipfile.ZipFile, path: str) -> None:
        self.archive = archive
        self.path = path
        self.members = {info.filename.replace("\\", "/").lstrip("/").lower(): info for info in archive.infolist()}

    def open(self, name: str) -> IO[bytes]:
        info = self.members.get(name.lstrip("/").lower())
        if info is None:
            raise ValueError(f"{self.path} is not a workbook collector can read: it has no part {name}.")
        if info.file_size > MAX_PART_BYTES:
            raise ValueError(
                f"{self.path} is not a workbook collector will read: its part {name} unpacks to "
                f"{_size(info.file_size)}, more than the {_size(MAX_PART_BYTES)} collector allows."
            )
        return self.archive.open(info)

    def related(self, part: str, wanted: str) -> Optional[str]:
        """The part that part's relationship wanted (an Id, or "type:<last word of the Type>") names."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name.lower() not in self.members:
            return None
        with self.open(rels_name) as stream:
            root = parse_xml(stream).getroot()
        for rel in root.iter():
            kind = "type:" + rel.get("Type", "").rpartition("/")[2]
            if _local(rel.tag) == "Relationship" and wanted in (rel.get("Id"), kind):
                if rel.get("TargetMode") == "External":
                    return None
                target = rel.get("Target", "")
                name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                return posixpath.normpath(name)
        return None

    def sheet_part(self, sheet_name: str) -> str:
        workbook = self.related("", "type:officeDocument") or "xl/workbook.xml"
        with self.open(workbook) as stream:
            root = parse_xml(stream).getroot()
        sheets = [(s.get("name", ""), _attribute(s, "id")) for s in root.iter() if _local(s.tag) == "sheet"]
        wanted = [rid for name, rid in sheets if name == sheet_name] or [
            rid for name, rid in sheets if name.casefold() == sheet_name.casefold()
        ]
        if not wanted:
            raise ValueError(f'{self.path} has no sheet named "{sheet_name}".')
        part = self.related(workbook, wanted[0] or "")
        if part is None:
            raise ValueError(f'{self.path} is damaged: the sheet "{sheet_name}" has no part in the package.')
        return part


def _open_package(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path} is not an .xlsx workbook collector can open (it may be password-protected or damaged)."
        ) from None


def sheet_formulas(path: str, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row, col) -> formula text without "=", 0-based, for each formula cell of the sheet that
    has no saved result.

    A formula whose saved result is the empty string (t="str" with an empty <v>, as Excel writes
    it) has a result and is left out. Raises ValueError with a plain sentence when the file or
    sheet cannot be read.
    """
    with _open_package(path) as archive:
        package = _Package(archive, str(path))
        try:
            with package.open(package.sheet_part(sheet_name)) as stream:
                return _unsaved_formulas(stream)
        except DefusedXmlException:
            raise ValueError(f"{path} declares XML entities, which collector refuses to read.") from None
        except (ParseError, zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise ValueError(f'{path} is damaged: the sheet "{sheet_name}" cannot be read ({error}).') from None


class _Cell:
    """What one formula cell says: where it is, its <f>, and whether a result was saved."""

    __slots__ = ("row", "col", "kind", "group", "text", "saved")

    def __init__(self, row: int, col: int, cell: Element) -> None:
        formula = value = None
        for child in cell:
            name = _local(child.tag)
            formula = child if name == "f" else formula
            value = child if name == "v" else value
        self.row, self.col = row, col
        self.kind = formula.get("t", "normal")
        self.group = formula.get("si")
        self.text = formula.text or ""
        if self.kind == "dataTable":  # what Excel shows for a what-if data table
            self.text = f"TABLE({formula.get('r1', '')},{formula.get('r2', '')})"
        self.saved = value is not None and (bool(value.text) or cell.get("t") == "str")


def _has_formula(cell: Element) -> bool:
    return any(_local(child.tag) == "f" for child in cell)


def _row_number(text: Optional[str], previous: int) -> int:
    return int(text) - 1 if text and text.isdigit() else previous + 1


def _formula_cells(stream: IO[bytes]) -> Iterator[_Cell]:
    """Yield a _Cell for every <c> with an <f>, in sheet order, clearing the tree as it goes."""
    row = col = -1
    sheet_data = None
    events = iterparse(stream, events=("start", "end"))
    _, root = next(events)
    namespace = root.tag[: -len(_local(root.tag))]  # transitional or strict, whichever it is
    row_tag, cell_tag, data_tag = namespace + "row", namespace + "c", namespace + "sheetData"
    for event, element in events:
        tag = element.tag
        if event == "end":
            if tag == cell_tag:
                match = _CELL_RE.fullmatch(element.get("r") or "")
                row, col = (int(match.group(2)) - 1, col_index(match.group(1))) if match else (row, col + 1)
                if _has_formula(element):
                    yield _Cell(row, col, element)
                element.clear()
            elif tag == row_tag and sheet_data is not None:
                sheet_data.clear()
        elif tag == row_tag:
            row, col = _row_number(element.get("r"), row), -1
        elif tag == data_tag:
            sheet_data = element


def _unsaved_formulas(stream: IO[bytes]) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    masters: dict[str, _Cell] = {}
    orphans: list[_Cell] = []
    for cell in _formula_cells(stream):
        if cell.kind == "shared" and cell.group is not None:
            if cell.text:
                masters[cell.group] = cell
            elif cell.group in masters:
                cell.text = _translated(masters[cell.group], cell)
            else:
                orphans.append(cell)
                continue
        if not cell.saved:
            found[(cell.row, cell.col)] = cell.text
    for cell in orphans:  # a shared formula written before its master cell
        if not cell.saved:
            master = masters.get(cell.group)
            found[(cell.row, cell.col)] = _translated(master, cell) if master else ""
    return found


def _translated(master: _Cell, cell: _Cell) -> str:
    return shift_formula(master.text, cell.row - master.row, cell.col - master.col)
