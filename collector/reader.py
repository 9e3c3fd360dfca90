"""Reading a tracking workbook into a Book.

The pipeline is visible: open the file (collector.source), find each sheet,
find its header row, map its columns, decide once per column how its dates and
amounts are written, then turn rows into records. Every problem becomes a
Problem value; only a file that cannot be read at all raises.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, Iterable, Optional

from collector import dates, header, money
from collector.address import home_country, postal_lines
from collector.formula import FormulaError, col_index, col_letter, evaluate
from collector.model import (
    Book, Column, ContactEntry, Customer, Instalment, Invoice, PolicyStep, Problem, Settings,
    SheetLayout, bulk_invoices, bulk_records,
)
from collector.source import COLLECTOR_TABS, RawSheet, Source, WorkbookError, open_source

HEADER_SCAN_ROWS = 60
HEADER_SCAN_COLUMNS = 1000  # a header row is never wider; a stray cell at XFD1 must not cost minutes
DATE_FIELDS = frozenset({"invoice_date", "due_date", "paid_date", "promised_date", "instalment_date"})
MONEY_FIELDS = frozenset({"amount", "paid", "balance", "credit_limit", "promised_amount"})
TOTAL_WORDS = (
    "total", "totals", "subtotal", "grandtotal", "sum", "totalgeneral", "soustotal", "totaal",
    "totale", "suma", "sumatotal", "subtotalul", "totalul", "συνολο", "συνολα", "γενικοσυνολο",
    "jumlah", "jumlahtotal", "grandtotal", "kabuuan", "kabuuang",
)
REQUIRED = {
    "invoices": ("customer|customer_code", "amount|balance", "invoice_date|due_date"),
    "customers": ("customer|customer_code",),
    "contact_log": ("invoice_date", "customer|customer_code"),
    "payment_plans": ("customer|customer_code", "instalment_date", "amount"),
    "policy": ("step", "days"),
}
SHEET_LABEL = {
    "invoices": "Invoices", "customers": "Customers", "contact_log": "Contact Log",
    "payment_plans": "Payment Plans", "settings": "Settings", "policy": "Policy",
}


class ReadError(WorkbookError):
    """The workbook opened but holds nothing collector can work with."""


def read_book(path: str, locale: str = "") -> Book:
    """Read a tracking workbook. Raises WorkbookError when the file cannot be used at all."""
    with bulk_records():
        return read_source(open_source(path), locale or environment_locale())


def environment_locale() -> str:
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        value = os.environ.get(name, "").split(".")[0]
        if value and value not in ("C", "POSIX"):
            return value
    return ""


def read_source(source: Source, locale: str = "") -> Book:
    with bulk_records():
        return _read_source(source, locale)


def _read_source(source: Source, locale: str) -> Book:
    found = find_sheets(source)
    if "invoices" not in found:
        raise ReadError(_no_invoice_sheet_message(source))
    problems: list[Problem] = []
    settings = Settings()
    if "settings" in found:
        settings = read_settings(found["settings"], problems)
    context = _Context(source, settings, locale, problems)
    invoice_table = context.columns(found["invoices"], "invoices")
    customers: list[Customer] = []
    layouts = [invoice_table.layout if invoice_table else None]
    if "customers" in found:
        rows, layout = context.table(found["customers"], "customers")
        customers = _customers_from_rows(rows, layout, context)
        layouts.append(layout)
    directory = _Directory(customers, context.postal)
    invoices = _invoices_from_table(invoice_table, context, directory)
    log, plans, policy = [], [], ()
    if "contact_log" in found:
        rows, layout = context.table(found["contact_log"], "contact_log")
        log = _log_from_rows(rows, layout, context, directory)
        layouts.append(layout)
    if "payment_plans" in found:
        rows, layout = context.table(found["payment_plans"], "payment_plans")
        plans = _plans_from_rows(rows, layout, context, directory)
        layouts.append(layout)
    if "policy" in found:
        rows, layout = context.table(found["policy"], "policy")
        policy = _policy_from_rows(rows, layout, context)
        layouts.append(layout)
    return Book(
        path=source.path, invoices=tuple(invoices), customers=tuple(directory.customers),
        contact_log=tuple(log), instalments=tuple(plans), settings=settings, policy=policy,
        problems=tuple(problems), layouts=tuple(l for l in layouts if l), date1904=source.date1904,
    )


# --- finding sheets and headers -------------------------------------------------------------


OWNED_SHEETS = COLLECTOR_TABS  # collector's own tabs: never read as the owner's data


def find_sheets(source: Source) -> dict[str, RawSheet]:
    """Each sheet kind mapped to its sheet: by name first, else by what its header says."""
    found: dict[str, RawSheet] = {}
    candidates = [s for s in source.sheets if header.normalize(s.name) not in OWNED_SHEETS]
    for sheet in candidates:
        kind = header.sheet_kind(sheet.name)
        if kind and kind not in found and (kind == "settings" or _header_score(sheet.rows, kind)[1] > 0):
            found[kind] = sheet
    if "invoices" not in found:
        candidates = [s for s in candidates if s not in found.values()]
        scored = [(_header_score(s.rows, "invoices")[1], -i, s) for i, s in enumerate(candidates)]
        scored = [item for item in scored if item[0] > 0]
        if scored:
            found["invoices"] = max(scored, key=lambda item: (item[0], item[1]))[2]
    return found


def _no_invoice_sheet_message(source: Source) -> str:
    name = os.path.basename(source.path)
    if not any(any(_filled(v) for v in row) for sheet in source.sheets for row in sheet.rows):
        return f"{name} has no data in it. Add your invoices (customer, invoice date, amount) and run again."
    names = ", ".join(sheet.name for sheet in source.sheets)
    return (
        f"{name} has no sheet collector recognises as a list of invoices (sheets: {names}). "
        "Name the sheet 'Invoices' and give it a header row with at least Customer, Invoice Date "
        "and Amount."
    )


def _header_score(rows: list[list[object]], kind: str) -> tuple[int, int]:
    """The most likely header row (index) and its score; score 0 when none qualifies."""
    best = (-1, 0)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields = {header.field_for(value, kind)[0] for value in row[:HEADER_SCAN_COLUMNS] if isinstance(value, str)}
        fields.discard("")
        if not _meets(fields, REQUIRED.get(kind, ())):
            continue
        if len(fields) > best[1]:
            best = (index, len(fields))
    return best


def _meets(fields: set[str], required: Iterable[str]) -> bool:
    return all(any(option in fields for option in need.split("|")) for need in required)


def map_columns(row: list[object], kind: str, sheet: str, problems: list[Problem], header_row: int) -> tuple[Column, ...]:
    """Columns of a header row mapped to fields; a field named twice keeps its best column."""
    chosen: dict[str, tuple[int, Column]] = {}
    for index, value in enumerate(row[:HEADER_SCAN_COLUMNS]):
        if not isinstance(value, str) or not value.strip():
            continue
        field_name, rank = header.field_for(value, kind)
        if not field_name:
            continue
        column = Column(field=field_name, index=index, letter=col_letter(index), header=value.strip())
        previous = chosen.get(field_name)
        if previous is None or rank > previous[0]:
            chosen[field_name] = (rank, column)
        if previous is not None and rank == previous[0]:  # the same header twice: say which one counts
            problems.append(_duplicate_column(sheet, header_row, previous[1], column))
    return tuple(sorted((c for _, c in chosen.values()), key=lambda c: c.index))


def _duplicate_column(sheet: str, header_row: int, kept: Column, ignored: Column) -> Problem:
    return Problem(
        sheet, f"{ignored.letter}{header_row}", ignored.header,
        f"this column means the same as column {kept.letter} ('{kept.header}'); collector reads "
        f"column {kept.letter} and ignores this one",
        "Rename one of them if both matter", "warning",
    )


# --- reading values, decided once per column --------------------------------------------------


@dataclass
class _Row:
    number: int  # 1-based sheet row
    values: dict[str, object]  # field -> converted value (str, date, Decimal or None)


@dataclass
class _Table:
    """A sheet's data rows column by column: values[field][i] is the converted value of that
    field on sheet row numbers[i]. Column lists let each column be converted in bulk."""

    layout: SheetLayout
    numbers: list[int]  # 1-based sheet rows that hold data
    values: dict[str, list[object]]  # field -> one converted value per row, in column order

    def rows(self) -> list[_Row]:
        fields = tuple(self.values)
        return [_Row(number, dict(zip(fields, values)))
                for number, values in zip(self.numbers, zip(*self.values.values()))]

    def column(self, field_name: str, default: object) -> Iterable[object]:
        """The field's values, or ``default`` for every row when the sheet has no such column."""
        return self.values[field_name] if field_name in self.values else itertools.repeat(default)


class _Context:
    """What every table needs while it is read: the source, settings, locale and the problem list."""

    def __init__(self, source: Source, settings: Settings, locale: str, problems: list[Problem]):
        self.source, self.settings, self.problems = source, settings, problems
        self.locale_order, self.locale_source = _locale_order(settings, locale)
        self.postal = (home_country(settings, locale), settings.language)  # for addresses without a country
        self._evaluating: set[tuple[str, int, int]] = set()
        self._worked_out: dict[tuple[str, int, int], object] = {}
        self._reported: set[tuple[str, str]] = set()
        self._indexed = 0  # problems[:_indexed] are in _reported
        self._decided: dict[str, object] = {}  # field -> date order or decimal comma of the table being read

    def reported_rows(self) -> set[tuple[str, str]]:
        """(sheet, row number as written) of every problem about one cell so far; kept up to date
        as problems are added, so asking costs nothing however many there are."""
        for problem in self.problems[self._indexed:]:
            found = _CELL.fullmatch(problem.cell)
            if found:
                self._reported.add((problem.sheet, found.group(1)))
        self._indexed = len(self.problems)
        return self._reported

    def table(self, sheet: RawSheet, kind: str) -> tuple[list[_Row], Optional[SheetLayout]]:
        found = self.columns(sheet, kind)
        return (found.rows(), found.layout) if found else ([], None)

    def columns(self, sheet: RawSheet, kind: str) -> Optional[_Table]:
        """The sheet's data, column by column; None (and a problem) when it has no header row."""
        index, _ = _header_score(sheet.rows, kind)
        if index < 0:
            self.problems.append(_missing_columns(sheet, kind))
            return None
        owned = self._computed_columns(sheet.name)
        row = [v if i not in owned else "" for i, v in enumerate(sheet.rows[index])]
        columns = map_columns(row, kind, sheet.name, self.problems, index + 1)
        body = sheet.rows[index + 1:]
        first = index + 2
        cells = _column_cells(body, [c.index for c in columns])
        readers = {c.field: self._column_reader(sheet, c, column_cells) for c, column_cells in zip(columns, cells)}
        kept = _rows_with_data(cells)
        if len(kept) < len(body):
            cells = [[column_cells[n] for n in kept] for column_cells in cells]
        # Column by column, each distinct value converted once; a cell that needs more (a formula
        # to work out, a value to report) is left to its row-by-row reader, so problems keep their order.
        slow: set[int] = set()
        converted = [self._fast_column(sheet, c, column_cells, kept, first, slow)
                     for c, column_cells in zip(columns, cells)]
        for position in sorted(slow):
            raw, number = body[kept[position]], kept[position] + first
            for (field_name, read), values in zip(readers.items(), converted):
                if values[position] is _SLOW:
                    values[position] = read(raw, number)
        last = kept[-1] + first if kept else index + 1
        width = max(map(len, sheet.rows), default=0)
        layout = SheetLayout(sheet.name, index + 1, columns, last, width)
        return _Table(layout, [n + first for n in kept], dict(zip(readers, converted)))

    def _computed_columns(self, sheet_name: str) -> set[int]:
        """0-based columns collector itself wrote (the hidden name _collector_computed marks them)."""
        reference = self.source.defined_names.get("_collector_computed", "")
        match = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?\d+(?::\$?([A-Z]+)\$?\d+)?", reference.replace("''", "'"))
        if not match or match.group(1) != sheet_name:
            return set()
        first, last = col_index(match.group(2)), col_index(match.group(3) or match.group(2))
        return set(range(first, last + 1))

    def _column_reader(self, sheet: RawSheet, column: Column, cells: list[object]) -> Callable:
        """The row-by-row reader of one column; for dates and amounts it first decides, from every
        typed text in the column, the date order or decimal mark the column is written in."""
        if column.field not in DATE_FIELDS and column.field not in MONEY_FIELDS:
            return lambda raw, row: _text(raw[column.index] if column.index < len(raw) else "")
        typed = _typed_texts(cells)
        texts = [text for text in map(str.strip, typed) if text]
        if column.field in DATE_FIELDS:
            order, how = dates.decide_date_order(texts, self.locale_order)
            self._report_order(sheet, column, texts, order, how)
            self._decided[column.field] = order
            return lambda raw, row: self._date(sheet, column, raw, row, order)
        decimal_comma = money.decide_decimal_comma(texts)
        self._decided[column.field] = decimal_comma
        return lambda raw, row: self._money(sheet, column, raw, row, decimal_comma)

    def _fast_column(self, sheet: RawSheet, column: Column, cells: list[object], kept: list[int],
                     first: int, slow: set[int]) -> list[object]:
        """The column's converted values (``cells`` is reused for them), one kind of value at a time
        and each distinct value once; _SLOW marks a cell its row-by-row reader must read (a possible
        formula, a value to report), and its position goes into ``slow``."""
        at, field_name = column.index, column.field
        if field_name in DATE_FIELDS:
            order, date1904 = self._decided[field_name], self.source.date1904
            convert = lambda value: _to_date(value, order, date1904)
            errors: tuple[type[Exception], ...] = (dates.DateError,)
        elif field_name in MONEY_FIELDS:
            decimal_comma = self._decided[field_name]
            convert = lambda value: None if _is_dash(value) else money.parse_money(value, decimal_comma=decimal_comma)
            errors = (money.MoneyError,)
        elif field_name in _LINES_FIELDS:
            return [_lines(value) for value in cells]
        else:
            return _texts(cells)
        dated = field_name in DATE_FIELDS
        kinds = set(map(type, cells))
        blank = slowed = False
        for kind in kinds:
            if kind is dt.date and dated:
                continue  # a real date is itself
            every = len(kinds) == 1
            positions = range(len(cells)) if every else [n for n, v in enumerate(cells) if type(v) is kind]
            values = cells if every else [cells[n] for n in positions]
            if kind is float and not dated:  # amounts are mostly distinct: no use remembering them
                new, failed = _cents(values)
                slowed = slowed or failed
            else:
                converted: dict[object, object] = {}
                for value in set(values):
                    if value is None or value == "":
                        converted[value], blank = _BLANK, True
                    elif kind not in _CACHED_KINDS:
                        converted[value], slowed = _SLOW, True
                    else:
                        try:
                            converted[value] = convert(value) if _filled(value) else None
                        except errors:
                            converted[value], slowed = _SLOW, True
                new = list(map(converted.__getitem__, values))
            if every:
                cells[:] = new
            else:
                for n, value in zip(positions, new):
                    cells[n] = value
        if blank:
            slowed = self._blanks(sheet, at, cells, kept, first) or slowed
        if slowed:
            slow.update(n for n, v in enumerate(cells) if v is _SLOW)
        return cells

    def _blanks(self, sheet: RawSheet, at: int, cells: list[object], kept: list[int], first: int) -> bool:
        """An empty cell is None, unless it holds a formula whose result was not saved: then _SLOW
        (read row by row), and True is returned."""
        formulas = sheet.formulas() if self.source.kind in (".xlsx", ".xlsm") else None
        rows = {r for r, c in formulas if c == at} if formulas else set()
        if not rows:
            cells[:] = [None if value is _BLANK else value for value in cells]
            return False
        for n, value in enumerate(cells):
            if value is _BLANK:
                cells[n] = _SLOW if kept[n] + first - 1 in rows else None
        return True

    def _report_order(self, sheet, column, texts, order, how) -> None:
        told = how == "locale" and not self.settings.date_order  # only then are ambiguous dates reported
        ambiguous = [t for t in texts if _is_ambiguous_date(t)] if told else []
        if how == "conflict":
            self.problems.append(Problem(
                sheet.name, column.letter, "", f"the dates in column {column.letter} ('{column.header}') "
                "are typed both day-first and month-first; collector reads them "
                f"{_order_words(order)} because most are", "Check the dates in this column", "warning"))
        elif how == "locale" and ambiguous and not self.settings.date_order:
            self.problems.append(Problem(
                sheet.name, column.letter, ambiguous[0], f"dates in column {column.letter} "
                f"('{column.header}') could be day-first or month-first and nothing in the column "
                f"settles it, so collector reads them {_order_words(order)} ({self.locale_source})",
                "If that is wrong, set 'Date Order' to MDY or DMY on the Settings sheet", "warning"))

    def _cell(self, sheet: RawSheet, column: Column, raw: list[object], row: int) -> object:
        value = raw[column.index] if column.index < len(raw) else ""
        if value == "" or value is None:
            formula = sheet.formulas().get((row - 1, column.index)) if self.source.kind in (".xlsx", ".xlsm") else None
            if formula:
                return self._evaluate(sheet, column, row, formula)
        return value

    def _evaluate(self, sheet: RawSheet, column: Column, row: int, formula: str) -> object:
        try:
            result = self._formula_value(sheet.name, row - 1, column.index)
        except (FormulaError, RecursionError) as error:
            self.problems.append(Problem(
                sheet.name, f"{column.letter}{row}", "=" + formula,
                f"this formula has no saved result and collector cannot work it out ({error})",
                "Open the workbook in Excel or LibreOffice, let it calculate, save it, and run again"))
            return _Unreadable()
        return result

    def _formula_value(self, sheet_name: Optional[str], row0: int, col0: int) -> object:
        sheet = self.source.sheet(sheet_name) if sheet_name else None
        if sheet is None:
            raise FormulaError(f"it refers to a sheet named {sheet_name!r} that does not exist")
        value = sheet.value(row0, col0)
        if value != "" and value is not None:
            return value
        formula = sheet.formulas().get((row0, col0)) if self.source.kind in (".xlsx", ".xlsm") else None
        if not formula:
            return ""
        key = (sheet.name, row0, col0)
        if key in self._worked_out:
            return self._worked_out[key]
        if key in self._evaluating:
            raise FormulaError("it refers to itself in a loop")
        self._evaluating.add(key)
        try:
            result = evaluate(
                formula, lambda s, r, c: self._formula_value(s or sheet.name, r, c),
                date1904=self.source.date1904, sheet_size=self._sheet_size,
            )
        finally:
            self._evaluating.discard(key)
        self._worked_out[key] = result
        return result

    def _sheet_size(self, sheet_name: Optional[str]) -> tuple[int, int]:
        sheet = self.source.sheet(sheet_name) if sheet_name else None
        if sheet is None:
            return 0, 0
        return len(sheet.rows), max((len(r) for r in sheet.rows), default=0)

    def _date(self, sheet, column, raw, row, order) -> Optional[dt.date]:
        value = self._cell(sheet, column, raw, row)
        if isinstance(value, _Unreadable) or not _filled(value):
            return None
        try:
            return _to_date(value, order, self.source.date1904)
        except dates.DateError as error:
            self.problems.append(Problem(
                sheet.name, f"{column.letter}{row}", _text(value), f"'{column.header}' is not a date "
                f"collector can read: {error}", "Type the date as 2026-03-04, or as a real Excel date"))
            return None

    def _money(self, sheet, column, raw, row, decimal_comma) -> Optional[Decimal]:
        value = self._cell(sheet, column, raw, row)
        if isinstance(value, _Unreadable) or not _filled(value) or _is_dash(value):
            return None
        try:
            return money.parse_money(value, decimal_comma=decimal_comma)
        except money.MoneyError as error:
            self.problems.append(Problem(
                sheet.name, f"{column.letter}{row}", _text(value), f"'{column.header}' is not an "
                "amount of money" + ("" if str(error) == money.NOT_MONEY else f": {error}"),
                "Type a number such as 1234.50"))
            return None


class _Unreadable:
    """A formula cell that could not be worked out (already reported)."""


_CELL = re.compile(r"[A-Z]+([0-9]+)")
_SLOW = object()  # a cell left to its row-by-row reader
_BLANK = object()  # an empty cell, which may hold a formula with no saved result
_CACHED_KINDS = frozenset({str, float, int, dt.datetime})


def _column_cells(body: list[list[object]], indices: list[int]) -> list[list[object]]:
    """Each mapped column's cells down the body; a short row's (CSV) missing cells are blank."""
    if indices and min(map(len, body), default=0) > max(indices):
        return [list(map(operator.itemgetter(at), body)) for at in indices]
    return [[row[at] if at < len(row) else "" for row in body] for at in indices]


def _typed_texts(cells: list[object]) -> list[str]:
    """The cells holding text, empty ones left out."""
    kinds = set(map(type, cells))
    if kinds == {str}:
        return list(filter(None, cells))
    if not any(issubclass(kind, str) for kind in kinds) or not any(isinstance(v, str) and v for v in set(cells)):
        return []
    return [v for v in cells if isinstance(v, str) and v]


def _rows_with_data(columns: list[list[object]]) -> list[int]:
    """Positions of the rows with something in at least one mapped column: the rows blank in the
    first column are looked up in the second, those still blank in the third, and so on."""
    count = len(columns[0]) if columns else 0
    blank: Iterable[int] = range(count)
    for cells in columns:
        blank = [n for n in blank if (v := cells[n]) is None or (isinstance(v, str) and not v.strip())]
        if not blank:
            return list(range(count))
    empty = set(blank)
    return [n for n in range(count) if n not in empty]


def _texts(cells: list[object]) -> list[str]:
    """_text of every cell, each distinct text tidied once, and none at all when every cell is
    text that is already tidy (the usual case, found at C speed on the column joined in one string)."""
    try:
        joined = " ".join(cells)
    except TypeError:  # not all text
        pass
    else:
        if _tidy(joined):
            return cells
        tidied = {value: " ".join(value.split()) for value in set(cells)}
        return list(map(tidied.__getitem__, cells))
    seen: dict[str, str] = {}
    out = []
    for value in cells:
        if type(value) is str:
            text = seen.get(value)
            if text is None:
                text = seen[value] = " ".join(value.split())
            out.append(text)
        else:
            out.append(_text(value))
    return out


def _tidy(joined: str) -> bool:
    """Whether texts joined by single spaces are all tidy (" ".join(text.split()) == text): then
    no two spaces meet, none starts or ends the whole, and nothing else is whitespace, which is
    all unprintable. An empty text makes two spaces meet: a cautious False."""
    return joined.isprintable() and "  " not in joined and not joined.startswith(" ") and not joined.endswith(" ")


def _cents(values: list[float]) -> tuple[list[object], bool]:
    """money.to_cents of each float (_SLOW where it fails, and then True), without its cost.

    to_cents rounds the decimal that repr(value) spells. When the value is within a trillion and
    some whole number n of cents, as a float, is the value itself, that decimal is n cents exactly:
    both n/100 and repr's digits (never more of them) round to the value, and two such decimals
    less than a float step apart (under 0.001 below a trillion) are the same decimal."""
    failed = []

    def exact(value: float) -> object:
        try:
            return money.to_cents(value)
        except money.MoneyError:
            failed.append(value)
            return _SLOW

    cent = money.CENT
    cents = [cent * n if -1e12 < v < 1e12 and (n := round(v * 100)) / 100 == v else exact(v) for v in values]
    return cents, bool(failed)


def _locale_order(settings: Settings, locale: str) -> tuple[str, str]:
    if settings.date_order:
        return settings.date_order, "from 'Date Order' on the Settings sheet"
    if settings.language and settings.language != "en":
        return dates.locale_date_order(settings.language), f"the Settings language is {settings.language}"
    if locale:
        return dates.locale_date_order(locale), f"this computer's locale is {locale}"
    return dates.DAY_FIRST, "the usual order outside the United States"


def _order_words(order: str) -> str:
    return "month-first (MM/DD/YYYY)" if order == dates.MONTH_FIRST else "day-first (DD/MM/YYYY)"


def _is_ambiguous_date(text: str) -> bool:
    parts = dates.numeric_date_parts(text)
    return bool(parts) and parts[0] <= 12 and parts[1] <= 12 and parts[0] != parts[1]


def _to_date(value: object, order: str, date1904: bool) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise dates.DateError("TRUE/FALSE is not a date")
    if isinstance(value, (int, float)):
        return dates.from_serial(value, date1904)
    text = str(value).strip()
    if re.fullmatch(r"\d{4,6}(\.\d+)?", text):  # a serial number stored as text
        return dates.from_serial(float(text), date1904)
    return dates.parse_date_text(text, order)


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


def _is_dash(value: object) -> bool:
    return isinstance(value, str) and value.strip() in ("-", "–", "—", "n/a", "N/A")


# Cells whose line breaks (Alt+Enter) are part of the value: an address typed in one cell.
_LINES_FIELDS = frozenset({"address", "address2"})


def _lines(value: object) -> str:
    """A cell as text with each of its lines tidied and its line breaks kept."""
    if type(value) is not str:
        return _text(value)
    return "\n".join(tidy for tidy in (" ".join(line.split()) for line in re.split(r"[\r\n]+", value)) if tidy)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return " ".join(str(value).split())


def _missing_columns(sheet: RawSheet, kind: str) -> Problem:
    needs = {
        "customers": "a Customer column",
        "contact_log": "Date and Customer columns",
        "payment_plans": "Customer, Instalment Date and Amount columns",
        "policy": "Step and Days columns",
    }.get(kind, "the columns collector needs")
    return Problem(sheet.name, "", "", f"collector cannot find the header row of this "
                   f"{SHEET_LABEL.get(kind, kind)} sheet; it needs {needs}",
                   "Add a header row, or rename the sheet if it is not meant for collector", "warning")


# --- customers -----------------------------------------------------------------------------


def _name_key(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Directory:
    """Customers by code and by name, so every sheet joins the same way."""

    def __init__(self, customers: list[Customer], postal: tuple[str, str] = ("", "en")):
        self.customers: list[Customer] = []
        self.postal = postal  # the owner's country and language, for customers made from invoice rows
        self._by_code: dict[str, int] = {}
        self._by_name: dict[str, int] = {}
        self._keys: dict[str, str] = {}  # text -> _name_key(text), worked out once per distinct text
        for customer in customers:
            self._add(customer)

    def _key(self, text: str) -> str:
        key = self._keys.get(text)
        if key is None:
            key = self._keys[text] = _name_key(text)
        return key

    def _add(self, customer: Customer) -> int:
        index = len(self.customers)
        self.customers.append(customer)
        if customer.code:
            self._by_code.setdefault(self._key(customer.code), index)
        if customer.name:
            self._by_name.setdefault(self._key(customer.name), index)
        self._by_name.setdefault(self._key(customer.key), index)
        return index

    def find(self, name: str = "", code: str = "") -> Optional[Customer]:
        """By code when the row has one; by name otherwise, or when the known customer has no code."""
        index = self._find_index(name, code)
        return None if index is None else self.customers[index]

    def _find_index(self, name: str, code: str) -> Optional[int]:
        if code:
            code_key = self._key(code)
            for table in (self._by_code, self._by_name):
                if code_key in table:
                    return table[code_key]
        name_key = self._key(name) if name else ""
        if name and name_key in self._by_name:
            index = self._by_name[name_key]
            if not code or not self.customers[index].code:
                return index
        if name and not code and name_key in self._by_code:
            return self._by_code[name_key]
        return None

    def ensure(self, name: str, code: str, fields: tuple[str, ...], values: tuple[object, ...],
               detailed: bool) -> Customer:
        """The customer an invoice row names, created from the row when the Customers sheet lacks it.
        The row's ``values`` (of ``fields``) matter only for a new customer, or when the row has
        columns about the customer (``detailed``) that may fill in a known one."""
        index = self._find_index(name, code)
        if index is not None:
            return self._fill_missing(index, dict(zip(fields, values))) if detailed else self.customers[index]
        customer = _customer_from(dict(zip(fields, values)), key=code or " ".join(name.split()), name=name or code,
                                  code=code, postal=self.postal)
        self._add(customer)
        return customer

    def ensure_each(self, names: Iterable[str], codes: Iterable[str], positions: list[int], fields: tuple[str, ...],
                    values_at: Callable[[int], tuple[object, ...]], detailed: bool) -> list[Customer]:
        """ensure for each row in turn (``values_at`` gives a row's values by position). Without
        ``detailed`` columns a row's customer depends only on its name and code, and once the first
        table _find_index looks in (codes for a code, names for a name alone) names the customer
        ensure gave, it always will: entries there are never replaced. Then that answer is kept
        for the rows that follow, instead of looking again."""
        if detailed:
            return [self.ensure(name, code, fields, values_at(n), True) for name, code, n in zip(names, codes, positions)]
        settled: dict[tuple[str, str], Customer] = {}
        customers = []
        for pair, n in zip(zip(names, codes), positions):
            customer = settled.get(pair)
            if customer is None:
                name, code = pair
                customer = self.ensure(name, code, fields, values_at(n), False)
                first = self._by_code.get(self._key(code)) if code else self._by_name.get(self._key(name))
                if first is not None and self.customers[first] is customer:
                    settled[pair] = customer
            customers.append(customer)
        return customers

    def _fill_missing(self, index: int, details: dict[str, object]) -> Customer:
        customer = self.customers[index]
        if customer.row:  # the Customers sheet is the owner's word; invoice rows do not override it
            return customer
        if details.keys().isdisjoint(_DETAIL_FIELDS) or not any(details.get(f) for f in _DETAIL_FIELDS):
            return customer  # the row tells nothing more about the customer
        extra = _customer_from(details, key=customer.key, name=customer.name, code=customer.code, postal=self.postal)
        changes = {f: getattr(extra, f) for f in ("contact_name", "company", "email", "phone", "address",
                                                    "language", "sales_rep", "sales_rep_email",
                                                    "account_manager", "credit_limit")
                   if not getattr(customer, f) and getattr(extra, f)}
        if not changes:
            return customer
        updated = replace(customer, **changes)
        self.customers[index] = updated
        return updated


# The row fields _fill_missing can take a customer's details from.
_DETAIL_FIELDS = frozenset({
    "contact_name", "company", "email", "phone", "address", "address2", "postcode", "city", "region",
    "country", "language", "sales_rep", "sales_rep_email", "account_manager", "credit_limit",
})


def _customer_from(values: dict[str, object], key: str, name: str, code: str, row: int = 0,
                   postal: tuple[str, str] = ("", "en")) -> Customer:
    """``postal``: the owner's country and language, for an address without a country (see postal_lines)."""
    text = {f: v for f, v in values.items() if isinstance(v, str)}.get  # text("email", "")
    address = postal_lines(_address_lines([text("address", ""), text("address2", "")]), text("city", ""),
                           text("postcode", ""), text("region", ""), text("country", ""), *postal)
    language = text("language", "")
    limit = values.get("credit_limit")
    return Customer.of(
        key=key, name=name, code=code, contact_name=text("contact_name", ""), company=text("company", ""),
        email=text("email", ""), phone=text("phone", ""), address=address,
        language=header.language_code(language) if language else "", terms=text("terms", ""),
        credit_limit=limit if isinstance(limit, Decimal) else None, sales_rep=text("sales_rep", ""),
        sales_rep_email=text("sales_rep_email", ""), account_manager=text("account_manager", ""),
        account_manager_email=text("account_manager_email", ""),
        # A status with a Credit Reason beside it was set by collector, which decides it afresh each run.
        credit_status="" if text("credit_reason", "") else text("credit_status", ""), row=row,
    )


def _address_lines(parts: list[str]) -> list[str]:
    lines: list[str] = []
    for part in parts:
        if not part:
            continue
        lines.extend(line.strip() for line in re.split(r"[\r\n]+", part) if line.strip())
    return lines


def _customers_from_rows(rows: list[_Row], layout: SheetLayout, context: _Context) -> list[Customer]:
    customers: list[Customer] = []
    seen: dict[str, int] = {}
    for row in rows:
        name, code = row.values.get("customer", ""), row.values.get("customer_code", "")
        if not name and not code:
            continue
        key = code or " ".join(name.split())
        if _name_key(key) in seen:
            column = layout.column("customer_code") or layout.column("customer")
            context.problems.append(Problem(
                layout.name, f"{column.letter}{row.number}", key,
                f"this customer is listed twice (also on row {seen[_name_key(key)]}); collector uses the first",
                "Delete or merge the duplicate row", "warning"))
            continue
        seen[_name_key(key)] = row.number
        customers.append(_customer_from(row.values, key=key, name=name or code, code=code, row=row.number,
                                        postal=context.postal))
    return customers


# --- invoices ------------------------------------------------------------------------------


def _invoices_from_table(table: Optional[_Table], context: _Context, directory: _Directory) -> list[Invoice]:
    """The invoice rows as Invoices: first which rows are invoices (totals lines and notes are
    skipped, a row that cannot be an invoice is reported), then their customers, then the
    invoices themselves, made column by column."""
    if table is None:
        return []
    layout = table.layout
    fields = tuple(table.values)
    has_number = layout.column("invoice_no") is not None
    kept = _invoice_rows(table, context, has_number)
    everything = len(kept) == len(table.numbers)
    pick = lambda field_name, default: _picked(table.column(field_name, default), kept, everything)
    columns = list(table.values.values())
    row_values = lambda n: tuple([column[n] for column in columns])
    customers = directory.ensure_each(pick("customer", ""), pick("customer_code", ""), kept, fields, row_values,
                                      detailed=not _DETAIL_FIELDS.isdisjoint(fields))
    rows = table.numbers if everything else [table.numbers[n] for n in kept]
    invoice_dates, due_dates = pick("invoice_date", None), pick("due_date", None)
    if has_number:
        numbers = pick("invoice_no", "")
    else:
        numbers_seen: dict[str, int] = {}
        numbers = [_dated_number(customer.key, invoice_date or due_date, row, numbers_seen)
                   for customer, invoice_date, due_date, row in zip(customers, invoice_dates, due_dates, rows)]
        if table.numbers:
            context.problems.append(Problem(
                layout.name, "", "", "there is no invoice number column, so collector names each invoice by "
                "its date in letters and in the Contact Log",
                "Add an 'Invoice No' column to give invoices their own numbers", "warning"))
    currency_hint = _currency_hint(layout)
    currencies = {t: _currency(t, currency_hint) for t in set(table.values.get("currency", ("",)))}
    return bulk_invoices(
        row=rows, customer=[customer.name for customer in customers],
        customer_key=[customer.key for customer in customers], number=numbers, invoice_date=invoice_dates,
        due_date=due_dates, terms=pick("terms", ""), amount=pick("amount", None), paid=pick("paid", None),
        balance=pick("balance", None), paid_date=pick("paid_date", None), status=pick("status", ""),
        currency=map(currencies.__getitem__, pick("currency", "")), notes=pick("notes", ""),
    )


def _invoice_rows(table: _Table, context: _Context, has_number: bool) -> list[int]:
    """Positions of the table's rows that are invoices, in order. Totals lines and notes are
    skipped; a row that cannot be an invoice, and an invoice number used twice, are reported."""
    if _every_row_an_invoice(table):
        return list(range(len(table.numbers)))
    layout = table.layout
    fields = tuple(table.values)
    text = lambda field_name: table.column(field_name, "")
    value = lambda field_name: table.column(field_name, None)
    totals = _total_words(table.values.get("invoice_no", ()))
    total_word = functools.lru_cache(maxsize=None)(_total_word)  # a name or code, on rows with no number
    numbers_seen: dict[str, int] = {}
    kept = []
    for position, (number, name, code, invoice_no, invoice_date, due_date, amount, paid, balance) in enumerate(zip(
            table.numbers, text("customer"), text("customer_code"), text("invoice_no"), value("invoice_date"),
            value("due_date"), value("amount"), value("paid"), value("balance"))):
        if (invoice_no in totals) if invoice_no else (total_word(name) or total_word(code)):
            continue  # a totals line
        if (not invoice_no and amount is None and balance is None and paid is None and invoice_date is None
                and due_date is None and _is_note_row(name or code or "")):
            continue
        if (not name and not code) or (amount is None and balance is None) or (invoice_date is None and due_date is None):
            values = (column[position] for column in table.values.values())
            _report_unusable(dict(zip(fields, values)), number, layout, context)
            continue
        if has_number:
            if invoice_no in numbers_seen:
                column = layout.column("invoice_no")
                context.problems.append(Problem(
                    layout.name, f"{column.letter}{number}", invoice_no,
                    f"this invoice number is also on row {numbers_seen[invoice_no]}; letters and the "
                    "Contact Log will not be able to tell the two apart", "Give each invoice its own number",
                    "warning"))
            numbers_seen.setdefault(invoice_no, number)
        kept.append(position)
    return kept


def _every_row_an_invoice(table: _Table) -> bool:
    """True when _invoice_rows would keep every row and report nothing, found a column at a time:
    every row has its own invoice number (none empty, none a totals word, none used twice), a
    customer, an amount and a date. The usual invoice sheet; any other goes row by row."""
    numbers = table.values.get("invoice_no")
    if numbers is None or "" in numbers:
        return False
    distinct = set(numbers)
    if len(distinct) < len(numbers) or _total_words(distinct):
        return False
    values = table.values
    never_none = lambda column: all(map(operator.is_not, column, itertools.repeat(None)))
    return (any(f in values and "" not in values[f] for f in ("customer", "customer_code"))
            and any(f in values and never_none(values[f]) for f in ("amount", "balance"))
            and any(f in values and never_none(values[f]) for f in ("invoice_date", "due_date")))


def _picked(column: Iterable[object], positions: list[int], everything: bool) -> Iterable[object]:
    """The column's values at ``positions`` (all of them when ``everything``); a column the sheet
    does not have is the same value repeated, and stays so."""
    if everything or not isinstance(column, list):
        return column
    return list(map(column.__getitem__, positions))


def _currency_hint(layout: SheetLayout) -> str:
    for field_name in ("amount", "balance", "paid"):
        column = layout.column(field_name)
        if column:
            hint = money.currency_in_text(column.header)
            if hint:
                return hint
    return ""


def _total_words(texts: Iterable[str]) -> set[str]:
    """The texts that are a totals line's word. ASCII text can only be one when it holds a t or
    a u (see _may_total), so a column of plain invoice numbers is cleared in one look."""
    texts = set(texts)
    joined = "".join(texts)
    if joined.isascii() and not any(letter in joined for letter in "tuTU"):
        return set()
    return {text for text in texts if _total_word(text)}


def _total_word(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    if value.isascii() and not _may_total(value):
        return False
    key = header.normalize(value)
    return key in TOTAL_WORDS or (key.startswith(("total", "subtotal", "grandtotal")) and len(key) < 16)


def _may_total(text: str) -> bool:
    """False when plain-ASCII text cannot normalize to a total word: every one spells total, sum,
    jumlah or kabuuan, and normalizing ASCII only drops or lower-cases letters (or adds "no")."""
    low = text.lower()
    if "u" in low and ("m" in low or "k" in low):
        return True
    return "t" in low and "o" in low and "a" in low and "l" in low


def _is_note_row(name: str) -> bool:
    """A row with words but nothing that numbers, dates or prices an invoice is a note, not an
    invoice: ``name`` is its customer (or code) when it has none of those."""
    return not name or len(name.split()) >= 4 or name.rstrip().endswith(":") or bool(
        re.match(r"(note|nb|n\.b\.|remarque|nota|σημείωση|catatan|tala)\b", name, re.IGNORECASE))


def _report_unusable(values: dict[str, object], number: int, layout: SheetLayout, context: _Context) -> None:
    """Say why a row is not an invoice: no customer, no amount, or no date."""
    sheet = layout.name
    where = lambda field_name: f"{layout.column(field_name).letter}{number}" if layout.column(field_name) else f"A{number}"
    if not values.get("customer", "") and not values.get("customer_code", ""):
        field_name = "customer" if layout.column("customer") else "customer_code"
        context.problems.append(Problem(
            sheet, where(field_name), "", f"invoice {values.get('invoice_no') or 'on row ' + str(number)} "
            "has no customer", f"Type the customer's name in {where(field_name)}"))
    elif values.get("amount") is None and values.get("balance") is None:
        _report_missing(context, layout, number, ("amount", "balance"), "this invoice has no amount",
                        "the invoice amount")
    else:
        _report_missing(context, layout, number, ("invoice_date", "due_date"),
                        "this invoice has no date, so collector cannot tell when it is due", "the invoice date")


def _report_missing(context: _Context, layout: SheetLayout, number: int, fields: tuple[str, str],
                    message: str, what: str) -> None:
    """A required value is blank: say so at the first of its columns the sheet has, unless already said."""
    if _cell_reported(context, layout.name, number):
        return
    column = layout.column(fields[0]) or layout.column(fields[1])
    cell = f"{column.letter}{number}" if column else f"A{number}"
    context.problems.append(Problem(layout.name, cell, "", message, f"Type {what} in {cell}"))


def _cell_reported(context: _Context, sheet: str, number: int) -> bool:
    """True when a value on this row was already reported as unreadable (one message per cause)."""
    return (sheet, str(number)) in context.reported_rows()


def _currency(text: str, hint: str) -> str:
    text = (text or "").strip()
    if not text:
        return hint
    found = money.currency_in_text(text)
    if found:
        return found
    return text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else text


def _dated_number(customer_key: str, day: dt.date, row: int, seen: dict[str, int]) -> str:
    """A stable name for an invoice in a tracker with no number column: its date, then a counter."""
    base = day.isoformat()
    label, count = base, 1
    while f"{customer_key}|{label}" in seen:
        count += 1
        label = f"{base} ({count})"
    seen[f"{customer_key}|{label}"] = row
    return label


# --- contact log, payment plans, policy ------------------------------------------------------


def _log_from_rows(rows: list[_Row], layout: Optional[SheetLayout], context: _Context,
                   directory: _Directory) -> list[ContactEntry]:
    entries = []
    for row in rows or []:
        values = row.values
        day = values.get(header.CONTACT_LOG_DATE)
        customer = _known_customer(row, layout, context, directory)
        if day is None or customer is None:
            if day is None and customer is not None:
                column = layout.column(header.CONTACT_LOG_DATE)
                if not _cell_reported(context, layout.name, row.number):
                    context.problems.append(Problem(
                        layout.name, f"{column.letter}{row.number}", "", "this Contact Log row has no date",
                        "Type the date of the contact", "warning"))
            continue
        entries.append(ContactEntry.of(
            row=row.number, date=day, customer_key=customer.key,
            invoices=_invoice_list(values.get("invoice_no", "")), channel=(values.get("channel") or "").lower(),
            step=(values.get("step") or "").strip().lower(), note=values.get("notes", "") or "",
            promised_date=values.get("promised_date"), promised_amount=values.get("promised_amount"),
            by=values.get("by", "") or "",
        ))
    return entries


def _known_customer(row: _Row, layout: SheetLayout, context: _Context, directory: _Directory) -> Optional[Customer]:
    name, code = row.values.get("customer", ""), row.values.get("customer_code", "")
    if not name and not code:
        return None
    customer = directory.find(name, code)
    if customer is None:
        column = layout.column("customer") or layout.column("customer_code")
        context.problems.append(Problem(
            layout.name, f"{column.letter}{row.number}", name or code,
            "this customer is not on the invoice sheet or the Customers sheet",
            "Check the spelling; it must match the customer's name or code exactly", "warning"))
    return customer


_INVOICE_LIST_SEPARATOR = re.compile(r"\s*[,;/&\n]\s*|\s+and\s+|\s+et\s+|\s+y\s+")


def _invoice_list(text: str) -> tuple[str, ...]:
    parts = _INVOICE_LIST_SEPARATOR.split(text or "")
    return tuple(p.strip() for p in parts if p.strip())


def _plans_from_rows(rows: list[_Row], layout: Optional[SheetLayout], context: _Context,
                     directory: _Directory) -> list[Instalment]:
    plans = []
    for row in rows or []:
        customer = _known_customer(row, layout, context, directory)
        day, amount = row.values.get("instalment_date"), row.values.get("amount")
        if customer is None or day is None or amount is None:
            if customer is not None and not _cell_reported(context, layout.name, row.number):
                context.problems.append(Problem(
                    layout.name, f"A{row.number}", "", "this instalment needs a date and an amount",
                    "Fill in the instalment date and amount"))
            continue
        plans.append(Instalment(row=row.number, customer_key=customer.key, date=day, amount=amount))
    return plans


def _policy_from_rows(rows: list[_Row], layout: Optional[SheetLayout], context: _Context) -> tuple[PolicyStep, ...]:
    from collector import policy

    if layout is None or not rows:
        return ()
    table = [(row.number, {f: _text(v) if not isinstance(v, str) else v for f, v in row.values.items()})
             for row in rows]
    letters = {c.field: c.letter for c in layout.columns}
    steps, problems = policy.steps_from_table(table, sheet=layout.name, letters=letters)
    context.problems.extend(problems)
    return tuple(steps)


# --- settings ------------------------------------------------------------------------------


def read_settings(sheet: RawSheet, problems: list[Problem]) -> Settings:
    """Settings are name/value pairs: the first filled cell of a row names it, the next holds it."""
    found: dict[str, tuple[object, str]] = {}
    value_column = _settings_value_column(sheet)
    for index, raw in enumerate(sheet.rows, start=1):
        cells = [(i, v) for i, v in enumerate(raw) if _filled(v)]
        if not cells:
            continue
        name = header.setting_for(cells[0][1])
        if value_column is not None and value_column > cells[0][0]:
            value = raw[value_column] if value_column < len(raw) else ""
            cells = [cells[0], (value_column, value)] if _filled(value) else [cells[0]]
        if name and name not in found and len(cells) >= 2:
            found[name] = (cells[1][1], f"{col_letter(cells[1][0])}{index}")
    values: dict[str, object] = {}
    for name, (value, cell) in found.items():
        try:
            values[name] = _setting_value(name, value)
        except ValueError as error:
            problems.append(Problem(sheet.name, cell, _text(value), f"the setting "
                                    f"'{header.SETTINGS[name][0]}' is not valid: {error}",
                                    _SETTING_FIX.get(name, "Correct the value or delete the row")))
    return Settings(sheet=sheet.name, **values)


def _settings_value_column(sheet: RawSheet) -> Optional[int]:
    """The column headed 'Value', when the sheet has a Setting / Value header row."""
    for raw in sheet.rows[:HEADER_SCAN_ROWS]:
        fields = [header.field_for(v, "settings")[0] if isinstance(v, str) else "" for v in raw[:HEADER_SCAN_COLUMNS]]
        if "setting" in fields and "value" in fields:
            return fields.index("value")
    return None


_SETTING_FIX = {
    "late_interest": "Type the monthly rate, such as 1% or 1.5",
    "grace_days": "Type a whole number of days, such as 5",
    "min_days_between_contacts": "Type a whole number of days, such as 7",
    "aging_buckets": "Type the bucket limits in days, such as 30, 60, 90",
    "date_order": "Type DMY (day first) or MDY (month first)",
    "paper_size": "Type A4 or Letter",
}


def _setting_value(name: str, value: object) -> object:
    text = _text(value)
    if name == "address":
        return tuple(_address_lines([str(value)]))
    if name == "late_interest":
        return _percent(value)
    if name in ("grace_days", "min_days_between_contacts"):
        return _whole_days(value)
    if name == "aging_buckets":
        from collector.aging import parse_bucket_edges
        return parse_bucket_edges(text)
    if name == "language":
        return header.language_code(text) or "en"
    if name == "currency":
        return _currency(text, "") or text
    if name == "paper_size":
        return _paper(text)
    if name == "date_order":
        return _date_order(text)
    if name == "default_terms":
        from collector.terms import parse_terms
        parse_terms(text)  # raises TermsError (a ValueError) with a plain sentence
    return str(value).strip() if isinstance(value, str) else text


def _percent(value: object) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = Decimal(repr(float(value)))
        rate = number * 100 if 0 < number <= Decimal("0.1") else number
    else:
        text = str(value).strip().replace(",", ".")
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%?(\s*(per|/|a|p\.?)\s*(month|mo|mois|mes|lună|luna|μήνα|bulan|buwan))?",
                             text, re.IGNORECASE)
        if not match:
            raise ValueError("it is not a percentage")
        rate = Decimal(match.group(1))
    if rate < 0 or rate > 25:
        raise ValueError("a monthly late interest rate must be between 0% and 25%")
    return rate.normalize() if rate else Decimal(0)


def _whole_days(value: object) -> int:
    text = _text(value)
    match = re.fullmatch(r"(\d+)(\s*\w+)?", text)
    if not match:
        raise ValueError("it is not a whole number of days")
    return int(match.group(1))


def _paper(text: str) -> str:
    key = header.normalize(text)
    if key in ("a4", "a4paper"):
        return "A4"
    if key in ("letter", "usletter", "lettre", "carta", "85x11"):
        return "Letter"
    raise ValueError("collector prints on A4 or Letter")


def _date_order(text: str) -> str:
    key = header.normalize(text)
    if key in ("dmy", "ddmmyyyy", "ddmmyy", "dayfirst", "day", "jjmmaaaa", "ddmmaaaa", "zzllaaaa"):
        return dates.DAY_FIRST
    if key in ("mdy", "mmddyyyy", "mmddyy", "monthfirst", "month"):
        return dates.MONTH_FIRST
    raise ValueError("it should be DMY (day first) or MDY (month first)")
