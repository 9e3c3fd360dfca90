"""Reading a tracking workbook into a Book.

The pipeline is visible: open the file (collector.source), find each sheet,
find its header row, map its columns, decide once per column how its dates and
amounts are written, then turn rows into records. Every problem becomes a
Problem value; only a file that cannot be read at all raises.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, Iterable, Optional

from collector import dates, header, money
from collector.formula import FormulaError, col_index, col_letter, evaluate
from collector.model import (
    Book, Column, ContactEntry, Customer, Instalment, Invoice, PolicyStep, Problem, Settings,
    SheetLayout, bulk_records,
)
from collector.source import RawSheet, Source, WorkbookError, open_source

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
    found = find_sheets(source)
    if "invoices" not in found:
        raise ReadError(_no_invoice_sheet_message(source))
    problems: list[Problem] = []
    settings = Settings()
    if "settings" in found:
        settings = read_settings(found["settings"], problems)
    context = _Context(source, settings, locale, problems)
    invoice_sheet, invoice_layout = found["invoices"], None
    invoice_rows, invoice_layout = context.table(invoice_sheet, "invoices")
    customers: list[Customer] = []
    layouts = [invoice_layout]
    if "customers" in found:
        rows, layout = context.table(found["customers"], "customers")
        customers = _customers_from_rows(rows, layout, context)
        layouts.append(layout)
    directory = _Directory(customers)
    invoices = _invoices_from_rows(invoice_rows, invoice_layout, context, directory)
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


OWNED_SHEETS = ("aging", "actions", "history")  # collector's own tabs: never read as the owner's data


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


class _Context:
    """What every table needs while it is read: the source, settings, locale and the problem list."""

    def __init__(self, source: Source, settings: Settings, locale: str, problems: list[Problem]):
        self.source, self.settings, self.problems = source, settings, problems
        self.locale_order, self.locale_source = _locale_order(settings, locale)
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
        index, _ = _header_score(sheet.rows, kind)
        if index < 0:
            self.problems.append(_missing_columns(sheet, kind))
            return [], None
        owned = self._computed_columns(sheet.name)
        row = [v if i not in owned else "" for i, v in enumerate(sheet.rows[index])]
        columns = map_columns(row, kind, sheet.name, self.problems, index + 1)
        readers = {c.field: self._column_reader(sheet, c, index + 1) for c in columns}
        body = sheet.rows[index + 1:]
        first = index + 2
        kept = _rows_with_data(body, tuple(c.index for c in columns))
        # Column by column, each distinct value converted once; a cell that needs more (a formula
        # to work out, a value to report) is left to its row-by-row reader, so problems keep their order.
        slow: set[int] = set()
        converted = [self._fast_column(sheet, c, body, kept, first, slow) for c in columns]
        fields = tuple(readers)
        rows: list[_Row] = []
        for position, (number, values) in enumerate(zip(kept, zip(*converted))):
            row_values = dict(zip(fields, values))
            if position in slow:
                raw = body[number]
                for field_name, read in readers.items():
                    if row_values[field_name] is _SLOW:
                        row_values[field_name] = read(raw, number + first)
            rows.append(_Row(number + first, row_values))
        last = kept[-1] + first if kept else index + 1
        width = max((len(r) for r in sheet.rows), default=0)
        layout = SheetLayout(sheet.name, index + 1, columns, last, width)
        return rows, layout

    def _computed_columns(self, sheet_name: str) -> set[int]:
        """0-based columns collector itself wrote (the hidden name _collector_computed marks them)."""
        reference = self.source.defined_names.get("_collector_computed", "")
        match = re.fullmatch(r"'?(.+?)'?!\$?([A-Z]+)\$?\d+(?::\$?([A-Z]+)\$?\d+)?", reference.replace("''", "'"))
        if not match or match.group(1) != sheet_name:
            return set()
        first, last = col_index(match.group(2)), col_index(match.group(3) or match.group(2))
        return set(range(first, last + 1))

    def _column_reader(self, sheet: RawSheet, column: Column, header_row: int) -> Callable:
        if column.field not in DATE_FIELDS and column.field not in MONEY_FIELDS:
            return lambda raw, row: _text(raw[column.index] if column.index < len(raw) else "")
        at = column.index
        typed = [v for row in sheet.rows[header_row:] if at < len(row) for v in (row[at],) if isinstance(v, str) and v]
        texts = [text for text in map(str.strip, typed) if text]
        if column.field in DATE_FIELDS:
            order, how = dates.decide_date_order(texts, self.locale_order)
            self._report_order(sheet, column, texts, order, how)
            self._decided[column.field] = order
            return lambda raw, row: self._date(sheet, column, raw, row, order)
        decimal_comma = money.decide_decimal_comma(texts)
        self._decided[column.field] = decimal_comma
        return lambda raw, row: self._money(sheet, column, raw, row, decimal_comma)

    def _fast_column(self, sheet: RawSheet, column: Column, body: list[list[object]], kept: list[int],
                     first: int, slow: set[int]) -> list[object]:
        """The column's values for the kept rows, each distinct value converted once; _SLOW marks
        a cell its row-by-row reader must read (a possible formula, a value to report)."""
        at, field_name = column.index, column.field
        try:
            cells = [row[at] for row in body] if len(kept) == len(body) else [body[n][at] for n in kept]
        except IndexError:  # a short row (CSV): its missing cells are blank
            cells = [body[n][at] if at < len(body[n]) else "" for n in kept]
        if field_name in DATE_FIELDS:
            order, date1904 = self._decided[field_name], self.source.date1904
            convert = lambda value: _to_date(value, order, date1904)
            errors: tuple[type[Exception], ...] = (dates.DateError,)
        elif field_name in MONEY_FIELDS:
            decimal_comma = self._decided[field_name]
            convert = lambda value: None if _is_dash(value) else money.parse_money(value, decimal_comma=decimal_comma)
            errors = (money.MoneyError,)
        else:
            return _texts(cells)
        formulas = None
        excel = self.source.kind in (".xlsx", ".xlsm")
        dated = field_name in DATE_FIELDS
        seen: dict[tuple[type, object], object] = {}
        out: list[object] = []
        for position, value in enumerate(cells):
            kind = type(value)
            if kind is dt.date and dated:
                out.append(value)
                continue
            if kind is float and not dated:  # amounts are mostly distinct: no use remembering them
                try:
                    out.append(money.to_cents(value))
                except money.MoneyError:
                    slow.add(position)
                    out.append(_SLOW)
                continue
            if value is None or value == "":
                if excel:
                    if formulas is None:
                        formulas = sheet.formulas()
                    if formulas and (kept[position] + first - 1, at) in formulas:
                        slow.add(position)
                        out.append(_SLOW)
                        continue
                out.append(None)
                continue
            if kind not in _CACHED_KINDS:
                slow.add(position)
                out.append(_SLOW)
                continue
            key = (kind, value)
            result = seen.get(key, _MISSING)
            if result is _MISSING:
                try:
                    result = convert(value) if _filled(value) else None
                except errors:
                    result = _SLOW
                seen[key] = result
            if result is _SLOW:
                slow.add(position)
            out.append(result)
        return out

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
_MISSING = object()
_CACHED_KINDS = frozenset({str, float, int, dt.datetime})


def _rows_with_data(body: list[list[object]], indices: tuple[int, ...]) -> list[int]:
    """Positions of the rows with something in at least one mapped column."""
    kept = []
    for number, raw in enumerate(body):
        width = len(raw)
        for at in indices:
            if at < width:
                value = raw[at]
                if value is not None and (not isinstance(value, str) or value.strip()):
                    kept.append(number)
                    break
    return kept


def _texts(cells: list[object]) -> list[str]:
    """_text of every cell, each distinct text tidied once."""
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

    def __init__(self, customers: list[Customer]):
        self.customers: list[Customer] = []
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

    def ensure(self, name: str, code: str, details: dict[str, object]) -> Customer:
        """The customer an invoice row names, created from the row when the Customers sheet lacks it."""
        index = self._find_index(name, code)
        if index is not None:
            return self._fill_missing(index, details)
        customer = _customer_from(details, key=code or " ".join(name.split()), name=name or code, code=code)
        self._add(customer)
        return customer

    def _fill_missing(self, index: int, details: dict[str, object]) -> Customer:
        customer = self.customers[index]
        if customer.row:  # the Customers sheet is the owner's word; invoice rows do not override it
            return customer
        if details.keys().isdisjoint(_DETAIL_FIELDS) or not any(details.get(f) for f in _DETAIL_FIELDS):
            return customer  # the row tells nothing more about the customer
        extra = _customer_from(details, key=customer.key, name=customer.name, code=customer.code)
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


def _customer_from(values: dict[str, object], key: str, name: str, code: str, row: int = 0) -> Customer:
    def text(field_name: str) -> str:
        value = values.get(field_name)
        return value if isinstance(value, str) else ""

    address = [text("address"), text("address2"), " ".join(p for p in (text("postcode"), text("city")) if p),
               text("region"), text("country")]
    limit = values.get("credit_limit")
    return Customer(
        key=key, name=name, code=code, contact_name=text("contact_name"), company=text("company"),
        email=text("email"), phone=text("phone"), address=tuple(_address_lines(address)),
        language=header.language_code(text("language")), terms=text("terms"),
        credit_limit=limit if isinstance(limit, Decimal) else None, sales_rep=text("sales_rep"),
        sales_rep_email=text("sales_rep_email"), account_manager=text("account_manager"),
        account_manager_email=text("account_manager_email"),
        # A status with a Credit Reason beside it was set by collector, which decides it afresh each run.
        credit_status="" if text("credit_reason") else text("credit_status"), row=row,
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
        customers.append(_customer_from(row.values, key=key, name=name or code, code=code, row=row.number))
    return customers


# --- invoices ------------------------------------------------------------------------------


def _invoices_from_rows(rows: list[_Row], layout: Optional[SheetLayout], context: _Context,
                        directory: _Directory) -> list[Invoice]:
    if layout is None:
        return []
    sheet = layout.name
    currency_hint = _currency_hint(layout)
    numbers_seen: dict[str, int] = {}
    invoices: list[Invoice] = []
    has_number = layout.column("invoice_no") is not None
    for row in rows:
        values = row.values
        if _is_total_row(values) or _is_note_row(values):
            continue
        invoice = _invoice_from_row(row, layout, context, directory, currency_hint)
        if invoice is None:
            continue
        if not has_number:
            invoice = replace(invoice, number=_dated_number(invoice, numbers_seen))
        elif invoice.number in numbers_seen:
            column = layout.column("invoice_no")
            context.problems.append(Problem(
                sheet, f"{column.letter}{row.number}", invoice.number,
                f"this invoice number is also on row {numbers_seen[invoice.number]}; letters and the "
                "Contact Log will not be able to tell the two apart", "Give each invoice its own number",
                "warning"))
        numbers_seen.setdefault(invoice.number, row.number)
        invoices.append(invoice)
    if rows and not has_number:
        context.problems.append(Problem(
            sheet, "", "", "there is no invoice number column, so collector names each invoice by its "
            "date in letters and in the Contact Log",
            "Add an 'Invoice No' column to give invoices their own numbers", "warning"))
    return invoices


def _currency_hint(layout: SheetLayout) -> str:
    for field_name in ("amount", "balance", "paid"):
        column = layout.column(field_name)
        if column:
            hint = money.currency_in_text(column.header)
            if hint:
                return hint
    return ""


def _is_total_row(values: dict[str, object]) -> bool:
    """A totals line: 'Total', 'Subtotal', 'Σύνολο'... where the customer or number would be, and no number."""
    if values.get("invoice_no") and not _total_word(values["invoice_no"]):
        return False
    return any(_total_word(values.get(f)) for f in ("customer", "customer_code", "invoice_no"))


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


def _is_note_row(values: dict[str, object]) -> bool:
    """A row with words but nothing that numbers, dates or prices an invoice is a note, not an invoice."""
    facts = ("invoice_no", "amount", "balance", "paid", "invoice_date", "due_date")
    if any(values.get(f) not in (None, "") for f in facts):
        return False
    name = values.get("customer") or values.get("customer_code") or ""
    return not name or len(name.split()) >= 4 or name.rstrip().endswith(":") or bool(
        re.match(r"(note|nb|n\.b\.|remarque|nota|σημείωση|catatan|tala)\b", name, re.IGNORECASE))


def _invoice_from_row(row: _Row, layout: SheetLayout, context: _Context, directory: _Directory,
                      currency_hint: str) -> Optional[Invoice]:
    values, sheet, number = row.values, layout.name, row.number
    name, code = values.get("customer", ""), values.get("customer_code", "")
    where = lambda field_name: f"{layout.column(field_name).letter}{number}" if layout.column(field_name) else f"A{number}"
    if not name and not code:
        field_name = "customer" if layout.column("customer") else "customer_code"
        context.problems.append(Problem(
            sheet, where(field_name), "", f"invoice {values.get('invoice_no') or 'on row ' + str(number)} "
            "has no customer", f"Type the customer's name in {where(field_name)}"))
        return None
    amount, balance = values.get("amount"), values.get("balance")
    if amount is None and balance is None:
        _report_missing(context, layout, number, ("amount", "balance"), "this invoice has no amount",
                        "the invoice amount")
        return None
    invoice_date, due_date = values.get("invoice_date"), values.get("due_date")
    if invoice_date is None and due_date is None:
        _report_missing(context, layout, number, ("invoice_date", "due_date"),
                        "this invoice has no date, so collector cannot tell when it is due", "the invoice date")
        return None
    customer = directory.ensure(name, code, values)
    currency = _currency(values.get("currency", ""), currency_hint)
    return Invoice.of(
        row=number, customer=customer.name, customer_key=customer.key,
        number=values.get("invoice_no", "") or "", invoice_date=invoice_date, due_date=due_date,
        terms=values.get("terms", "") or "", amount=amount, paid=values.get("paid"), balance=balance,
        paid_date=values.get("paid_date"), status=values.get("status", "") or "", currency=currency,
        notes=values.get("notes", "") or "",
    )


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


def _dated_number(invoice: Invoice, seen: dict[str, int]) -> str:
    """A stable name for an invoice in a tracker with no number column: its date, then a counter."""
    base = (invoice.invoice_date or invoice.due_date).isoformat()
    label, count = base, 1
    while f"{invoice.customer_key}|{label}" in seen:
        count += 1
        label = f"{base} ({count})"
    seen[f"{invoice.customer_key}|{label}"] = invoice.row
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
        entries.append(ContactEntry(
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


def _invoice_list(text: str) -> tuple[str, ...]:
    parts = re.split(r"\s*[,;/&\n]\s*|\s+and\s+|\s+et\s+|\s+y\s+", text or "")
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
    return Settings(**values)


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
