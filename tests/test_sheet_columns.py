"""SheetEdit.set_columns (whole columns, rendered column by column) writes what set_row writes."""
import datetime as dt
from decimal import Decimal

import pytest

from collector.sheet_xml import SheetEdit

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

ROWS = (
    '<row r="1" spans="1:2"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c><c r="B1"><v>1</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c></row>'  # plain: the block is appended
    '<row r="3" spans="1:3"><c r="A3"><v>3</v></c><c r="C3" s="4"><v>9</v></c></row>'  # owner's cell in the block
    '<row r="5"/>'  # self-closed
    '<row><c r="A6"><v>6</v></c></row>'  # no r=
    '<row r="7"><c r="A7"><v>7</v></c><c r="D7" s="2"><v>1</v></c><c r="E7" s="2"/></row>'  # last run's block
    '<row r="8"><c r="A8"><v>8</v></c><extLst><ext uri="x"/></extLst></row>'
    '<row r="9"><c><v>9</v></c></row>'  # a cell without a reference
    '<row r="10"><c r="A10"/><c r="F10"><v>1</v></c></row>'  # right of the cleared block
)
VALUES = [dt.date(2026, 11, 23), Decimal("12.50"), None, "Paid", 3, "=1+1", "", "a<b", dt.date(2026, 11, 23),
          Decimal("0"), 7.5, None]


def _edit(prefix: str = "") -> SheetEdit:
    rows = ROWS if not prefix else ROWS.replace("<", f"<{prefix}:").replace(f"<{prefix}:/", f"</{prefix}:")
    data, tag = (f"{prefix}:sheetData", f"{prefix}:worksheet xmlns:{prefix}") if prefix else ("sheetData", "worksheet xmlns")
    return SheetEdit(f'<{tag}="{NS}"><{data}>{rows}</{data}></{tag.split()[0]}>')


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("clear", [True, False])
def test_set_columns_writes_what_set_row_writes(prefix, clear):
    rows = [2, 3, 5, 6, 7, 8, 9, 10, 4, 12, 11, 2]  # new rows, and row 2 twice: the last values win
    amounts = [Decimal("1.50"), None, Decimal("1.5"), Decimal("-0"), Decimal("0"), None, Decimal("1e16"),
               Decimal("3"), Decimal("1.50"), Decimal("NaN"), Decimal("2.25"), Decimal("7")]
    columns = [(4, 3, VALUES), (3, 5, list(reversed(VALUES))), (5, 0, VALUES[3:] + VALUES[:3]), (6, 2, amounts)]
    by_rows, by_columns = _edit(prefix), _edit(prefix)
    for edit in (by_rows, by_columns):
        edit.set(1, 3, "Header", 7)
        if clear:
            edit.clear(1, 3, 6)
    for position, row in enumerate(rows):
        by_rows.set_row(row, {column: (values[position], style) for column, style, values in columns})
    by_columns.set_columns(rows, columns)
    assert by_columns.text() == by_rows.text()


def test_a_cell_set_again_after_set_columns_wins_as_with_set_row():
    by_rows, by_columns = _edit(), _edit()
    by_rows.set_row(2, {3: (1, 2), 4: (2, 2)})
    by_rows.set(2, 4, "later", 0)
    by_columns.set_columns([2], [(3, 2, [1]), (4, 2, [2])])
    by_columns.set(2, 4, "later", 0)
    assert by_columns.text() == by_rows.text()
    assert "later" in by_columns.text()


def _rows_one_search_at_a_time(edit: SheetEdit) -> list[tuple]:
    """The rows as a search from each row's end finds them (how the index was first written)."""
    import re

    start, open_end, end = edit._data
    pattern = re.compile(r"<row(?=[\s/>])[^>]*>")
    rows, number, position = [], 0, open_end
    limit = end - len("</sheetData>")
    while True:
        match = pattern.search(edit.xml, position, limit)
        if match is None:
            return rows
        found = re.search(r'\sr\s*=\s*"(\d+)"', match.group(0))
        number = int(found.group(1)) if found else number + 1
        row_end = match.end() if match.group(0).endswith("/>") else edit.xml.find("</row>", match.end()) + 6
        rows.append((number, match.start(), match.end(), row_end, found is not None))
        position = row_end


def test_the_row_index_finds_what_a_search_from_each_rows_end_finds():
    odd = ('<row r="1" spans="1:2"><c r="A1"><v>1</v></c></row>\n  <row  ht="3"  r = "4" r="9"/>'
           '<row><c r="A5"><extLst><row r="77"/></extLst></c></row><row x="r=&quot;2&quot;" r="6"></row>'
           '<rowBreaks/><row r="x7"><c r="A7"/></row><row\tr="8"/>')
    edit = SheetEdit(f'<worksheet xmlns="{NS}"><sheetData>{ROWS}{odd}</sheetData></worksheet>')
    found = [(r.number, r.start, r.tag_end, r.end, r.has_r) for r in edit.rows()]
    assert found == _rows_one_search_at_a_time(edit)
    assert [r[0] for r in found] == [1, 2, 3, 5, 6, 7, 8, 9, 10, 1, 4, 5, 6, 7, 8]
