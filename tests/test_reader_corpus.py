"""Every real tracker in shared/corpus is read with the right header row, mapping and numbers."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from collector.reader import read_book
from tests.workbooks import CORPUS

D = dt.date


def _book(name):
    path = CORPUS / name
    assert path.exists(), f"the shared corpus is missing: {path}"
    return read_book(str(path), locale="en_GB")


def _mapping(book, index=0):
    return {c.field: c.letter for c in book.layouts[index].columns}


def _total(values):
    return sum((v for v in values if v is not None), Decimal("0.00"))


def test_clean_uk_list_reads_all_thousand_rows_with_codes_joining_customers():
    book = _book("EzCode312__CRM_AR_List_UK_Large.xlsx")
    assert (book.layouts[0].name, book.layouts[0].header_row) == ("Sheet1", 1)
    assert _mapping(book) == {
        "customer_code": "A", "customer": "B", "company": "C", "email": "D", "phone": "E", "address": "F",
        "invoice_no": "G", "invoice_date": "H", "due_date": "I", "amount": "J", "paid": "K",
        "balance": "L", "status": "M", "notes": "N",
    }
    assert len(book.invoices) == 1000 and len(book.customers) == 1000
    assert _total(i.amount for i in book.invoices) == Decimal("2775654.72")
    assert _total(i.paid for i in book.invoices) == Decimal("1375030.97")
    assert _total(i.balance for i in book.invoices) == Decimal("1400623.75")
    assert min(i.invoice_date for i in book.invoices) == D(2025, 1, 18)
    assert max(i.invoice_date for i in book.invoices) == D(2025, 6, 18)
    first = book.invoices[0]
    assert (first.number, first.customer, first.customer_key, first.balance) == (
        "INV1001", "Dr Anna Thomas", "CUST0001", Decimal("1040.77"))
    customer = book.customer("CUST0001")
    assert (customer.email, customer.company) == ("carole38@yahoo.com", "Jones, Bell and Burke")
    assert book.errors == ()


def test_tracker_with_title_rows_summary_block_and_template_rows():
    book = _book("lucastrg2-cpu__invoice-tracker.xlsx")
    assert (book.layouts[0].name, book.layouts[0].header_row) == ("Invoice Tracker", 4)
    mapping = _mapping(book)
    assert mapping["invoice_no"] == "A" and mapping["customer"] == "B" and mapping["amount"] == "I"
    assert "O" not in mapping.values() and "P" not in mapping.values()  # the SUMMARY block
    assert [i.number for i in book.invoices] == ["INV-001", "INV-002", "INV-003", "INV-004", "INV-005"]
    assert _total(i.amount for i in book.invoices) == Decimal("5300.00")
    assert book.invoices[0].paid_date == D(2026, 4, 28)
    assert (book.invoices[0].invoice_date, book.invoices[-1].invoice_date) == (D(2026, 4, 1), D(2026, 4, 20))
    assert (book.layouts[1].name, book.layouts[1].header_row) == ("Clients", 2)
    acme = book.customer("Acme Corp")
    assert (acme.contact_name, acme.email, acme.phone, acme.row) == ("Sarah Johnson", "sarah@acme.com", "555-0101", 3)
    assert book.problems == ()  # template rows 10-15 hold only formulas and are skipped silently


def test_parameter_table_above_header_and_text_invoice_numbers():
    book = _book("PowerQueryforAccountants__receivables.xlsx")
    assert (book.layouts[0].name, book.layouts[0].header_row) == ("Sales", 5)
    assert _mapping(book) == {"invoice_date": "A", "customer": "B", "invoice_no": "C", "amount": "D"}
    assert len(book.invoices) == 45
    assert _total(i.amount for i in book.invoices) == Decimal("192630.35")
    assert (book.invoices[0].number, book.invoices[-1].number) == ("100045", "100001")
    assert min(i.invoice_date for i in book.invoices) == D(2019, 5, 5)
    assert max(i.invoice_date for i in book.invoices) == D(2019, 9, 24)
    assert {c.key for c in book.customers} == {"A", "B", "C", "D", "E"}
    assert book.errors == ()


def test_vendor_tracker_with_uncalculated_total_formulas_and_currency_in_header():
    book = _book("OlimingmingO__invoice_tracker.xlsx")
    mapping = _mapping(book)
    assert mapping["customer"] == "C" and mapping["amount"] == "H" and mapping["terms"] == "I"
    assert len(book.invoices) == 15
    first = book.invoices[0]
    assert first.amount == Decimal("32452.96")  # =F2+G2 with G2 =F2*0.06, never calculated
    assert _total(i.amount for i in book.invoices) == Decimal("373780.38")
    assert {i.currency for i in book.invoices} == {"MYR"}
    assert {i.terms for i in book.invoices} == {"Net 30", "Net 45", "Net 60", "COD"}
    assert book.errors == ()


def test_spanish_headers_day_first_text_dates_credits_and_padded_names():
    book = _book("jovillarrealm__cartera.xlsx")
    mapping = _mapping(book)
    assert mapping == {"invoice_no": "C", "customer": "E", "customer_code": "F", "invoice_date": "G",
                       "balance": "I", "email": "K", "notes": "L"}
    assert len(book.invoices) == 7
    assert _total(i.balance for i in book.invoices) == Decimal("14068193.00")
    first = book.invoices[0]
    assert (first.customer, first.invoice_date, first.number) == ("MARIA RESTREPO VILLA", D(2023, 4, 26), "36742")
    assert book.invoices[2].invoice_date == D(2023, 4, 2)  # "02/04/2023", day-first like the column
    assert [i.balance for i in book.invoices if i.balance < 0] == [Decimal("-93848.00"), Decimal("-1684.00")]
    assert book.errors == ()


def test_iso_text_dates_and_ids_instead_of_names():
    book = _book("cmaabhijith21__invoices.xlsx")
    assert _mapping(book) == {"customer_code": "A", "invoice_no": "B", "invoice_date": "C", "due_date": "D", "amount": "E"}
    assert len(book.invoices) == 180
    assert _total(i.amount for i in book.invoices) == Decimal("46083095.00")
    assert book.invoices[0].invoice_date == D(2024, 10, 5) and book.invoices[0].due_date == D(2024, 11, 4)
    assert book.invoices[-1].invoice_date == D(2025, 9, 25)
    assert sorted(c.name for c in book.customers) == ["CUST01", "CUST02", "CUST03", "CUST04", "CUST05"]
    assert book.errors == ()


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xlsx")))
def test_every_corpus_file_reads_without_errors(name):
    book = _book(name)
    assert book.invoices and not book.errors
