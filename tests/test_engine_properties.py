"""Properties that must hold for any workbook, checked on generated ones."""
import dataclasses
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from tests.builders import book, entry, invoice, settings
from collector.engine import assess, contact_entries
from collector.policy import DEFAULT_POLICY, ladder_index, ladder_of, logged_stage

BASE = dt.date(2026, 3, 2)
LADDER = ladder_of(DEFAULT_POLICY)
FAST = hyp_settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cents = st.integers(min_value=-50_000, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
days_before = st.integers(min_value=-30, max_value=400)
statuses = st.sampled_from(["", "", "", "Open", "Paid", "Partial", "Disputed", "On hold", "Written off", "Void"])
terms = st.sampled_from(["", "Net 30", "Net 15", "2/10 Net 30", "Net 30 EOM", "Due on receipt", "gibberish"])


@st.composite
def any_invoice(draw, number):
    amount = draw(cents)
    paid = draw(st.one_of(st.none(), st.integers(0, 600_000).map(lambda c: Decimal(c).scaleb(-2))))
    balance = draw(st.one_of(st.none(), st.none(), cents))
    issued = draw(st.one_of(st.none(), days_before.map(lambda d: BASE - dt.timedelta(days=d))))
    due = draw(st.one_of(st.none(), st.none(), days_before.map(lambda d: BASE - dt.timedelta(days=d))))
    paid_on = draw(st.one_of(st.none(), days_before.map(lambda d: BASE - dt.timedelta(days=d))))
    return invoice(
        number=str(number), customer=draw(st.sampled_from(["Acme", "Beta", "Cosmo"])),
        amount=amount, invoice_date=issued, due_date=due, terms=draw(terms), paid=paid,
        balance=balance, paid_date=paid_on, status=draw(statuses),
        currency=draw(st.sampled_from(["", "EUR", "USD"])),
    )


@st.composite
def any_book(draw):
    count = draw(st.integers(1, 12))
    invoices = [draw(any_invoice(n)) for n in range(1, count + 1)]
    config = settings(
        late_interest=draw(st.sampled_from(["0", "1", "1.5", "2.25"])),
        grace_days=draw(st.integers(0, 10)),
        aging_buckets=draw(st.sampled_from([(30, 60, 90), (15, 30, 60, 90, 120), (7,)])),
    )
    return book(invoices, settings=config)


@FAST
@given(any_book(), st.integers(-60, 200))
def test_bucket_totals_plus_credits_always_equal_receivables(b, shift):
    assessment = assess(b, BASE + dt.timedelta(days=shift))
    for total in assessment.totals:
        assert sum((amount for _, amount in total.buckets), Decimal("0.00")) + total.credits == total.receivables


@FAST
@given(any_book(), st.integers(-60, 200))
def test_money_never_loses_a_cent(b, shift):
    assessment = assess(b, BASE + dt.timedelta(days=shift))
    by_invoice, by_account = defaultdict(Decimal), defaultdict(Decimal)
    for result in assessment.invoices:
        assert result.open_balance == result.open_balance.quantize(Decimal("0.01"))
        if result.is_open:
            by_invoice[result.currency] += result.open_balance
    for account in assessment.accounts:
        for currency, amount in account.open_total.items():
            by_account[currency] += amount
    for total in assessment.totals:
        assert by_invoice[total.currency] == total.receivables == by_account[total.currency]
    assert set(by_invoice) <= {t.currency for t in assessment.totals}


# ---- the ladder never goes backwards -------------------------------------

@st.composite
def overdue_book(draw):
    """One customer, every invoice already overdue at BASE, a log with steps but no promise."""
    invoices = [
        invoice(
            number=str(n), amount=draw(st.integers(1, 100_000).map(lambda c: Decimal(c).scaleb(-2))),
            invoice_date=BASE - dt.timedelta(days=draw(st.integers(31, 200))),
            terms=draw(st.sampled_from(["Net 30", "Net 15", "Due on receipt"])),
        )
        for n in range(1, draw(st.integers(1, 4)) + 1)
    ]
    log = [  # history as of the first run: a contact dated after it would be something new happening
        entry(
            BASE - dt.timedelta(days=draw(st.integers(0, 120))),
            invoices=draw(st.lists(st.sampled_from([inv.number for inv in invoices]), max_size=2, unique=True)),
            channel=draw(st.sampled_from(["email", "call", "letter", "task", "note", ""])),
            step=draw(st.sampled_from(["", *[step.name for step in LADDER]])),
            by=draw(st.sampled_from(["", "collector", "Ana"])),
            row=row,
        )
        for row in range(2, draw(st.integers(0, 5)) + 2)
    ]
    return book(invoices, log=log, settings=settings(min_days_between_contacts=draw(st.integers(0, 14))))


def rank(stage):
    return ladder_index(stage, LADDER) if stage else -1


@FAST
@given(overdue_book(), st.integers(0, 150))
def test_a_later_run_date_never_moves_a_customer_to_an_earlier_stage(b, later):
    first = assess(b, BASE)
    # The first run's steps are in the log, as collector run writes them; nothing else happened.
    logged = dataclasses.replace(b, contact_log=b.contact_log + contact_entries(first))
    second = assess(logged, BASE + dt.timedelta(days=later))
    assert rank(second.accounts[0].stage) >= rank(first.accounts[0].stage)
    for before, after in zip(first.invoices, second.invoices):
        assert rank(after.stage) >= rank(before.stage)


@st.composite
def young_book(draw):
    """Invoices issued around the first run, so the runs go through the whole ladder."""
    start = BASE - dt.timedelta(days=draw(st.integers(0, 6)))
    invoices = [
        invoice(
            number=str(n), amount="100.00",
            invoice_date=start + dt.timedelta(days=draw(st.integers(-40, 40))),
            terms=draw(st.sampled_from(["Net 30", "Net 7", "Due on receipt", "Net 60"])),
        )
        for n in range(1, draw(st.integers(1, 4)) + 1)
    ]
    return invoices, draw(st.integers(0, 10)), draw(st.sampled_from([2, 3, 7, 14]))


@hyp_settings(max_examples=50, deadline=None)
@given(young_book())
def test_regular_runs_never_repeat_a_step_or_go_back(case):
    invoices, gap, every = case
    log, done = [], defaultdict(list)
    previous = {}
    for run in range(0, 120, every):
        assessment = assess(book(invoices, log=log, settings=settings(min_days_between_contacts=gap)),
                            BASE + dt.timedelta(days=run))
        for result in assessment.invoices:
            assert rank(result.stage) >= previous.get(result.invoice.number, -1)
            previous[result.invoice.number] = rank(result.stage)
        for row in contact_entries(assessment):
            for number in row.invoices:
                assert all(rank(row.step) > rank(step) for step in done[number])
                done[number].append(row.step)
        log += contact_entries(assessment)


SECOND_NOTICE = ladder_index("second-notice", LADDER)


@hyp_settings(max_examples=50, deadline=None)
@given(young_book())
def test_regular_runs_never_step_back_in_tone_and_show_as_due_only_what_they_do(case):
    """One customer, one voice: once an unpaid overdue invoice had a step, no later step after the
    due date is milder, and from second-notice on no reminder before the due date goes either; an
    invoice shows a next action on or before the run date only when this run's step does it."""
    invoices, gap, every = case
    log = []
    for run in range(0, 120, every):
        as_of = BASE + dt.timedelta(days=run)
        assessment = assess(book(invoices, log=log, settings=settings(min_days_between_contacts=gap)), as_of)
        planned = {number for action in assessment.actions for number in action.invoices}
        assert [r.invoice.number for r in assessment.invoices
                if r.next_action_date and r.next_action_date <= as_of and r.invoice.number not in planned] == []
        firmest = max([logged_stage(r, log, LADDER) for r in assessment.invoices if r.chased and r.days_overdue > 0],
                      default=-1)
        for action in assessment.actions:
            step = LADDER[rank(action.step)]
            if firmest >= SECOND_NOTICE or not step.only_before_due:
                assert rank(action.step) >= firmest
        log += contact_entries(assessment)
