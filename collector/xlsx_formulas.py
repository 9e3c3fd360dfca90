"""Formulas whose result the workbook did not save, read straight from the .xlsx package.

Programs that generate workbooks often write a formula without the result Excel would have
stored beside it; calamine then reads the cell as empty. This module finds those cells and
their formula text (a shared formula translated to each cell that uses it), streaming the
sheet so a sheet of 100,000 rows costs little memory. collector.formula works them out.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from typing import IO, Iterator, Optional
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from collector.formula import col_index, shift_formula
from collector.package import Package, local, open_package

_CELL_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def sheet_formulas(path: str, sheet_name: str) -> dict[tuple[int, int], str]:
    """(row, col) -> formula text without "=", 0-based, for each formula cell of the sheet that
    has no saved result.

    A formula whose saved result is the empty string (t="str" with an empty <v>, as Excel writes
    it) has a result and is left out. Raises ValueError with a plain sentence when the file or
    sheet cannot be read.
    """
    with open_package(path) as archive:
        package = Package(archive, str(path))
        try:
            part = package.sheet_part(sheet_name)
            with package.open(part) as stream:
                if not _mentions_formulas(stream):
                    return {}
            with package.open(part) as stream:
                return _unsaved_formulas(stream)
        except DefusedXmlException:
            raise ValueError(f"{path} declares XML entities, which collector refuses to read.") from None
        except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                OSError, LookupError, UnicodeError) as error:  # LookupError: an unknown encoding="..."
            raise ValueError(f'{path} is damaged: the sheet "{sheet_name}" cannot be read ({error}).') from None


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]|<!DOCTYPE|<!ENTITY")  # a DTD is refused by the parser
_PLAIN_FORMULA_TAG = re.compile(rb"<f[\s/>]")
_PREFIXED_F = re.compile(rb":f[\s/>]")
_DECLARATION = re.compile(rb"<!")


def _mentions_formulas(stream: IO[bytes], chunk: int = 1 << 20) -> bool:
    """A quick byte scan: most trackers hold no formula at all, and then the XML need not be parsed."""
    tail = b""
    while True:
        block = stream.read(chunk)
        if not block:
            return False
        text = tail + block
        # Three searches that each start from a literal run far faster than the one that starts at every "<".
        if _PLAIN_FORMULA_TAG.search(text) or (
                (_DECLARATION.search(text) or _PREFIXED_F.search(text)) and _FORMULA_TAG.search(text)):
            return True
        tail = block[-64:]


class _Cell:
    """What one formula cell says: where it is, its <f>, and whether a result was saved."""

    __slots__ = ("row", "col", "kind", "group", "text", "saved")

    def __init__(self, row: int, col: int, cell: Element) -> None:
        formula = value = None
        for child in cell:
            name = local(child.tag)
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
    return any(local(child.tag) == "f" for child in cell)


def _row_number(text: Optional[str], previous: int) -> int:
    return int(text) - 1 if text and text.isdigit() else previous + 1


def _formula_cells(stream: IO[bytes]) -> Iterator[_Cell]:
    """Yield a _Cell for every <c> with an <f>, in sheet order, clearing the tree as it goes."""
    row = col = -1
    sheet_data = None
    events = iterparse(stream, events=("start", "end"))
    _, root = next(events)
    namespace = root.tag[: -len(local(root.tag))]  # transitional or strict, whichever it is
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
