"""The invoice sheet written in pieces: rendered a piece at a time, deflated a block at a time on two
threads. However the text is cut, the part holds the same bytes."""
import datetime as dt
import io
import os
import random
import zipfile
import zlib
from decimal import Decimal

import pytest

from collector import sheet_xml, xlsx_edit
from collector.sheet_xml import column_rests
from tests.test_write_fast_paths import ODD_BLOCK_ROWS, PLAIN_ROWS, _block_written, _edit, _rerun_sheet


# --- the sheet's text, rendered a piece at a time ------------------------------------------------


@pytest.mark.parametrize("per_piece", [1, 2, 3, 7])
@pytest.mark.parametrize("clear_from", [0, 1, 12])
@pytest.mark.parametrize("rows", ["odd", "plain"])
def test_the_sheet_cut_into_pieces_of_any_size_is_the_same_text(per_piece, clear_from, rows, monkeypatch):
    rows = {"odd": ODD_BLOCK_ROWS, "plain": PLAIN_ROWS}[rows]
    whole = _block_written(rows, True, clear_from)
    monkeypatch.setattr(sheet_xml, "_CHANGES_PER_CHUNK", per_piece)
    assert _block_written(rows, True, clear_from) == whole
    assert _block_written(rows, False, clear_from) == whole


@pytest.mark.parametrize("per_piece", [1, 4, 5000])
@pytest.mark.parametrize("spans", [True, False])
@pytest.mark.parametrize("old_block", [True, False])
def test_a_first_run_and_a_rerun_in_pieces_are_the_text_of_row_by_row(per_piece, spans, old_block, monkeypatch):
    rows = _rerun_sheet(40, spans, old_block)

    def written(quick: bool) -> str:
        edit = _edit(rows)
        edit._quick_rows = quick
        edit.clear(1, 4, 8)
        edit.set(1, 4, "Header", 9)
        edit.set_columns(list(range(2, 45)), [(4, 3, [Decimal(n) / 8 for n in range(2, 45)]),
                                              (5, 5, [None if n % 3 else n for n in range(2, 45)]),
                                              (6, 7, ["Paid" if n % 2 else "31\u201360" for n in range(2, 45)])])
        return edit.text()

    row_by_row = written(False)
    monkeypatch.setattr(sheet_xml, "_CHANGES_PER_CHUNK", per_piece)
    assert written(True) == row_by_row
    assert all(f'<row r="{n}">' in row_by_row for n in range(41, 45))  # added after the sheet's 40 rows


def test_the_first_run_told_from_the_sheet_s_columns_needs_every_cell_reference():
    """A cell whose reference cannot be read leaves the whole-sheet shortcut; the rows are looked at."""
    plain = _edit(PLAIN_ROWS)
    assert plain.max_cell_column() == 6
    odd = _edit(PLAIN_ROWS + '<row r="11"><c r="a11"><v>1</v></c></row>')
    assert odd.max_cell_column() is None
    empty = _edit("")
    assert empty.max_cell_column() == 0


def test_a_column_rendered_in_pieces_is_the_column_rendered_whole():
    edit = _edit("")
    rng = random.Random(7)
    kinds = [lambda: None, lambda: "", lambda: "a<b", lambda: rng.choice(["Paid", "31\u201360", "=1+1"]),
             lambda: Decimal(rng.randint(-500, 500)) / 4, lambda: rng.randint(0, 90),
             lambda: dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 60)), lambda: rng.random() * 10]
    for _ in range(30):
        makers = rng.sample(kinds, rng.randint(1, 4))
        values = [rng.choice(makers)() for _ in range(rng.randint(0, 60))]
        for style in (0, 4):
            whole = column_rests(values, style, edit._cell_rest)
            known: dict = {}
            cut = sorted(rng.sample(range(len(values) + 1), min(3, len(values) + 1)))
            bounds = [0] + cut + [len(values)]
            pieces = []
            for low, high in zip(bounds, bounds[1:]):
                pieces += column_rests(values[low:high], style, edit._cell_rest, known)
            assert pieces == whole == [edit._cell_rest(value, style) for value in values]


# --- deflated a block at a time ------------------------------------------------------------------


def _sizes_around(block: int) -> list[int]:
    return [0, 1, block - 1, block, block + 1, 2 * block, 2 * block + 7, xlsx_edit._WINDOW - 1, xlsx_edit._WINDOW + 1]


@pytest.mark.parametrize("level", [1, 6])
def test_blocks_deflated_apart_inflate_to_exactly_the_text(level, monkeypatch):
    monkeypatch.setattr(xlsx_edit, "_BLOCK", 50_000)
    rng = random.Random(3)
    words = [b"<row>", b"<c r=\"A1\">", b"</c>", b"Paid", b"31\xe2\x80\x9360", os.urandom(40)]
    text = b"".join(rng.choice(words) for _ in range(60_000))
    for total in _sizes_around(50_000) + [len(text)]:
        data = text[:total]
        for piece in (1, 999, 50_000, 123_457):
            pieces = [data[i:i + piece] for i in range(0, len(data), piece)]
            if total and piece == 999:
                pieces.append(b"")  # an empty last piece: the last block may be empty
            compressed, crc, size = xlsx_edit._deflated(pieces, level)
            assert zlib.decompress(compressed, -15) == data
            assert (crc, size) == (zlib.crc32(data), len(data))
            inflater = zlib.decompressobj(-15)
            assert inflater.decompress(compressed) == data and inflater.eof and not inflater.unused_data


def test_a_part_written_in_pieces_reads_back_from_the_saved_package(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_edit, "_BLOCK", 10_000)
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", "<a/>")
        archive.writestr("b.xml", "<b>old</b>")
    package = xlsx_edit.EditablePackage(source.getvalue())
    text = "".join(f'<row r="{n}"><c r="A{n}"><v>{n * 7}</v></c></row>' for n in range(5000))
    pieces = [text[i:i + 3333] for i in range(0, len(text), 3333)] + [""]
    package.write_chunks("b.xml", pieces, big=True)
    package.write_chunks("c.xml", ["<c>", "", "\u2013</c>"])
    assert package.read("b.xml") == text.encode()
    path = tmp_path / "out.zip"
    package.save(str(path))
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.read("a.xml") == b"<a/>"
        assert archive.read("b.xml") == text.encode()
        assert archive.read("c.xml") == "<c>\u2013</c>".encode()


def test_a_part_written_again_with_the_same_text_keeps_its_original_entry():
    source = io.BytesIO()
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("b.xml", "<b>same</b>")
    package = xlsx_edit.EditablePackage(source.getvalue())
    package.write_chunks("b.xml", ["<b>", "same", "</b>"])
    assert not package.changed("b.xml")


@pytest.mark.parametrize("rows", ["odd", "plain", "rerun"])
def test_the_last_cells_columns_told_together_are_those_read_row_by_row(rows):
    from itertools import repeat

    from collector.sheet_xml import _FIRST_REF, column_index

    text = {"odd": ODD_BLOCK_ROWS, "plain": PLAIN_ROWS, "rerun": _rerun_sheet(120, True, True)}[rows]
    edit = _edit(text.replace('<row r="19"></row>', ""))  # a row without cells is told apart anyway
    numbers, starts, tag_ends, ends, has_r = edit._index()
    lasts = list(map(edit.xml.rfind, repeat(edit._cell_open), tag_ends, ends))
    references = [_FIRST_REF.match(edit.xml, last + len(edit._cell_open)) for last in lasts]
    told = edit._last_columns(lasts)
    if None in references or -1 in lasts:
        assert told is None
    else:
        assert told == {column_index(reference.group(1)) for reference in references}
    assert edit._last_columns(lasts + [-1]) is None
