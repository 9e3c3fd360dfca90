"""The weekly assessment: from a Book read off the workbook to what to do this week.

A visible pipeline of plain functions: every invoice is assessed
(``collector.aging``), every customer's next step decided
(``collector.policy``), every account built (``collector.account``), and the
book-wide totals summed per currency. Pure and deterministic: the same Book
and as-of date always give the same Assessment.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Optional, Sequence, TypeVar

from collector.account import Position, build_account
from collector.aging import BucketScheme, Tally, assess_invoice, disputed_invoice_numbers
from collector.assessment import Account, Action, Assessment, InvoiceResult
from collector.model import (
    Book, ContactEntry, Customer, Instalment, Invoice, PolicyStep, Problem, Settings, bulk_records,
)
from collector.policy import COLLECTOR, DEFAULT_POLICY, CustomerPlan, plan_customer

RecordT = TypeVar("RecordT", ContactEntry, Instalment)


def assess(book: Book, as_of: dt.date, policy: Optional[Sequence[PolicyStep]] = None) -> Assessment:
    """Assess every invoice and customer of ``book`` as of ``as_of``.

    ``policy`` overrides the book's Policy sheet, which overrides ``DEFAULT_POLICY``.
    """
    with bulk_records():
        return _assess(book, as_of, policy)


def _assess(book: Book, as_of: dt.date, policy: Optional[Sequence[PolicyStep]]) -> Assessment:
    steps = tuple(policy) if policy else (book.policy or DEFAULT_POLICY)
    settings, problems = _usable_settings(book.settings)
    scheme = BucketScheme(tuple(settings.aging_buckets))
    entries_of = _by_customer(book.contact_log)
    instalments_of = _by_customer(book.instalments)
    tally = Tally(as_of, scheme)
    ledgers, results = _assess_invoices(book, settings, as_of, entries_of, tally)
    accounts: list[Account] = []
    actions: list[Action] = []
    for ledger in sorted(ledgers.values(), key=_customer_order):
        customer = ledger.customer
        plan = plan_customer(customer, ledger.results, entries_of.get(customer.key, []),
                             instalments_of.get(customer.key, []), steps, settings, as_of, owned=True)
        accounts.append(_account(customer, plan, as_of, ledger.position))
        if plan.action is not None:
            actions.append(plan.action)
    actions.sort(key=lambda a: (-a.urgency, a.customer.name.casefold(), a.customer.key))
    return Assessment(as_of, tuple(results), tuple(accounts), tuple(actions), tally.totals(accounts), problems)


def _usable_settings(settings: Settings) -> tuple[Settings, tuple[Problem, ...]]:
    """Settings the core can run on: unusable aging buckets fall back to 30, 60, 90."""
    try:
        BucketScheme(tuple(settings.aging_buckets))
    except ValueError as error:
        problem = Problem("Settings", "", str(settings.aging_buckets), str(error).rstrip("."),
                          "The standard buckets 30, 60, 90 were used", severity="warning")
        return replace(settings, aging_buckets=(30, 60, 90)), (problem,)
    return settings, ()


class _Ledger:
    """One customer's invoice results as they are made, with what the account reads off them
    (gathered in the same pass)."""

    __slots__ = ("customer", "results", "position", "disputed")

    def __init__(self, customer: Customer, disputed: frozenset[str]) -> None:
        self.customer = customer
        self.results: list[InvoiceResult] = []
        self.position = Position()
        self.disputed = disputed


def _assess_invoices(
    book: Book, settings: Settings, as_of: dt.date, entries_of: dict[str, list[ContactEntry]], tally: Tally,
) -> tuple[dict[str, _Ledger], list[InvoiceResult]]:
    """Every invoice assessed in one pass in sheet order, each result counted for its customer's
    account and the book totals while its invoice is at hand; customers only seen on invoices
    join those of the Customers sheet."""
    disputed_of = _disputed(book, as_of, entries_of)
    ledgers = {c.key: _Ledger(c, disputed_of.get(c.key, _NONE_DISPUTED)) for c in book.customers}
    results: list[InvoiceResult] = []
    book_currency = settings.currency or ""
    for invoice in book.invoices:
        key = invoice.customer_key
        ledger = ledgers.get(key)
        if ledger is None:
            customer = Customer(key=key, name=invoice.customer)
            ledger = ledgers[key] = _Ledger(customer, disputed_of.get(key, _NONE_DISPUTED))
        result = assess_invoice(invoice, ledger.customer, settings, as_of, ledger.disputed,
                                invoice.currency or book_currency)
        results.append(result)
        ledger.results.append(result)
        ledger.position.add(result)
        tally.add(result)
    return ledgers, results


def _disputed(book: Book, as_of: dt.date, entries_of: dict[str, list[ContactEntry]]) -> dict[str, frozenset[str]]:
    """The invoices under dispute of every customer whose Contact Log (up to ``as_of``) has rows."""
    known = {key: [e for e in entries if e.date <= as_of] for key, entries in entries_of.items()}
    known = {key: entries for key, entries in known.items() if entries}
    if not known:
        return {}
    invoices_of: dict[str, list[Invoice]] = {key: [] for key in known}
    for invoice in book.invoices:
        listed = invoices_of.get(invoice.customer_key)
        if listed is not None:
            listed.append(invoice)
    return {key: disputed_invoice_numbers(entries, invoices_of[key]) for key, entries in known.items()}


def _customer_order(ledger: _Ledger) -> tuple[str, str]:
    """Accounts are listed by customer name (case folded), then key."""
    return ledger.customer.name.casefold(), ledger.customer.key


def _by_customer(records: Sequence[RecordT]) -> dict[str, list[RecordT]]:
    """Contact Log rows or instalments grouped by customer key, in sheet order."""
    grouped: dict[str, list[RecordT]] = {}
    for record in records:
        grouped.setdefault(record.customer_key, []).append(record)
    return grouped


_NONE_DISPUTED: frozenset[str] = frozenset()  # what disputed_invoice_numbers finds in an empty log


def _account(customer: Customer, plan: CustomerPlan, as_of: dt.date, position: Position) -> Account:
    return build_account(
        customer, plan.invoices, as_of,
        stage=plan.stage, credit_status=plan.credit_status, credit_reason=plan.credit_reason,
        promise=plan.promise, schedule=plan.schedule, waiting_until=plan.waiting_until,
        position=position,
    )


def contact_entries(assessment: Assessment) -> tuple[ContactEntry, ...]:
    """The Contact Log rows this run's actions add (By = collector, dated the run date).

    A re-run on the same date recomputes the same rows: the engine ignores
    collector's own rows of the run date, so the writer replaces them rather
    than adding them again.
    """
    return tuple(
        ContactEntry(
            row=0, date=assessment.as_of, customer_key=action.customer.key,
            invoices=action.invoices, channel=action.channel, step=action.step,
            note=action.reason, by=COLLECTOR,
        )
        for action in assessment.actions
    )
