import datetime as dt
from decimal import Decimal

from tests.builders import customer, entry, instalment, invoice, settings
from collector.account import (
    Schedule, average_days_to_pay, build_account, expected_payment_date, find_promise,
    instalment_schedule, main_currency,
)
from collector.aging import assess_invoice
from collector.assessment import GOOD_STANDING, Promise

D = dt.date
AS_OF = D(2026, 3, 2)


def money(text):
    return Decimal(text)


def assessed(*invoices):
    return [assess_invoice(inv, None, settings(), AS_OF) for inv in invoices]


# ---- average days to pay -------------------------------------------------

def test_average_days_to_pay_is_the_mean_over_paid_invoices_rounded_half_up():
    results = assessed(
        invoice("1", invoice_date="2026-01-01", paid="100.00", paid_date="2026-01-11"),  # 10
        invoice("2", invoice_date="2026-01-01", paid="100.00", paid_date="2026-01-12"),  # 11
        invoice("3", invoice_date="2026-01-01"),  # open: not history
    )
    assert average_days_to_pay(results) == 11  # 10.5 rounds half up


def test_average_days_to_pay_rounds_down_below_the_half():
    results = assessed(
        invoice("1", invoice_date="2026-01-01", paid="100.00", paid_date="2026-01-11"),  # 10
        invoice("2", invoice_date="2026-01-01", paid="100.00", paid_date="2026-01-11"),  # 10
        invoice("3", invoice_date="2026-01-01", paid="100.00", paid_date="2026-01-12"),  # 11
    )
    assert average_days_to_pay(results) == 10  # 10.33


def test_average_days_to_pay_is_none_without_history():
    results = assessed(invoice("1"), invoice("2", status="Paid"))  # paid but no paid date
    assert average_days_to_pay(results) is None


# ---- promises ------------------------------------------------------------

def promise_log(**fields):
    return [entry("2026-02-20", invoices=["1"], channel="call", promised_date="2026-02-27", **fields)]


def test_promise_is_pending_until_two_days_after_the_promised_date():
    results = assessed(invoice("1", due_date="2026-01-15"))
    promise = find_promise(promise_log(), results, D(2026, 2, 28))
    assert promise == Promise(D(2026, 2, 20), D(2026, 2, 27), None, ("1",), False, 2)


def test_promise_is_broken_two_days_after_the_promised_date_when_unpaid():
    results = assessed(invoice("1", due_date="2026-01-15"))
    promise = find_promise(promise_log(promised_amount="100.00"), results, D(2026, 3, 1))
    assert promise == Promise(D(2026, 2, 20), D(2026, 2, 27), money("100.00"), ("1",), True, 2)


def test_promise_kept_by_payment_is_no_longer_a_promise():
    results = assessed(invoice("1", due_date="2026-01-15", paid="100.00", paid_date="2026-02-26"))
    assert find_promise(promise_log(), results, AS_OF) is None


def test_part_payment_after_the_promise_means_it_was_not_broken():
    results = assessed(invoice("1", due_date="2026-01-15", paid="40.00", paid_date="2026-02-25"))
    assert find_promise(promise_log(), results, AS_OF) is None


def test_latest_promise_counts():
    results = assessed(invoice("1", due_date="2026-01-15"))
    log = promise_log() + [entry("2026-02-28", channel="call", promised_date="2026-03-06", row=3)]
    promise = find_promise(log, results, AS_OF)
    assert (promise.date, promise.invoices, promise.broken) == (D(2026, 3, 6), ("1",), False)


def test_promise_without_invoices_covers_the_account_as_it_stood():
    results = assessed(
        invoice("1", invoice_date="2026-01-01"), invoice("2", invoice_date="2026-02-25"),
    )
    log = [entry("2026-02-20", channel="call", promised_date="2026-02-23")]
    assert find_promise(log, results, AS_OF).invoices == ("1",)


# ---- payment plans -------------------------------------------------------

def plan():
    return [
        instalment("2026-01-15", "300.00"),
        instalment("2026-02-15", "300.00"),
        instalment("2026-03-15", "400.00"),
    ]


def test_plan_paid_so_far_covers_instalments_in_date_order():
    # plan total 1000, still owed 700 → 300 paid → January covered
    schedule = instalment_schedule(plan(), money("700.00"), D(2026, 2, 18))
    assert schedule == Schedule(
        ((D(2026, 2, 15), money("300.00")), (D(2026, 3, 15), money("400.00"))), (), money("300.00"),
    )
    assert schedule.on_schedule and schedule.next_date(D(2026, 2, 18)) == D(2026, 3, 15)


def test_instalment_unpaid_five_days_after_its_date_is_missed():
    schedule = instalment_schedule(plan(), money("700.00"), D(2026, 2, 20))
    assert schedule.missed == (D(2026, 2, 15),) and not schedule.on_schedule


def test_partly_paid_instalment_shows_what_is_still_owed_on_it():
    schedule = instalment_schedule(plan(), money("550.00"), D(2026, 2, 18))  # 450 paid
    assert schedule.uncovered[0] == (D(2026, 2, 15), money("150.00"))
    assert schedule.due == money("150.00")


def test_fully_paid_plan_is_over():
    schedule = instalment_schedule(plan(), money("0.00"), D(2026, 4, 1))
    assert schedule == Schedule((), (), money("0.00")) and not schedule.running


# ---- expected payment date -----------------------------------------------

def test_expected_payment_date_is_a_pending_promise_first():
    results = assessed(invoice("1", due_date="2026-02-01"))
    promise = Promise(D(2026, 2, 25), D(2026, 3, 4), None, ("1",), False)
    schedule = Schedule(((D(2026, 3, 10), money("100.00")),), (), money("0.00"))
    assert expected_payment_date(results, AS_OF, promise, schedule, 20) == D(2026, 3, 4)


def test_expected_payment_date_is_the_next_instalment_without_a_promise():
    results = assessed(invoice("1", due_date="2026-02-01"))
    schedule = Schedule(((D(2026, 3, 10), money("100.00")),), (), money("0.00"))
    assert expected_payment_date(results, AS_OF, None, schedule, 20) == D(2026, 3, 10)


def test_expected_payment_date_from_paying_habit_is_never_in_the_past():
    results = assessed(invoice("1", invoice_date="2026-02-01"), invoice("2", invoice_date="2026-01-20"))
    assert expected_payment_date(results, AS_OF, average_days=45) == D(2026, 3, 6)  # Jan 20 + 45
    assert expected_payment_date(results, AS_OF, average_days=10) == AS_OF


def test_expected_payment_date_without_history_is_the_next_due_date():
    results = assessed(invoice("1", due_date="2026-03-20"), invoice("2", due_date="2026-03-10"),
                       invoice("3", due_date="2026-02-10"))
    assert expected_payment_date(results, AS_OF) == D(2026, 3, 10)


def test_no_expected_payment_date_when_nothing_points_to_one():
    assert expected_payment_date(assessed(invoice("1", due_date="2026-02-10")), AS_OF) is None
    assert expected_payment_date(assessed(invoice("1", status="Paid")), AS_OF) is None


# ---- the account ---------------------------------------------------------

def test_main_currency_is_the_most_used_one_and_the_book_currency_wins_ties():
    results = assessed(invoice("1", currency="EUR"), invoice("2", currency="USD"), invoice("3", currency="USD"))
    assert main_currency(results) == "USD"
    assert main_currency(results[:2], "EUR") == "EUR"
    assert main_currency(results[:2]) == "EUR"  # alphabetical when the book names none
    assert main_currency([], "RON") == "RON"


def test_account_totals_are_kept_per_currency_with_credits_in_the_open_total():
    results = assessed(
        invoice("1", amount="100.00", currency="EUR", due_date="2026-02-01"),
        invoice("2", amount="-30.00", currency="EUR"),
        invoice("3", amount="250.00", currency="USD", due_date="2026-04-01"),
        invoice("4", amount="70.00", currency="EUR", due_date="2025-12-01",
                paid="70.00", paid_date="2026-01-10"),
    )
    account = build_account(customer(), results, AS_OF, credit_status=GOOD_STANDING)
    assert account.open_total == {"EUR": money("70.00"), "USD": money("250.00")}
    assert account.overdue_total == {"EUR": money("100.00")}
    assert account.oldest_days_overdue == 29
    assert account.average_days_to_pay == 9  # Jan 1 → Jan 10
    assert account.expected_payment_date == AS_OF  # Jan 1 + 9 days is already past


def test_the_whole_number_mean_rounds_like_decimal_half_up():
    from decimal import ROUND_HALF_UP
    from collector.account import _mean_half_up
    for count in range(1, 13):
        for total in range(-60, 61):
            exact = (Decimal(total) / count).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert _mean_half_up(total, count) == int(exact), (total, count)
