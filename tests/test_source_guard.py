"""The quick look at a sheet's reach (source._plainly_small) never calls a far sheet near.

calamine builds the full rectangle up to a sheet's furthest cell, so a sheet collector lets through
must really be small. The quick look decides most sheets with one search per block; whatever it
does not call plainly small goes to the slower, exact measures. These tests hold it against those
measures on nasty sheets: cells without references, namespace prefixes, rows out of order, far
cells in the middle, text that looks like a reference, far cells where two blocks meet.
"""
from __future__ import annotations

import io
import random
import re
import zipfile

import pytest

from collector import source
from collector.formula import col_index, col_letter
from collector.reader import read_book
from collector.source import MAX_SHEET_CELLS, WorkbookError
from tests import hostile

NS = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')


def sheet(rows_xml: str) -> bytes:
    return f'{NS}<dimension ref="A1"/><sheetData>{rows_xml}</sheetData><drawing r:id="rId1"/></worksheet>'.encode()


def exact_cells(data: bytes) -> int:
    """The rectangle the exact measure finds (what decides whether the sheet is refused)."""
    rows, cols = source._xlsx_extent(lambda: io.BytesIO(data))
    return rows * cols


def every_reference_cells(data: bytes) -> int:
    """A cruder bound than calamine's: the rectangle reaching the furthest column and row that any
    r="..." in any c tag names, written however (quotes, spaces, a prefix, a $)."""
    cols = rows = 0
    for ref in re.findall(rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*[\"']([^\"']*)", data):
        found = re.fullmatch(rb"\$?([A-Za-z]*)\$?([0-9]*)", ref)
        if not found:
            return MAX_SHEET_CELLS + 1  # a reference nothing reads plainly: never call it near
        letters, digits = found.groups()
        cols = max(cols, col_index(letters.decode()) + 1 if letters else 1)
        rows = max(rows, int(digits) if digits else 1)
    return rows * cols


def plain_row(r: int, cols: str = "ABQ") -> str:
    return f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>x</t></is></c>' for c in cols) + "</row>"


BODY = "".join(plain_row(r) for r in range(1, 40))


@pytest.mark.parametrize("extra", [
    plain_row(299_999), '<row r="9999"><c r="ZZ9999"><v>1</v></c></row>',
    '<row r="3"><c r="B3" t="inlineStr"><is><t>r="XFD1048576" and XFD1048576</t></is></c></row>',
    '<row r="2"><c r="B2" s="1"/></row>', '<row r="1"><c r="a1"><v>1</v></c></row>',
])
def test_a_near_sheet_is_plainly_small(extra):
    data = sheet(BODY + extra)
    assert source._plainly_small(data)
    assert exact_cells(data) <= MAX_SHEET_CELLS


@pytest.mark.parametrize("extra", [
    '<row r="5"><c r="XFD5"><v>1</v></c></row>',  # a far column in the middle
    '<row r="1048576"><c r="A1048576"><v>1</v></c></row>',  # a far row
    '<row r="300000"><c r="A300000"><v>1</v></c></row>', '<row r="10000"><c r="AB10000"><v>1</v></c></row>',
    '<row r="7"><c r="A7"><v>1</v></c><c><v>2</v></c></row>',  # a cell without r
    '<row r="7"><c s="1" r="XFD7"><v>1</v></c></row>',  # r not first
    "<row r=\"7\"><c r='XFD7'><v>1</v></c></row>", '<row r="7"><c  r="XFD7"><v>1</v></c></row>',
    '<row r="7"><c\tr="XFD7"><v>1</v></c></row>', '<row r="7"><c\nr="XFD7"><v>1</v></c></row>',
    '<row r="7"><c>1</c></row>', '<row r="7"><c/></row>',
    '<row r="7"><x:c r="XFD7"><v>1</v></x:c></row>', '<x:row r="7"><x:c r="A7"><v>1</v></x:c></x:row>',
    '<row r="7"><c r="$XFD$7"><v>1</v></c></row>', '<row r="7"><c r="A$7"><v>1</v></c></row>',
    '<row r="7"><c r="D1000000000000"><v>1</v></c></row>', '<row r="7"><c r="A7XFD7"><v>1</v></c></row>',
    '<row r="7"><c r="7"><v>1</v></c></row>', '<row r="7"><c r=""><v>1</v></c></row>',
])
def test_anything_unusual_or_far_is_left_to_the_exact_measures(extra):
    assert not source._plainly_small(sheet(BODY + extra))


def test_rows_out_of_order_and_a_far_cell_before_the_last_row_are_still_seen():
    data = sheet(plain_row(5) + '<row r="2"><c r="XFD1000"><v>1</v></c></row>' + plain_row(1) + plain_row(9))
    assert not source._plainly_small(data)
    assert exact_cells(data) > MAX_SHEET_CELLS


VOCABULARY = [
    '<row r="{r}">', "<row>", '<x:row r="{r}">', "</row>", '<c r="{col}{r}">', '<c r="{col}{r}" s="1">',
    '<c r="{col}{r}"/>', "<c>", '<c t="s">', "<c r='{col}{r}'>", '<c  r="{col}{r}">', '<c s="2" r="{col}{r}">',
    '<x:c r="{col}{r}">', '<c r="${col}${r}">', '<c r="{r}">', '<c\nr="{col}{r}">', "<v>1</v></c>", "</c>",
    '<is><t>r="{col}{r}"</t></is></c>', '<f>{col}{r}*2</f>', '<color rgb="FF000000"/>', '<cols><col min="1" max="3"/></cols>',
]


def random_sheet(chooser: random.Random) -> bytes:
    pieces = []
    for _ in range(chooser.randint(1, 30)):
        col = col_letter(chooser.choice([0, 1, 16, 25, 26, 701, 702, 16383, chooser.randrange(16384)]))
        r = chooser.choice([1, 2, 9999, 10_000, 299_999, 300_000, 384_615, 1_048_576, chooser.randrange(1, 2_000_000)])
        pieces.append(chooser.choice(VOCABULARY).format(col=col, r=r))
    return sheet("".join(pieces))


def test_on_random_nasty_sheets_plainly_small_is_always_small_by_every_measure():
    chooser = random.Random(20261126)
    called_small = 0
    for _ in range(20_000):
        data = random_sheet(chooser)
        if source._plainly_small(data):
            called_small += 1
            assert exact_cells(data) <= MAX_SHEET_CELLS, data
            assert every_reference_cells(data) <= MAX_SHEET_CELLS, data
            rows, cols = source._counted_extent(lambda: io.BytesIO(data))
            assert rows * cols <= MAX_SHEET_CELLS, data
    assert called_small > 500  # the test says something about the quick look's yes, not only its no


def blocks_of(data: bytes) -> tuple[list[bytes], bool]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", data)
    with zipfile.ZipFile(buffer) as archive:
        return source._inflated_and_looked_at(archive, archive.getinfo("xl/worksheets/sheet1.xml"))


@pytest.mark.parametrize("shift", [-12, -9, -5, -3, -2, -1, 0, 1, 2, 7])
def test_a_far_cell_where_two_blocks_meet_is_seen_and_the_blocks_are_the_whole_part(shift):
    target = (4 << 20) + shift  # where the far cell's tag starts: around the end of the first block
    head = (NS + "<sheetData>").encode()
    row = plain_row(1).encode()
    rows = row * ((target - len(head) - 100) // len(row))
    far = b'<row r="7"><c r="XFD7"><v>1</v></c></row>'
    pad = target - len(head) - len(rows) - len(b'<!---->') - len(b'<row r="7">')
    data = head + rows + b"<!--" + b"y" * pad + b"-->" + far + row * 5000 + b"</sheetData></worksheet>"
    assert data.index(b'<c r="XFD7"') == target
    blocks, plainly_small = blocks_of(data)
    assert b"".join(blocks) == data and len(blocks) > 1
    assert not plainly_small
    assert blocks_of(data.replace(b"XFD7", b"Q7"))[1]


def test_a_tag_longer_than_a_block_is_kept_whole():
    data = sheet(plain_row(1) + '<row r="2"><c r="B2" t="inlineStr"><is><t>' + "z" * (5 << 20) + "</t></is></c></row>")
    long_tag = data.replace(b"<t>", b'<t a="' + b"q" * (5 << 20) + b'">', 1)
    for each in (data, long_tag):
        blocks, plainly_small = blocks_of(each)
        assert b"".join(blocks) == each and plainly_small


def test_a_workbook_with_a_far_cell_is_refused_and_a_near_one_read(tmp_path):
    members = hostile.parts()
    near = hostile.package(tmp_path / "near.xlsx", members)
    assert [i.number for i in read_book(str(near)).invoices] == ["INV-1", "INV-2"]
    members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="900"><c r="XFD900"><v>1</v></c></row></sheetData>')
    with pytest.raises(WorkbookError, match="as far out as cell XFD900"):
        read_book(str(hostile.package(tmp_path / "far.xlsx", members)))


def test_a_sheet_collector_wrote_is_plainly_small(tmp_path):
    """collector's own writing (inline strings, xmlns:r, computed columns to Q) takes the quick path:
    the slower measures cost a second on 100,000 invoices."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Customer {r}</t></is></c><c r="C{r}" s="1" t="n"><v>46326</v></c>'
        f'<c r="J{r}" t="inlineStr" /><c r="K{r}" s="4"><v>3549.31</v></c><c r="N{r}" s="4"/>'
        f'<c r="P{r}" s="5" t="inlineStr"><is><t xml:space="preserve">receipt-check</t></is></c></row>'
        for r in range(1, 2000))
    assert source._plainly_small(sheet(rows))


def test_sheets_parsed_side_by_side_come_back_in_tab_order_with_their_values(tmp_path):
    import openpyxl
    import python_calamine

    workbook = openpyxl.Workbook()
    for index, title in enumerate(["Invoices", "Customers", "Contact Log", "Notes"]):
        sheet = workbook.active if index == 0 else workbook.create_sheet(title)
        sheet.title = title
        for r in range(1, 30 + index * 50):
            sheet.append([f"{title} {r}", r * index, r / 4])
    path = tmp_path / "four.xlsx"
    workbook.save(path)
    one_by_one = python_calamine.CalamineWorkbook.from_path(str(path))
    names = ["Invoices", "Customers", "Contact Log", "Notes"]
    expected = [one_by_one.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names]
    assert source._grids(str(path), python_calamine.CalamineWorkbook.from_path(str(path)), names) == expected
    assert [(s.name, s.rows) for s in source.open_source(str(path)).sheets] == list(zip(names, expected))
