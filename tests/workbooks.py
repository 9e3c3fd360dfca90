"""Writing small real workbooks for tests, the way an owner's tracker looks."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Sequence

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]], *, date1904: bool = False,
               formats: Mapping[str, str] | None = None) -> Path:
    """A workbook with one sheet per entry; rows are lists of cell values (None = blank).

    ``formats`` maps "Sheet!C" to a number format applied to that column's cells.
    """
    workbook = openpyxl.Workbook()
    if date1904:
        workbook.epoch = CALENDAR_MAC_1904
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    for where, number_format in (formats or {}).items():
        sheet_name, column = where.split("!")
        for cell in workbook[sheet_name][column]:
            cell.number_format = number_format
    workbook.save(path)
    return path


def invoice_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[list[object]]:
    return [list(header)] + [list(r) for r in rows]
