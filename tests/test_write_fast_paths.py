"""The write's whole-sheet shortcuts give what the row-by-row way gives."""
import datetime as dt
from decimal import Decimal

import pytest

from collector import lossless
from collector.sheet_xml import SheetEdit

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

PLAIN_ROWS = (
    '<row r="1" spans="1:2"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c><c r="B1"><v>1</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c></row>'
    '<row r="3" spans="1:3"><c r="A3"><v>3</v></c><c r="C3" s="4"><v>9</v></c></row>'
    '<row r="5"/>'
    '<row><c r="A6"><v>6</v></c></row>'
    '<row r="7"><c r="A7"><v>7</v></c><c r="D7" s="2"><v>1</v></c><c r="E7" s="2"/></row>'
    '<row r="10"><c r="A10"/><c r="F10"><v>1</v></c></row>'
)
# Each makes the sheet not plain: the rows are then looked at one by one.
ODD_ROWS = {
    "extLst": '<row r="8"><c r="A8"><v>8</v></c><extLst><ext uri="x"/></extLst></row>',
    "bare cell": '<row r="8"><c><v>8</v></c></row>',
    "tab in a cell tag": '<row r="8"><c\tr="A8"><v>8</v></c></row>',
    "line break in a cell tag": '<row r="8"><c\nr="A8"/><c r="D8"><v>1</v></c></row>',
}


def _edit(rows: str, prefix: str = "") -> SheetEdit:
    if prefix:
        rows = rows.replace("<", f"<{prefix}:").replace(f"<{prefix}:/", f"</{prefix}:")
    data, tag = (f"{prefix}:sheetData", f"{prefix}:worksheet xmlns:{prefix}") if prefix else ("sheetData", "worksheet xmlns")
    return SheetEdit(f'<{tag}="{NS}"><{data}>{rows}</{data}></{tag.split()[0]}>')


def _written(edit: SheetEdit, looked_at_row_by_row: bool, clear: bool) -> str:
    if looked_at_row_by_row:
        edit._plain = False  # as if one of the odd things were somewhere in the sheet
    rows = [2, 3, 5, 6, 7, 8, 10, 4, 12]
    values = [dt.date(2026, 11, 23), Decimal("12.50"), None, "Paid", 3, "a<b", "", 7.5, None]
    if clear:
        edit.clear(2, 4, 6)
    edit.set_columns(rows, [(4, 3, values), (5, 0, list(reversed(values))), (6, 2, values[2:] + values[:2])])
    return edit.text()


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("clear", [True, False])
@pytest.mark.parametrize("odd", [None] + sorted(ODD_ROWS))
def test_a_sheet_checked_once_is_written_as_when_each_row_is_checked(prefix, clear, odd):
    rows = PLAIN_ROWS + (ODD_ROWS[odd] if odd else "")
    fast = _edit(rows, prefix)
    assert fast._plain_rows() is (odd is None)
    assert _written(fast, False, clear) == _written(_edit(rows, prefix), True, clear)


@pytest.mark.parametrize("present", [(), (13,), (12, 14)])
def test_new_log_rows_set_column_by_column_are_written_as_cell_by_cell(present):
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="5"><v>1</v></c></row>' for n in present)
    by_cells, by_columns = _edit(rows), _edit(rows)
    columns = [1, 2, 3, 4, 5, 6, 7]
    new = {12: (dt.date(2026, 11, 23), "ACME", "INV-1, INV-2", "Email", "Reminder", "", "collector"),
           13: (dt.date(2026, 11, 23), "B & Co", "INV-3", "Call", "Call", "note <1>", "collector"),
           14: (None, None, "", "Letter", "Final", None, "collector")}
    fresh = {row: values for row, values in new.items() if row not in present}
    for row, values in fresh.items():
        for column, value in zip(columns, values):
            by_cells.set(row, column, value)
        by_cells.set(row, columns[0], values[0], 9)
    lossless._set_new_log_rows(by_columns, columns, fresh, {row: 9 for row in fresh})
    assert by_columns.text() == by_cells.text()
    several = _edit(rows)
    lossless._set_new_log_rows(several, columns, fresh, {row: 9 + index for index, row in enumerate(fresh)})
    for index, row in enumerate(fresh):
        assert f'<c r="A{row}" s="{9 + index}"' in several.text()
