"""The engine's one pass gives what the public functions give one by one.

The engine assesses a customer's invoices, counts each result for the account and the book totals
as it is made, and sets the steps on its own results rather than copying them; these tests build
random books (with Contact Logs, payment plans, several currencies and customers) and check each
short cut against the general function it stands in for.
"""
import datetime as dt
import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from collector.account import build_account
from collector.aging import BucketScheme, Tally, gather, run_of, totals
from collector.engine import _assess_invoices, _customers, _usable_settings, assess
from collector.model import Book, ContactEntry, Customer, Instalment, Invoice, Settings
from collector.money import sum_cents, sum_money
from collector.policy import DEFAULT_POLICY, _logged_stages, _rules_of, ladder_of, logged_stage, plan_customer

BASE = dt.date(2026, 3, 2)
FAST = hyp_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATUSES = ["", "", "Open", "Paid", "Partial", "Disputed", "On hold", "Written off", "Void"]
TERMS = ["", "Net 30", "Net 15", "2/10 Net 30", "Net 30 EOM", "Due on receipt", "gibberish"]
CHANNELS = ["email", "call", "letter", "note", "dispute", "resolved", ""]
STEPS = ["", "overdue-notice", "first-call", "final-demand", "courtesy-reminder", "broken-promise",
         "instalment-missed"]


def _cents(rng, low=-50_000, high=500_000):
    return Decimal(rng.randint(low, high)).scaleb(-2)


def _day(rng, chance=0.85, low=-30, high=400):
    return BASE - dt.timedelta(days=rng.randint(low, high)) if rng.random() < chance else None


def random_book(seed: int) -> Book:
    rng = random.Random(seed)
    names = [f"C{i}" for i in range(rng.randint(1, 5))]
    customers = tuple(
        Customer(key=n, name=rng.choice([n, n.lower()]), terms=rng.choice(TERMS),
                 credit_limit=rng.choice([None, _cents(rng, 0, 300_000)]), row=i + 2)
        for i, n in enumerate(names[: rng.randint(0, len(names))])
    )
    invoices = []
    for k in range(rng.randint(0, 20)):
        name = rng.choice(names)
        amount = rng.choice([_cents(rng), _cents(rng), None])
        invoices.append(Invoice(
            row=k + 2, customer=name, customer_key=name, number=f"INV-{k}", invoice_date=_day(rng),
            due_date=_day(rng, 0.3), terms=rng.choice(TERMS), amount=amount,
            paid=rng.choice([None, _cents(rng, 0, 500_000), amount]), balance=rng.choice([None, None, _cents(rng)]),
            paid_date=_day(rng, 0.4), status=rng.choice(STATUSES), currency=rng.choice(["", "EUR", "USD"]),
        ))
    log = tuple(
        ContactEntry(
            row=k + 2, date=_day(rng, 1.0, -10, 200), customer_key=rng.choice(names),
            invoices=tuple(rng.choice([n, f" {n.lower()}"]) for n in rng.sample(
                [i.number for i in invoices], min(len(invoices), rng.randint(0, 2)))),
            channel=rng.choice(CHANNELS), step=rng.choice(STEPS), promised_date=_day(rng, 0.25, -20, 60),
            promised_amount=rng.choice([None, _cents(rng, 0, 100_000)]), by=rng.choice(["", "collector"]),
        )
        for k in range(rng.randint(0, 10))
    )
    plans = tuple(
        Instalment(row=k + 2, customer_key=rng.choice(names), date=_day(rng, 1.0, -60, 90),
                   amount=_cents(rng, 100, 100_000))
        for k in range(rng.choice([0, 0, 3]))
    )
    config = Settings(currency=rng.choice(["", "EUR"]), late_interest=rng.choice([Decimal(0), Decimal("1.5")]),
                      grace_days=rng.randint(0, 10), aging_buckets=rng.choice([(30, 60, 90), (7,)]),
                      min_days_between_contacts=rng.choice([0, 7]))
    return Book("x.xlsx", tuple(invoices), customers, log, plans, config)


@FAST
@given(st.integers(0, 2**32), st.integers(-60, 200))
def test_the_engine_s_totals_are_what_totals_gives_for_its_results(seed, shift):
    """The engine adds results customer by customer; totals() walks them in sheet order."""
    b, as_of = random_book(seed), BASE + dt.timedelta(days=shift)
    assessment = assess(b, as_of)
    scheme = BucketScheme(tuple(b.settings.aging_buckets))
    assert repr(assessment.totals) == repr(totals(assessment.invoices, assessment.accounts, as_of, scheme))


@FAST
@given(st.integers(0, 2**32), st.integers(-60, 200))
def test_a_plan_on_the_engine_s_own_results_is_the_plan_on_copies(seed, shift):
    """plan_customer(owned=True) sets steps on the results; without it, on copies: the same plans,
    and the account from the gathered position is the account build_account works out alone."""
    b, as_of = random_book(seed), BASE + dt.timedelta(days=shift)
    config, _ = _usable_settings(b.settings)
    for customer, indices in _customers(b):
        entries = [e for e in b.contact_log if e.customer_key == customer.key]
        plans = [i for i in b.instalments if i.customer_key == customer.key]
        made = [_assess_invoices(b, customer, indices, config, as_of, entries, Tally(as_of)) for _ in range(2)]
        (owned_results, position), (copied_results, _) = made
        owned = plan_customer(customer, owned_results, entries, plans, DEFAULT_POLICY, config, as_of, owned=True)
        copied = plan_customer(customer, copied_results, entries, plans, DEFAULT_POLICY, config, as_of)
        assert repr(owned) == repr(copied)
        assert all(a is b for a, b in zip(owned.invoices, owned_results))
        options = dict(stage=owned.stage, credit_status=owned.credit_status, credit_reason=owned.credit_reason,
                       promise=owned.promise, schedule=owned.schedule, waiting_until=owned.waiting_until)
        assert repr(build_account(customer, owned.invoices, as_of, position=position, **options)) == repr(
            build_account(customer, copied.invoices, as_of, **options))


@given(st.lists(st.integers(-10**12, 10**12).map(lambda c: Decimal(c).scaleb(-2)), max_size=30))
def test_sum_cents_is_sum_money_for_amounts_exact_to_the_cent(amounts):
    assert repr(sum_cents(amounts)) == repr(sum_money(amounts))


@FAST
@given(st.integers(0, 2**32), st.integers(-60, 200))
def test_the_stages_logged_for_a_customer_are_logged_stage_of_each_invoice(seed, shift):
    """_logged_stages gathers the entries that list invoices by number first; logged_stage checks
    every entry against every invoice."""
    b, as_of = random_book(seed), BASE + dt.timedelta(days=shift)
    assessment = assess(b, as_of)
    rules, ladder = _rules_of(DEFAULT_POLICY), ladder_of(DEFAULT_POLICY)
    for customer in {r.invoice.customer_key for r in assessment.invoices}:
        results = [r for r in assessment.invoices if r.invoice.customer_key == customer]
        entries = [e for e in b.contact_log if e.customer_key == customer]
        assert _logged_stages(results, entries, rules) == [logged_stage(r, entries, ladder) for r in results]


def _gathered(position):
    amounts = {currency: (g.owed, g.overdue, g.credits, g.by_label, g.sales) for currency, g in position.by_currency.items()}
    return repr((amounts, position.days_to_pay, [id(r) for r in position.owed], position.oldest))


@FAST
@given(st.integers(0, 2**32), st.integers(-60, 200))
def test_what_assess_each_gathers_as_it_goes_is_what_gather_finds_in_its_results(seed, shift):
    """Run.assess_each gathers each customer's Position while it makes the results; gather works
    it out from results made elsewhere: the same amounts, in the same order."""
    b, as_of = random_book(seed), BASE + dt.timedelta(days=shift)
    config, _ = _usable_settings(b.settings)
    run = run_of(config, as_of)
    for customer, indices in _customers(b):
        for disputed in (frozenset(), frozenset(b.invoices[i].number.casefold() for i in indices[::2])):
            results, position = run.assess_each([b.invoices[i] for i in indices], customer.terms, disputed)
            assert _gathered(position) == _gathered(gather(results, as_of))
