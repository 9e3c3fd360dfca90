"""Small builders of model records with sensible defaults, for the core's tests.

Money is given as text ("100.00") so tests read like the owner's arithmetic;
dates as ``date`` objects or ISO text.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional, Sequence, Union

from collector.model import Book, ContactEntry, Customer, Instalment, Invoice, PolicyStep, Settings

DateLike = Union[dt.date, str, None]
MoneyLike = Union[Decimal, str, int, None]


def day(value: DateLike) -> Optional[dt.date]:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def money(value: MoneyLike) -> Optional[Decimal]:
    return None if value is None else Decimal(str(value))


def invoice(
    number: str = "1",
    customer: str = "Acme",
    amount: MoneyLike = "100.00",
    invoice_date: DateLike = "2026-01-01",
    due_date: DateLike = None,
    terms: str = "",
    paid: MoneyLike = None,
    balance: MoneyLike = None,
    paid_date: DateLike = None,
    status: str = "",
    currency: str = "",
    row: int = 2,
    customer_key: Optional[str] = None,
) -> Invoice:
    return Invoice(
        row=row,
        customer=customer,
        customer_key=customer_key or customer,
        number=number,
        invoice_date=day(invoice_date),
        due_date=day(due_date),
        terms=terms,
        amount=money(amount),
        paid=money(paid),
        balance=money(balance),
        paid_date=day(paid_date),
        status=status,
        currency=currency,
    )


def customer(name: str = "Acme", key: Optional[str] = None, terms: str = "",
             credit_limit: MoneyLike = None, credit_status: str = "", **fields) -> Customer:
    return Customer(key=key or name, name=name, terms=terms, credit_limit=money(credit_limit),
                    credit_status=credit_status, **fields)


def entry(
    date: DateLike,
    customer: str = "Acme",
    invoices: Sequence[str] = (),
    channel: str = "email",
    step: str = "",
    promised_date: DateLike = None,
    promised_amount: MoneyLike = None,
    by: str = "",
    row: int = 2,
    note: str = "",
) -> ContactEntry:
    return ContactEntry(
        row=row, date=day(date), customer_key=customer, invoices=tuple(invoices), channel=channel,
        step=step, note=note, promised_date=day(promised_date),
        promised_amount=money(promised_amount), by=by,
    )


def instalment(date: DateLike, amount: MoneyLike, customer: str = "Acme", row: int = 2) -> Instalment:
    return Instalment(row=row, customer_key=customer, date=day(date), amount=money(amount))


def settings(**fields) -> Settings:
    if "late_interest" in fields:
        fields["late_interest"] = money(fields["late_interest"])
    return Settings(**fields)


def book(
    invoices: Sequence[Invoice] = (),
    customers: Sequence[Customer] = (),
    log: Sequence[ContactEntry] = (),
    instalments: Sequence[Instalment] = (),
    settings: Optional[Settings] = None,
    policy: Sequence[PolicyStep] = (),
) -> Book:
    """A Book whose Customers sheet holds ``customers`` plus any customer only seen on invoices."""
    named = {c.key for c in customers}
    inferred = []
    for inv in invoices:
        if inv.customer_key not in named:
            named.add(inv.customer_key)
            inferred.append(Customer(key=inv.customer_key, name=inv.customer))
    return Book(
        path="test.xlsx",
        invoices=tuple(invoices),
        customers=tuple(customers) + tuple(inferred),
        contact_log=tuple(log),
        instalments=tuple(instalments),
        settings=settings or Settings(),
        policy=tuple(policy),
    )
