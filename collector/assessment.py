"""What the core works out from a Book: the computed records.

They are kept apart from the records that were read (``collector.model``) so
it is always clear which numbers the owner typed and which collector computed.
Amounts in different currencies are never added: every total is a mapping
from currency code ("" when the workbook names none) to an amount.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Optional

from collector.model import Customer, Invoice, Problem

# Invoice states. Only OPEN invoices are chased; DISPUTED and ON_HOLD are aged
# but never chased; CREDIT reduces the balance and is never aged as overdue.
OPEN = "open"
PAID = "paid"
WRITTEN_OFF = "written off"
DISPUTED = "disputed"
ON_HOLD = "on hold"
CREDIT = "credit"
DRAFT = "draft"  # not sent yet (or cancelled / void): not a receivable

OPEN_STATES = frozenset({OPEN, DISPUTED, ON_HOLD, CREDIT})  # what ``InvoiceResult.is_open`` means

CASH_ONLY = "Cash only"
GOOD_STANDING = "OK"


def _made(cls: type, values: dict[str, object]):
    """A frozen dataclass record made without its __init__: ``values`` (the caller's own fresh dict,
    naming every field in field order) becomes its __dict__, as the model's records do.

    Copying the values one by one into the class's shared-key dict took as long again as the rest of
    the record; the engine makes two records per customer, so the memory it would save is small."""
    record = object.__new__(cls)
    object.__setattr__(record, "__dict__", values)
    return record


@dataclass(frozen=True)
class InvoiceResult:
    invoice: Invoice
    currency: str
    state: str
    due_date: Optional[dt.date]
    open_balance: Decimal  # what is still owed on it; negative for a credit note
    days_overdue: int  # 0 when not yet due
    bucket: str  # aging bucket label; "" for paid, written-off, draft and credits
    interest: Decimal = Decimal("0.00")
    discount_deadline: Optional[dt.date] = None  # while an early-payment discount is open
    discount_amount: Optional[Decimal] = None
    stage: str = ""  # highest step carried out for it (from the Contact Log, after this run)
    next_step: str = ""
    next_action_date: Optional[dt.date] = None

    @classmethod
    def of(
        cls, invoice: Invoice, currency: str, state: str, due_date: Optional[dt.date], open_balance: Decimal,
        days_overdue: int, bucket: str, interest: Decimal = Decimal("0.00"),
        discount_deadline: Optional[dt.date] = None, discount_amount: Optional[Decimal] = None,
    ) -> "InvoiceResult":
        """A new result without steps: the frozen dataclass __init__ costs twice as much, and the
        engine makes one per invoice.

        The fields are set one by one in field order, as __init__ sets them, so the instance keeps
        the class's shared-key dict: half the memory of a dict filled by update(), and faster."""
        result = object.__new__(cls)
        fields = result.__dict__
        fields["invoice"] = invoice
        fields["currency"] = currency
        fields["state"] = state
        fields["due_date"] = due_date
        fields["open_balance"] = open_balance
        fields["days_overdue"] = days_overdue
        fields["bucket"] = bucket
        fields["interest"] = interest
        fields["discount_deadline"] = discount_deadline
        fields["discount_amount"] = discount_amount
        fields["stage"] = ""
        fields["next_step"] = ""
        fields["next_action_date"] = None
        return result

    def with_steps(self, stage: str, next_step: str, next_action_date: Optional[dt.date]) -> "InvoiceResult":
        """A copy with its stage and next step set (dataclasses.replace is ten times slower).

        The result itself when they are already so: it is immutable, and most invoices are paid."""
        unchanged = ("", "", None)
        if (stage, next_step, next_action_date) == unchanged == (self.stage, self.next_step, self.next_action_date):
            return self
        copy = object.__new__(InvoiceResult)
        fields = copy.__dict__
        for name, value in self.__dict__.items():  # one by one, in field order, as ``of`` explains
            fields[name] = value
        fields["stage"] = stage
        fields["next_step"] = next_step
        fields["next_action_date"] = next_action_date
        return copy

    def set_steps(self, stage: str, next_step: str, next_action_date: Optional[dt.date]) -> "InvoiceResult":
        """The result itself with its stage and next step set, for its maker only: the engine makes
        each result, decides its steps, then hands it out, so a copy would be made for nothing.

        Never call it on a result anyone else may hold: records are immutable to everyone else."""
        fields = self.__dict__
        fields["stage"] = stage
        fields["next_step"] = next_step
        fields["next_action_date"] = next_action_date
        return self

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def chased(self) -> bool:
        return self.state == OPEN and self.open_balance > 0


@dataclass(frozen=True)
class Promise:
    made_on: dt.date
    date: dt.date
    amount: Optional[Decimal]
    invoices: tuple[str, ...]
    broken: bool
    log_row: int = 0


@dataclass(frozen=True)
class Account:
    """One customer's position as of the run date."""

    customer: Customer
    open_total: Mapping[str, Decimal]  # by currency, credits included
    overdue_total: Mapping[str, Decimal]
    oldest_days_overdue: int
    stage: str  # highest step reached on any open invoice
    credit_status: str  # GOOD_STANDING or CASH_ONLY
    credit_reason: str = ""
    promise: Optional[Promise] = None
    instalments_due: Decimal = Decimal("0.00")
    instalments_missed: tuple[dt.date, ...] = ()
    average_days_to_pay: Optional[int] = None
    expected_payment_date: Optional[dt.date] = None
    waiting_until: Optional[dt.date] = None  # next contact held back by the minimum gap

    @classmethod
    def of(cls, **values: object) -> "Account":
        """A new account without the frozen dataclass __init__ (three times as costly; the engine
        makes one per customer). ``values`` must name every field, in field order."""
        return _made(cls, values)


@dataclass(frozen=True)
class Action:
    """This week's next step for one customer."""

    customer: Customer
    step: str
    channel: str  # email, letter, call, task
    to: tuple[str, ...]  # customer, sales rep, manager, owner
    template: str
    invoices: tuple[str, ...]  # the invoices this step is carried out for (logged)
    open_invoices: tuple[str, ...]  # every open invoice the document lists
    amount: Mapping[str, Decimal]  # to ask for, by currency (overdue balance + interest)
    interest: Mapping[str, Decimal]
    minimum_amount: Mapping[str, Decimal] = field(default_factory=dict)  # to catch up (final demand)
    pay_by: Optional[dt.date] = None
    following_step: str = ""
    following_date: Optional[dt.date] = None
    reason: str = ""  # one sentence: why this step now
    urgency: int = 0  # higher is more urgent; the Actions tab sorts on it

    @classmethod
    def of(cls, **values: object) -> "Action":
        """A new action without the frozen dataclass __init__ (three times as costly; the engine
        makes one per customer to chase). ``values`` must name every field, in field order."""
        return _made(cls, values)


@dataclass(frozen=True)
class Totals:
    """Book-wide figures for one currency."""

    currency: str
    receivables: Decimal
    overdue: Decimal
    overdue_share: Decimal  # percent of the amount owed before credits are netted, two decimals
    buckets: tuple[tuple[str, Decimal], ...]  # (label, amount) in bucket order
    credits: Decimal  # open credit notes (negative or zero)
    dso: Optional[Decimal]  # days, one decimal; None when there were no sales in the window
    customers_on_hold: int


@dataclass(frozen=True)
class Assessment:
    as_of: dt.date
    invoices: tuple[InvoiceResult, ...]
    accounts: tuple[Account, ...]
    actions: tuple[Action, ...]  # most urgent first
    totals: tuple[Totals, ...]
    problems: tuple[Problem, ...] = ()
