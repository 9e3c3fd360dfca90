"""The starter workbook `collector init` writes.

A first-time owner should not have to guess which sheets and headers collector
understands. This module writes a workbook holding every sheet collector reads,
with the canonical headers from `collector.header`, a few example rows that
show how to type things, and the formatting a person would set up by hand:
date and money formats on whole columns, drop-down lists, filters and a frozen
header row.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from typing import Optional

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from collector import header

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
DATE_FIELDS = frozenset({"invoice_date", "due_date", "paid_date", "promised_date", "instalment_date"})
MONEY_FIELDS = frozenset({"amount", "paid", "credit_limit", "promised_amount"})
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
VALIDATED_ROWS = 1000  # drop-down lists cover this many rows below the header

STATUSES = ("Open", "Partly paid", "Paid", "Disputed", "On hold", "Written off")
CHANNELS = ("email", "letter", "call", "visit", "note", "dispute")
LANGUAGES = ("en", "fr", "ro", "el", "id", "tl")
PAPER_SIZES = ("A4", "Letter")
SETTING_CHOICES = {"language": LANGUAGES, "paper_size": PAPER_SIZES}

INVOICE_FIELDS = ("customer", "invoice_no", "invoice_date", "due_date", "terms", "amount", "paid",
                  "paid_date", "status", "currency", "notes")
CUSTOMER_FIELDS = ("customer", "contact_name", "email", "phone", "address", "address2", "city",
                   "postcode", "country", "language", "terms", "credit_limit", "sales_rep",
                   "sales_rep_email", "account_manager", "account_manager_email", "credit_status")
CONTACT_LOG_FIELDS = (header.CONTACT_LOG_DATE, "customer", "invoice_no", "channel", "step", "notes",
                      "promised_date", "promised_amount", "by")
PAYMENT_PLAN_FIELDS = ("customer", "instalment_date", "amount")

# SPEC §1 names the Contact Log's columns "Date" and "Note"; the field's own
# display name ("Invoice Date", "Notes") would mislead there.
HEADER_OVERRIDES = {("contact_log", header.CONTACT_LOG_DATE): "Date", ("contact_log", "notes"): "Note"}

SETTING_DEFAULTS: dict[str, object] = {
    "language": "en", "default_terms": "Net 30", "late_interest": 0, "grace_days": 0,
    "aging_buckets": "30, 60, 90", "min_days_between_contacts": 7,
}
SETTING_HELP = {
    "company_name": "Your business name, as it should appear on letters and emails.",
    "address": "Your postal address for the letterhead; press Alt+Enter for a new line.",
    "phone": "The phone number customers should call about their account.",
    "email": "The email address replies should go to.",
    "signature": "Who signs the letters, e.g. 'Jane Porter, Accounts'.",
    "payment_instructions": "How to pay you: bank name, sort code / IBAN, account number, reference.",
    "currency": "Your usual currency code (GBP, EUR, USD...); blank means no currency is shown.",
    "language": "Language of letters when a customer has none: en, fr, ro, el, id or tl.",
    "paper_size": "A4 or Letter; leave blank to use this computer's usual paper.",
    "default_terms": "Payment terms for invoices with no terms of their own, e.g. Net 30.",
    "late_interest": "Late interest in % per month (e.g. 1.5); 0 means no interest is charged.",
    "grace_days": "Days after the due date before interest starts.",
    "aging_buckets": "Where the overdue columns split, in days.",
    "min_days_between_contacts": "The fewest days between two reminders to the same customer.",
    "output_folder": "Where letters and emails are saved; blank means a folder beside this file.",
    "date_order": "DMY or MDY, only if collector mistakes typed dates like 04/03/2026.",
}

READ_ME = (
    "How to use this workbook with collector",
    "1. Invoices: one row per invoice. Customer, Invoice Date and Amount are enough to start.",
    "    Add Due Date or Terms, and what has been Paid, when you know them.",
    "2. Customers: contact details, language, terms, credit limit. Names must match the Invoices sheet.",
    "3. Settings: your details and payment instructions go on every letter. Click a Value for help.",
    "4. Contact Log: note calls and promises to pay; collector adds a row for each letter and email.",
    "5. Payment Plans: when a customer pays in instalments, one row per instalment.",
    "The example rows show how to type dates and amounts: delete them when you add your own.",
    "Each run adds Aging, Actions and History tabs, and computed columns to the right of Invoices.",
    "collector keeps a backup copy of this file before it changes anything.",
)


def write_starter(path: str, today: Optional[dt.date] = None) -> None:
    """Write a new starter workbook at path; never overwrite an existing file."""
    _check_target(path)
    workbook = build_starter(today or dt.date.today())
    _save_atomically(workbook, path)


def build_starter(today: dt.date) -> Workbook:
    """The starter workbook, in memory; example dates are relative to today."""
    workbook = Workbook()
    _add_read_me(workbook.active)
    _add_invoices(workbook.create_sheet(_sheet_name("invoices")), today)
    _add_customers(workbook.create_sheet(_sheet_name("customers")))
    _add_contact_log(workbook.create_sheet(_sheet_name("contact_log")), today)
    _add_table(workbook.create_sheet(_sheet_name("payment_plans")), "payment_plans", PAYMENT_PLAN_FIELDS, [])
    _add_settings(workbook.create_sheet(_sheet_name("settings")))
    return workbook


def column_header(kind: str, field_name: str) -> str:
    """The header the starter writes for a field on a sheet of this kind."""
    return HEADER_OVERRIDES.get((kind, field_name), header.display_name(field_name))


def _sheet_name(kind: str) -> str:
    return header.SHEET_NAMES[kind][0]


def _check_target(path: str) -> None:
    name = os.path.basename(path) or path
    if os.path.lexists(path):
        raise FileExistsError(f"{name} already exists; collector will not overwrite it. Choose another name.")
    if not path.lower().endswith(".xlsx"):
        raise ValueError(f"collector writes Excel workbooks; give the new file a name ending in .xlsx, "
                         f"such as {os.path.splitext(name)[0] or 'receivables'}.xlsx.")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"The folder {folder} does not exist; create it first or choose another place.")


def _save_atomically(workbook: Workbook, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temp_path = tempfile.mkstemp(prefix=".collector-", suffix=".xlsx", dir=folder)
    except PermissionError:
        raise PermissionError(f"collector is not allowed to create files in {folder}; "
                              "choose a folder you can save in.") from None
    os.close(handle)
    try:
        workbook.save(temp_path)
        os.chmod(temp_path, 0o666 & ~_umask())  # mkstemp makes it private; a new file should not be
        if os.path.lexists(path):  # appeared while we were writing
            raise FileExistsError(f"{os.path.basename(path)} already exists; collector will not "
                                  "overwrite it. Choose another name.")
        os.replace(temp_path, path)
    finally:
        if os.path.exists(temp_path):
            os.remove(temp_path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- sheets ---------------------------------------------------------------------------------


def _add_read_me(sheet: Worksheet) -> None:
    sheet.title = "Read me"
    for row, line in enumerate(READ_ME, start=1):
        sheet.cell(row=row, column=1, value=line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = max(len(line) for line in READ_ME) + 4
    _fit_to_page_width(sheet)


def _add_invoices(sheet: Worksheet, today: dt.date) -> None:
    rows = [
        ["Example Ltd", "INV-0001", today - dt.timedelta(days=40), None, "Net 30", 1200.00, None,
         None, "Open", None, "Example row: delete it when you add your own invoices."],
        ["Sample Trading Co", "INV-0002", today - dt.timedelta(days=20), today + dt.timedelta(days=10),
         "Net 30", 850.50, 300.00, today - dt.timedelta(days=5), "Partly paid", None,
         "Example of a part payment: collector works out the balance."],
    ]
    _add_table(sheet, "invoices", INVOICE_FIELDS, rows)
    _add_list(sheet, INVOICE_FIELDS.index("status"), STATUSES, "Status")


def _add_customers(sheet: Worksheet) -> None:
    rows = [
        ["Example Ltd", "Alex Example", "accounts@example.com", "01234 567890", "1 High Street", None,
         "Exampleton", "EX1 2AB", "United Kingdom", "en", "Net 30", 5000.00, "Sam Seller",
         "sam@example.org", "Pat Manager", "pat@example.org", None],
        ["Sample Trading Co", "Maria Sample", "maria@example.net", "01234 987654", "Unit 5, Mill Lane",
         "Riverside Park", "Sampleford", "SA3 4CD", "United Kingdom", "en", "Net 30", None, "Sam Seller",
         "sam@example.org", None, None, None],
    ]
    _add_table(sheet, "customers", CUSTOMER_FIELDS, rows)
    _add_list(sheet, CUSTOMER_FIELDS.index("language"), LANGUAGES, "Language")


def _add_contact_log(sheet: Worksheet, today: dt.date) -> None:
    rows = [[today - dt.timedelta(days=3), "Sample Trading Co", "INV-0002", "call", None,
             "Example: spoke to Maria, she will pay the rest by Friday.", today + dt.timedelta(days=4),
             550.50, "Owner"]]
    _add_table(sheet, "contact_log", CONTACT_LOG_FIELDS, rows)
    _add_list(sheet, CONTACT_LOG_FIELDS.index("channel"), CHANNELS, "Channel")


def _add_settings(sheet: Worksheet) -> None:
    """Setting | Value rows; what each setting means shows as a tip when its Value cell is selected.

    The explanation is a tip rather than a third column because a reader of
    Setting/Value pairs takes the next filled cell as the value: a help text
    beside a blank value would become the value.
    """
    _write_header(sheet, [header.display_name("setting"), header.display_name("value")])
    for row, name in enumerate(header.SETTINGS, start=2):
        title = header.SETTINGS[name][0]
        sheet.cell(row=row, column=1, value=title)
        value = sheet.cell(row=row, column=2, value=SETTING_DEFAULTS.get(name))
        value.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        _add_tip(sheet, f"B{row}", title, SETTING_HELP[name], SETTING_CHOICES.get(name, ()))
    sheet.column_dimensions["A"].width = max(len(names[0]) for names in header.SETTINGS.values()) + 3
    sheet.column_dimensions["B"].width = 50
    sheet.freeze_panes = "A2"
    _fit_to_page_width(sheet)


# --- table building blocks -------------------------------------------------------------------


def _add_table(sheet: Worksheet, kind: str, fields: tuple[str, ...], rows: list[list[object]]) -> None:
    """Header, example rows, whole-column formats, widths, filter and frozen header."""
    titles = [column_header(kind, field_name) for field_name in fields]
    _write_header(sheet, titles)
    for row_number, values in enumerate(rows, start=2):
        for column, (field_name, value) in enumerate(zip(fields, values), start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if _number_format(field_name):
                cell.number_format = _number_format(field_name)
    for column, field_name in enumerate(fields, start=1):
        letter = get_column_letter(column)
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(titles[column - 1], [values[column - 1] for values in rows], field_name)
        if _number_format(field_name):
            # A column style, not 1000 empty styled cells: whatever the owner types later in the
            # column shows as a date or money, and the sheet's used range stays the real data.
            dimension.number_format = _number_format(field_name)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{max(1, len(rows) + 1)}"
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _fit_to_page_width(sheet, landscape=True)


def _fit_to_page_width(sheet: Worksheet, landscape: bool = False) -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _write_header(sheet: Worksheet, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL


def _number_format(field_name: str) -> str:
    if field_name in DATE_FIELDS:
        return DATE_FORMAT
    if field_name in MONEY_FIELDS:
        return MONEY_FORMAT
    return ""


def _width(title: str, values: list[object], field_name: str) -> float:
    if field_name in DATE_FIELDS:
        longest = len("2026-12-31")
    elif field_name in MONEY_FIELDS:
        longest = len("1,234,567.00")
    else:
        longest = max([len(str(v)) for v in values if v is not None] or [0])
    return min(max(len(title), longest) + 3, 60)


def _add_list(sheet: Worksheet, column_index: int, choices: tuple[str, ...], title: str) -> None:
    letter = get_column_letter(column_index + 1)
    _add_tip(sheet, f"{letter}2:{letter}{VALIDATED_ROWS + 1}", title,
             "Choose from the list: " + ", ".join(choices) + ".", choices)


def _add_tip(sheet: Worksheet, cells: str, title: str, tip: str, choices: tuple[str, ...] = ()) -> None:
    """A tip shown when the cells are selected and, given choices, a drop-down list."""
    validation = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title[:32], prompt=tip)
    if choices:
        # A warning, not a stop: the owner may have a good reason to type something else.
        validation.type = "list"
        validation.formula1 = '"' + ",".join(choices) + '"'
        validation.showErrorMessage = True
        validation.errorStyle = "warning"
        validation.errorTitle = title[:32]
        validation.error = f"collector understands: {', '.join(choices)}."
    validation.add(cells)
    sheet.add_data_validation(validation)
