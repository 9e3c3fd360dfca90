"""The records collector works with, in the owner's words.

Everything here is a small immutable value. The reader builds them from the
workbook; the core computes new values from them; nothing mutates them.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Iterator, Optional

Money = Decimal  # always quantized to the cent by collector.money.to_cents


@dataclass(frozen=True)
class Problem:
    """Something wrong with the owner's data, said so the owner can fix it.

    ``cell`` is an A1 reference ("D14"), a column ("D") or "" when the problem is
    about the whole sheet or file.
    """

    sheet: str
    cell: str
    value: str
    message: str
    fix: str = ""
    severity: str = "error"  # "error" stops nothing but is counted; "warning" is advice

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        text = f"{where}: {self.message}"
        if self.value != "":
            text += f" (found {self.value!r})"
        if self.fix:
            text += f". {self.fix}"
        return text if text.endswith(".") else text + "."


@dataclass(frozen=True)
class Invoice:
    """One row of the invoice sheet, parsed but not yet computed on."""

    row: int  # 1-based row number in the sheet
    customer: str  # name as shown to people
    customer_key: str  # the key that joins sheets (code when there is one)
    number: str
    invoice_date: Optional[dt.date] = None
    due_date: Optional[dt.date] = None  # as typed; computed later from terms when missing
    terms: str = ""
    amount: Optional[Money] = None
    paid: Optional[Money] = None
    balance: Optional[Money] = None  # as typed in a Balance column
    paid_date: Optional[dt.date] = None
    status: str = ""
    currency: str = ""
    notes: str = ""


    @classmethod
    def of(cls, **values: object) -> "Invoice":
        """An invoice without the frozen dataclass __init__, which costs three times as much and
        runs once per row. ``values`` must name every field."""
        invoice = object.__new__(cls)
        object.__setattr__(invoice, "__dict__", values)  # the call's own fresh dict: nothing to copy
        return invoice


def bulk_invoices(row: Iterable[int], customer: Iterable[str], customer_key: Iterable[str], number: Iterable[str],
                  invoice_date: Iterable[Optional[dt.date]], due_date: Iterable[Optional[dt.date]],
                  terms: Iterable[str], amount: Iterable[Optional[Money]], paid: Iterable[Optional[Money]],
                  balance: Iterable[Optional[Money]], paid_date: Iterable[Optional[dt.date]], status: Iterable[str],
                  currency: Iterable[str], notes: Iterable[str]) -> list[Invoice]:
    """Invoices from one column of values per field, made as Invoice.of makes one but without a
    call (and its keyword dictionary) per invoice: the reader makes 100,000 at a time. The
    columns are read together and stop at the shortest."""
    new, put = object.__new__, object.__setattr__
    invoices = []
    append = invoices.append
    for (row_, customer_, customer_key_, number_, invoice_date_, due_date_, terms_, amount_, paid_, balance_,
         paid_date_, status_, currency_, notes_) in zip(row, customer, customer_key, number, invoice_date, due_date,
                                                        terms, amount, paid, balance, paid_date, status, currency,
                                                        notes):
        invoice = new(Invoice)
        put(invoice, "__dict__", {
            "row": row_, "customer": customer_, "customer_key": customer_key_, "number": number_,
            "invoice_date": invoice_date_, "due_date": due_date_, "terms": terms_, "amount": amount_,
            "paid": paid_, "balance": balance_, "paid_date": paid_date_, "status": status_,
            "currency": currency_, "notes": notes_,
        })
        append(invoice)
    return invoices


@contextlib.contextmanager
def bulk_records() -> Iterator[None]:
    """While a whole workbook's records are built (or written): no cycle collection. The records
    hold no cycles, and each full collection walks every record made so far (a sixth of the time
    for 100,000 invoices). Collection resumes as it was afterwards, with what was built counted
    as old (freeze then unfreeze moves it there without walking it), so the first collection
    after does not walk it all either."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass(frozen=True)
class Customer:
    key: str
    name: str
    code: str = ""
    contact_name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    address: tuple[str, ...] = ()
    language: str = ""
    terms: str = ""
    credit_limit: Optional[Money] = None
    sales_rep: str = ""
    sales_rep_email: str = ""
    account_manager: str = ""
    account_manager_email: str = ""
    credit_status: str = ""
    row: int = 0  # 0 when inferred from the invoice sheet

    @classmethod
    def of(cls, **values: object) -> "Customer":
        """A customer without the frozen dataclass __init__, as Invoice.of; ``values`` must name every field."""
        customer = object.__new__(cls)
        object.__setattr__(customer, "__dict__", values)
        return customer


@dataclass(frozen=True)
class ContactEntry:
    """One row of the Contact Log: something that happened with a customer."""

    row: int
    date: dt.date
    customer_key: str
    invoices: tuple[str, ...] = ()  # empty: about the whole account
    channel: str = ""  # email, letter, call, visit, note, dispute
    step: str = ""  # a policy step name when collector (or the owner) did one
    note: str = ""
    promised_date: Optional[dt.date] = None
    promised_amount: Optional[Money] = None
    by: str = ""

    @classmethod
    def of(cls, **values: object) -> "ContactEntry":
        """An entry without the frozen dataclass __init__, as Invoice.of; ``values`` must name every field."""
        entry = object.__new__(cls)
        object.__setattr__(entry, "__dict__", values)
        return entry


@dataclass(frozen=True)
class Instalment:
    row: int
    customer_key: str
    date: dt.date
    amount: Money


@dataclass(frozen=True)
class PolicyStep:
    """One rung of the escalation ladder.

    ``days`` counts from ``start`` ("due date", "invoice date", "promised date"
    or "instalment date"); a negative number means before it.
    """

    name: str
    days: int
    start: str = "due date"
    channel: str = "email"  # email, letter, call, task
    template: str = ""
    to: tuple[str, ...] = ("customer",)  # customer, sales rep, manager, owner
    only_before_due: bool = False
    row: int = 0  # Policy sheet row, 0 for the built-in defaults


@dataclass(frozen=True)
class Settings:
    company_name: str = ""
    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    signature: str = ""
    payment_instructions: str = ""
    currency: str = ""
    language: str = "en"
    paper_size: str = ""  # "A4", "Letter" or "" for the locale's default
    default_terms: str = "Net 30"
    late_interest: Decimal = Decimal(0)  # percent per month
    grace_days: int = 0
    aging_buckets: tuple[int, ...] = (30, 60, 90)  # upper edges of the overdue buckets
    min_days_between_contacts: int = 7
    output_folder: str = ""
    date_order: str = ""  # "DMY", "MDY" or "" (decide from data and locale)
    sheet: str = ""  # the name of the workbook's Settings sheet, "" when it has none


@dataclass(frozen=True)
class Column:
    """Where one field was found: sheet column letter and the header as typed."""

    field: str
    index: int  # 0-based column index
    letter: str
    header: str


@dataclass(frozen=True)
class SheetLayout:
    """How a sheet was read, so the writer can put things back in the same place."""

    name: str
    header_row: int  # 1-based; 0 when the sheet has no header row
    columns: tuple[Column, ...] = ()
    last_row: int = 0  # last row holding data
    width: int = 0  # number of columns in use

    def column(self, field_name: str) -> Optional[Column]:
        for column in self.columns:
            if column.field == field_name:
                return column
        return None


@dataclass(frozen=True)
class Book:
    """Everything read from one tracking workbook."""

    path: str
    invoices: tuple[Invoice, ...]
    customers: tuple[Customer, ...]
    contact_log: tuple[ContactEntry, ...] = ()
    instalments: tuple[Instalment, ...] = ()
    settings: Settings = field(default_factory=Settings)
    policy: tuple[PolicyStep, ...] = ()  # empty: the default policy applies
    problems: tuple[Problem, ...] = ()
    layouts: tuple[SheetLayout, ...] = ()  # invoice sheet first
    date1904: bool = False

    def customer(self, key: str) -> Optional[Customer]:
        for customer in self.customers:
            if customer.key == key:
                return customer
        return None

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")
