"""Collector's tabs given as blocks of rows (writer._put_rows) are written as when given cell by cell."""
import datetime as dt
import random
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.styles import Alignment, Font

from collector import lossless, writer
from collector.sheet_xml import MAX_TEXT, SheetEdit
from collector.style_xml import Styles

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = (f'<styleSheet xmlns="{NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
          '</fill></fills><borders count="1"><border/></borders><cellXfs count="1"><xf numFmtId="0" fontId="0" '
          'fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>')

TEXTS = ["ACME & Sons <Ltd>", "", "=SUM(A1:A3)", "=", "two\nlines", "tab\there", "bell\x07ringing", "nul\x00inside",
         "x" * (MAX_TEXT + 5), "\ue000private", "Ünïcödé – “quoted”", "  spaced  ", "ACME & Sons <Ltd>"]
NUMBERS = [0.0, -0.0, 1.5, -2.25, 100.0, -3.0, 1e15 - 1, 1e15, 1e16, 123456789.12, 1e-7, 5e-324, float("nan"),
           float("inf"), 0.1 + 0.2, 7, 0, -12, 10 ** 20, 1.5]
OTHERS = [None, True, False, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 13, 30), Decimal("12.50"),
          Decimal("0"), Decimal("1e16")]
TOP = Alignment(vertical="top")


class _CellByCell:
    """A tab sheet seen without its put_rows: writer._put_rows then writes it cell by cell."""

    def __init__(self, sheet):
        self.sheet = sheet

    def cell(self, row, column, value=None):
        return self.sheet.cell(row=row, column=column, value=value)


def _tab() -> lossless._TabSheet:
    return lossless._TabSheet(openpyxl.Workbook().active)


def _columns(values: list) -> list:
    """Columns of a block over the given values, each shifted and styled differently."""
    shifted = [values[i:] + values[:i] for i in range(4)]
    return [writer._Column(2, shifted[0]), writer._Column(3, shifted[1], writer.MONEY_FORMAT),
            writer._Column(5, shifted[2], None, TOP), writer._Column(4, shifted[3], "0.0%", writer.TOP_WRAPPED),
            writer._Column(7, [None] * len(values)), writer._Column(8, [""] * len(values), writer.MONEY_FORMAT)]


def _fill(sheet, put, values: list) -> None:
    """A tab as writer.py fills one: a title, a header, a block, cells of its own among the block's
    rows (a link, a formula over the block), row heights, and a totals row below."""
    sheet.cell(row=1, column=1, value="Title").font = Font(bold=True)
    for column in range(1, 9):
        sheet.cell(row=2, column=column, value=f"Head {column}").font = writer.HEADER_FONT
    put(sheet, 3, _columns(values))
    last = 3 + len(values) - 1
    linked = sheet.cell(row=4, column=7)  # a block's cell asked for on its own
    linked.value, linked.data_type, linked.style = "Letter.pdf", "s", "Hyperlink"
    sheet.cell(row=5, column=1, value="beside the block")
    sheet.cell(row=6, column=3).alignment = writer.TOP_WRAPPED  # a block's cell restyled
    for row in (3, 5, last, last + 4):
        sheet.row_dimensions[row].height = 15 * row
    sheet.cell(row=last + 2, column=2, value=1.5)
    sheet.cell(row=last + 2, column=3, value=f"=SUMIF($B$3:$B${last},$B{last + 2},C$3:C${last})")
    sheet.cell(row=last + 2, column=4, value=f'=SUMIF($E$3:$E${last},"x",D$3:D${last})')
    sheet.cell(row=last + 3, column=3, value="=0")


def _rendered(sheet) -> tuple:
    styles = Styles(STYLES)
    return sheet.render(styles, False), styles.text()


@pytest.mark.parametrize("values", [TEXTS, NUMBERS, OTHERS, TEXTS + NUMBERS + OTHERS, [None] * 5, [""] * 5, [1.5],
                                    [True, 1, 1.0], [0.0, 1.0, 2.5, None], list(range(-3, 30))],
                         ids=["text", "numbers", "others", "mixed", "nones", "empty text", "one", "true and one",
                              "money", "whole numbers"])
def test_a_block_of_rows_is_written_as_when_written_cell_by_cell(values):
    by_cells, by_block = _tab(), _tab()
    _fill(by_cells, lambda sheet, first, columns: writer._put_rows(_CellByCell(sheet), first, columns), values)
    _fill(by_block, writer._put_rows, values)
    assert by_block.blocks and not by_cells.blocks
    assert by_block.max_row == by_cells.max_row
    assert _rendered(by_block) == _rendered(by_cells)


def test_rows_of_a_block_that_hold_nothing_are_no_rows_as_when_written_cell_by_cell():
    by_cells, by_block = _tab(), _tab()
    columns = [writer._Column(1, ["a", "", None, ""]), writer._Column(3, [None, "", None, "b"])]
    writer._put_rows(_CellByCell(by_cells), 4, columns)
    writer._put_rows(by_block, 4, columns)
    for sheet in (by_cells, by_block):
        sheet.row_dimensions[6].height = 20
    assert _rendered(by_block) == _rendered(by_cells)
    assert '<row r="5"' not in _rendered(by_block)[0][0]


def test_a_block_goes_only_where_nothing_was_written():
    sheet = _tab()
    sheet.cell(row=5, column=2, value="there")
    with pytest.raises(ValueError):
        writer._put_rows(sheet, 4, [writer._Column(2, [1, 2])])
    writer._put_rows(sheet, 4, [writer._Column(3, [1, 2])])
    with pytest.raises(ValueError):
        writer._put_rows(sheet, 5, [writer._Column(4, [1])])


def test_each_distinct_value_written_at_once_is_written_as_sheet_edit_writes_it():
    edit = SheetEdit(f'<worksheet xmlns="{NS}"><sheetData/></worksheet>')
    rng = random.Random(7)
    floats = [rng.uniform(-1, 1) * 10 ** rng.randint(-8, 17) for _ in range(3000)]
    floats += [round(value, 2) for value in floats] + [float(rng.randint(-10 ** 6, 10 ** 6)) for _ in range(300)]
    texts = ["".join(rng.choice("ab &<>\"'\n\t\r\x01\ufffe\u00e9\u20ac") for _ in range(rng.randint(0, 12)))
             for _ in range(3000)]
    for values in (floats, [value for value in floats if abs(value) < 1e15], texts,
                   [value for value in texts if "\x01" not in value and "\ufffe" not in value],
                   [rng.randint(-10 ** 12, 10 ** 12) for _ in range(1000)], NUMBERS, TEXTS, OTHERS):
        for style in (0, 5, 12345):
            expected = [edit._cell_rest(value, style) for value in values]
            assert lossless._column_rests(values, style, edit._cell_rest) == expected


def test_a_cached_sum_adds_the_amounts_as_written():
    sheet = _tab()
    amounts = [0.1, 0.2, None, 0.3, -0.0, 1e-9, 12345.67]
    writer._put_rows(sheet, 2, [writer._Column(1, ["x", "y", "x", "X", "x", "x", "z"]), writer._Column(2, amounts)])
    sheet.cell(row=10, column=1, value="x")
    sheet.cell(row=11, column=1, value="q")
    assert lossless._evaluate("SUMIF($A$2:$A$8,$A$10,$B$2:$B$8)", sheet) == float(
        sum(Decimal(repr(value)) for value in (0.1, 0.3, -0.0, 1e-9)))
    assert lossless._evaluate("SUMIF($A$2:$A$8,$A$11,$B$2:$B$8)", sheet) == 0.0
    writer._put_rows(sheet, 20, [writer._Column(1, ["x", "x", "x"]), writer._Column(2, [1, True, Decimal("2.5")])])
    assert lossless._evaluate("SUMIF($A$20:$A$22,$A$10,$B$20:$B$22)", sheet) == 3.5


def test_a_column_of_text_matches_a_criterion_as_each_cell_would():
    texts = ["EUR", "eur", "", "Eur ", "ß", "SS", "ss", "EUR"]
    for wanted in ("EUR", "ss", "", "ß"):
        for values in (texts, texts + [None], texts + [3]):
            sheet = _tab()
            writer._put_rows(sheet, 2, [writer._Column(1, values)])
            expected = [offset for offset, value in enumerate(values) if lossless._same_criterion(value, wanted)]
            assert lossless._matching(sheet, 1, 2, len(values) + 1, wanted) == expected
