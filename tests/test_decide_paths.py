"""The decision's short paths give exactly what the general paths give."""
import datetime as dt
from decimal import Decimal

import pytest

from tests.builders import book, invoice, settings
from collector.aging import open_balance
from collector.engine import assess
from collector.money import to_cents
from collector.policy import _interest_by_currency, _sum_by_currency
from collector.terms import NET_30


@pytest.mark.parametrize("amount, paid", [
    ("100.00", "100.00"), ("100", "100.00"), ("0.000", None), ("-0.00", "0"), ("12.345", "12.345"),
])
def test_a_zero_balance_is_what_rounding_it_gives(amount, paid):
    """open_balance returns ZERO for a zero balance without rounding it: the same value and text."""
    inv = invoice(amount=amount, paid=paid, status="Open")
    balance = open_balance(inv, NET_30)
    expected = to_cents(Decimal(amount) - Decimal(paid or "0"))
    assert (balance, str(balance)) == (expected, str(expected)) == (Decimal("0.00"), "0.00")


def test_a_balance_of_zero_read_off_the_sheet_is_what_rounding_it_gives():
    balance = open_balance(invoice(balance="-0.000"), NET_30)
    assert str(balance) == str(to_cents(Decimal("-0.000"))) == "0.00"


def test_an_action_in_one_currency_asks_what_the_grouped_sums_give():
    """_asking's one-currency path: the amount and interest equal the sums grouped by currency."""
    as_of = dt.date(2026, 3, 2)
    b = book([
        invoice("1", amount="100.01", invoice_date="2025-12-01", currency="EUR"),
        invoice("2", amount="55.55", invoice_date="2025-12-20", currency="EUR"),
        invoice("3", amount="0.03", invoice_date="2026-01-10", currency="EUR"),
        invoice("4", amount="10.00", invoice_date="2026-02-20", currency="EUR"),
    ], settings=settings(late_interest=Decimal("1.5")))
    assessment = assess(b, as_of)
    (action,) = assessment.actions
    asked = [r for r in assessment.invoices if r.chased and (r.days_overdue > 0 or r.invoice.number in action.invoices)]
    assert any(r.interest for r in asked)
    assert action.amount == _sum_by_currency(asked, with_interest=True)
    assert action.interest == _interest_by_currency(asked)
    assert [str(v) for v in (*action.amount.values(), *action.interest.values())] == [
        str(v) for v in (*_sum_by_currency(asked, True).values(), *_interest_by_currency(asked).values())]
