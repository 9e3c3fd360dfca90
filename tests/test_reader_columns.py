"""The reader converts a column at a time; each bulk step must give what the one-value step gives."""
from __future__ import annotations

import datetime as dt
import math
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from collector import money, reader
from collector.model import Settings
from collector.source import RawSheet, Source

AMOUNTS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e13, max_value=1e13),
    st.integers(min_value=-10**14, max_value=10**14).map(lambda cents: cents / 100),
    st.integers(min_value=-10**6, max_value=10**6).map(lambda mills: mills / 1000),  # ties: 1.005, 2.675
    st.sampled_from([0.0, -0.0, 0.005, -0.005, 1.005, 2.675, 0.1 + 0.2, 1e12 - 0.01, 999999999999.99,
                     1e12, 1e12 + 0.01, 2**46 + 0.5, 5e-324, 1e26, 1e300, sys.float_info.max]),
)


def _one_by_one(values):
    out = []
    for value in values:
        try:
            out.append(money.to_cents(value))
        except money.MoneyError:
            out.append(reader._SLOW)
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(AMOUNTS, max_size=50))
def test_a_column_of_numbers_becomes_exactly_what_to_cents_makes_of_each(values):
    cents, failed = reader._cents(values)
    expected = _one_by_one(values)
    assert [str(c) for c in cents] == [str(e) for e in expected]
    assert [type(c) for c in cents] == [type(e) for e in expected]
    assert failed == (reader._SLOW in expected)


def test_large_amounts_with_cents_keep_them():
    values = [123456789012.34, 98765432109.87, 1e12 - 0.01, 70368744177.66]
    assert [str(c) for c in reader._cents(values)[0]] == [str(money.to_cents(v)) for v in values]


TEXTS = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab ¦\t\n\u00a0\u2003\u3000\x1c\x85.")), max_size=8),
    st.text(max_size=6),
)
CELLS = st.one_of(TEXTS, st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(),
                  st.dates(), st.datetimes(), st.times())


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXTS, max_size=30))
def test_a_column_of_text_is_tidied_as_each_text_would_be(cells):
    assert reader._texts(list(cells)) == [reader._text(value) for value in cells]


@settings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=30))
def test_a_column_of_mixed_values_becomes_their_text(cells):
    assert reader._texts(list(cells)) == [reader._text(value) for value in cells]


def test_every_whitespace_but_the_space_is_unprintable():
    # _tidy finds untidy text with str.isprintable: that holds only if this does.
    assert all(not chr(c).isprintable() for c in range(sys.maxunicode + 1) if chr(c).isspace() and c != 32)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(["", " ", "  ", "x", " y "]), st.none(), st.just(0.0)),
                         min_size=3, max_size=3), max_size=20))
def test_rows_with_data_are_those_with_a_filled_cell(rows):
    columns = [[row[i] for row in rows] for i in range(3)]
    expected = [n for n, row in enumerate(rows) if any(reader._filled(v) for v in row)]
    assert reader._rows_with_data(columns) == expected


HEADER = ["Customer", "Invoice No", "Invoice Date", "Amount", "Paid", "Paid Date", "Notes"]
DATES = st.one_of(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
                  st.sampled_from(["", "  ", "2026-01-05", "05/01/2026", "31/02/2026", "soon", None, 45000.0,
                                   True, dt.datetime(2026, 1, 2, 3, 4)]))
MONEY = st.one_of(AMOUNTS.filter(lambda v: not math.isnan(v)),
                  st.sampled_from(["", "-", "N/A", "1.234,56", "12,50", "abc", "$1,000", None, True, 7]))


def _row_by_row(sheet: RawSheet, kind: str) -> list[tuple[int, dict]]:
    """What each cell's own reader makes of the table's rows, cell by cell."""
    context = reader._Context(Source("/x/book.xlsx", ".xlsx", [sheet]), Settings(), "", [])
    index = reader._header_score(sheet.rows, kind)[0]
    columns = reader.map_columns(sheet.rows[index], kind, sheet.name, [], index + 1)
    body = sheet.rows[index + 1:]
    cells = reader._column_cells(body, [c.index for c in columns])
    readers = {c.field: context._column_reader(sheet, c, column) for c, column in zip(columns, cells)}
    kept = reader._rows_with_data(cells)
    rows = [(n + index + 2, {f: read(body[n], n + index + 2) for f, read in readers.items()}) for n in kept]
    return rows, context.problems


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Acme", " Acme  Ltd", "", "Total"]), st.sampled_from(["A-1", "", "B 2"]),
                          DATES, MONEY, MONEY, DATES, st.sampled_from(["", "late", " x\ty "])), max_size=25),
       st.dictionaries(st.tuples(st.integers(1, 26), st.integers(0, 6)), st.sampled_from(["1+1", "1/0", "A1"]),
                       max_size=3))
def test_columns_read_in_bulk_equal_each_cell_read_alone(rows, formulas):
    grid = [HEADER] + [list(row) for row in rows]
    bulk_sheet = RawSheet("Invoices", grid, _formulas=dict(formulas))
    bulk = reader._Context(Source("/x/book.xlsx", ".xlsx", [bulk_sheet]), Settings(), "", [])
    table = bulk.columns(bulk_sheet, "invoices")
    alone, problems = _row_by_row(RawSheet("Invoices", grid, _formulas=dict(formulas)), "invoices")
    assert [(row.number, row.values) for row in table.rows()] == alone
    assert bulk.problems == problems


def test_a_sheet_without_formulas_is_not_read_again_for_them_and_one_with_formulas_is(tmp_path):
    from collector.source import open_source
    from tests.workbooks import write_xlsx

    path = write_xlsx(tmp_path / "book.xlsx", {
        "Invoices": [HEADER[:4], ["Acme", "A-1", dt.date(2026, 1, 5), 10.0], ["Bolt", "A-2", None, "=D2*2"]],
        "Customers": [["Customer", "Email"], ["Acme", "a@acme.test"]],
    })
    source = open_source(str(path))
    invoices, customers = source.sheets
    assert customers._formulas == {}  # known from the look at its part when the file was opened
    assert invoices._formulas is None and invoices.formulas() == {(2, 3): "D2*2"}
