"""The engine makes its records without the frozen dataclass __init__ (it is the costly part of a
100,000-invoice run); these tests prove the fast constructors make the very same records."""
import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from tests.builders import book, customer, entry, invoice
from collector.assessment import Account, Action, InvoiceResult
from collector.engine import assess

D = dt.date


def test_a_result_made_fast_is_the_result_init_makes():
    inv = invoice("7", amount="120.00")
    fast = InvoiceResult.of(inv, "EUR", "open", D(2026, 2, 1), Decimal("120.00"), 3, "1\u201330",
                            Decimal("0.40"), D(2026, 1, 11), Decimal("2.40"))
    slow = InvoiceResult(inv, "EUR", "open", D(2026, 2, 1), Decimal("120.00"), 3, "1\u201330",
                         Decimal("0.40"), D(2026, 1, 11), Decimal("2.40"))
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    stepped = fast.with_steps("overdue-notice", "first-call", D(2026, 2, 4))
    assert stepped == dataclasses.replace(slow, stage="overdue-notice", next_step="first-call",
                                          next_action_date=D(2026, 2, 4))
    assert fast.stage == "" and stepped.invoice is inv
    with pytest.raises(dataclasses.FrozenInstanceError):
        stepped.stage = "x"


def test_a_result_whose_steps_do_not_change_is_kept_as_it_is():
    result = InvoiceResult.of(invoice("7"), "", "paid", None, Decimal("0.00"), 0, "")
    assert result.with_steps("", "", None) is result
    assert result.with_steps("receipt-check", "", None) is not result


def test_every_record_of_an_assessment_has_exactly_its_fields():
    b = book(
        [invoice("1", amount="500.00", invoice_date="2025-10-01"), invoice("2", amount="80.00")],
        customers=[customer("Acme", credit_limit="100.00")],
        log=[entry("2026-01-20", invoices=["1"], channel="call", promised_date="2026-01-25")],
    )
    assessment = assess(b, D(2026, 3, 2))
    records = [*assessment.invoices, *assessment.accounts, *assessment.actions]
    assert any(isinstance(r, Action) for r in records) and any(isinstance(r, Account) for r in records)
    for record in records:
        names = [f.name for f in dataclasses.fields(record)]
        assert list(vars(record)) == names
        assert record == dataclasses.replace(record)
