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
from operator import attrgetter
from typing import Optional, Sequence, TypeVar

from collector.account import build_account
from collector.aging import BucketScheme, Position, Tally, disputed_invoice_numbers, run_of
from collector.assessment import Account, Action, Assessment, InvoiceResult
from collector.model import (
    Book, ContactEntry, Customer, Instalment, PolicyStep, Problem, Settings, bulk_records,
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
    tally = Tally(as_of, BucketScheme(tuple(settings.aging_buckets)))
    entries_of = _by_customer(book.contact_log)
    instalments_of = _by_customer(book.instalments)
    results: list[Optional[InvoiceResult]] = [None] * len(book.invoices)
    accounts: list[Account] = []
    actions: list[Action] = []
    for customer, indices in _customers(book):
        entries = entries_of.get(customer.key, [])
        mine, position = _assess_invoices(book, customer, indices, settings, as_of, entries, tally)
        for index, result in zip(indices, mine):
            results[index] = result
        plan = plan_customer(customer, mine, entries, instalments_of.get(customer.key, []), steps,
                             settings, as_of, owned=True)
        accounts.append(_account(customer, plan, as_of, position))
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


_CUSTOMER_KEY = attrgetter("customer_key")


def _customers(book: Book) -> list[tuple[Customer, list[int]]]:
    """Every customer (from the Customers sheet or only seen on invoices) with its invoice positions."""
    known = {customer.key: customer for customer in book.customers}
    positions: dict[str, list[int]] = {key: [] for key in known}
    for index, key in enumerate(map(_CUSTOMER_KEY, book.invoices)):  # (attrgetter reads it without a bytecode loop)
        spots = positions.get(key)
        if spots is None:
            invoice = book.invoices[index]
            known[key] = Customer(key=key, name=invoice.customer)
            spots = positions[key] = []
        spots.append(index)
    ordered = sorted(known.values(), key=lambda c: (c.name.casefold(), c.key))
    return [(customer, positions[customer.key]) for customer in ordered]


def _assess_invoices(
    book: Book, customer: Customer, indices: Sequence[int], settings: Settings, as_of: dt.date,
    entries: list[ContactEntry], tally: Tally,
) -> tuple[list[InvoiceResult], Position]:
    """One customer's invoices assessed, each result counted for the account and the book totals
    the moment it is made, while it is at hand: a book's results do not fit in the processor's
    cache, and every later walk over them costs as much again."""
    invoices = [book.invoices[i] for i in indices]
    known = [e for e in entries if e.date <= as_of] if entries else None
    disputed = disputed_invoice_numbers(known, invoices) if known else _NONE_DISPUTED
    results, position = run_of(settings, as_of).assess_each(invoices, customer.terms, disputed)
    tally.add(position)
    return results, position


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
