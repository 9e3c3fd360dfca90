"""Writing the week's results into the owner's workbook, with openpyxl.

collector owns a few things in the workbook and only those: the computed
columns to the right of the invoice sheet (found again each run through a
hidden defined name, so they follow the owner's column moves), its own tabs
(Aging, Actions, History), the rows it adds to the Contact Log, and the Credit
Status of customers it puts on hold. Everything else is the owner's.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter, neg
from typing import Mapping, Optional, Sequence

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import TableColumn

from collector import header
from collector.aging import CREDITS, aged_balances
from collector.assessment import CASH_ONLY, OPEN_STATES, Assessment, Totals
from collector.model import Book, ContactEntry, SheetLayout

AGING, ACTIONS, HISTORY, CONTACT_LOG = "Aging", "Actions", "History", "Contact Log"
OWNED_SHEETS = (AGING, ACTIONS, HISTORY)
COMPUTED_NAME = "_collector_computed"
COLLECTOR = "collector"

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00;-#,##0.00"
COMPUTED_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WARM_FILL = PatternFill("solid", fgColor="FCE4D6")
HOT_FILL = PatternFill("solid", fgColor="F8CBAD")
THIN = Side(style="thin", color="9BC2E6")
# Shared style objects: one each, not one per cell (the lossless writer turns each distinct object
# into a cell format once, so a big tab costs one lookup per cell).
BOLD_FONT = Font(bold=True)
HOLD_TITLE_FONT = Font(bold=True, size=12)
COMPUTED_HEADER_FONT = Font(bold=True, italic=True)
COMPUTED_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right")
TOP = Alignment(vertical="top", wrap_text=False)
TOP_WRAPPED = Alignment(vertical="top", wrap_text=True)
TOP_INDENTED = Alignment(vertical="top", horizontal="left", indent=1)  # as INDENTED, top-aligned
TOTAL_BORDER = Border(top=THIN)
# Computed text starts a space in, so it never reads as one word with a number right-aligned beside it.
COMPUTED_TEXT_ALIGNMENT = INDENTED = Alignment(horizontal="left", indent=1)

COMPUTED_NOTE = (
    "collector works this column out and rewrites it on every run. Do not type here: "
    "change the owner's columns to the left instead."
)


@dataclass(frozen=True)
class ComputedColumn:
    header: str
    kind: str  # "date", "money", "int" or "text"


def computed_columns(layout: SheetLayout) -> tuple[ComputedColumn, ...]:
    """The columns collector adds to the invoice sheet; Due Date and Balance only when the owner has none."""
    columns = []
    if layout.column("due_date") is None:
        columns.append(ComputedColumn("Calc. Due Date", "date"))
    if layout.column("balance") is None:
        columns.append(ComputedColumn("Calc. Balance", "money"))
    columns += [
        ComputedColumn("Days Overdue", "int"), ComputedColumn("Aging", "text"),
        ComputedColumn("Interest", "money"), ComputedColumn("Stage", "text"),
        ComputedColumn("Next Step", "text"), ComputedColumn("Next Action Date", "date"),
    ]
    return tuple(columns)


@dataclass
class Written:
    """What the writer changed, for the terminal summary and the fidelity check."""

    computed_range: str = ""
    computed_columns: tuple[int, int] = (0, 0)  # 1-based first and last column of the block
    filter_end: int = 0  # 1-based last computed column: as far as the owner's filter may grow
    log_rows: list[int] = field(default_factory=list)
    log_sheet: str = ""
    log_created: bool = False
    credit_cells: list[str] = field(default_factory=list)
    touched: dict[str, set[str]] = field(default_factory=dict)  # sheet -> cells collector wrote or cleared
    sheets_replaced: list[str] = field(default_factory=list)
    invoice_sheet: str = ""
    customers_sheet: str = ""
    lossless: bool = False  # written by editing the package (collector.lossless), not by openpyxl
    owned_parts: frozenset[str] = frozenset()  # for a lossless write: the original's parts collector may change
    owner_notes: dict[str, tuple[bytes, ...]] = field(default_factory=dict)  # comments part -> owner's notes in it
    owner_sheet_parts: dict[str, str] = field(default_factory=dict)  # owner's sheets collector edits -> their parts

    def touch(self, sheet: str, coordinate: str) -> None:
        self.touched.setdefault(sheet, set()).add(coordinate)


def write_results(source_path: str, target_path: str, book: Book, assessment: Assessment,
                  log_entries: Sequence[ContactEntry], links: Mapping[str, Sequence[tuple[str, str]]] | None = None,
                  call_scripts: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
                  keep_vba: bool = False) -> Written:
    """Load the owner's workbook, add this run's results, save to ``target_path``."""
    workbook = openpyxl.load_workbook(source_path, keep_vba=keep_vba, keep_links=True, rich_text=True)
    written = Written()
    _write_invoice_columns(workbook, book, assessment, written)
    invoices = book.layouts[0]
    _write_contact_log(workbook, assessment.as_of, log_entries, written,
                       _owner_date_format(workbook[invoices.name], invoices))
    _write_credit_status(workbook, book, assessment, written)
    _replace_sheet(workbook, AGING, lambda sheet: _fill_aging(sheet, book, assessment), written)
    _replace_sheet(workbook, ACTIONS, lambda sheet: _fill_actions(sheet, assessment, links or {},
                                                                   call_scripts or {}, notes or {}), written)
    history = _history_rows(workbook, assessment)
    _replace_sheet(workbook, HISTORY, lambda sheet: _fill_history(sheet, history), written)
    workbook.calculation.fullCalcOnLoad = True  # the totals rows are formulas; have Excel show them at once
    workbook.save(target_path)
    return written


# --- invoices -----------------------------------------------------------------------------


def _computed_start(workbook, sheet, layout: SheetLayout) -> int:
    """1-based first column of collector's block: where it was last time, else right of everything."""
    name = workbook.defined_names.get(COMPUTED_NAME)
    if name is not None:
        for title, reference in name.destinations:
            if title == sheet.title:
                min_col, _, _, _ = range_boundaries(reference.replace("$", ""))
                return min_col
    return max(sheet.max_column, layout.width) + 1


def _write_invoice_columns(workbook, book: Book, assessment: Assessment, written: Written) -> None:
    layout = book.layouts[0]
    sheet = workbook[layout.name]
    columns = computed_columns(layout)
    start = _computed_start(workbook, sheet, layout)
    _clear_block(sheet, start, layout.header_row, len(columns) + 2)
    header_row = layout.header_row
    date_format = _owner_date_format(sheet, layout)
    widths = computed_widths(columns, computed_column_values(assessment.invoices, columns))
    for offset, (column, width) in enumerate(zip(columns, widths)):
        cell = sheet.cell(row=header_row, column=start + offset, value=column.header)
        cell.font, cell.fill = COMPUTED_HEADER_FONT, COMPUTED_FILL
        cell.alignment = COMPUTED_HEADER_ALIGNMENT
        cell.comment = Comment(COMPUTED_NOTE, COLLECTOR, width=260, height=90)
        dimension = sheet.column_dimensions[get_column_letter(start + offset)]
        if dimension.width in (None, 13.0) or dimension.width < width:
            dimension.width = width
    for result in assessment.invoices:
        values = _computed_values(result, columns)
        for offset, (column, value) in enumerate(zip(columns, values)):
            cell = sheet.cell(row=result.invoice.row, column=start + offset)
            _put(cell, value)
            cell.fill = COMPUTED_FILL
            if column.kind == "date":
                cell.number_format = date_format
            elif column.kind == "money":
                cell.number_format = MONEY_FORMAT
            elif column.kind == "text":
                cell.alignment = COMPUTED_TEXT_ALIGNMENT
    end = start + len(columns) - 1
    reference = f"{quote_sheetname(sheet.title)}!${get_column_letter(start)}${header_row}:${get_column_letter(end)}${header_row}"
    workbook.defined_names[COMPUTED_NAME] = DefinedName(COMPUTED_NAME, attr_text=reference, hidden=True)
    _grow_tables(sheet, header_row, start, end, columns)
    grown = grown_filter(sheet.auto_filter.ref or "", header_row, start, end)
    if grown:
        sheet.auto_filter.ref = grown  # openpyxl writes its _xlnm._FilterDatabase name from it
    written.computed_range = f"{sheet.title}!{get_column_letter(start)}:{get_column_letter(end)}"
    written.computed_columns = (start, max(end, start + len(columns) + 1))
    written.filter_end = end
    written.invoice_sheet = sheet.title


def computed_widths(columns: Sequence[ComputedColumn], values: Sequence[Sequence[object]]) -> list[int]:
    """Each computed column's width: its header (with room for a filter button) or its widest value,
    so "25" and "1–30" or "8.75" and "conversation-letter" never run together in the next column."""
    return [max(12, len(column.header) + 3, min(_widest(column.kind, column_values), _WIDEST) + 3)
            for column, column_values in zip(columns, values)]


_WIDEST = 30  # a longer value is cut rather than make the column wider than this


def _widest(kind: str, values: Sequence[object]) -> int:
    """How many characters the widest of values shows, measured on the few distinct or extreme values."""
    present = [v for v in values if v is not None]
    if not present:
        return 0
    if kind == "date":
        return 10
    if kind == "money":
        return max(len(f"{max(present):,.2f}"), len(f"{min(present):,.2f}"))
    if kind == "int":
        return max(len(str(max(present))), len(str(min(present))))
    return max(map(len, map(str, set(present))))


def grown_filter(reference: str, header_row: int, start: int, end: int) -> Optional[str]:
    """The owner's AutoFilter over the invoice list grown over collector's columns start..end, so
    sorting from its buttons keeps each invoice's figures beside it; None when it is to stay.

    It grows when it starts on the header row and reaches the column just left of collector's;
    a filter over some other part of the sheet, or one already over them, stays as it is.
    """
    try:
        min_col, min_row, max_col, max_row = range_boundaries(reference.replace("$", ""))
    except (TypeError, ValueError):
        return None
    if min_row != header_row or max_row is None or min_col >= start or not start - 1 <= max_col < end:
        return None
    return f"{get_column_letter(min_col)}{min_row}:{get_column_letter(end)}{max_row}"


def _clear_block(sheet, start: int, header_row: int, width: int) -> None:
    """Empty collector's previous block (values and fills) so no stale figure survives a re-run."""
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row, min_col=start,
                               max_col=start + width - 1):
        for cell in row:
            if cell.value is not None or cell.has_style:
                cell.value = None
                cell.comment = None
                cell.style = "Normal"


def _owner_date_format(sheet, layout: SheetLayout) -> str:
    for field_name in ("invoice_date", "due_date"):
        column = layout.column(field_name)
        if column:
            cell = sheet.cell(row=layout.header_row + 1, column=column.index + 1)
            if getattr(cell, "is_date", False) and cell.number_format:  # a merged cell has no format of its own
                return cell.number_format
    return DATE_FORMAT


# Each computed column's value for one invoice result, by the column's header.
# A plain field is read with attrgetter: the same value, without a Python call per invoice.
_COMPUTED_VALUE = {
    "Calc. Due Date": attrgetter("due_date"),
    "Calc. Balance": attrgetter("open_balance"),
    "Days Overdue": lambda result: result.days_overdue if result.is_open and result.bucket else None,
    "Aging": lambda result: result.bucket or _state_word(result.state),
    "Interest": lambda result: result.interest if result.interest else None,
    "Stage": attrgetter("stage"),
    "Next Step": attrgetter("next_step"),
    "Next Action Date": attrgetter("next_action_date"),
}


def _computed_values(result, columns: Sequence[ComputedColumn]) -> list[object]:
    return [_COMPUTED_VALUE[c.header](result) for c in columns]


def computed_column_values(results: Sequence, columns: Sequence[ComputedColumn]) -> list[Sequence[object]]:
    """Each computed column's values for all the invoice results, in their order: what _computed_values
    gives result by result, but with each result's fields read in one pass (a big book has 100,000)."""
    if not results:
        return [[] for _ in columns]
    fields = attrgetter("due_date", "open_balance", "days_overdue", "bucket", "state", "interest", "stage",
                        "next_step", "next_action_date")
    due, balance, days, bucket, state, interest, stage, next_step, next_date = zip(*map(fields, results))
    words = _STATE_WORDS
    whole = {
        "Calc. Due Date": lambda: due,
        "Calc. Balance": lambda: balance,
        "Days Overdue": lambda: [d if s in OPEN_STATES and b else None for d, s, b in zip(days, state, bucket)],
        "Aging": lambda: [b or words.get(s, "") for b, s in zip(bucket, state)],
        "Interest": lambda: [i if i else None for i in interest],
        "Stage": lambda: stage,
        "Next Step": lambda: next_step,
        "Next Action Date": lambda: next_date,
    }
    return [whole[column.header]() for column in columns]


_STATE_WORDS = {"paid": "Paid", "written off": "Written off", "draft": "Not sent", "credit": "Credit"}


def _state_word(state: str) -> str:
    return _STATE_WORDS.get(state, "")


def _put(cell, value: object) -> None:
    """Write a value; text always stays text, even when it starts with '=' (never a formula)."""
    if isinstance(value, Decimal):
        value = float(value)  # Excel stores binary doubles; the cents were exact until here
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"


def _grow_tables(sheet, header_row: int, start: int, end: int, columns: Sequence[ComputedColumn]) -> None:
    """An Excel Table over the invoice list grows to take in the computed columns."""
    for table in sheet.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row != header_row or not (min_col <= start <= max_col + 1 or max_col >= start):
            continue
        names = [c.name for c in table.tableColumns]
        for offset, column in enumerate(columns):
            position = start + offset - min_col
            if position < len(names):
                table.tableColumns[position].name = column.header
            else:
                table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=column.header))
        new_max = max(max_col, end)
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(new_max)}{max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref


# --- contact log and customers --------------------------------------------------------------

LOG_HEADERS = ("Date", "Customer", "Invoice No", "Channel", "Step", "Note", "Promised Date",
               "Promised Amount", "By")
# A week's step may list many invoices: the Invoice No column is wide enough for five or six numbers.
LOG_WIDTHS = (12, 28, 32, 10, 22, 60, 14, 16, 12)


def _log_sheet(workbook, written: Written):
    for sheet in workbook.worksheets:
        if header.sheet_kind(sheet.title) == "contact_log":
            return sheet
    written.log_created = True
    sheet = workbook.create_sheet(CONTACT_LOG)
    for index, title in enumerate(LOG_HEADERS, start=1):
        sheet.cell(row=1, column=index, value=title)
    dress_log_sheet(sheet)
    return sheet


def dress_log_sheet(sheet) -> None:
    """The look of a Contact Log collector made: header row 1 in the header colours, widths, frozen."""
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        if cell.column <= len(LOG_WIDTHS):
            sheet.column_dimensions[get_column_letter(cell.column)].width = LOG_WIDTHS[cell.column - 1]
    sheet.freeze_panes = "A2"


def _log_columns(sheet, written: Written) -> tuple[int, dict[str, int]]:
    """The Contact Log's header row and each field's 1-based column, adding missing columns."""
    best_row, best = 1, {}
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 60)):
        found = {}
        for cell in row:
            if isinstance(cell.value, str):
                name, _ = header.field_for(cell.value, "contact_log")
                if name and name not in found:
                    found[name] = cell.column
        if len(found) > len(best):
            best_row, best = row[0].row, found
    needed = {"invoice_date": "Date", "customer": "Customer", "invoice_no": "Invoice No", "channel": "Channel",
              "step": "Step", "notes": "Note", "by": "By"}
    for name, title in needed.items():
        if name not in best:
            column = sheet.max_column + 1 if best or sheet.max_row > 1 else len(best) + 1
            cell = sheet.cell(row=best_row, column=column, value=title)
            cell.font = BOLD_FONT
            written.touch(sheet.title, cell.coordinate)
            best[name] = column
    return best_row, best


def _write_contact_log(workbook, as_of: dt.date, entries: Sequence[ContactEntry], written: Written,
                       invoice_date_format: str = DATE_FORMAT) -> None:
    sheet = _log_sheet(workbook, written)
    written.log_sheet = sheet.title
    header_row, columns = _log_columns(sheet, written)
    reusable = _own_rows_of_the_day(sheet, header_row, columns, as_of)
    next_row = _last_filled_row(sheet, header_row) + 1
    for entry in entries:
        row = reusable.pop(0) if reusable else next_row
        if row == next_row:
            next_row += 1
        _write_log_row(sheet, row, columns, entry)
        written.log_rows.append(row)
    for row in reusable:  # a same-day re-run that now has fewer actions
        for column in columns.values():
            sheet.cell(row=row, column=column).value = None
        written.log_rows.append(row)
    date_format = _log_date_format(sheet, header_row, columns) or invoice_date_format
    for row in written.log_rows:
        sheet.cell(row=row, column=columns["invoice_date"]).number_format = date_format


def _log_date_format(sheet, header_row: int, columns: dict[str, int]) -> str:
    """How the owner's own log rows show their dates ("" when none does), for collector's rows to match."""
    for row in range(header_row + 1, min(sheet.max_row, header_row + 50) + 1):
        cell = sheet.cell(row=row, column=columns["invoice_date"])
        if not by_collector(sheet.cell(row=row, column=columns["by"]).value) and getattr(cell, "is_date", False):
            return cell.number_format
    return ""


def by_collector(by: object) -> bool:
    """A Contact Log cell's By value says collector wrote the row."""
    return isinstance(by, str) and by.strip().casefold() == COLLECTOR


def _own_rows_of_the_day(sheet, header_row: int, columns: dict[str, int], as_of: dt.date) -> list[int]:
    rows = []
    for row in range(header_row + 1, sheet.max_row + 1):
        by = sheet.cell(row=row, column=columns["by"]).value
        day = sheet.cell(row=row, column=columns["invoice_date"]).value
        if isinstance(day, dt.datetime):
            day = day.date()
        if by_collector(by) and day == as_of:
            rows.append(row)
    return rows


def _last_filled_row(sheet, header_row: int) -> int:
    """The last row holding anything of the owner's, merged areas included (they cannot be written into)."""
    merged = max((r.max_row for r in sheet.merged_cells.ranges), default=header_row)
    for row in range(sheet.max_row, header_row, -1):
        if any(c.value not in (None, "") for c in sheet[row]):
            return max(row, merged)
    return max(header_row, merged)


def _write_log_row(sheet, row: int, columns: dict[str, int], entry: ContactEntry) -> None:
    values = {
        "invoice_date": entry.date, "customer": entry.customer_key, "invoice_no": ", ".join(entry.invoices),
        "channel": entry.channel, "step": entry.step, "notes": entry.note, "by": COLLECTOR,
    }
    for name, value in values.items():
        _put(sheet.cell(row=row, column=columns[name]), value)


def _write_credit_status(workbook, book: Book, assessment: Assessment, written: Written) -> None:
    layout = next((l for l in book.layouts[1:] if header.sheet_kind(l.name) == "customers"), None)
    if layout is None:
        return
    sheet = workbook[layout.name]
    status_column = layout.column("credit_status")
    column = status_column.index + 1 if status_column else _add_header(sheet, layout, "Credit Status", written)
    reason_column = _find_header(sheet, layout.header_row, "Credit Reason") or _add_header(sheet, layout, "Credit Reason", written)
    reason_cell = sheet.cell(row=layout.header_row, column=reason_column)
    written.touch(sheet.title, reason_cell.coordinate)
    reason_cell.fill, reason_cell.comment = COMPUTED_FILL, Comment(COMPUTED_NOTE, COLLECTOR, width=260, height=90)
    for account in assessment.accounts:
        row = account.customer.row
        if not row:
            continue
        status_cell = sheet.cell(row=row, column=column)
        reason = sheet.cell(row=row, column=reason_column)
        written.touch(sheet.title, reason.coordinate)
        if account.credit_status == CASH_ONLY:
            if str(status_cell.value or "").strip().casefold() != CASH_ONLY.casefold():
                _put(status_cell, CASH_ONLY)
                written.credit_cells.append(status_cell.coordinate)
                written.touch(sheet.title, status_cell.coordinate)
            _put(reason, account.credit_reason)
        elif reason.value not in (None, ""):  # collector put this customer on hold; the reason is gone
            status_cell.value = None
            reason.value = None
            written.credit_cells.append(status_cell.coordinate)
            written.touch(sheet.title, status_cell.coordinate)
    written.customers_sheet = sheet.title


def _find_header(sheet, header_row: int, title: str) -> Optional[int]:
    for cell in sheet[header_row]:
        if isinstance(cell.value, str) and cell.value.strip().casefold() == title.casefold():
            return cell.column
    return None


def _add_header(sheet, layout: SheetLayout, title: str, written: Written) -> int:
    column = max(sheet.max_column, layout.width) + 1
    cell = sheet.cell(row=layout.header_row, column=column, value=title)
    written.touch(sheet.title, cell.coordinate)
    cell.font = BOLD_FONT
    sheet.column_dimensions[get_column_letter(column)].width = max(14, len(title) + 4)
    return column


# --- collector's own tabs ---------------------------------------------------------------------


def _replace_sheet(workbook, title: str, fill, written: Written) -> None:
    index = len(workbook.sheetnames)
    if title in workbook.sheetnames:
        index = workbook.sheetnames.index(title)
        workbook.remove(workbook[title])
    sheet = workbook.create_sheet(title, index)
    fill(sheet)
    written.sheets_replaced.append(title)


def _header_cells(sheet, row: int, titles: Sequence[str]) -> None:
    for index, title in enumerate(titles, start=1):
        cell = sheet.cell(row=row, column=index, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
    sheet.row_dimensions[row].height = 32


@dataclass(frozen=True)
class _Column:
    """One column of a block of rows in a tab: its 1-based index, its values from the block's first
    row down, and the number format and alignment every cell of it gets (None: left as it is)."""

    index: int
    values: Sequence[object]
    number_format: Optional[str] = None
    alignment: Optional[Alignment] = None


def _put_rows(sheet, first_row: int, columns: Sequence[_Column]) -> None:
    """Write a block of rows given column by column; every column has as many values as the block rows.

    collector.lossless's tab sheet takes the columns whole (a big tab is mostly such blocks). An
    openpyxl sheet gets them as they were always written: cell by cell, row after row, each row
    left to right in the order given, so openpyxl meets, and numbers, the styles in the same order.
    """
    put_rows = getattr(sheet, "put_rows", None)
    if put_rows is not None:
        put_rows(first_row, columns)
        return
    for offset in range(len(columns[0].values) if columns else 0):
        for column in columns:
            cell = sheet.cell(row=first_row + offset, column=column.index)
            _put(cell, column.values[offset])
            if column.alignment is not None:
                cell.alignment = column.alignment
            if column.number_format is not None:
                cell.number_format = column.number_format


def _print_setup(sheet, title_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{title_row}:{title_row}"


def _money_cell(cell, value) -> None:
    _put(cell, value)
    cell.number_format = MONEY_FORMAT


def _fill_aging(sheet, book: Book, assessment: Assessment) -> None:
    sheet["A1"] = f"Aging as of {assessment.as_of:%d %B %Y}".replace(" 0", " ")
    sheet["A1"].font = TITLE_FONT
    row = _kpi_block(sheet, assessment.totals, 3)
    labels = [label for label, _ in assessment.totals[0].buckets] if assessment.totals else ["Current"]
    titles = ["Customer", "Currency"] + labels + [CREDITS, "Total", "Oldest Days Overdue", "Stage", "Credit Status"]
    header_row = row + 1
    _header_cells(sheet, header_row, titles)
    lines = _aging_lines(assessment, labels)
    first = header_row + 1
    _put_rows(sheet, first, _aging_columns(lines, labels))
    last = first + len(lines) - 1
    totals_row = last + 2
    _aging_totals(sheet, assessment.totals, labels, first, last, totals_row)
    width = len(titles)
    if lines:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(width)}{last}"
        _aging_fills(sheet, labels, first, last)
    sheet.freeze_panes = f"B{header_row + 1}"
    # Stage fits "collections-referral" and its indent
    sizes = dict(enumerate([34, 9] + [13] * (len(labels) + 1) + [14, 12, 23, 14], start=1))
    for index, needed in _money_widths(assessment.totals, lines, labels).items():
        sizes[index] = max(sizes.get(index, 13), needed)
    for index, size in sorted(sizes.items()):
        sheet.column_dimensions[get_column_letter(index)].width = size
    _print_setup(sheet, header_row)
    _aging_chart(sheet, assessment.totals, labels, totals_row, header_row)


def _money_widths(totals: Sequence[Totals], lines: _AgingLines, labels: Sequence[str]) -> dict[int, int]:
    """How wide each money column of the Aging tab must be for its widest figure, by column.

    Excel shows a number too wide for its column as ####, and LibreOffice runs it into the
    next one: a total of 46,083,095.00 rupiah, pesos or yen needs more than the usual width.
    """
    amounts: dict[int, list[Decimal]] = {}
    total_column = 4 + len(labels)
    for offset, figures in enumerate(totals):  # the key figures, one column per currency
        amounts.setdefault(3 + offset, []).extend(
            (figures.receivables - figures.credits, figures.credits, figures.receivables, figures.overdue))
    for figures in totals:
        for index, (_, amount) in enumerate(figures.buckets):
            amounts.setdefault(3 + index, []).append(amount)
        amounts.setdefault(total_column - 1, []).append(figures.credits)
    for index, label in enumerate(labels):
        amounts.setdefault(3 + index, []).extend(filter(None, lines.buckets[label]))
    amounts.setdefault(total_column - 1, []).extend(filter(None, lines.open_credits))
    by_currency: dict[str, Decimal] = {}
    for currency, total in zip(lines.currencies, lines.totals):
        by_currency[currency] = by_currency.get(currency, Decimal(0)) + total
    amounts.setdefault(total_column, []).extend(lines.totals)
    amounts[total_column].extend(by_currency.values())
    # the widest figure is the largest or, with its minus sign, the most negative
    return {column: max(len(f"{max(values):,.2f}"), len(f"{min(values):,.2f}")) + 2
            for column, values in amounts.items() if values}


# The key figures above the Aging table. Invoices owed less open credits is the receivables, as each
# line's buckets plus credits is its total; the overdue share is of the invoices owed, so open credits
# never push it past 100%.
_KEY_FIGURES = (
    ("Invoices owed", "money", lambda figures: figures.receivables - figures.credits),
    ("Open credits", "money", attrgetter("credits")),
    ("Receivables (after credits)", "money", attrgetter("receivables")),
    ("Overdue", "money", attrgetter("overdue")),
    ("Overdue share (of invoices owed)", "percent", attrgetter("overdue_share")),
    ("DSO (days)", "days", attrgetter("dso")),
    ("Customers on credit hold", "count", attrgetter("customers_on_hold")),
)


def _kpi_block(sheet, totals: Sequence[Totals], row: int) -> int:
    """Key figures, one column per currency, under the wide first column so every figure fits."""
    _header_cells_at(sheet, row, 1, ["Key figures"])
    for offset, figures in enumerate(totals):
        cell = sheet.cell(row=row, column=3 + offset)
        _put(cell, figures.currency or "Amount")
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = RIGHT
    for index, (label, kind, figure) in enumerate(_KEY_FIGURES, start=1):
        sheet.cell(row=row + index, column=1, value=label)
        for offset, figures in enumerate(totals):
            cell = sheet.cell(row=row + index, column=3 + offset)
            value = figure(figures)
            if kind == "money":
                _money_cell(cell, value)
            elif kind == "percent":
                cell.value, cell.number_format = float(value / 100), "0.0%"
            elif kind == "days":
                _put(cell, float(value) if value is not None else "n/a")
                cell.alignment = RIGHT
            else:
                cell.value = value
    return row + len(_KEY_FIGURES) + 2


@dataclass(frozen=True)
class _AgingLines:
    """The Aging table column by column: one line per customer and currency owing anything."""

    names: list[str]
    currencies: list[str]
    buckets: dict[str, list[Optional[Decimal]]]  # label -> each line's amount in that bucket (None: nothing)
    open_credits: list[Decimal]  # each line's credit notes not yet used (zero or below), in no bucket
    totals: list[Decimal]  # buckets + open credits
    oldest: list[int]
    stages: list[str]
    credits: list[str]

    def __len__(self) -> int:
        return len(self.names)


_ACCOUNT_FACTS = attrgetter("customer.key", "customer.name", "stage", "credit_status")


def _aging_lines(assessment: Assessment, labels: Sequence[str]) -> _AgingLines:
    """The Aging table's lines, the largest balance first in each currency.

    One pass over the invoices (``aged_balances``), each read once for all its figures (at 100,000
    invoices, reading an invoice's fields costs more than adding them up); then the lines are made
    column by column."""
    kept = [(key, line) for key, line in aged_balances(assessment.invoices).items() if line.total or line.buckets]
    accounts = {key: facts for key, *facts in map(_ACCOUNT_FACTS, assessment.accounts)}  # each account read once
    owners = [accounts.get(customer) for (customer, _), _ in kept]  # [name, stage, credit status], or None
    names = [a[0] if a else line.first.invoice.customer for a, (_, line) in zip(owners, kept)]
    currencies = [currency for (_, currency), _ in kept]
    totals = [line.total for _, line in kept]
    sort_keys = list(zip(currencies, map(neg, totals), map(str.casefold, names)))
    order = sorted(range(len(kept)), key=sort_keys.__getitem__)

    def ordered(values: Sequence) -> list:
        return list(map(values.__getitem__, order))

    sums = ordered([line.buckets for _, line in kept])
    return _AgingLines(names=ordered(names), currencies=ordered(currencies),
                       buckets={label: [line.get(label) for line in sums] for label in labels},
                       open_credits=ordered([line.credits for _, line in kept]),
                       totals=ordered(totals), oldest=ordered([line.oldest for _, line in kept]),
                       stages=ordered([a[1] if a else "" for a in owners]),
                       credits=ordered([a[2] if a else "" for a in owners]))


def _aging_columns(lines: _AgingLines, labels: Sequence[str]) -> list[_Column]:
    """The aging table, column by column: customer, currency, each bucket, credits, total, oldest, stage,
    credit status."""
    total = 4 + len(labels)
    columns = [_Column(1, lines.names), _Column(2, lines.currencies)]
    for offset, label in enumerate(labels):  # an empty bucket is an empty cell, not a zero
        columns.append(_Column(3 + offset, [float(amount) if amount else None for amount in lines.buckets[label]],
                               MONEY_FORMAT))
    columns.append(_Column(total - 1, [float(amount) if amount else None for amount in lines.open_credits],
                           MONEY_FORMAT))
    return columns + [_Column(total, list(map(float, lines.totals)), MONEY_FORMAT),
                      _Column(total + 1, lines.oldest), _Column(total + 2, lines.stages, alignment=INDENTED),
                      _Column(total + 3, lines.credits)]


def _aging_totals(sheet, totals: Sequence[Totals], labels, first: int, last: int, row: int) -> None:
    """One totals row per currency, as SUMIF formulas so the sheet stays live when filtered or edited."""
    for offset, figures in enumerate(totals):
        r = row + offset
        cell = sheet.cell(row=r, column=1)
        _put(cell, f"Total {figures.currency}".strip())
        cell.font = TOTAL_FONT
        _put(sheet.cell(row=r, column=2), figures.currency)
        for i in range(len(labels) + 2):  # each bucket, the credits and the total
            letter = get_column_letter(3 + i)
            formula = f'=SUMIF($B${first}:$B${last},$B{r},{letter}${first}:{letter}${last})' if last >= first else "=0"
            total = sheet.cell(row=r, column=3 + i, value=formula)
            total.number_format, total.font = MONEY_FORMAT, TOTAL_FONT
            total.border = TOTAL_BORDER


def _aging_fills(sheet, labels: Sequence[str], first: int, last: int) -> None:
    """61–90 days in a warm fill and the last bucket in a hot one, so the old debts stand out."""
    for index, label in enumerate(labels):
        if index < len(labels) - 2:
            continue
        fill = HOT_FILL if index == len(labels) - 1 else WARM_FILL
        letter = get_column_letter(3 + index)
        sheet.conditional_formatting.add(f"{letter}{first}:{letter}{last}",
                                         CellIsRule(operator="greaterThan", formula=["0"], fill=fill))


def _aging_chart(sheet, totals: Sequence[Totals], labels, totals_row: int, header_row: int) -> None:
    """Bucket totals of the main currency (the largest receivables), under the table."""
    if not totals:
        return
    main = max(range(len(totals)), key=lambda i: totals[i].receivables)
    row = totals_row + main
    chart = BarChart()
    chart.type = "col"
    chart.title = "Receivables by age" + (f" ({totals[main].currency})" if totals[main].currency else "")
    chart.y_axis.numFmt = "#,##0"
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=3, max_col=2 + len(labels), min_row=row, max_row=row),
                   from_rows=True, titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=3, max_col=2 + len(labels), min_row=header_row, max_row=header_row))
    chart.height, chart.width = 7.5, 16
    sheet.add_chart(chart, f"A{totals_row + len(totals) + 2}")


# The Actions tab, left to right; the printed to-do list stops at "Why" (scripts print as the call sheet).
ACTION_COLUMNS = (
    ("#", 5), ("Done", 8), ("Customer", 28), ("Step", 19), ("Channel", 8), ("Invoices", 18),
    ("Amount to Ask", 13), ("Currency", 9), ("Contact", 18), ("Phone", 17), ("Why", 48),
    ("Email", 28), ("Documents", 24), ("Call Script", 60),
)
ACTION_WIDTHS = {title: width for title, width in ACTION_COLUMNS}
_A = {title: index for index, (title, _) in enumerate(ACTION_COLUMNS, start=1)}


def _fill_actions(sheet, assessment: Assessment, links: Mapping[str, Sequence[tuple[str, str]]],
                  call_scripts: Mapping[str, str], notes: Mapping[str, str]) -> None:
    sheet["A1"] = f"This week's actions, {assessment.as_of:%d %B %Y}".replace(" 0", " ")
    sheet["A1"].font = TITLE_FONT
    header_row = 3
    _header_cells(sheet, header_row, [title for title, _ in ACTION_COLUMNS])
    first = header_row + 1
    actions = assessment.actions
    keys = list(map(_CUSTOMER_KEY, actions))
    cells = _action_cells(actions, keys, call_scripts, notes)
    _put_rows(sheet, first, _action_columns(cells, len(actions)))
    if links:
        for row, key in enumerate(keys, start=first):
            documents = links.get(key, ())
            if documents:
                _link_documents(sheet.cell(row=row, column=_A["Documents"]), documents)
    _put_heights(sheet, first, [15 * max(invoices, why) for invoices, why in zip(
        _line_counts(cells["Invoices"], ACTION_WIDTHS["Invoices"]), _line_counts(cells["Why"], ACTION_WIDTHS["Why"]))])
    last = header_row + len(actions)
    if assessment.actions:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(ACTION_COLUMNS))}{last}"
        done = DataValidation(type="list", formula1='"Done,Skipped,Later"', allow_blank=True)
        sheet.add_data_validation(done)
        done.add(f"B{header_row + 1}:B{last}")
    else:
        sheet.cell(row=header_row + 1, column=_A["Customer"], value="Nothing to do this week.")
        last = header_row + 1
    _hold_block(sheet, assessment, last + 3)
    sheet.freeze_panes = f"D{header_row + 1}"
    for index, (title, width) in enumerate(ACTION_COLUMNS, start=1):
        if title in _FITTED:  # a long name or number would run into the next column
            width = max(width, min(_widest("text", cells[title]), _FITTED[title]) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    _print_setup(sheet, header_row)
    sheet.print_area = f"A1:{get_column_letter(_A['Why'])}{sheet.max_row}"


# What each action's row holds, left to right ("Done" is the owner's to fill; "Documents" links come apart).
_ACTION_CELLS = ("#", "Customer", "Step", "Channel", "Invoices", "Amount to Ask", "Currency", "Contact", "Phone",
                 "Why", "Email", "Call Script")
_WRAPPED = ("Invoices", "Why", "Call Script")
_FITTED = {"Customer": 40, "Step": 24, "Contact": 30, "Phone": 22}  # unwrapped columns as wide as their values, up to these


_CUSTOMER_KEY = attrgetter("customer.key")
_ACTION_FIELDS = attrgetter("step", "channel", "invoices", "amount", "reason",
                            "customer.name", "customer.contact_name", "customer.phone", "customer.email")


def _action_cells(actions: Sequence, keys: Sequence[str], call_scripts: Mapping[str, str],
                  notes: Mapping[str, str]) -> dict[str, list]:
    """The actions' cells column by column, by their titles in _ACTION_CELLS; ``keys`` are the actions'
    customers'. Each action is read once for all its fields (a big book has thousands)."""
    if not actions:
        return {title: [] for title in _ACTION_CELLS}
    steps, channels, invoices, amounts, reasons, names, contacts, phones, emails = map(
        list, zip(*map(_ACTION_FIELDS, actions)))
    asked = list(map(_asked, amounts))
    return {
        "#": list(range(1, len(actions) + 1)),
        "Customer": names,
        "Step": steps,
        "Channel": channels,
        "Invoices": list(map(", ".join, invoices)),
        "Amount to Ask": [amount for amount, _ in asked],
        "Currency": [currency for _, currency in asked],
        "Contact": contacts,
        "Phone": phones,
        "Why": [reason + f" {note}" if (note := notes.get(key)) else reason for reason, key in zip(reasons, keys)]
               if notes else reasons,
        "Email": emails,
        "Call Script": [call_scripts.get(key, "") for key in keys],
    }


def _asked(amount: Mapping[str, Decimal]) -> tuple[object, str]:
    """An action's Amount to Ask cell and its Currency cell: one currency's figure, or the figures listed."""
    if len(amount) == 1:  # one currency (most books): the general way below, without its lists
        (currency, figure), = amount.items()
        if not figure:
            return "", ""
        return (float(figure) if isinstance(figure, Decimal) else figure), currency
    figures = [(c, v) for c, v in amount.items() if v]
    if len(figures) == 1:
        currency, figure = figures[0]
        return (float(figure) if isinstance(figure, Decimal) else figure), currency
    return "; ".join(f"{c} {v:,.2f}" for c, v in figures), ""


def _action_columns(cells: Mapping[str, list], count: int) -> list[_Column]:
    """The actions' cells as a block's columns: top-aligned, long text wrapped, the amount as money; and
    the Documents column, empty until links are put in it."""
    columns = [_Column(_A[title], cells[title], MONEY_FORMAT if title == "Amount to Ask" else None,
                       TOP_WRAPPED if title in _WRAPPED else TOP_INDENTED if title == "Currency" else TOP)
               for title in _ACTION_CELLS]
    return columns + [_Column(_A["Documents"], [None] * count)]


def _line_counts(texts: Sequence[object], width: int) -> list[int]:
    """Roughly how many lines each wrapped cell needs, so rows are tall enough when printed."""
    per_line = max(1, int(width * 1.15))

    def paragraphs(text: str) -> int:
        return min(27, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))

    # one paragraph (most cells): the sum of paragraphs without the split
    return [(min(27, max(1, -(-len(text) // per_line))) if "\n" not in text else paragraphs(text))
            if isinstance(text, str) else 1 for text in texts]


def _put_heights(sheet, first_row: int, heights: Sequence[float]) -> None:
    """Set the heights of the rows from first_row down; collector.lossless's tab sheet takes them whole."""
    put_heights = getattr(sheet, "put_heights", None)
    if put_heights is not None:
        put_heights(first_row, heights)
        return
    for row, height in enumerate(heights, start=first_row):
        sheet.row_dimensions[row].height = height


def _link_documents(cell, documents: Sequence[tuple[str, str]]) -> None:
    """The first document is a clickable link; the others are listed by name beside it."""
    if not documents:
        return
    label, path = documents[0]
    cell.value = label if len(documents) == 1 else f"{label} (+{len(documents) - 1} more)"
    cell.data_type = "s"
    cell.hyperlink = path.replace(os.sep, "/")
    cell.style = "Hyperlink"
    if len(documents) > 1:
        cell.comment = Comment("\n".join(p for _, p in documents), COLLECTOR, width=300, height=120)


def _hold_block(sheet, assessment: Assessment, row: int) -> None:
    held = [a for a in assessment.accounts if a.credit_status == CASH_ONLY]
    title = sheet.cell(row=row, column=_A["Customer"], value="Customers on credit hold: cash only, do not ship on credit")
    title.font = HOLD_TITLE_FONT
    # The same columns as the actions above: customer, balance, sales rep, their email, why.
    placed = {_A["Customer"]: "Customer", _A["Amount to Ask"]: "Open Balance", _A["Currency"]: "Currency",
              _A["Contact"]: "Sales Rep", _A["Phone"]: "", _A["Why"]: "Why", _A["Email"]: "Sales Rep Email"}
    for column, text in placed.items():
        _header_cells_at(sheet, row + 1, column, [text])
    if not held:
        sheet.cell(row=row + 2, column=_A["Customer"], value="None this week.")
        return
    held.sort(key=lambda a: a.customer.name.casefold())
    first = row + 2
    _put_rows(sheet, first, _held_columns(held))
    _put_heights(sheet, first, [15 * lines for lines in _line_counts([account.credit_reason for account in held],
                                                                      ACTION_WIDTHS["Why"])])


def _held_columns(held: Sequence) -> list[_Column]:
    """The accounts on hold as columns under the actions': customer, balance, sales rep, their email, why."""
    balances = []
    for account in held:
        amounts = [(c, v) for c, v in account.open_total.items() if v]
        currency, balance = amounts[0] if len(amounts) == 1 else ("", "; ".join(f"{c} {v:,.2f}" for c, v in amounts))
        balances.append((float(balance) if isinstance(balance, Decimal) else balance, currency))
    return [_Column(_A["Customer"], [account.customer.name for account in held]),
            _Column(_A["Amount to Ask"], [balance for balance, _ in balances], MONEY_FORMAT),
            _Column(_A["Currency"], [currency for _, currency in balances]),
            _Column(_A["Contact"], [account.customer.sales_rep for account in held]),
            _Column(_A["Email"], [account.customer.sales_rep_email for account in held]),
            _Column(_A["Why"], [account.credit_reason for account in held], alignment=TOP_WRAPPED)]


def _header_cells_at(sheet, row: int, first_column: int, titles: Sequence[str]) -> None:
    for index, title in enumerate(titles):
        cell = sheet.cell(row=row, column=first_column + index, value=title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL


# --- history ------------------------------------------------------------------------------

# Open Credits comes last so rows written before it was added still read right: the buckets plus the
# open credits make the receivables.
HISTORY_TITLES = ("Run Date", "Currency", "Receivables", "Overdue", "Overdue Share", "Current",
                  "1-30", "31-60", "61-90", "90+", "DSO (days)", "Customers on Hold", "Open Credits")


def _history_rows(workbook, assessment: Assessment) -> list[list[object]]:
    """Earlier runs' rows (other dates) plus this run's, in date order."""
    kept = []
    if HISTORY in workbook.sheetnames:
        for values in workbook[HISTORY].iter_rows(min_row=2, values_only=True):
            day = values[0] if values else None
            if isinstance(day, dt.datetime):
                day = day.date()
            if isinstance(day, dt.date) and day != assessment.as_of:
                kept.append([day] + list(values[1:len(HISTORY_TITLES)]))
    for figures in assessment.totals:
        buckets = [amount for _, amount in figures.buckets][:5]
        buckets += [None] * (5 - len(buckets))
        kept.append([assessment.as_of, figures.currency, figures.receivables, figures.overdue,
                     figures.overdue_share / 100, *buckets, figures.dso, figures.customers_on_hold, figures.credits])
    return sorted(kept, key=lambda r: (r[0], str(r[1] or "")))


def _fill_history(sheet, rows: list[list[object]]) -> None:
    _header_cells(sheet, 1, HISTORY_TITLES)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            _put(cell, float(value) if isinstance(value, Decimal) else value)
            if c == 1:
                cell.number_format = DATE_FORMAT
            elif c == 5:
                cell.number_format = "0.0%"
            elif c in (3, 4, 6, 7, 8, 9, 10, 13):
                cell.number_format = MONEY_FORMAT
    sheet.freeze_panes = "B2"
    for index in range(1, len(HISTORY_TITLES) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 13
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(HISTORY_TITLES))}{len(rows) + 1}"
        _history_chart(sheet, rows)


def _history_chart(sheet, rows: list[list[object]]) -> None:
    """Overdue and total receivables over time, for the main currency (the first row's)."""
    chart = LineChart()
    chart.title = "Receivables and overdue over time" + (f" ({rows[-1][1]})" if rows[-1][1] else "")
    chart.y_axis.numFmt = "#,##0"
    chart.x_axis.number_format = "dd mmm"
    main = rows[-1][1]
    positions = [i + 2 for i, r in enumerate(rows) if r[1] == main]
    if len(positions) != positions[-1] - positions[0] + 1:
        return  # several currencies interleaved: the table is the trend; a chart would mix them
    first, last = positions[0], positions[-1]
    chart.add_data(Reference(sheet, min_col=3, max_col=4, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 7.5, 18
    sheet.add_chart(chart, f"{get_column_letter(len(HISTORY_TITLES) + 2)}2")
