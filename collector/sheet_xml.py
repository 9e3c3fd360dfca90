"""Changing a few cells of a worksheet part and leaving every other byte as it was.

The owner's sheet XML is never parsed into a tree and written back: that would
rename namespace prefixes, drop what the parser does not know and take
minutes and gigabytes on a big sheet. Instead the rows are found by scanning
the text once; a row collector writes into is rebuilt from its own cells, and
every other row, and everything around the cells (conditional formats,
validations, drawings, extensions), is copied as the same text.

Values are written so they can never turn into something else: text as an
inline string (a note starting with "=" stays text), numbers as numbers,
dates as serial numbers in the workbook's own date system with a date style.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, itemgetter, le, lt, ne, sub
from typing import Callable, Iterable, Iterator, Optional, Sequence

from collector.xlsx_edit import (_ILLEGAL, MAIN_NS, RELATIONSHIPS_NS, Unsupported, clean_text, escape_attribute,
                                 escape_text, find_element, insert_in_order, prefix_for, qualified,
                                 set_attribute, top_level)

MAX_TEXT = 32767  # what one Excel cell holds
KEEP = -1  # keep the style the cell has (none for a new cell)
KEEP_VALUE = object()  # restyle a cell and leave its value (or formula) as it is
# What follows <legacyDrawing> in a worksheet, in schema order.
_AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                         "tableParts", "extLst")
_AFTER_COLS = ("sheetData",)
_AFTER_DIMENSION = ("sheetViews", "sheetFormatPr", "cols")
_CELL_REF = re.compile(r'\sr\s*=\s*"([A-Z]{1,3})(\d+)"')
_ROW_NUMBER = re.compile(r'\sr\s*=\s*"(\d+)"')
_SPANS = re.compile(r'\sspans\s*=\s*"(\d+):(\d+)')
_STYLE = re.compile(r'\ss\s*=\s*"(\d+)"')
_FIRST_REF = re.compile(r'r="([A-Z]{1,3})\d+"')  # a cell tag's reference written first, as Excel writes it
_SPANS_VALUE = re.compile(r"\d+:\d+")
_REFERENCE_START = re.compile(r"([A-Z]{1,3})\d")  # a cell reference's column and first digit
_match_start, _match_end, _match_group = re.Match.start, re.Match.end, re.Match.group
_FROM_TO = itemgetter(0, 1)
_CHANGES_PER_CHUNK = 4000  # rows' worth of changes joined into one piece of the written sheet (about 1 MB)
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)


@functools.lru_cache(maxsize=None)
def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@functools.lru_cache(maxsize=None)
def column_index(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def serial(value: dt.date, date1904: bool) -> float:
    """An Excel serial date number for value, in the workbook's date system."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    moment = moment.replace(tzinfo=None)
    delta = moment - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    number = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if not date1904 and number < 61:  # Excel's phantom 29 February 1900
        number -= 1
    return number


def number_text(value: float) -> str:
    if type(value) is int:
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


@dataclass
class _Row:
    number: int
    start: int  # where the <row> tag starts
    tag_end: int  # just after the start tag
    end: int  # just after </row> (== tag_end for <row/>)
    has_r: bool = True


class _Columns:
    """Cells set column by column (SheetEdit.set_columns), rendered column by column."""

    def __init__(self, rows: Sequence[int], columns: Sequence[tuple[int, int, Sequence[object]]]) -> None:
        self.rows = rows
        self.columns = sorted(columns, key=lambda c: c[0])
        self.index = {row: position for position, row in enumerate(rows)}  # the last value for a row wins
        self.first, self.last = self.columns[0][0], self.columns[-1][0]
        self._known: dict[int, dict] = {}  # column -> what column_rests rendered of it so far

    def cells(self, row: int) -> dict[int, tuple[object, int]]:
        position = self.index[row]
        return {column: (values[position], style) for column, style, values in self.columns}

    def texts(self, edit: "SheetEdit") -> "_BlockTexts":
        """Each row's cells as text, for the rows still in the block: rendered when asked for."""
        return _BlockTexts(self, edit)

    def texts_at(self, edit: "SheetEdit", positions: Sequence[int]) -> list[str]:
        """The cells as text of the block's rows at these positions (in the order rows were given)."""
        if not positions:
            return []
        openings, numbers, rests = self._rendered(edit, positions)
        if all("" not in column for column in rests):  # a cell in every column of every row: one format a row
            template = "".join(opening.replace("%", "%%") + "%s%s" for opening in openings)
            return list(map(template.__mod__, zip(*chain.from_iterable((numbers, column) for column in rests))))
        rendered = [[opening + number + rest if rest else "" for number, rest in zip(numbers, column)]
                    for opening, column in zip(openings, rests)]
        return list(map("".join, zip(*rendered)))

    def pieces(self, edit: "SheetEdit", positions: Sequence[int], owners: Iterable[str]) -> Iterable[str]:
        """The owner's text before each of these rows and the row's cells, in turn, as pieces to join:
        what zip(owners, texts_at(...)) gives, without making each row's text first."""
        openings, numbers, rests = self._rendered(edit, positions)
        if not all("" not in column for column in rests):
            return chain.from_iterable(zip(owners, self.texts_at(edit, positions)))
        columns: list[Iterable[str]] = [owners]
        for opening, column in zip(openings, rests):
            columns += [repeat(opening), numbers, column]
        return chain.from_iterable(zip(*columns))

    def _rendered(self, edit: "SheetEdit", positions: Sequence[int]) -> tuple[list[str], list[str], list[list[str]]]:
        """The cell tags' openings, the rows' numbers and each column's cell texts after the reference."""
        first, last = positions[0], positions[-1]
        if last - first == len(positions) - 1 and all(map(lt, positions, islice(positions, 1, None))):
            def take(values: Sequence) -> Sequence:  # the usual case: a run of rows, one slice a column
                return values[first:last + 1]
        else:
            def take(values: Sequence) -> Sequence:
                return list(map(values.__getitem__, positions))
        numbers = list(map(str, take(self.rows)))
        rests = [column_rests(take(values), style, edit._cell_rest, self._known.setdefault(column, {}))
                 for column, style, values in self.columns]
        openings = [f'<{edit._c} r="{column_letter(column)}' for column, _, _ in self.columns]
        return openings, numbers, rests


class _BlockTexts:
    """The block's rows as text, by row number, for the rows in the block when it is made.

    Nothing is rendered ahead: _row_chunks renders the rows a piece of the sheet at a time, so the
    first piece goes to be compressed at once and the rest are rendered while it is; a row asked
    for alone (a row rebuilt the general way, a new row) is rendered alone."""

    def __init__(self, block: _Columns, edit: "SheetEdit") -> None:
        self.block, self.edit = block, edit
        self.positions = dict(block.index)  # row -> position in the block

    def __contains__(self, row: object) -> bool:
        return row in self.positions

    def __bool__(self) -> bool:
        return bool(self.positions)

    def keys(self):
        return self.positions.keys()

    def __getitem__(self, row: int) -> str:
        return self.block.texts_at(self.edit, [self.positions[row]])[0]

    def at(self, positions: Sequence[int]) -> list[str]:
        return self.block.texts_at(self.edit, positions)

    def pieces(self, owners: Iterable[str], positions: Sequence[int]) -> Iterable[str]:
        return self.block.pieces(self.edit, positions, owners)


def column_rests(values: Sequence[object], style: int, cell_rest: Callable[[object, int], str],
                 known: Optional[dict] = None) -> list[str]:
    """Each value's cell text after its reference, as cell_rest (SheetEdit._cell_rest) writes it ("" for no cell).

    A column of a big sheet or tab holds 100,000 values but few distinct ones: each distinct value is
    written once, and text, whole and decimal numbers all at once (_batch_rests). Where equal values
    would be written apart (True, 1 and 1.0 are one key), or cannot be keys, value by value.
    known (a dict kept between calls for pieces of one column) holds what earlier pieces rendered,
    by the set of kinds of value they held, so each distinct value is written once in the column."""
    try:
        distinct = set(values)
    except TypeError:
        return [cell_rest(value, style) for value in values]
    kinds = set(map(type, distinct))
    if True in distinct or False in distinct:  # a 0 or 1 may stand for False or True
        every_kind = set(map(type, values))
    else:
        every_kind = kinds
    if bool in every_kind and len(every_kind & {bool, int, float, Decimal}) > 1:
        return [cell_rest(value, style) for value in values]
    rests: dict[object, str] = {} if known is None else known.setdefault(frozenset(every_kind), {})
    if rests:
        distinct = [value for value in distinct if value not in rests]
        kinds = set(map(type, distinct))
    for kind in kinds:
        group = [value for value in distinct if type(value) is kind] if len(kinds) > 1 else list(distinct)
        rests.update(_batch_rests(kind, group, style, cell_rest))
    return list(map(rests.__getitem__, values))


def _batch_rests(kind: type, values: list, style: int, cell_rest: Callable[[object, int], str]) -> dict[object, str]:
    """Distinct values of one type -> their cell text after the reference, as cell_rest writes each.

    Text and numbers are joined with a character no cell text can hold (NUL), turned into XML in one
    go (escaped, or repr'd) and split again, with the markup around them taken from cell_rest itself;
    whatever might come out otherwise (text to clean or cut, zero, a float Excel would show in
    exponent form) goes through cell_rest one by one."""
    marker = "\x00"
    if kind is Decimal:  # written as the float it is: the floats' batch, each float once
        floats = {value: float(value) for value in values}
        written = _batch_rests(float, list(set(floats.values())), style, cell_rest)
        return {value: written[number] for value, number in floats.items()}
    if kind is str:
        batch = [value for value in values if value]
        if not batch or _ILLEGAL.search("\n".join(batch)) or max(map(len, batch)) > MAX_TEXT:
            batch = []  # clean_text would change some: NUL among them
        made = escape_text(marker.join(batch))
    elif kind is float:
        batch = [value for value in values if value]
        if not (batch and all(map(math.isfinite, batch)) and max(map(abs, batch)) < 1e15):
            batch = []
        made = (marker.join(map(repr, batch)) + marker).replace(".0" + marker, marker)[:-1]  # as number_text
    elif kind is int:
        batch = values
        made = marker.join(map(str, batch))
    else:
        batch, made = [], ""
    if batch:  # the markup around a value, from cell_rest itself: it must hold the sample's text only once
        sample = {str: "a b", float: 0.5, int: 12345}[kind]
        written = cell_rest(sample, style)
        if written.count(str(sample)) != 1:  # a namespace prefix or a style number that looks like it
            batch = []
    rests = {value: cell_rest(value, style) for value in ([v for v in values if not v] if batch and kind is not int
                                                          else [] if batch else values)}
    if batch:
        head, _, tail = written.partition(str(sample))
        rests.update(zip(batch, (head + made.replace(marker, tail + marker + head) + tail).split(marker)))
    return rests


class SheetEdit:
    """One worksheet part, with cells to set and a block to clear, rendered as text on demand."""

    def __init__(self, xml: str, date1904: bool = False) -> None:
        self.xml = xml
        self.date1904 = date1904
        prefix = prefix_for(xml, MAIN_NS)
        if prefix is None:
            raise Unsupported("a worksheet is not SpreadsheetML (strict OOXML?)")
        self.prefix = prefix
        self.r_prefix = prefix_for(xml, RELATIONSHIPS_NS)
        self._c = qualified(prefix, "c")
        self._row_tag = qualified(prefix, "row")
        self._cell_pattern = re.compile(r"<%s(?=[\s/>])[^>]*?(?:/>|>.*?</%s>)" % (re.escape(self._c), re.escape(self._c)),
                                        re.DOTALL)
        self._v, self._v_close = f"<{qualified(prefix, 'v')}>", f"</{qualified(prefix, 'v')}>"
        inline, t = qualified(prefix, "is"), qualified(prefix, "t")
        self._is_open, self._is_close = f'<{inline}><{t} xml:space="preserve">', f"</{t}></{inline}>"
        self._odd_cell_tag = re.compile(r"<%s[\t\r\n]" % re.escape(self._c))
        self._bare_cell, self._cell_open = f"<{self._c}>", f"<{self._c} "
        self._extension_open = f"<{qualified(prefix, 'extLst')}"
        # Any of the three in one look (one pass over a big sheet instead of three)
        self._not_plain = re.compile(r"<(?:%s[>\t\r\n]|%s)" % (re.escape(self._c), re.escape(qualified(prefix, "extLst"))))
        place = find_element(xml, prefix, "sheetData")
        if place is None:
            raise Unsupported("a worksheet has no sheetData")
        self._data = place
        self._row_columns: Optional[tuple[list[int], list[int], list[int], list[int], list[bool]]] = None
        self._rows: Optional[list[_Row]] = None
        self._by_number: Optional[dict[int, int]] = None  # row number -> position in the index
        self._writes: dict[int, dict[int, tuple[object, int]]] = {}
        self._columns: Optional[_Columns] = None  # whole columns set at once (set_columns)
        self._cell_letters: Optional[frozenset[str]] = None
        self._every_cell_lettered = False  # each "<c " of sheetData gave a letter to _cell_letters
        self._plain: Optional[bool] = None  # see _plain_rows
        self._quick_rows = True  # block rows told for the whole sheet at once (tests turn it off to compare)
        self._clear: list[tuple[int, int, int]] = []  # (first row, first column, last column)
        self._widths: dict[int, float] = {}
        self._widen: dict[int, float] = {}
        self._filter: Optional[str] = None
        self._legacy_drawing: Optional[str] = None
        self._drop_legacy_drawing = False

    # reading

    def prepare(self) -> None:
        """Do now the reading a write of this sheet needs: the row index, the look for odd rows
        and the columns in use. A big sheet takes a third of a second of it, which can then be
        spent ahead, in a worker thread (lossless.reading_ahead)."""
        self._index()
        self._plain_rows()
        self.max_column()

    def rows(self) -> list[_Row]:
        if self._rows is None:
            self._rows = list(map(_Row, *self._index()))
        return self._rows

    def row_numbers(self) -> list[int]:
        """The number of every row the sheet has, in the order of the part."""
        return self._index()[0]

    def _index(self) -> tuple[list[int], list[int], list[int], list[int], list[bool]]:
        """The rows as five columns (number, start, tag_end, end, has_r): a big sheet has 100,000 rows."""
        if self._row_columns is None:
            self._row_columns = self._index_rows()
        return self._row_columns

    def _row_at(self, position: int) -> _Row:
        return _Row(*(column[position] for column in self._index()))

    def _index_rows(self) -> tuple[list[int], list[int], list[int], list[int], list[bool]]:
        start, open_end, end = self._data
        if open_end == end:
            return [], [], [], [], []
        xml = self.xml
        close_tag = f"</{self._row_tag}>"
        # A row's start tag and its number (the first r="..." in it), found in one pass over the part.
        pattern = re.compile(r'<%s(?=[\s/>])(?:[^>]*?\sr\s*=\s*"(\d+)")?[^>]*>' % re.escape(self._row_tag))
        limit = end - len(qualified(self.prefix, "sheetData")) - 3
        matches = list(pattern.finditer(xml, open_end, limit))
        starts, tag_ends = list(map(_match_start, matches)), list(map(_match_end, matches))
        found = list(map(_match_group, matches, repeat(1)))
        closes = list(map(xml.find, repeat(close_tag), tag_ends, repeat(limit)))
        ends = list(map(add, closes, repeat(len(close_tag))))
        # The usual sheet, told in a few passes over the columns: every row numbered, none self-closed,
        # each closed before the next starts.
        if None not in found and -1 not in closes and all(map(le, ends[:-1], starts[1:])) \
                and not any(map(xml.startswith, repeat("/>"), map(sub, tag_ends, repeat(2)))):
            return list(map(int, found)), starts, tag_ends, ends, [True] * len(matches)
        return self._index_rows_one_by_one(matches, close_tag, limit)

    def _index_rows_one_by_one(self, matches: list[re.Match], close_tag: str, limit: int
                               ) -> tuple[list[int], list[int], list[int], list[int], list[bool]]:
        xml = self.xml
        numbers, starts, tag_ends, ends, has_r = [], [], [], [], []
        number, position = 0, self._data[1]
        find = xml.find
        for match in matches:
            if match.start() < position:
                continue  # inside the row before (rows do not nest): not a row of the sheet
            found = match.group(1)
            number = int(found) if found else number + 1
            tag_end = match.end()
            if xml[tag_end - 2] == "/":  # <row .../>
                row_end = tag_end
            else:
                close = find(close_tag, tag_end, limit)
                if close < 0:
                    raise Unsupported("a row is not closed")
                row_end = close + len(close_tag)
            numbers.append(number)
            starts.append(match.start())
            tag_ends.append(tag_end)
            ends.append(row_end)
            has_r.append(found is not None)
            position = row_end
        return numbers, starts, tag_ends, ends, has_r

    def cells(self, row_number: int) -> dict[int, str]:
        """The cells of one row as text, by 1-based column."""
        if self._by_number is None:  # the last row of a number, as the rows are written
            numbers = self._index()[0]
            self._by_number = dict(zip(numbers, range(len(numbers))))
        position = self._by_number.get(row_number)
        return dict(self._parse_cells(self._row_at(position))) if position is not None else {}

    def cell_style(self, row: int, column: int) -> int:
        text = self.cells(row).get(column)
        found = _STYLE.search(text.split(">")[0]) if text else None
        return int(found.group(1)) if found else 0

    def cell_is_number(self, row: int, column: int) -> bool:
        text = self.cells(row).get(column)
        if not text:
            return False
        tag = text.split(">")[0]
        kind = re.search(r'\st\s*=\s*"(\w+)"', tag)
        return (kind is None or kind.group(1) == "n") and f"<{qualified(self.prefix, 'v')}>" in text

    def max_column(self, extra_cells: Iterable[str] = ()) -> int:
        """The rightmost column in use, counted as openpyxl counts it.

        Cells count even when only styled, and so do merged ranges, hyperlinks and the cells
        in extra_cells (those with notes), which openpyxl turns into cells when it loads a sheet.
        """
        letters = set(self._letters())
        tail = self.xml[self._data[2]:]
        for name in ("mergeCell", "hyperlink"):
            for reference in re.findall(r'<%s\b[^>]*?\bref\s*=\s*"([^"]+)"' % re.escape(qualified(self.prefix, name)),
                                        tail):
                letters |= set(re.findall(r"([A-Z]{1,3})\d", reference))
        letters |= {re.match(r"[A-Z]+", reference).group(0) for reference in extra_cells}
        return max((column_index(l) for l in letters), default=0)

    def max_cell_column(self) -> Optional[int]:
        """The rightmost column of sheetData's cells (0 for none), None when some cell tag's reference
        could not be read (then only a look at each row tells)."""
        letters = self._letters()
        return max(map(column_index, letters), default=0) if self._every_cell_lettered else None

    def _letters(self) -> frozenset[str]:
        """The column letters of sheetData's cells, read once: a big sheet has a million cells."""
        if self._cell_letters is None:
            start, open_end, end = self._data
            found = re.findall(r'<%s\s[^>]*?\br\s*=\s*"([A-Z]{1,3})\d' % re.escape(self._c), self.xml[open_end:end])
            self._every_cell_lettered = len(found) == self.xml.count(self._cell_open, open_end, end)
            self._cell_letters = frozenset(found)
        return self._cell_letters

    def has_shared_formula_master(self, row: int, column: int) -> bool:
        text = self.cells(row).get(column, "")
        formula = re.search(r"<%s\b[^>]*>" % re.escape(qualified(self.prefix, "f")), text)
        return bool(formula and 't="shared"' in formula.group(0) and "ref=" in formula.group(0))

    # changing

    def set(self, row: int, column: int, value: object, style: int = KEEP) -> None:
        self._writes_of(row)[column] = (value, style)

    def set_row(self, row: int, cells: dict[int, tuple[object, int]]) -> None:
        """Several cells of one row at once: column -> (value, style)."""
        self._writes_of(row).update(cells)

    def set_columns(self, rows: Sequence[int], columns: Sequence[tuple[int, int, Sequence[object]]]) -> None:
        """Whole columns at once: (column, style, values), values[i] going to rows[i]; styles explicit.

        The same as set_row for each row, but kept column by column: a column's cells share their
        style and most of their values, so each distinct value is rendered once (100,000 invoices
        rows with seven computed cells each). A row set again by set or set_row leaves the block.
        """
        if self._columns is not None:
            for row in list(self._columns.index):
                self._writes_of(row)  # an earlier block joins the single writes
        if not columns:
            for row in rows:
                self._writes_of(row)
            return
        block = _Columns(rows, columns)
        for row in [r for r in block.index if r in self._writes]:
            self._writes[row].update(block.cells(row))
            del block.index[row]
        self._columns = block if block.index else None

    def _writes_of(self, row: int) -> dict[int, tuple[object, int]]:
        cells = self._writes.get(row)
        if cells is None:
            cells = self._writes[row] = {}
            if self._columns is not None and row in self._columns.index:
                cells.update(self._columns.cells(row))
                del self._columns.index[row]
        return cells

    def clear(self, first_row: int, first_column: int, last_column: int) -> None:
        """Remove every cell in these columns from first_row down (collector's own block of last run)."""
        self._clear.append((first_row, first_column, last_column))

    def set_widths(self, widths: dict[int, float], widen: bool = False) -> None:
        """Column widths for columns that have none set yet; with widen, also for a column whose
        own <col> (covering none of the other columns) is narrower: collector's, from an earlier run."""
        self._widths.update(widths)
        if widen:
            self._widen.update(widths)

    def filter_reference(self) -> Optional[str]:
        """The range of the sheet's AutoFilter (not a Table's), or None when it has none."""
        place = self._filter_place(self.xml, self._data[2])
        if place is None:
            return None
        return re.search(r'\sref\s*=\s*"([^"]*)"|$', self.xml[place:self.xml.find(">", place)]).group(1)

    def set_filter_reference(self, reference: str) -> None:
        """Move the sheet's AutoFilter to reference; its filter columns and sort stay as they are."""
        self._filter = reference

    def _filter_place(self, xml: str, start: int) -> Optional[int]:
        found = top_level(xml[start:], self.prefix, ("autoFilter",))
        return None if found is None else start + found

    def set_legacy_drawing(self, rel_id: Optional[str]) -> None:
        """Point <legacyDrawing> (cell notes) at rel_id, adding it in schema order; None removes it."""
        self._legacy_drawing = rel_id
        self._drop_legacy_drawing = rel_id is None

    def legacy_drawing_id(self) -> Optional[str]:
        found = find_element(self.xml, self.prefix, "legacyDrawing", self._data[2])
        if found is None:
            return None
        match = re.search(r'\s[\w.-]*:?id\s*=\s*"([^"]*)"', self.xml[found[0]:found[1]])
        return match.group(1) if match else None

    def changed(self) -> bool:
        return bool(self._writes or (self._columns and self._columns.index) or self._clear or self._widths
                    or self._legacy_drawing or self._drop_legacy_drawing or self._filter is not None)

    # rendering

    def text(self) -> str:
        return "".join(self.chunks())

    def chunks(self) -> Iterator[str]:
        """The edited part in pieces, so a big sheet is never held twice over as one string."""
        if not self.changed():
            yield self.xml
            return
        start, open_end, end = self._data
        data_tag = qualified(self.prefix, "sheetData")
        yield self._head(self.xml[:start])
        if open_end == end:  # <sheetData/>
            yield self.xml[start:end - 2].rstrip() + ">"
        else:
            yield self.xml[start:open_end]
        yield from self._row_chunks()
        yield f"</{data_tag}>"
        yield self._tail(self.xml[end:])

    def _written_extent(self) -> Optional[tuple[tuple[int, int], tuple[int, int]]]:
        """The first and last row, and first and last column, of the cells collector writes."""
        rows = [number for number, cells in self._writes.items() if cells]
        columns = [column for cells in self._writes.values() for column in (min(cells), max(cells)) if cells]
        block = self._columns
        if block is not None and block.index:
            rows += [min(block.index), max(block.index)]
            columns += [block.first, block.last]
        if not rows:
            return None
        return (min(rows), max(rows)), (min(columns), max(columns))

    def _row_chunks(self) -> Iterator[str]:
        """sheetData's content: every change is worked out for the whole sheet first, then the owner's
        text between the changes and the changes are joined a few thousand rows at a time, not row by row.

        The block's rows are rendered only then, a piece at a time: the first piece goes to be
        compressed (zlib, in another thread) while the next is rendered."""
        start, open_end, end = self._data
        limit = end - len(qualified(self.prefix, "sheetData")) - 3 if end > open_end else end
        block = self._columns
        texts = block.texts(self) if block is not None else {}
        pending = self._writes.keys() | texts.keys()
        changes, done, run = self._block_changes(texts)  # a row the owner has cells in goes into _writes
        changes += self._row_changes(done)
        changes += self._new_rows(pending, texts, limit)
        changes.sort(key=_FROM_TO)  # a new row (at, at) goes before the row it is inserted ahead of
        froms, tos, written = _merged(run, changes)
        xml = self.xml
        if not froms:
            yield xml[open_end:limit]
            return
        owners = map(xml.__getitem__, map(slice, chain((open_end,), tos), froms))
        for first in range(0, len(froms), _CHANGES_PER_CHUNK):
            group = written[first:first + _CHANGES_PER_CHUNK]
            yield "".join(self._pieces(islice(owners, len(group)), group, texts))
        yield xml[tos[-1]:limit]

    @staticmethod
    def _pieces(owners: Iterator[str], written: Sequence, texts: "_BlockTexts") -> Iterable[str]:
        """The owner's text before each change and the change's text, in turn; a row of the block (given
        by its position in the block) rendered now."""
        wanted = [item for item in written if item.__class__ is int]
        if not wanted:
            return chain.from_iterable(zip(owners, written))
        if len(wanted) == len(written):
            return texts.pieces(owners, wanted)
        made = iter(texts.at(wanted))
        return chain.from_iterable(zip(owners, [next(made) if item.__class__ is int else item for item in written]))

    def _block_changes(self, texts: "_BlockTexts") -> tuple[list[tuple[int, int, object]], set[int],
                                                             Optional[tuple[list[int], list[int], list[int]]]]:
        """The changes (from, to, text) that put set_columns' block into the sheet's rows, the positions
        of the rows done so, and the run of rows done the quick way. A row with owner's cells where the
        block goes joins _writes.

        The usual block (every row the quick way, no row tag to change) comes as a run: the columns
        (from, to, position in the block) in the order of the sheet, the text rendered as the sheet is
        written (_pieces). A row of the block done the quick way among others has its position in the
        block for text, rendered the same way; a row looked at alone has its text."""
        if not texts:
            return [], set(), None
        numbers, starts, tag_ends, ends, has_r = self._index()
        block = self._columns
        # the cleared ranges and threshold of every block row from the last clear down
        self._block_plan_from = max((first for first, _, _ in self._clear), default=0)
        clears = tuple((c1, c2) for _, c1, c2 in self._clear)
        self._block_plan = clears, min([c1 for c1, _ in clears] + [block.first])
        place = texts.positions
        positions = list(compress(range(len(numbers)), map(place.__contains__, numbers)))
        quick, one_by_one = [], positions
        if self._quick_rows and self._plain_rows():
            plan_from = self._block_plan_from
            if False not in has_r and all(map(ne, ends, tag_ends)) \
                    and min(map(numbers.__getitem__, positions), default=plan_from) >= plan_from:
                quick, one_by_one = positions, []  # the usual sheet: every row numbered, none self-closed
            else:
                usual = [numbers[i] >= plan_from and has_r[i] and ends[i] != tag_ends[i] for i in positions]
                quick = list(compress(positions, usual))
                one_by_one = [i for i, is_usual in zip(positions, usual) if not is_usual]
        closing = len(self._row_tag) + 3
        quick_numbers = list(map(numbers.__getitem__, quick))
        quick_tag_ends = list(map(tag_ends.__getitem__, quick))
        closes = list(map(sub, map(ends.__getitem__, quick), repeat(closing)))
        cuts = self._quick_cuts(quick_tag_ends, closes, quick_numbers, self._block_plan[1], clears)
        tags = self._spans_changes(list(map(starts.__getitem__, quick)), quick_tag_ends, block.last)
        changes, done, run = [], set(), None
        if None not in cuts and tags.count(()) == len(tags):  # every row the quick way, no tag to change
            run = cuts, closes, list(map(place.__getitem__, quick_numbers))
            done = set(quick)
            quick = cuts = closes = tags = ()
        for position, cut, close, tag in zip(quick, cuts, closes, tags):
            if cut is None or tag is None:
                one_by_one.append(position)
                continue
            if tag:
                changes.append(tag)
            changes.append((cut, close, place[numbers[position]]))
            done.add(position)
        alone = [numbers[position] for position in one_by_one]
        alone_texts = dict(zip(alone, texts.at(list(map(place.__getitem__, alone)))))
        for position in one_by_one:
            row = self._row_at(position)
            rebuilt = self._block_row(row, alone_texts[row.number])
            if rebuilt is None:
                self._writes_of(row.number)  # the owner has cells among collector's: the general way
                continue
            changes.append((rebuilt[0], rebuilt[2], rebuilt[1]))
            done.add(position)
        return changes, done, run

    def _spans_changes(self, starts: list[int], tag_ends: list[int], last_column: int
                       ) -> list[Optional[tuple]]:
        """For each row tag, the change _appended_tag makes to its spans="low:high": () for a tag without
        spans, (from, to, new value) for a plain spans="a:b", None for anything else (looked at row by row)."""
        xml = self.xml
        founds = list(map(xml.find, repeat("spans"), starts, tag_ends))
        if not founds or max(founds) < 0:
            return [()] * len(starts)
        values: dict[str, Optional[str]] = {}
        changes: list[Optional[tuple]] = []
        for found, tag_end in zip(founds, tag_ends):
            if found < 0:
                changes.append(())
                continue
            value_start = found + 7
            value_end = xml.find('"', value_start, tag_end)
            if not (xml[found - 1].isspace() and xml.startswith('spans="', found) and value_end >= 0):
                changes.append(None)
                continue
            value = xml[value_start:value_end]
            new = values.get(value, "")
            if new == "":
                low, _, high = value.partition(":")
                new = values[value] = (f"{int(low)}:{max(int(high), last_column)}" if _SPANS_VALUE.fullmatch(value)
                                       else None)
            changes.append(None if new is None else (value_start, value_end, new))
        return changes

    def _row_changes(self, done: set[int]) -> list[tuple[int, int, str]]:
        """Rows rebuilt (cells written or cleared) and rows given the r= they lack, outside the block."""
        numbers, _, _, _, has_r = self._index()
        writes = self._writes
        first_clear = min((c[0] for c in self._clear), default=None)
        lacking_r = False in has_r
        others = sorted(set(range(len(numbers))).difference(done)) if done else range(len(numbers))
        if first_clear is None:
            candidates = [i for i in others if numbers[i] in writes]
        else:
            candidates = [i for i in others if numbers[i] in writes or numbers[i] >= first_clear]
        if lacking_r:
            candidates = sorted(set(candidates) | {i for i, h in enumerate(has_r) if not h and i not in done})
        changes = []
        for position in candidates:
            row = self._row_at(position)
            number = row.number
            if number in writes or (first_clear is not None and number >= first_clear and self._clears(row)):
                changes.append((row.start, row.end, self._rebuilt_row(row)))
            elif not row.has_r:
                changes.append((row.start, row.tag_end, set_attribute(self.xml[row.start:row.tag_end], "r", str(number))))
        return changes

    def _new_rows(self, pending: set[int], texts: "_BlockTexts | dict", limit: int) -> list[tuple[int, int, str]]:
        """Rows the sheet has none of yet, each before the first row numbered above it (at the end if none is).

        The running highest row number decides, so a sheet whose rows are out of order gets them where a
        walk down its rows inserting each missing row before the first higher one would."""
        numbers, starts = self._index()[:2]
        highest = list(accumulate(numbers, max))
        inserted: dict[int, list[str]] = {}
        missing = sorted(pending.difference(highest))  # a row the sheet has is a running highest
        from_block = [number for number in missing if number in texts and number not in self._writes]
        if from_block:  # rendered together: a column's distinct values once
            texts = dict(zip(from_block, texts.at(list(map(texts.positions.__getitem__, from_block)))))
        for number in missing:
            position = bisect_left(highest, number)
            at = starts[position] if position < len(starts) else limit
            inserted.setdefault(at, []).append(self._new_row(number, texts))
        return [(at, at, "".join(rows)) for at, rows in inserted.items()]

    def _quick_cuts(self, firsts: list[int], stops: list[int], numbers: list[int], threshold: int,
                    droppable: tuple[tuple[int, int], ...]) -> list[Optional[int]]:
        """For each row (its cells from firsts to stops), where its cells at threshold and right of it start,
        told from its last cell alone: stop when that cell is left of threshold, the first cell at threshold
        when the last is in collector's old block (a re-run); None when the row needs a closer look."""
        rightmost = self.max_cell_column() if self._plain_rows() else None
        if rightmost is not None and rightmost < threshold:
            return list(stops)  # a first run: no cell of the sheet is at threshold or right of it
        xml, opening = self.xml, self._cell_open
        lasts = list(map(xml.rfind, repeat(opening), firsts, stops))
        high = next((h for low, h in droppable if low <= threshold <= h), 0)
        needle = f'{opening}r="{column_letter(threshold)}'
        find = xml.find
        columns = self._last_columns(lasts)
        if columns:  # the same for every row, told column-wise
            if max(columns) < threshold:  # a first run: collector's cells go after every row's last
                return list(stops)
            if min(columns) >= threshold and max(columns) <= high:  # a re-run: every row ends in the old block
                found = list(map(find, map(f"{needle}{{}}\"".format, numbers), firsts, stops))
                if -1 not in found:
                    return found
        references = list(map(_FIRST_REF.match, repeat(xml), map(add, lasts, repeat(len(opening)))))
        cuts: list[Optional[int]] = []
        for last, reference, first, stop, number in zip(lasts, references, firsts, stops, numbers):
            if last < 0:
                cuts.append(stop)
            elif reference is None:
                cuts.append(None)
            else:
                column = column_index(reference.group(1))
                if column < threshold:
                    cuts.append(stop)
                elif column <= high:  # cells are in column order: all from collector's first one are ours
                    found = find(f'{needle}{number}"', first, stop)
                    cuts.append(found if found >= 0 else None)
                else:
                    cuts.append(None)
        return cuts

    def _last_columns(self, lasts: list[int]) -> Optional[set[int]]:
        """The columns of the cells starting at lasts (each row's last), each written with r="..." first:
        None when a row has no cell or a cell tag does not start so. Told from the few distinct
        beginnings of the references (a letter or three and a digit), not from each row's."""
        xml, at = self.xml, len(self._cell_open)
        if not lasts or -1 in lasts:
            return None
        references = list(map(add, lasts, repeat(at + 3)))
        if not all(map(xml.startswith, repeat('r="'), map(sub, references, repeat(3)))):
            return None
        beginnings = set(map(xml.__getitem__, map(slice, references, map(add, references, repeat(4)))))
        letters = list(map(_REFERENCE_START.match, beginnings))
        if None in letters:
            return None
        return set(map(column_index, map(_match_group, letters, repeat(1))))

    def _clears(self, row: _Row) -> bool:
        clears = [(c1, c2) for first, c1, c2 in self._clear if row.number >= first]
        if not clears:
            return False
        _, cells, _ = self._split(row, min(c1 for c1, _ in clears))
        return any(c1 <= column <= c2 for column, _ in cells for c1, c2 in clears)

    def _split(self, row: _Row, threshold: int,
               droppable: tuple[tuple[int, int], ...] = ()) -> tuple[str, list[tuple[int, str]], str]:
        """A row's cells left of threshold as untouched text, the others parsed, and a trailing extLst.

        Scanning back from the row's end keeps a rewrite of the columns at the right (collector's)
        cheap however many cells the owner has on the left.
        """
        if row.end == row.tag_end:
            return "", [], ""
        cut, parsed, stop = self._split_at(row, threshold, droppable)
        return self.xml[row.tag_end:cut], parsed, self.xml[stop:row.end - len(self._row_tag) - 3]

    def _split_at(self, row: _Row, threshold: int, droppable: tuple[tuple[int, int], ...] = ()
                  ) -> tuple[int, list[tuple[int, str]], int]:
        """_split as positions in the part: where the untouched cells end, the parsed cells, and where
        the cells end (an extLst follows up to </row>). Nothing is sliced: this runs for every row
        collector writes into. Not for a self-closed row."""
        xml = self.xml
        first_cell = row.tag_end
        stop = row.end - len(self._row_tag) - 3  # where </row> starts
        if not self._plain_rows():
            extension_at = xml.find(self._extension_open, first_cell, stop)
            if extension_at >= 0:
                stop = extension_at
            if xml.find(self._bare_cell, first_cell, stop) >= 0 or self._odd_cell_tag.search(xml, first_cell, stop):
                return first_cell, self._parse(xml[first_cell:stop], row.number), stop
        cut = self._quick_cuts([first_cell], [stop], [row.number], threshold, droppable)[0]
        if cut is not None:
            return cut, [], stop
        opening = self._cell_open
        cut = position = stop
        all_droppable = True
        while True:
            found = xml.rfind(opening, first_cell, position)
            if found < 0:
                break
            reference = _CELL_REF.search(xml, found, xml.find(">", found, stop))
            if reference is None:
                return first_cell, self._parse(xml[first_cell:stop], row.number), stop
            column = column_index(reference.group(1))
            if column < threshold:
                break
            all_droppable = all_droppable and any(low <= column <= high for low, high in droppable)
            cut = position = found
        if cut == stop or (droppable and all_droppable):  # nothing or only collector's old cells follow
            return cut, [], stop
        return cut, self._parse(xml[cut:stop], row.number), stop

    def _plain_rows(self) -> bool:
        """True when no row of the sheet has an extLst, a cell tag without attributes or a cell tag
        followed by a tab or line break: looked for once in the whole of sheetData, not row by row."""
        if self._plain is None:
            xml, (_, open_end, end) = self.xml, self._data
            self._plain = self._not_plain.search(xml, open_end, end) is None
        return self._plain

    def _parse_cells(self, row: _Row) -> list[tuple[int, str]]:
        head, cells, _ = self._split(row, 1)
        return cells

    def _parse(self, body: str, row_number: int) -> list[tuple[int, str]]:
        cells, column = [], 0
        for match in self._cell_pattern.finditer(body):
            text = match.group(0)
            found = _CELL_REF.search(text, 0, text.find(">"))
            column = column_index(found.group(1)) if found else column + 1
            if not found:
                text = set_attribute_in_cell(text, f"{column_letter(column)}{row_number}")
            cells.append((column, text))
        return cells

    def _rebuilt_row(self, row: _Row) -> str:
        tag = self.xml[row.start:row.tag_end]
        writes = self._writes.get(row.number, {})
        clears = [(c1, c2) for first, c1, c2 in self._clear if row.number >= first]
        threshold = min([c1 for c1, _ in clears] + list(writes))
        explicit = all(value is not KEEP_VALUE and style != KEEP for value, style in writes.values())
        head, parsed, extension = self._split(row, threshold, tuple(clears) if explicit else ())
        if not parsed and all(value is not KEEP_VALUE for value, _ in writes.values()):
            return self._appended_row(row, tag, head, extension, writes)
        cells = dict(parsed)
        for first_column, last_column in clears:
            for column in [c for c in cells if first_column <= c <= last_column]:
                del cells[column]
        for column, (value, style) in writes.items():
            if style == KEEP:
                style = _existing_style(cells.get(column))
            if value is KEEP_VALUE and cells.get(column):
                opening_end = cells[column].find(">") + 1
                opening = set_attribute(cells[column][:opening_end], "s", str(style) if style else None)
                cells[column] = opening + cells[column][opening_end:]
                continue
            text = self.cell_xml(row.number, column, None if value is KEEP_VALUE else value, style)
            if text:
                cells[column] = text
            else:
                cells.pop(column, None)
        body = head + "".join(cells[c] for c in sorted(cells)) + extension
        if not row.has_r:
            tag = set_attribute(tag, "r", str(row.number))
        spans = _SPANS.search(tag)
        if spans and cells:
            low, high = min(int(spans.group(1)), min(cells)), max(int(spans.group(2)), max(cells))
            tag = set_attribute(tag, "spans", f"{low}:{high}")
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
        return f"{tag}{body}</{self._row_tag}>"

    def _appended_row(self, row: _Row, tag: str, head: str, extension: str, writes: dict) -> str:
        """The common case: collector's cells all sit right of the owner's, so they are just appended."""
        number = row.number
        texts = [self.cell_xml(number, column, value, 0 if style == KEEP else style)
                 for column, (value, style) in sorted(writes.items())]
        tag = self._appended_tag(row, tag, max(writes) if writes else 0)
        return f"{tag}{head}{''.join(texts)}{extension}</{self._row_tag}>"

    def _appended_tag(self, row: _Row, tag: str, last_column: int) -> str:
        if not row.has_r:
            tag = set_attribute(tag, "r", str(row.number))
        spans = _SPANS.search(tag)
        if spans and last_column:
            low, high = int(spans.group(1)), max(int(spans.group(2)), last_column)
            tag = set_attribute(tag, "spans", f"{low}:{high}")
        if tag.endswith("/>"):
            tag = tag[:-2].rstrip() + ">"
        return tag

    def _block_row(self, row: _Row, text: str) -> Optional[tuple[int, str, int]]:
        """A row of set_columns' block, as _appended_row would write it: (from, new text, to) of the
        replaced stretch; None when the owner has cells where the block goes (the general way then)."""
        number = row.number
        clears, threshold = self._block_plan
        if number < self._block_plan_from:
            clears = tuple((c1, c2) for first, c1, c2 in self._clear if number >= first)
            threshold = min([c1 for c1, _ in clears] + [self._columns.first])
        tag = self.xml[row.start:row.tag_end]
        close = row.end - len(self._row_tag) - 3
        if row.end == row.tag_end:  # <row .../>
            return row.start, f"{self._appended_tag(row, tag, self._columns.last)}{text}</{self._row_tag}>", row.end
        cut, parsed, stop = self._split_at(row, threshold, clears)
        if parsed:
            return None
        if stop == close and row.has_r and "spans" not in tag:
            return cut, text, close  # only cells to insert: the rest is the owner's text as it was
        new_tag = self._appended_tag(row, tag, self._columns.last)
        head, extension = self.xml[row.tag_end:cut], self.xml[stop:close]
        return row.start, f"{new_tag}{head}{text}{extension}</{self._row_tag}>", row.end

    def _new_row(self, number: int, texts: Optional[dict[int, str]] = None) -> str:
        if texts and number in texts and number not in self._writes:
            return f'<{self._row_tag} r="{number}">{texts[number]}</{self._row_tag}>'
        cells = []
        for column in sorted(self._writes[number]):
            value, style = self._writes[number][column]
            value = None if value is KEEP_VALUE else value
            text = self.cell_xml(number, column, value, 0 if style == KEEP else style)
            if text:
                cells.append(text)
        return f'<{self._row_tag} r="{number}">' + "".join(cells) + f"</{self._row_tag}>"

    def cell_xml(self, row: int, column: int, value: object, style: int) -> str:
        rest = self._cell_rest(value, style)
        return f'<{self._c} r="{column_letter(column)}{row}{rest}' if rest else ""

    def _cell_rest(self, value: object, style: int) -> str:
        """A cell's text after the digits of its reference ("" for no cell at all).

        Nothing in it depends on the row, so a column of cells renders each distinct value once.
        """
        c = self._c
        s = f'" s="{style}"' if style else '"'
        kind = type(value)
        if kind is Decimal:
            value, kind = float(value), float
        if kind is str:
            value = clean_text(value)[:MAX_TEXT] if value else value
            if not value:
                return f"{s}/>" if style else ""
            return f'{s} t="inlineStr">{self._is_open}{escape_text(value)}{self._is_close}</{c}>'
        if value is None or (kind is float and not math.isfinite(value)):
            return f"{s}/>" if style else ""
        if kind is bool:
            return f'{s} t="b">{self._v}{int(value)}{self._v_close}</{c}>'
        if isinstance(value, (dt.date, dt.datetime)):
            value = serial(value, self.date1904)
        elif not isinstance(value, (int, float)):
            return self._cell_rest(str(value), style)
        return f"{s}>{self._v}{number_text(value)}{self._v_close}</{c}>"

    # around sheetData

    def _head(self, head: str) -> str:
        head = self._dimension(head)
        if self._widths:
            head = self._cols(head)
        if self._widen:
            head = self._widened(head)
        return head

    def _dimension(self, head: str) -> str:
        written = self._written_extent()
        if written is None:
            return head
        place = find_element(head, self.prefix, "dimension")
        if place is None:
            # Excel always writes the used range; without it, readers (openpyxl among them) must parse
            # the whole sheet to find its size. The sheet's own extent joins the cells collector wrote.
            rows = self.row_numbers() + list(written[0])
            columns = [self.max_column()] + list(written[1])
            reference = f"A1:{column_letter(max(max(columns), 1))}{max(max(rows), 1)}"
            tag = f'<{qualified(self.prefix, "dimension")} ref="{reference}"/>'
            opening = re.search(r"<%s(?=[\s/>])[^>]*>" % re.escape(qualified(self.prefix, "worksheet")), head)
            body = opening.end() if opening else 0
            found = top_level(head[body:], self.prefix, _AFTER_DIMENSION, 1)
            position = body + found if found is not None else len(head)
            return head[:position] + tag + head[position:]
        tag = head[place[0]:place[1]]
        found = re.search(r'\sref\s*=\s*"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"', tag)
        rows, columns = list(written[0]), list(written[1])
        if found:
            first_col, first_row = column_index(found.group(1)), int(found.group(2))
            last_col = column_index(found.group(3) or found.group(1))
            last_row = int(found.group(4) or found.group(2))
            rows += [first_row, last_row]
            columns += [first_col, last_col]
        reference = f"{column_letter(min(columns))}{min(rows)}:{column_letter(max(columns))}{max(rows)}"
        return head[:place[0]] + set_attribute(tag, "ref", reference) + head[place[1]:]

    def _cols(self, head: str) -> str:
        place, existing = self._col_tags(head)
        missing = {c: w for c, w in self._widths.items() if not any(lo <= c <= hi for lo, hi, _, _ in existing)}
        if not missing:
            return head
        col_tag = qualified(self.prefix, "col")
        if place is None:
            fragment = "".join(_col(col_tag, c, w) for c, w in sorted(missing.items()))
            cols = qualified(self.prefix, "cols")
            return head + f"<{cols}>{fragment}</{cols}>"  # <cols> comes right before <sheetData>
        inserts: dict[int, str] = {}
        for column, width in sorted(missing.items()):
            position = next((start for lo, _, start, _ in existing if lo > column), None)
            if position is None:
                position = place[2] - len(qualified(self.prefix, "cols")) - 3
            inserts[position] = inserts.get(position, "") + _col(col_tag, column, width)
        for position in sorted(inserts, reverse=True):
            head = head[:position] + inserts[position] + head[position:]
        return head

    def _col_tags(self, head: str) -> tuple[Optional[tuple[int, int, int]], list[tuple[int, int, int, int]]]:
        """Where <cols> is in head, and (min, max, start, end) of each of its <col>s."""
        col_tag = qualified(self.prefix, "col")
        place = find_element(head, self.prefix, "cols")
        existing: list[tuple[int, int, int, int]] = []
        if place is not None:
            for match in re.finditer(r"<%s(?=[\s/>])[^>]*?(?:/>|>\s*</%s>)" % (re.escape(col_tag), re.escape(col_tag)),
                                     head[place[1]:place[2]]):
                tag = match.group(0)
                low = re.search(r'\smin\s*=\s*"(\d+)"', tag)
                high = re.search(r'\smax\s*=\s*"(\d+)"', tag)
                if low and high:
                    existing.append((int(low.group(1)), int(high.group(1)), place[1] + match.start(),
                                     place[1] + match.end()))
        return place, existing

    def _widened(self, head: str) -> str:
        """head with each <col> of only columns to widen made as wide as the widest of them wants
        (never narrower)."""
        for low, high, start, _ in reversed(self._col_tags(head)[1]):  # the last first: places stay true
            wanted = [self._widen.get(c) for c in range(low, high + 1)]
            if not wanted or None in wanted:
                continue
            close = head.find(">", start) + 1
            tag = head[start:close]  # the start tag: a <col></col> keeps its end
            width = re.search(r'\swidth\s*=\s*"([^"]*)"', tag)
            try:
                current = float(width.group(1)) if width else 0.0
            except ValueError:
                continue
            if current < max(wanted):
                tag = set_attribute(set_attribute(tag, "width", number_text(max(wanted))), "customWidth", "1")
                head = head[:start] + tag + head[close:]
        return head

    def _tail(self, tail: str) -> str:
        if self._filter is not None:
            place = self._filter_place(tail, 0)
            if place is not None:
                close = tail.find(">", place) + 1
                tail = tail[:place] + set_attribute(tail[place:close], "ref", self._filter) + tail[close:]
        if self._legacy_drawing is None and not self._drop_legacy_drawing:
            return tail
        place = find_element(tail, self.prefix, "legacyDrawing")
        if self._drop_legacy_drawing:
            return tail if place is None else tail[:place[0]] + tail[place[2]:]
        if self.r_prefix:
            element = f'<{qualified(self.prefix, "legacyDrawing")} {self.r_prefix}:id="{escape_attribute(self._legacy_drawing)}"/>'
        else:
            element = (f'<{qualified(self.prefix, "legacyDrawing")} xmlns:r="{RELATIONSHIPS_NS}" '
                       f'r:id="{escape_attribute(self._legacy_drawing)}"/>')
        if place is not None:
            return tail[:place[0]] + element + tail[place[2]:]
        return insert_in_order(tail, self.prefix, element, _AFTER_LEGACY_DRAWING, "worksheet")


def _merged(run: Optional[tuple[list[int], list[int], list[int]]], changes: list[tuple[int, int, object]]
            ) -> tuple[Sequence[int], Sequence[int], Sequence[object]]:
    """The changes' from, to and text as three columns, in the order of (from, to): the run of block
    rows (already in that order) with the other changes (sorted, and few as a rule) put in between."""
    if run is None:
        return tuple(zip(*changes)) if changes else ((), (), ())
    if not changes:
        return run
    cuts, closes, places = run
    froms: list[int] = []
    tos: list[int] = []
    written: list[object] = []
    taken = 0
    for change in changes:
        at = bisect_left(cuts, change[0], taken)
        while at < len(cuts) and (cuts[at], closes[at]) < change[:2]:
            at += 1
        froms += cuts[taken:at]
        tos += closes[taken:at]
        written += places[taken:at]
        froms.append(change[0])
        tos.append(change[1])
        written.append(change[2])
        taken = at
    return froms + cuts[taken:], tos + closes[taken:], written + places[taken:]


def _col(tag: str, column: int, width: float) -> str:
    return f'<{tag} min="{column}" max="{column}" width="{number_text(width)}" customWidth="1"/>'


def _existing_style(cell: Optional[str]) -> int:
    if not cell:
        return 0
    found = _STYLE.search(cell.split(">")[0])
    return int(found.group(1)) if found else 0


def set_attribute_in_cell(text: str, reference: str) -> str:
    """A cell written without r="": give it its reference, since cells around it may move."""
    end = text.find(">")
    tag = text[:end + 1]
    return set_attribute(tag, "r", reference) + text[end + 1:]
