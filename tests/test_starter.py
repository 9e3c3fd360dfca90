"""The starter workbook `collector init` writes: sheets, headers, formatting, refusal to overwrite."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
import python_calamine

from collector import header
from collector.reader import read_book
from collector.starter import CONTACT_LOG_FIELDS, CUSTOMER_FIELDS, INVOICE_FIELDS, PAYMENT_PLAN_FIELDS, write_starter

TODAY = dt.date(2026, 11, 23)
TABLES = {"invoices": INVOICE_FIELDS, "customers": CUSTOMER_FIELDS, "contact_log": CONTACT_LOG_FIELDS,
          "payment_plans": PAYMENT_PLAN_FIELDS}


@pytest.fixture
def starter(tmp_path):
    path = tmp_path / "NEW.xlsx"
    write_starter(str(path), today=TODAY)
    return path


def headers(sheet) -> list[object]:
    return [cell.value for cell in sheet[1]]


def test_starter_has_read_me_first_then_every_sheet_collector_reads(starter):
    workbook = openpyxl.load_workbook(starter)
    assert workbook.sheetnames == ["Read me", "Invoices", "Customers", "Contact Log", "Payment Plans", "Settings"]
    assert [header.sheet_kind(name) for name in workbook.sheetnames[1:]] == [
        "invoices", "customers", "contact_log", "payment_plans", "settings"]


def test_invoice_and_customer_headers_are_collectors_canonical_names(starter):
    workbook = openpyxl.load_workbook(starter)
    assert headers(workbook["Invoices"]) == [header.display_name(f) for f in INVOICE_FIELDS]
    assert headers(workbook["Invoices"]) == ["Customer", "Invoice No", "Invoice Date", "Due Date", "Terms",
                                             "Amount", "Paid", "Paid Date", "Status", "Currency", "Notes"]
    assert headers(workbook["Customers"]) == [header.display_name(f) for f in CUSTOMER_FIELDS]
    assert headers(workbook["Payment Plans"]) == ["Customer", "Instalment Date", "Amount"]


def test_invoice_sheet_leaves_balance_to_collector(starter):
    assert header.display_name("balance") not in headers(openpyxl.load_workbook(starter)["Invoices"])


def test_contact_log_headers_are_the_ones_spec_names(starter):
    assert headers(openpyxl.load_workbook(starter)["Contact Log"]) == [
        "Date", "Customer", "Invoice No", "Channel", "Step", "Note", "Promised Date", "Promised Amount", "By"]


def test_settings_list_every_setting_by_its_canonical_name_with_defaults(starter):
    sheet = openpyxl.load_workbook(starter)["Settings"]
    assert headers(sheet) == [header.display_name("setting"), header.display_name("value")]
    rows = [(row[0].value, row[1].value) for row in sheet.iter_rows(min_row=2)]
    assert [name for name, _ in rows] == [names[0] for names in header.SETTINGS.values()]
    values = dict(rows)
    assert values["Language"] == "en"
    assert values["Default Terms"] == "Net 30"
    assert values["Aging Buckets"] == "30, 60, 90"
    assert values["Minimum Days Between Contacts"] == 7
    assert values["Company Name"] is None and values["Output Folder"] is None


def test_every_setting_value_cell_explains_itself_when_selected(starter):
    sheet = openpyxl.load_workbook(starter)["Settings"]
    tips = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    for row in range(2, sheet.max_row + 1):
        assert tips[f"B{row}"].prompt, sheet.cell(row=row, column=1).value
    language_row = [c.value for c in sheet["A"]].index("Language") + 1
    assert tips[f"B{language_row}"].formula1 == '"en,fr,ro,el,id,tl"'


def test_collector_reads_the_starter_settings_as_the_defaults_and_finds_no_problem(starter):
    book = read_book(str(starter))
    assert book.problems == ()
    settings = book.settings
    assert (settings.company_name, settings.currency, settings.output_folder, settings.paper_size) == ("", "", "", "")
    assert settings.default_terms == "Net 30"
    assert settings.aging_buckets == (30, 60, 90)
    assert settings.min_days_between_contacts == 7
    assert settings.late_interest == 0


def test_example_rows_read_back_as_one_open_and_one_partly_paid_invoice_with_a_promise(starter):
    book = read_book(str(starter))
    first, second = book.invoices
    assert (first.customer, first.amount, first.paid) == ("Example Ltd", Decimal("1200.00"), None)
    assert (second.customer, second.amount, second.paid) == ("Sample Trading Co", Decimal("850.50"), Decimal("300.00"))
    assert second.paid_date == TODAY - dt.timedelta(days=5)
    [call] = book.contact_log
    assert (call.channel, call.promised_date, call.promised_amount) == ("call", TODAY + dt.timedelta(days=4),
                                                                        Decimal("550.50"))
    assert {c.name for c in book.customers} == {"Example Ltd", "Sample Trading Co"}


def test_tables_have_frozen_bold_filtered_headers(starter):
    workbook = openpyxl.load_workbook(starter)
    for name in ("Invoices", "Customers", "Contact Log", "Payment Plans"):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref.startswith("A1:"), name
        assert all(cell.font.bold for cell in sheet[1]), name
    assert workbook["Settings"].freeze_panes == "A2"


def test_date_and_money_columns_are_formatted_for_rows_still_to_be_typed(starter):
    sheet = openpyxl.load_workbook(starter)["Invoices"]
    assert sheet.column_dimensions["C"].number_format == "yyyy-mm-dd"  # Invoice Date
    assert sheet.column_dimensions["F"].number_format == "#,##0.00"  # Amount
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["F3"].number_format == "#,##0.00"
    assert sheet.max_row == 3  # formats live on the column: no empty styled rows for collector to trip on


def test_status_and_channel_columns_offer_drop_down_lists(starter):
    workbook = openpyxl.load_workbook(starter)
    status = [v for v in workbook["Invoices"].data_validations.dataValidation if v.type == "list"]
    assert [(str(v.sqref), v.formula1) for v in status] == [
        ("I2:I1001", '"Open,Partly paid,Paid,Disputed,On hold,Written off"')]
    channel = [v for v in workbook["Contact Log"].data_validations.dataValidation if v.type == "list"]
    assert [(str(v.sqref), v.formula1) for v in channel] == [("D2:D1001", '"email,letter,call,visit,note,dispute"')]


def test_every_header_maps_to_its_own_field_when_read_with_calamine(starter):
    workbook = python_calamine.CalamineWorkbook.from_path(str(starter))
    for kind, fields in TABLES.items():
        name = header.SHEET_NAMES[kind][0]
        titles = workbook.get_sheet_by_name(name).to_python()[0]
        assert header.sheet_kind(name) == kind
        assert [header.field_for(title, kind)[0] for title in titles] == list(fields), name


def test_every_setting_name_maps_to_its_setting_when_read_with_calamine(starter):
    rows = python_calamine.CalamineWorkbook.from_path(str(starter)).get_sheet_by_name("Settings").to_python()
    assert [header.field_for(title, "settings")[0] for title in rows[0]] == ["setting", "value"]
    assert [header.setting_for(row[0]) for row in rows[1:]] == list(header.SETTINGS)


def test_refuses_to_overwrite_an_existing_file_and_leaves_it_untouched(tmp_path):
    path = tmp_path / "NEW.xlsx"
    path.write_bytes(b"the owner's own workbook")
    with pytest.raises(FileExistsError) as error:
        write_starter(str(path))
    assert str(error.value) == "NEW.xlsx already exists; collector will not overwrite it. Choose another name."
    assert path.read_bytes() == b"the owner's own workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["NEW.xlsx"]


def test_a_name_without_xlsx_is_refused_with_the_name_to_use(tmp_path):
    with pytest.raises(ValueError, match=r"ending in \.xlsx, such as receivables\.xlsx"):
        write_starter(str(tmp_path / "receivables.txt"))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named_in_a_plain_sentence(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        write_starter(str(tmp_path / "nowhere" / "NEW.xlsx"))


def test_no_temporary_file_is_left_beside_the_new_workbook(tmp_path):
    write_starter(str(tmp_path / "NEW.xlsx"))
    assert [p.name for p in tmp_path.iterdir()] == ["NEW.xlsx"]
