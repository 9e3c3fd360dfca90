"""One customer's position: what they owe, what they promised, how they pay.

The facts the escalation policy needs about a customer as a whole (a promise
to pay, a payment plan and how far it is paid, the paying habit) and the
``Account`` record that shows them, built from the invoice results.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional, Sequence

from collector.aging import Position, gather, number_key
from collector.assessment import Account, InvoiceResult, Promise
from collector.model import ContactEntry, Customer, Instalment
from collector.money import sum_cents, sum_money
from collector.terms import days_delta

ZERO = Decimal("0.00")


# ---- promises ------------------------------------------------------------

def find_promise(
    entries: Sequence[ContactEntry],
    results: Sequence[InvoiceResult],
    as_of: dt.date,
    grace_days: int = 2,
) -> Optional[Promise]:
    """The customer's latest promise to pay while it still matters, else None.

    Pending while as_of < promised date + ``grace_days``; broken after that when
    the promised invoices are still unpaid and no payment on them is dated on or
    after the day the promise was made. A kept promise is None.
    """
    promised = [entry for entry in entries if entry.promised_date is not None]
    if not promised:
        return None
    entry = max(promised, key=lambda e: (e.date, e.row))
    covered = [r for r in results if entry_covers(entry, r)]
    unpaid = [r for r in covered if r.chased]
    if not unpaid:
        return None
    numbers = tuple(r.invoice.number for r in (covered if entry.invoices else unpaid))
    pending = as_of < entry.promised_date + dt.timedelta(days=grace_days)
    if not pending and any(_paid_since(r, entry.date) for r in covered):
        return None
    return Promise(entry.date, entry.promised_date, entry.promised_amount, numbers, not pending, entry.row)


def _paid_since(result: InvoiceResult, day: dt.date) -> bool:
    return result.invoice.paid_date is not None and result.invoice.paid_date >= day


def entry_covers(entry: ContactEntry, result: InvoiceResult) -> bool:
    """Whether a Contact Log entry is about this invoice.

    An entry listing no invoices is about the whole account as it stood that
    day: every invoice issued on or before its date.
    """
    listed = entry.invoices
    if listed:
        keys = _listed_keys(listed) if type(listed) is tuple else {number_key(n) for n in listed}
        return number_key(result.invoice.number) in keys
    issued = result.invoice.invoice_date
    return issued is None or issued <= entry.date


@functools.lru_cache(maxsize=4096)
def _listed_keys(numbers: tuple[str, ...]) -> frozenset[str]:
    """The invoices a Contact Log row lists, as compared: each row is checked against every
    invoice of its customer, and the next run's log repeats most rows."""
    return frozenset(number_key(n) for n in numbers)


# ---- payment plans -------------------------------------------------------

@dataclass(frozen=True)
class Schedule:
    """A payment plan measured against what is still owed.

    ``uncovered`` holds (instalment date, amount still owed on it) in date order.
    """

    uncovered: tuple[tuple[dt.date, Decimal], ...] = ()
    missed: tuple[dt.date, ...] = ()
    due: Decimal = ZERO  # owed on instalments dated up to as_of

    @property
    def running(self) -> bool:
        return bool(self.uncovered)

    @property
    def on_schedule(self) -> bool:
        return self.running and not self.missed

    def next_date(self, as_of: dt.date) -> Optional[dt.date]:
        return next((day for day, _ in self.uncovered if day >= as_of), None)


def instalment_schedule(
    instalments: Iterable[Instalment], open_total: Decimal, as_of: dt.date, missed_after_days: int = 5
) -> Schedule:
    """Which instalments are paid, owed and missed.

    Paid under the plan = plan total − what the customer owes now (never below
    0); that covers the instalments in date order. An instalment not covered
    ``missed_after_days`` after its date is missed.
    """
    ordered = sorted(instalments, key=lambda i: (i.date, i.row))
    left = max(ZERO, sum_money(i.amount for i in ordered) - open_total)
    uncovered = []
    for instalment in ordered:
        used = min(left, instalment.amount)
        left -= used
        if used < instalment.amount:
            uncovered.append((instalment.date, instalment.amount - used))
    late = as_of - dt.timedelta(days=missed_after_days)
    return Schedule(
        tuple(uncovered),
        tuple(day for day, _ in uncovered if day <= late),
        sum_money(owed for day, owed in uncovered if day <= as_of),
    )


# ---- paying habit --------------------------------------------------------

def average_days_to_pay(results: Iterable[InvoiceResult]) -> Optional[int]:
    """Mean days from invoice date to paid date over paid invoices, half up; None without history."""
    return _average(_position(results).days_to_pay)


def _average(days: list[int]) -> Optional[int]:
    return _mean_half_up(sum(days), len(days)) if days else None


def _mean_half_up(total: int, count: int) -> int:
    """total ÷ count rounded half away from zero, in whole numbers (what Decimal's ROUND_HALF_UP gives)."""
    whole, rest = divmod(abs(total), count)
    whole += 2 * rest >= count
    return whole if total >= 0 else -whole


def expected_payment_date(
    results: Sequence[InvoiceResult],
    as_of: dt.date,
    promise: Optional[Promise] = None,
    schedule: Schedule = Schedule(),
    average_days: Optional[int] = None,
) -> Optional[dt.date]:
    """When money is likely to come in, best evidence first.

    A pending promise's date; else the next instalment still to pay; else, with
    a paying history, the oldest open invoice's date + the average days to pay
    (not before as_of); else the earliest due date still ahead; else None.
    """
    return _expected([r for r in results if r.chased], as_of, promise, schedule, average_days)


def _expected(
    owed: Sequence[InvoiceResult], as_of: dt.date, promise: Optional[Promise], schedule: Schedule,
    average_days: Optional[int],
) -> Optional[dt.date]:
    """``expected_payment_date`` from the results still chased (``owed``)."""
    if not owed:
        return None
    if promise is not None and not promise.broken:
        return promise.date
    if schedule.uncovered and schedule.next_date(as_of):
        return schedule.next_date(as_of)
    dated = [r.invoice.invoice_date for r in owed if r.invoice.invoice_date]
    if average_days is not None and dated:
        return max(as_of, min(dated) + days_delta(average_days))
    ahead = [r.due_date for r in owed if r.due_date and r.due_date >= as_of]
    return min(ahead) if ahead else None


# ---- the account ---------------------------------------------------------

def main_currency(results: Sequence[InvoiceResult], book_currency: str = "") -> str:
    """The currency most of a customer's invoices are in (the book's on a tie)."""
    results = results if isinstance(results, (list, tuple)) else list(results)
    if not results:
        return book_currency
    first = results[0].currency
    for r in results:
        if r.currency != first:
            break
    else:
        return first  # the usual case, without counting
    counts = Counter(r.currency for r in results)
    best = max(counts.values())
    tied = sorted(currency for currency, count in counts.items() if count == best)
    return book_currency if book_currency in tied else tied[0]


def open_totals(results: Iterable[InvoiceResult]) -> dict[str, Decimal]:
    """Open balances by currency, credits included."""
    return _summed(_position(results).open_by)


def _position(results: Iterable[InvoiceResult]) -> Position:
    return gather(results)


def _summed(grouped: dict[str, list[Decimal]]) -> dict[str, Decimal]:
    """Balances by currency summed, in currency order."""
    if len(grouped) == 1:  # the usual case: one currency, nothing to sort
        ((currency, balances),) = grouped.items()
        return {currency: sum_cents(balances)}
    return {currency: sum_cents(grouped[currency]) for currency in sorted(grouped)}


def build_account(
    customer: Customer,
    results: Sequence[InvoiceResult],
    as_of: dt.date,
    *,
    stage: str = "",
    credit_status: str,
    credit_reason: str = "",
    promise: Optional[Promise] = None,
    schedule: Schedule = Schedule(),
    waiting_until: Optional[dt.date] = None,
    position: Optional[Position] = None,
) -> Account:
    """The ``Account`` record for one customer from its invoice results and plan.

    ``position`` is what the engine already gathered from these results, if it did."""
    found = position if position is not None else _position(results)
    average = _average(found.days_to_pay)
    return Account.of(
        customer=customer,
        open_total=_summed(found.open_by),
        overdue_total=_summed(found.overdue_by),
        oldest_days_overdue=0 if found.oldest is None else found.oldest,
        stage=stage,
        credit_status=credit_status,
        credit_reason=credit_reason,
        promise=promise,
        instalments_due=schedule.due,
        instalments_missed=schedule.missed,
        average_days_to_pay=average,
        expected_payment_date=_expected(found.owed, as_of, promise, schedule, average),
        waiting_until=waiting_until,
    )
