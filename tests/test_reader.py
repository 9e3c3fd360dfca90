"""The reader on small workbooks written the way owners write them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from collector.reader import ReadError, read_book
from collector.source import WorkbookError
from tests.workbooks import write_xlsx

D = dt.date


def read(tmp_path, sheets, locale="en_GB", **options):
    return read_book(str(write_xlsx(tmp_path / "book.xlsx", sheets, **options)), locale=locale)


def test_header_found_below_title_logo_and_blank_rows_in_any_column_order(tmp_path):
    book = read(tmp_path, {"Receivables": [
        ["Acme Trading — receivables"], [], ["Printed monthly", None, "v2"], [],
        ["Amount", "Notes", "Client / Company", "Something Else", "Inv No", "Invoice Date"],
        [100.5, "first", "Bolt Ltd", "x", "A-1", D(2026, 1, 5)],
    ]})
    layout = book.layouts[0]
    assert layout.header_row == 5
    assert {c.field: c.letter for c in layout.columns} == {
        "amount": "A", "notes": "B", "customer": "C", "invoice_no": "E", "invoice_date": "F"}
    invoice = book.invoices[0]
    assert (invoice.customer, invoice.number, invoice.amount, invoice.invoice_date) == (
        "Bolt Ltd", "A-1", Decimal("100.50"), D(2026, 1, 5))


@pytest.mark.parametrize("headers", [
    ["Client", "N° facture", "Date de facture", "Échéance", "Montant TTC", "Payé"],  # French
    ["Cliente", "Número de factura", "Fecha de emisión", "Fecha de vencimiento", "Importe", "Pagado"],  # Spanish
    ["Nome do cliente", "Número da fatura", "Data de emissão", "Data de vencimento", "Valor", "Valor pago"],
    ["Client", "Nr factură", "Data facturii", "Scadență", "Total factură", "Încasat"],  # Romanian
    ["Πελάτης", "Αριθμός τιμολογίου", "Ημερομηνία έκδοσης", "Ημερομηνία λήξης", "Ποσό", "Πληρώθηκε"],
    ["Pelanggan", "Nomor Faktur", "Tanggal Faktur", "Jatuh Tempo", "Jumlah", "Dibayar"],  # Indonesian
    ["Kliyente", "Numero ng Invoice", "Petsa ng Invoice", "Takdang Petsa", "Halaga", "Nabayaran"],  # Tagalog
    ["  CUSTOMER NAME ", "invoice#", "INVOICE-DATE", "due_date", "Total (₹)", "amount paid"],
])
def test_headers_are_matched_in_every_language_ignoring_case_spacing_punctuation(tmp_path, headers):
    book = read(tmp_path, {"Sheet1": [headers, ["Zed SA", "F-9", D(2026, 2, 1), D(2026, 3, 3), 500, 120.25]]})
    mapping = {c.field: c.letter for c in book.layouts[0].columns}
    assert mapping == {"customer": "A", "invoice_no": "B", "invoice_date": "C", "due_date": "D",
                       "amount": "E", "paid": "F"}
    assert book.invoices[0].paid == Decimal("120.25")


def test_sheet_found_by_foreign_name_among_other_sheets(tmp_path):
    book = read(tmp_path, {
        "Notes": [["just words"]],
        "Τιμολόγια": [["Πελάτης", "Ποσό", "Ημερομηνία"], ["Άλφα ΑΕ", 10, D(2026, 1, 1)]],
    })
    assert book.layouts[0].name == "Τιμολόγια" and book.invoices[0].customer == "Άλφα ΑΕ"


def test_ambiguous_date_column_is_decided_once_from_its_data(tmp_path):
    book = read(tmp_path, {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Amount"],
        ["A", "1", "03/04/2026", 1], ["B", "2", "11/02/2026", 2], ["C", "3", "26/04/2023", 3],
    ]}, locale="en_US")
    assert [i.invoice_date for i in book.invoices] == [D(2026, 4, 3), D(2026, 2, 11), D(2023, 4, 26)]
    assert not book.problems


def test_month_first_column_is_read_month_first_even_in_a_day_first_locale(tmp_path):
    book = read(tmp_path, {"Invoices": [
        ["Customer", "Invoice Date", "Amount"], ["A", "03/04/2026", 1], ["B", "12/31/2025", 2],
    ]}, locale="fr_FR")
    assert [i.invoice_date for i in book.invoices] == [D(2026, 3, 4), D(2025, 12, 31)]


def test_undecidable_date_column_follows_settings_date_order_and_says_so_otherwise(tmp_path):
    rows = [["Customer", "Invoice No", "Invoice Date", "Amount"], ["A", "1", "03/04/2026", 1]]
    book = read(tmp_path, {"Invoices": rows, "Settings": [["Date Order", "MDY"]]})
    assert book.invoices[0].invoice_date == D(2026, 3, 4) and not book.problems
    book = read(tmp_path, {"Invoices": rows}, locale="en_GB")
    assert book.invoices[0].invoice_date == D(2026, 4, 3)
    [problem] = book.problems
    assert (problem.sheet, problem.cell, problem.severity) == ("Invoices", "C", "warning")
    assert "day-first" in problem.message and "Date Order" in problem.fix


def test_serial_numbers_in_a_general_column_use_the_workbook_date_system(tmp_path):
    rows = [["Customer", "Invoice Date", "Amount"], ["A", 45000, 1]]
    assert read(tmp_path, {"Invoices": rows}).invoices[0].invoice_date == D(2023, 3, 15)
    assert read(tmp_path, {"Invoices": rows}, date1904=True).invoices[0].invoice_date == D(2027, 3, 16)


def test_real_dates_in_a_1904_workbook_keep_their_calendar_date(tmp_path):
    rows = [["Customer", "Invoice Date", "Amount"], ["A", D(2026, 3, 4), 1]]
    assert read(tmp_path, {"Invoices": rows}, date1904=True).invoices[0].invoice_date == D(2026, 3, 4)


@pytest.mark.parametrize("typed,expected", [
    ("$1,234.50", "1234.50"), ("1.234,50 €", "1234.50"), ("(120.00)", "-120.00"), ("£ 99", "99.00"),
    (1040.7699999999999, "1040.77"), (12, "12.00"), ("RM 1,200.00", "1200.00"),
])
def test_money_typed_as_numbers_or_text_is_exact_to_the_cent(tmp_path, typed, expected):
    book = read(tmp_path, {"Invoices": [["Customer", "Date", "Amount"], ["A", D(2026, 1, 1), typed]]})
    assert book.invoices[0].amount == Decimal(expected)


def test_blank_total_subtotal_and_note_rows_are_skipped(tmp_path):
    book = read(tmp_path, {"Invoices": [
        ["Customer", "Invoice No", "Date", "Amount"],
        ["Acme", "1", D(2026, 1, 1), 100], [None, None, None, None], ["Bolt", "2", D(2026, 1, 2), 50],
        ["Subtotal", None, None, 150], [], ["Note: prices include VAT"], ["TOTAL", None, None, 150],
        [None, None, None, None, "side note"],
    ]})
    assert [i.number for i in book.invoices] == ["1", "2"] and not book.problems


def test_customer_named_total_something_with_an_invoice_number_is_kept(tmp_path):
    book = read(tmp_path, {"Invoices": [["Customer", "Invoice No", "Date", "Amount"],
                                        ["Total Solutions Ltd", "7", D(2026, 1, 1), 100]]})
    assert [i.customer for i in book.invoices] == ["Total Solutions Ltd"]


def test_unknown_columns_are_kept_out_of_the_records_and_not_reported(tmp_path):
    book = read(tmp_path, {"Invoices": [["Customer", "Invoice No", "Date", "Amount", "PO Ref", "Colour"],
                                        ["A", "1", D(2026, 1, 1), 1, "PO-1", "red"]]})
    assert len(book.invoices) == 1 and not book.problems


def test_same_header_twice_uses_the_first_and_says_so(tmp_path):
    book = read(tmp_path, {"Invoices": [["Customer", "Ref", "Date", "Amount", "Amount"], ["A", "1", D(2026, 1, 1), 5, 7]]})
    assert book.invoices[0].amount == Decimal("5.00")
    [problem] = book.problems
    assert (problem.cell, problem.severity) == ("E1", "warning") and "column D" in problem.message


def test_customers_sheet_joins_by_code_and_shows_the_name(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer ID", "Invoice No", "Date", "Amount"], ["C-7", "1", D(2026, 1, 1), 10]],
        "Customers": [["Customer Code", "Customer Name", "Email", "Language"], ["C-7", "Bolt Ltd", "a@b.fr", "French"]],
    })
    invoice = book.invoices[0]
    assert (invoice.customer, invoice.customer_key) == ("Bolt Ltd", "C-7")
    assert book.customer("C-7").language == "fr"


def test_customers_sheet_joins_by_name_ignoring_case_and_spacing(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Date", "Amount"], ["  bolt   ltd", D(2026, 1, 1), 10]],
        "Customers": [["Customer", "Email"], ["Bolt Ltd", "pay@bolt.test"]],
    })
    assert book.invoices[0].customer == "Bolt Ltd" and book.customer("Bolt Ltd").email == "pay@bolt.test"
    assert len(book.customers) == 1


def test_tracker_without_numbers_names_invoices_by_date(tmp_path):
    book = read(tmp_path, {"Sheet1": [["Customer", "Invoice Date", "Amount", "Notes"],
                                      ["A", D(2026, 1, 5), 10, ""], ["A", D(2026, 1, 5), 20, ""],
                                      ["B", D(2026, 1, 5), 30, ""]]})
    assert [i.number for i in book.invoices] == ["2026-01-05", "2026-01-05 (2)", "2026-01-05"]
    assert [p.severity for p in book.problems] == ["warning"]


def test_bad_cells_become_problems_naming_sheet_cell_and_value_and_good_rows_still_read(tmp_path):
    book = read(tmp_path, {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Amount"],
        ["A", "1", "31/02/2026", 10], ["B", "2", D(2026, 1, 1), "twelve"], [None, "3", D(2026, 1, 1), 5],
        ["D", "4", D(2026, 1, 1), 8], ["E", "5", None, 9],
    ]})
    assert [i.number for i in book.invoices] == ["4"]
    found = {(p.cell, p.value) for p in book.errors}
    assert found == {("C2", "31/02/2026"), ("D3", "twelve"), ("A4", ""), ("C6", "")}
    text = {p.cell: str(p) for p in book.errors}
    assert text["D3"].startswith("Invoices!D3: 'Amount' is not an amount of money")
    assert "(found 'twelve')" in text["D3"] and text["D3"].endswith("Type a number such as 1234.50.")
    assert "February" in text["C2"]


def test_formula_without_saved_result_is_worked_out_or_reported_by_cell(tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", {"Invoices": [
        ["Customer", "Date", "Net", "Amount"],
        ["A", D(2026, 1, 1), 100, "=C2*1.2"], ["B", D(2026, 1, 1), 100, "=VLOOKUP(C3,Z1:Z2,1)"],
    ]})
    book = read_book(str(path), locale="en_GB")  # openpyxl saves formulas without cached values
    assert [i.amount for i in book.invoices] == [Decimal("120.00")]
    [problem] = book.errors
    assert problem.cell == "D3" and problem.value.startswith("=VLOOKUP") and "VLOOKUP" in problem.message


def test_settings_sheet_values_are_typed(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Date", "Amount"], ["A", D(2026, 1, 1), 1]],
        "Settings": [["Setting", "Value"], ["Company Name", "Harbour Lane"], ["Late Interest (% per month)", 0.015],
                     ["Grace Days", 5], ["Aging Buckets", "30, 60, 90, 120"], ["Language", "Ελληνικά"],
                     ["Minimum Days Between Contacts", "10 days"], ["Paper Size", "letter"], ["Currency", "€"]],
    })
    settings = book.settings
    assert settings.company_name == "Harbour Lane" and settings.late_interest == Decimal("1.5")
    assert (settings.grace_days, settings.min_days_between_contacts) == (5, 10)
    assert settings.aging_buckets == (30, 60, 90, 120)
    assert (settings.language, settings.paper_size, settings.currency) == ("el", "Letter", "EUR")


def test_bad_setting_is_reported_with_its_cell(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Date", "Amount"], ["A", D(2026, 1, 1), 1]],
        "Settings": [["Setting", "Value"], ["Grace Days", "soon"]],
    })
    [problem] = book.errors
    assert (problem.sheet, problem.cell, problem.value) == ("Settings", "B2", "soon")


def test_contact_log_and_payment_plans_join_their_customers(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Invoice No", "Date", "Amount"], ["Acme", "7", D(2026, 1, 1), 100]],
        "Contact Log": [["Date", "Customer", "Invoice No", "Channel", "Note", "Promised Date", "Promised Amount"],
                        [D(2026, 2, 1), "ACME", "7, 8", "Call", "will pay", D(2026, 2, 10), 50],
                        [D(2026, 2, 2), "Nobody", "", "email", "", None, None]],
        "Payment Plans": [["Customer", "Instalment Date", "Amount"], ["Acme", D(2026, 3, 1), 25]],
    })
    [entry] = book.contact_log
    assert (entry.customer_key, entry.invoices, entry.channel, entry.promised_amount) == (
        "Acme", ("7", "8"), "call", Decimal("50.00"))
    [warning] = book.problems
    assert (warning.sheet, warning.cell, warning.value) == ("Contact Log", "B3", "Nobody")
    assert book.instalments[0].amount == Decimal("25.00")


def test_workbook_without_an_invoice_sheet_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(ReadError, match="no sheet collector recognises as a list of invoices"):
        read(tmp_path, {"Budget": [["Month", "Rent"], ["Jan", 100]]})


def test_empty_workbook_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(WorkbookError, match="has no data in it"):
        read(tmp_path, {"Sheet1": []})


def test_csv_tracker_is_read_with_its_delimiter(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_text("Client;Date;Montant\nDupont;04/03/2026;1 234,50\nMartin;26/03/2026;10\n", encoding="utf-8")
    book = read_book(str(path), locale="fr_FR")
    assert [(i.customer, i.invoice_date, i.amount) for i in book.invoices] == [
        ("Dupont", D(2026, 3, 4), Decimal("1234.50")), ("Martin", D(2026, 3, 26), Decimal("10.00"))]


def test_settings_with_a_help_column_take_the_value_column_and_leave_blanks_blank(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Invoice No", "Date", "Amount"], ["A", "1", D(2026, 1, 1), 1]],
        "Settings": [["Setting", "Value", "What it means"], ["Company Name", None, "Your business name"],
                     ["Grace Days", 3, "Days after the due date before interest"]],
    })
    assert (book.settings.company_name, book.settings.grace_days) == ("", 3) and not book.problems


def test_customer_addresses_in_separate_cells_print_in_their_countrys_order(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Date", "Amount"], ["Underwood", D(2026, 1, 1), 10]],
        "Customers": [["Customer", "Address", "City", "Postcode", "State", "Country"],
                      ["Underwood", "12 Clerkenwell Green", "London", "EC1R 0DP", None, "United Kingdom"],
                      ["Acme", "200 Main St", "Springfield", 62701, "IL", "US"],
                      ["Dubois", "8 place du Général de Gaulle", "Lille", "59000", None, "France"],
                      ["Kalamata", "Λεωφόρος Νίκης 24", "Θεσσαλονίκη", "546 22", None, "Ελλάδα"],
                      ["Local", "1 Park Row", "Leeds", "LS1 5AB", None, None]],
        "Settings": [["Setting", "Value"], ["Currency", "GBP"]],
    }, locale="")
    assert book.customer("Underwood").address == ("12 Clerkenwell Green", "London", "EC1R 0DP", "United Kingdom")
    assert book.customer("Acme").address == ("200 Main St", "Springfield, IL 62701", "United States")
    assert book.customer("Dubois").address == ("8 place du Général de Gaulle", "59000 Lille", "France")
    assert book.customer("Kalamata").address == ("Λεωφόρος Νίκης 24", "546 22 Θεσσαλονίκη", "Greece")
    assert book.customer("Local").address == ("1 Park Row", "Leeds", "LS1 5AB")  # a British owner's (GBP) order


def test_an_address_typed_on_several_lines_of_one_cell_keeps_its_lines(tmp_path):
    book = read(tmp_path, {
        "Invoices": [["Customer", "Date", "Amount"], ["Bolt Ltd", D(2026, 1, 1), 10]],
        "Customers": [["Customer", "Address"], ["Bolt Ltd", "Unit 3,  Airedale Park\r\nKirkstall Road\nLEEDS\n\nLS4 2AZ "]],
    })
    assert book.customer("Bolt Ltd").address == ("Unit 3, Airedale Park", "Kirkstall Road", "LEEDS", "LS4 2AZ")
