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


# --- the block told for the whole sheet at once (SheetEdit._block_changes) against row by row (_block_row) ---

# Rows of every kind a block row can be, for a block at columns D:F (4:6) cleared up to H (8).
ODD_BLOCK_ROWS = (
    '<row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>Customer</t></is></c></row>'
    '<row r="2" spans="1:3"><c r="A2"><v>2</v></c><c r="C2"><f>A2*2</f><v>4</v></c></row>'  # a formula, spans
    '<row r="3" spans="01:10"><c r="A3"><v>3</v></c></row>'  # spans with a leading zero
    '<row r="4" spans = "1:2"><c r="A4"><v>4</v></c></row>'  # spans spelled loosely
    '<row r="5" spans="1:2 9:9"><c r="A5"><v>5</v></c></row>'  # spans of two ranges
    '<row r="6"\tspans="1:3"><c r="A6"><v>6</v></c></row>'  # a tab before spans
    '<row r="7" myspans="1:2"><c r="A7"><v>7</v></c></row>'  # not spans at all
    '<row r="8" spans="2:20"><c r="B8"><v>8</v></c></row>'  # spans already wider than the block
    '<row r="9"><c r="A9"><v>9</v></c><c r="E9"><v>1</v></c></row>'  # the owner's cell inside the block
    '<row r="10"><c r="A10"><v>1</v></c><c r="J10"><v>1</v></c></row>'  # a cell right of the cleared block
    '<row r="11"><c r="A11"/><c r="D11" s="3"><v>1</v></c><c r="F11" s="3"/></row>'  # last run's cells
    '<row r="12"><c r="A12"/><c r="E12" s="3"><v>1</v></c><c r="H12" s="3"/></row>'  # last run's, no D cell
    '<row r="13"><c r="A13"/><c r="D13" s="3"/><c r="I13"><v>1</v></c></row>'  # last run's, then the owner's
    '<row r="14"><c s="1" r="A14"><v>1</v></c><c s="2" r="D14"/></row>'  # r= not written first
    '<row r="15"/>'  # self-closed
    '<row><c r="A16"><v>16</v></c></row>'  # no r=
    '<row r="17" spans="1:3"><c r="A17"><v>17</v></c></row>'
    '<row r="17"><c r="A17"><v>17</v></c><c r="D17"><v>1</v></c></row>'  # a row number twice
    '<row r="19"></row>'  # no cells
    '<row r="20"><c r="A20"><v>20</v></c><c r="AA20"><v>1</v></c></row>'  # far right
    '<row r="22"><c r="C22" t="inlineStr"><is><t>a &lt; b</t></is></c></row>'
    '<row r="18"><c r="A18"><v>18</v></c></row>'  # out of order
)


def _block_written(rows: str, quick: bool, clear_from: int, prefix: str = "") -> str:
    edit = _edit(rows, prefix)
    edit._quick_rows = quick
    if clear_from:
        edit.clear(clear_from, 4, 8)
    numbers = list(range(2, 26)) + [21]  # rows the sheet lacks too (21, 23-25), and 21 twice
    values = [dt.date(2026, 11, 23) if n % 3 else None for n in numbers]
    edit.set(1, 4, "Header", 9)
    edit.set_columns(numbers, [(4, 3, values), (5, 5, [Decimal(n) / 4 for n in numbers]),
                               (6, 7, [f"step {n % 4}" for n in numbers])])
    return edit.text()


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("clear_from", [0, 1, 12])
@pytest.mark.parametrize("sheet", ["odd", "plain", "odd and extLst"])
def test_the_block_told_for_the_whole_sheet_is_written_as_row_by_row(prefix, clear_from, sheet):
    rows = {"odd": ODD_BLOCK_ROWS, "plain": PLAIN_ROWS, "odd and extLst": ODD_BLOCK_ROWS + ODD_ROWS["extLst"]}[sheet]
    quick = _block_written(rows, True, clear_from, prefix)
    assert quick == _block_written(rows, False, clear_from, prefix)


def _rerun_sheet(count: int, spans: bool, old_block: bool) -> str:
    """A sheet as Excel or collector leaves it: spans on every row, last week's block at D:F."""
    rows = []
    for n in range(1, count + 1):
        tag = f'<row r="{n}" spans="1:{6 if old_block else 3}">' if spans else f'<row r="{n}">'
        cells = f'<c r="A{n}"><v>{n}</v></c><c r="C{n}" t="inlineStr"><is><t>x</t></is></c>'
        if old_block:
            cells += f'<c r="D{n}" s="3"><v>1</v></c><c r="E{n}" s="5"/><c r="F{n}" s="7" t="inlineStr"><is><t>31\u201360</t></is></c>'
        rows.append(f"{tag}{cells}</row>")
    return "".join(rows)


@pytest.mark.parametrize("spans", [True, False])
@pytest.mark.parametrize("old_block", [True, False])
def test_a_first_run_and_a_rerun_are_written_as_row_by_row(spans, old_block):
    rows = _rerun_sheet(40, spans, old_block)
    texts = []
    for quick in (True, False):
        edit = _edit(rows)
        edit._quick_rows = quick
        edit.clear(1, 4, 8)
        edit.set_columns(list(range(2, 41)), [(4, 3, [Decimal(n) for n in range(2, 41)]), (5, 5, [None] * 39),
                                              (6, 7, ["Paid"] * 39)])
        texts.append(edit.text())
    assert texts[0] == texts[1]
    assert texts[0].count('<c r="D') == 39 and "31\u201360" not in texts[0]
    if spans:
        assert texts[0].count('spans="1:6"') == 39 + old_block  # row 1 is the block's only when cleared


def _old_walk(numbers: list[int], pending: list[int]) -> list[int]:
    """The row numbers in the order a walk down the sheet writes them, inserting each row it lacks
    before the first row numbered above it (how rows were placed when the sheet was written row by row)."""
    out, cursor, pending = [], 0, sorted(pending)
    for number in numbers:
        while cursor < len(pending) and pending[cursor] < number:
            out.append(pending[cursor])
            cursor += 1
        if cursor < len(pending) and pending[cursor] == number:
            cursor += 1
        out.append(number)
    return out + pending[cursor:]


@pytest.mark.parametrize("numbers", [[1, 2, 5, 9], [3, 1, 7, 2, 7, 12], [10, 4, 4, 6], [], [2, 2, 2]])
def test_new_rows_go_where_a_walk_down_the_rows_puts_them(numbers):
    import re

    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in numbers)
    edit = _edit(rows)
    pending = [1, 2, 3, 4, 6, 8, 11, 13]
    for n in pending:
        edit.set(n, 2, n)
    written = [int(n) for n in re.findall(r'<row r="(\d+)"', edit.text())]
    assert written == _old_walk(numbers, pending)


def test_the_row_index_of_a_plain_sheet_is_the_one_found_row_by_row():
    from tests.test_sheet_columns import _rows_one_search_at_a_time

    edit = _edit(_rerun_sheet(30, True, True) + '<row r="31" ht="2"></row>\n<row r="40"><c r="A40"/></row>')
    found = [(r.number, r.start, r.tag_end, r.end, r.has_r) for r in edit.rows()]
    assert found == _rows_one_search_at_a_time(edit)
    assert edit.row_numbers() == [r[0] for r in found]


def test_computed_columns_read_column_by_column_hold_the_values_read_result_by_result():
    from collector import writer
    from collector.assessment import InvoiceResult
    from collector.model import SheetLayout
    from tests.builders import invoice

    results = []
    for index, (state, bucket, interest) in enumerate([("open", "1\u201330", Decimal("1.25")), ("open", "", Decimal("0")),
                                                        ("paid", "", Decimal("0.00")), ("credit", "", Decimal("0")),
                                                        ("draft", "", Decimal("0")), ("written off", "90+", Decimal("3")),
                                                        ("disputed", "31\u201360", Decimal("0")), ("odd", "", Decimal("0"))]):
        result = InvoiceResult.of(invoice(str(index)), "EUR", state, dt.date(2026, 1, 1 + index), Decimal(index) / 3,
                                  index * 7, bucket, interest)
        results.append(result.with_steps("reminder" if index % 2 else "", "call" if index % 3 else "",
                                         dt.date(2026, 2, 1) if index % 2 else None))
    layout = SheetLayout(name="Invoices", header_row=1, columns=())
    columns = writer.computed_columns(layout)
    by_columns = writer.computed_column_values(results, columns)
    by_results = [writer._computed_values(result, columns) for result in results]
    assert [list(column) for column in by_columns] == [list(values) for values in zip(*by_results)]
    assert writer.computed_column_values([], columns) == [[] for _ in columns]


@pytest.mark.parametrize("style", [0, 3])
def test_a_column_of_amounts_renders_each_as_a_single_cell_would(style):
    from collector.sheet_xml import column_rests

    edit = _edit("")
    amounts = [Decimal("1.50"), Decimal("1.5"), Decimal("-0"), Decimal("0"), Decimal("1e16"), Decimal("NaN"),
               Decimal("-12.345"), Decimal("1E+2"), Decimal("0.1"), None, Decimal("123456789012345.67")]
    floats = [1.5, -0.0, 0.0, 1e16, float("nan"), float("inf"), -12.345, 100.0, 0.1, None, 2.5e-9]
    for values in (amounts, floats):
        rests = column_rests(values, style, edit._cell_rest)
        assert rests == [edit._cell_rest(value, style) for value in values]


# --- the writer's reading of the workbook, done ahead while calamine parses (lossless.reading_ahead) ---


def _run_parts(source, folder, monkeypatch, ahead: bool) -> dict[str, bytes]:
    import shutil
    import zipfile

    from collector import weekly

    folder.mkdir()
    path = folder / source.name
    shutil.copyfile(source, path)
    path.chmod(0o644)
    taken = []
    real = lossless._taken_ahead
    monkeypatch.setattr(lossless, "_taken_ahead", lambda *args: taken.append(real(*args)) or taken[-1])
    if not ahead:
        monkeypatch.setattr(lossless, "_read_ahead", lambda path: 1 / 0)  # as if it had gone wrong
    result = weekly.run_week(str(path), dt.date(2026, 11, 23))
    monkeypatch.undo()
    assert result.replaced_original and result.written.lossless
    assert len(taken) == 1 and (taken[0] is not None) is ahead  # the write used what was read ahead, or not
    with zipfile.ZipFile(path) as written:
        return {name: written.read(name) for name in written.namelist()}


@pytest.mark.parametrize("name", ["sample_workbooks/shop.xlsx", "../shared/corpus/EzCode312__CRM_AR_List_UK_Large.xlsx"])
def test_a_workbook_read_ahead_is_written_as_one_read_at_write_time(name, tmp_path, monkeypatch):
    from pathlib import Path

    source = Path(__file__).resolve().parent.parent / name
    assert _run_parts(source, tmp_path / "ahead", monkeypatch, True) == \
        _run_parts(source, tmp_path / "afresh", monkeypatch, False)


def test_what_was_read_ahead_is_taken_once_and_only_for_the_same_bytes(tmp_path):
    from pathlib import Path

    path = tmp_path / "shop.xlsx"
    data = (Path(__file__).resolve().parent.parent / "sample_workbooks/shop.xlsx").read_bytes()
    path.write_bytes(data)
    with lossless.reading_ahead(str(path)) as read:
        read()
        assert lossless._taken_ahead(str(path), data[:-1] + b"x") is None  # the owner saved it meanwhile
        read()
        ahead = lossless._taken_ahead(str(path), data)
        assert ahead is not None and ahead.data == data and len(ahead.edits) == 1
        assert lossless._taken_ahead(str(path), data) is None  # a second write starts afresh
        read()
    assert lossless._AHEAD == {}  # nothing is kept once the run is over
    path.write_bytes(b"not a workbook")
    with lossless.reading_ahead(str(path)) as read:
        read()  # says nothing: the writer would meet the trouble itself
        assert lossless._taken_ahead(str(path), b"not a workbook") is None
