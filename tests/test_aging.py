import datetime as dt
from decimal import Decimal

import pytest

from tests.builders import customer, entry, invoice, settings
from collector.aging import (
    BucketScheme, aged_balances, assess_invoice, disputed_invoice_numbers, invoice_state, parse_bucket_edges,
    totals,
)
from collector.assessment import (
    CASH_ONLY, CREDIT, DISPUTED, DRAFT, GOOD_STANDING, ON_HOLD, OPEN, PAID, WRITTEN_OFF, Account,
)

D = dt.date
AS_OF = D(2026, 3, 2)


def money(text):
    return Decimal(text)


# ---- buckets -------------------------------------------------------------

def test_default_buckets_have_the_standard_labels_with_en_dashes():
    assert BucketScheme().labels == ("Current", "1\u201330", "31\u201360", "61\u201390", "90+")


def test_custom_edges_make_matching_labels():
    assert BucketScheme((15, 30, 60, 90, 120)).labels == (
        "Current", "1–15", "16–30", "31–60", "61–90", "91–120", "120+",
    )


@pytest.mark.parametrize("days, label", [
    (0, "Current"), (-3, "Current"), (1, "1–30"), (30, "1–30"), (31, "31–60"),
    (60, "31–60"), (61, "61–90"), (90, "61–90"), (91, "90+"), (400, "90+"),
])
def test_bucket_for_puts_each_edge_day_in_the_lower_bucket(days, label):
    assert BucketScheme().bucket_for(days) == label


@pytest.mark.parametrize("edges", [(), (30, 30), (60, 30), (0, 30), (-30, 30), (30.5, 60)])
def test_bucket_edges_must_be_increasing_positive_whole_days(edges):
    with pytest.raises(ValueError, match="whole numbers of days that go up"):
        BucketScheme(edges)


@pytest.mark.parametrize("text, edges", [
    ("30, 60, 90", (30, 60, 90)),
    ("30/60/90/120", (30, 60, 90, 120)),
    ("0-30,31-60,61-90,90+", (30, 60, 90)),
    ("Current, 1–30, 31–60, 61–90, 90+", (30, 60, 90)),
    ("15 30 45", (15, 30, 45)),
    ("30;60", (30, 60)),
    ("30, 60, 90, 120+", (30, 60, 90, 120)),
    ("30 days, 60 days", (30, 60)),
])
def test_parse_bucket_edges_reads_the_usual_ways_of_writing_them(text, edges):
    assert parse_bucket_edges(text) == edges


@pytest.mark.parametrize("text", ["", "60, 30", "30, 30", "soon", "0, 30", "30, sixty"])
def test_parse_bucket_edges_rejects_anything_but_increasing_days(text):
    with pytest.raises(ValueError) as error:
        parse_bucket_edges(text)
    assert str(error.value).endswith(".") and "30, 60, 90" in str(error.value)


# ---- invoice state -------------------------------------------------------

@pytest.mark.parametrize("status, state", [
    ("Paid", PAID), ("PAID", PAID), ("paid in full", PAID), ("Paid - cheque 1021", PAID),
    ("Settled", PAID), ("Closed", PAID), ("Payé", PAID), ("réglé", PAID), ("Plătit", PAID),
    ("achitat", PAID), ("Εξοφλήθηκε", PAID), ("πληρώθηκε", PAID), ("Lunas", PAID),
    ("dibayar", PAID), ("Bayad", PAID), ("Pagado", PAID), ("pagada", PAID), ("pago", PAID),
    ("Abonada", PAID), ("quitado", PAID),
    ("Cancelled", DRAFT), ("void", DRAFT), ("Draft", DRAFT), ("Annulé", DRAFT),
    ("anulat", DRAFT), ("Brouillon", DRAFT), ("borrador", DRAFT),
    ("Written off", WRITTEN_OFF), ("write-off", WRITTEN_OFF), ("Bad debt", WRITTEN_OFF),
    ("irrecoverable", WRITTEN_OFF), ("Créance irrécouvrable", WRITTEN_OFF),
    ("hapus buku", WRITTEN_OFF), ("incobrable", WRITTEN_OFF),
    ("Disputed", DISPUTED), ("dispute", DISPUTED), ("In dispute", DISPUTED),
    ("Disputed wrong quantity", DISPUTED), ("contesté", DISPUTED), ("Litige", DISPUTED),
    ("contestat", DISPUTED), ("în litigiu", DISPUTED), ("αμφισβητείται", DISPUTED),
    ("sengketa", DISPUTED), ("disengketakan", DISPUTED), ("pinagtatalunan", DISPUTED),
    ("en disputa", DISPUTED), ("disputa", DISPUTED),
    ("On hold", ON_HOLD), ("hold", ON_HOLD), ("en attente", ON_HOLD), ("suspendu", ON_HOLD),
    ("suspendat", ON_HOLD), ("σε αναμονή", ON_HOLD), ("ditahan", ON_HOLD),
    ("naka-hold", ON_HOLD), ("en espera", ON_HOLD),
])
def test_status_words_in_every_language_set_the_state(status, state):
    assert invoice_state(invoice(status=status)) == state


@pytest.mark.parametrize("status", [
    "", "Open", "Pending", "Overdue", "Partial", "Partially paid", "Part paid", "Approved",
    "Sent", "Unpaid", "Not paid", "Due", "Outstanding", "Impayé", "en attente de paiement",
])
def test_open_sounding_statuses_leave_it_to_the_numbers(status):
    assert invoice_state(invoice(status=status)) == OPEN


def test_negative_amount_is_a_credit_note():
    assert invoice_state(invoice(amount="-50.00")) == CREDIT


def test_invoice_listed_in_a_dispute_is_disputed():
    assert invoice_state(invoice(number="7"), {"7"}) == DISPUTED
    assert invoice_state(invoice(number="8"), {"7"}) == OPEN


def test_paid_status_beats_an_old_dispute():
    assert invoice_state(invoice(number="7", status="Paid"), {"7"}) == PAID


def test_dispute_entries_in_the_log_dispute_the_invoices_they_name():
    invoices = [invoice("1"), invoice("2")]
    log = [entry("2026-02-01", invoices=["2"], channel="Dispute")]
    assert disputed_invoice_numbers(log, invoices) == {"2"}


def test_dispute_written_in_the_step_column_counts_too():
    log = [entry("2026-02-01", invoices=["1"], channel="call", step="Disputed")]
    assert disputed_invoice_numbers(log, [invoice("1")]) == {"1"}


def test_dispute_entry_without_invoices_covers_invoices_issued_by_then():
    invoices = [invoice("1", invoice_date="2026-01-05"), invoice("2", invoice_date="2026-02-10")]
    log = [entry("2026-02-01", channel="litige")]
    assert disputed_invoice_numbers(log, invoices) == {"1"}


def test_a_later_resolved_entry_ends_the_dispute():
    invoices = [invoice("1"), invoice("2")]
    log = [
        entry("2026-02-01", invoices=["1", "2"], channel="dispute"),
        entry("2026-02-09", invoices=["1"], channel="note", step="resolved"),
    ]
    assert disputed_invoice_numbers(log, invoices) == {"2"}


# ---- due date and balance ------------------------------------------------

def assessed(inv, cust=None, **config):
    return assess_invoice(inv, cust, settings(**config), AS_OF)


def test_due_date_column_wins_over_terms():
    result = assessed(invoice(invoice_date="2026-01-01", due_date="2026-01-10", terms="Net 30"))
    assert result.due_date == D(2026, 1, 10) and result.days_overdue == 51


def test_due_date_from_invoice_terms_then_customer_then_default():
    inv = invoice(invoice_date="2026-01-01")
    assert assessed(invoice(invoice_date="2026-01-01", terms="Net 15")).due_date == D(2026, 1, 16)
    assert assessed(inv, customer(terms="Net 45")).due_date == D(2026, 2, 15)
    assert assessed(inv, default_terms="Net 60").due_date == D(2026, 3, 2)
    assert assessed(inv, default_terms="").due_date == D(2026, 1, 31)


def test_unreadable_invoice_terms_fall_back_to_the_customer_terms():
    result = assessed(invoice(invoice_date="2026-01-01", terms="whenever"), customer(terms="Net 10"))
    assert result.due_date == D(2026, 1, 11)


def test_invoice_without_dates_is_current_and_not_overdue():
    result = assessed(invoice(invoice_date=None))
    assert (result.due_date, result.days_overdue, result.bucket, result.state) == (None, 0, "Current", OPEN)


def test_balance_is_amount_minus_paid():
    result = assessed(invoice(amount="1000.00", paid="400.00"))
    assert (result.open_balance, result.state) == (money("600.00"), OPEN)


def test_blank_paid_means_nothing_paid():
    assert assessed(invoice(amount="1000.00")).open_balance == money("1000.00")


def test_balance_column_is_what_the_owner_says_is_owed():
    result = assessed(invoice(amount="1000.00", paid="400.00", balance="550.00"))
    assert result.open_balance == money("550.00")


def test_paid_status_without_figures_means_paid_in_full():
    result = assessed(invoice(amount="1000.00", status="Paid"))
    assert (result.state, result.open_balance, result.bucket) == (PAID, money("0.00"), "")


def test_figures_win_over_a_paid_status():
    result = assessed(invoice(amount="1000.00", paid="600.00", status="Paid"))
    assert (result.state, result.open_balance) == (OPEN, money("400.00"))


def test_paid_date_without_a_paid_figure_means_paid_in_full():
    result = assessed(invoice(amount="1000.00", paid_date="2026-02-01"))
    assert (result.state, result.open_balance) == (PAID, money("0.00"))


def test_paid_in_full_by_figures_is_paid():
    result = assessed(invoice(amount="1000.00", paid="1000.00", paid_date="2026-02-01"))
    assert (result.state, result.open_balance, result.days_overdue, result.bucket) == (PAID, money("0.00"), 0, "")


def test_overpayment_is_a_credit_with_the_negative_balance():
    result = assessed(invoice(amount="1000.00", paid="1100.00"))
    assert (result.state, result.open_balance, result.days_overdue, result.bucket) == (
        CREDIT, money("-100.00"), 0, "",
    )


def test_credit_note_is_never_aged_as_overdue():
    result = assessed(invoice(amount="-250.00", invoice_date="2025-06-01"))
    assert (result.state, result.open_balance, result.days_overdue, result.bucket, result.interest) == (
        CREDIT, money("-250.00"), 0, "", money("0.00"),
    )


@pytest.mark.parametrize("status, state", [("Written off", WRITTEN_OFF), ("Void", DRAFT)])
def test_written_off_and_cancelled_invoices_owe_nothing(status, state):
    result = assessed(invoice(amount="1000.00", status=status))
    assert (result.state, result.open_balance, result.bucket, result.days_overdue) == (state, money("0.00"), "", 0)


@pytest.mark.parametrize("status, state", [("Disputed", DISPUTED), ("On hold", ON_HOLD)])
def test_disputed_and_on_hold_invoices_are_aged_but_charge_no_interest(status, state):
    result = assessed(invoice(amount="1000.00", invoice_date="2026-01-01", status=status), late_interest="1")
    assert (result.state, result.open_balance, result.days_overdue, result.bucket) == (
        state, money("1000.00"), 30, "1–30",
    )
    assert result.interest == money("0.00") and not result.chased and result.is_open


def test_days_overdue_counts_from_the_due_date():
    result = assessed(invoice(invoice_date="2026-01-01", terms="Net 30"))
    assert (result.due_date, result.days_overdue, result.bucket) == (D(2026, 1, 31), 30, "1–30")


def test_not_yet_due_is_current():
    result = assessed(invoice(invoice_date="2026-02-20", terms="Net 30"))
    assert (result.days_overdue, result.bucket) == (0, "Current")


def test_custom_buckets_from_settings_are_used():
    result = assessed(invoice(invoice_date="2026-01-01", terms="Net 10"), aging_buckets=(15, 30, 60))
    assert (result.days_overdue, result.bucket) == (50, "31–60")


# ---- early-payment discount ----------------------------------------------

def discount_invoice(**fields):
    return invoice(amount="1000.00", invoice_date="2026-01-01", terms="2/10 Net 30", **fields)


def test_payment_short_by_discount_within_window_counts_as_paid():
    result = assessed(discount_invoice(paid="980.00", paid_date="2026-01-11"))  # day 10
    assert (result.state, result.open_balance) == (PAID, money("0.00"))


def test_payment_short_by_discount_after_the_window_leaves_the_discount_owed():
    result = assessed(discount_invoice(paid="980.00", paid_date="2026-01-12"))  # day 11
    assert (result.state, result.open_balance) == (OPEN, money("20.00"))


def test_payment_short_by_more_than_the_discount_is_a_partial_payment():
    result = assessed(discount_invoice(paid="979.00", paid_date="2026-01-05"))
    assert (result.state, result.open_balance) == (OPEN, money("21.00"))


def test_balance_column_equal_to_the_discount_within_window_counts_as_paid():
    result = assessed(discount_invoice(paid="980.00", balance="20.00", paid_date="2026-01-11"))
    assert result.open_balance == money("0.00")


def test_open_discount_is_shown_while_the_window_is_open_and_nothing_is_paid():
    inv = invoice(amount="1000.00", invoice_date="2026-02-25", terms="2/10 Net 30")
    result = assessed(inv)
    assert (result.discount_deadline, result.discount_amount) == (D(2026, 3, 7), money("20.00"))


def test_discount_is_not_shown_after_its_deadline():
    inv = invoice(amount="1000.00", invoice_date="2026-02-19", terms="2/10 Net 30")  # deadline Mar 1
    assert (assessed(inv).discount_deadline, assessed(inv).discount_amount) == (None, None)


def test_discount_is_shown_on_its_last_day():
    inv = invoice(amount="1000.00", invoice_date="2026-02-20", terms="2/10 Net 30")  # deadline Mar 2
    assert assessed(inv).discount_deadline == AS_OF


def test_discount_is_not_shown_once_partly_paid():
    inv = invoice(amount="1000.00", paid="100.00", invoice_date="2026-02-25", terms="2/10 Net 30")
    assert assessed(inv).discount_deadline is None


# ---- late interest -------------------------------------------------------

def test_interest_after_grace_is_simple_and_rounded_once():
    # 1000.00 × 1% × (45 − 5) ÷ 30 = 13.333... → 13.33
    inv = invoice(amount="1000.00", due_date="2026-01-16")  # 45 days overdue on Mar 2
    result = assessed(inv, late_interest="1", grace_days=5)
    assert (result.days_overdue, result.interest) == (45, money("13.33"))


def test_interest_rounds_half_up_to_the_cent():
    # 150.00 × 1.5% × 1 ÷ 30 = 0.075 → 0.08
    inv = invoice(amount="150.00", due_date="2026-03-01")
    assert assessed(inv, late_interest="1.5").interest == money("0.08")


def test_interest_is_on_the_open_balance_only():
    inv = invoice(amount="1000.00", paid="400.00", due_date="2026-01-31")  # 30 days
    assert assessed(inv, late_interest="2").interest == money("12.00")  # 600 × 2% × 30/30


def test_no_interest_within_the_grace_days():
    inv = invoice(amount="1000.00", due_date="2026-02-25")  # 5 days overdue
    assert assessed(inv, late_interest="1", grace_days=5).interest == money("0.00")


def test_no_interest_without_a_rate():
    inv = invoice(amount="1000.00", due_date="2026-01-01")
    assert assessed(inv).interest == money("0.00")


def test_interest_is_never_compounded_over_time():
    inv = invoice(amount="1000.00", due_date="2025-03-02")  # 365 days overdue
    # simple: 1000 × 1% × 365 / 30 = 121.666... ; compounding monthly would give far more
    assert assessed(inv, late_interest="1").interest == money("121.67")


# ---- totals --------------------------------------------------------------

def results_for(invoices, **config):
    return [assess_invoice(inv, None, settings(**config), AS_OF) for inv in invoices]


def account(name, status, open_total):
    return Account(customer(name), open_total, {}, 0, "", status)


def test_totals_per_currency_are_never_added_together():
    results = results_for([
        invoice("1", amount="100.00", currency="EUR", due_date="2026-02-01"),
        invoice("2", amount="200.00", currency="USD", due_date="2026-02-01"),
        invoice("3", amount="50.00", currency="EUR", due_date="2026-04-01"),
    ])
    eur, usd = totals(results, [], AS_OF)
    assert (eur.currency, eur.receivables, eur.overdue, eur.overdue_share) == ("EUR", money("150.00"), money("100.00"), money("66.67"))
    assert (usd.currency, usd.receivables, usd.overdue, usd.overdue_share) == ("USD", money("200.00"), money("200.00"), money("100.00"))


def test_bucket_totals_leave_credits_out_and_add_up_to_receivables():
    results = results_for([
        invoice("1", amount="100.00", due_date="2026-03-01"),  # 1 day
        invoice("2", amount="200.00", due_date="2026-01-01"),  # 60 days
        invoice("3", amount="300.00", due_date="2025-10-01"),  # 152 days
        invoice("4", amount="400.00", due_date="2026-04-01"),  # current
        invoice("5", amount="-80.00"),
        invoice("6", amount="500.00", status="Disputed", due_date="2026-02-01"),
        invoice("7", amount="999.00", status="Paid"),
        invoice("8", amount="999.00", status="Written off"),
    ])
    (total,) = totals(results, [], AS_OF)
    assert dict(total.buckets) == {
        "Current": money("400.00"), "1–30": money("600.00"), "31–60": money("200.00"),
        "61–90": money("0.00"), "90+": money("300.00"),
    }
    assert total.credits == money("-80.00")
    assert total.receivables == money("1420.00")
    assert sum(dict(total.buckets).values()) + total.credits == total.receivables
    assert total.overdue == money("1100.00")


def test_overdue_share_is_zero_when_nothing_is_owed():
    (total,) = totals(results_for([invoice(amount="-10.00")]), [], AS_OF)
    assert (total.receivables, total.overdue_share) == (money("-10.00"), money("0.00"))


def test_dso_is_receivables_over_last_90_days_sales_times_90():
    # window: after 2025-12-02, up to and including 2026-03-02
    results = results_for([
        invoice("1", amount="1000.00", invoice_date="2026-03-02"),  # in (as-of day)
        invoice("2", amount="2000.00", invoice_date="2025-12-03", status="Paid"),  # in (first day)
        invoice("3", amount="4000.00", invoice_date="2025-12-02", terms="Net 30"),  # out: as-of − 90
    ])
    (total,) = totals(results, [], AS_OF)
    # receivables 5000.00 ÷ sales 3000.00 × 90 = 150.0
    assert (total.receivables, total.dso) == (money("5000.00"), Decimal("150.0"))


def test_dso_rounds_to_one_decimal():
    results = results_for([
        invoice("1", amount="100.00", invoice_date="2026-02-01"),
        invoice("2", amount="200.00", invoice_date="2026-02-01", status="Paid"),
    ])
    (total,) = totals(results, [], AS_OF)
    assert total.dso == Decimal("30.0")  # 100/300 × 90
    results = results_for([
        invoice("1", amount="100.00", invoice_date="2026-02-01"),
        invoice("2", amount="600.00", invoice_date="2026-02-01", status="Paid"),
    ])
    assert totals(results, [], AS_OF)[0].dso == Decimal("12.9")  # 12.857...


def test_dso_is_none_without_sales_in_the_window():
    results = results_for([invoice("1", amount="100.00", invoice_date="2025-06-01")])
    assert totals(results, [], AS_OF)[0].dso is None


def test_customers_on_hold_counts_cash_only_accounts_owing_in_that_currency():
    results = results_for([invoice("1", currency="EUR"), invoice("2", currency="USD")])
    accounts = [
        account("A", CASH_ONLY, {"EUR": money("100.00")}),
        account("B", CASH_ONLY, {"USD": money("100.00")}),
        account("C", GOOD_STANDING, {"EUR": money("100.00")}),
        account("D", CASH_ONLY, {"EUR": money("0.00")}),
    ]
    eur, usd = totals(results, accounts, AS_OF)
    assert (eur.customers_on_hold, usd.customers_on_hold) == (1, 1)


def test_overdue_share_is_of_the_amount_owed_before_credits_so_it_never_passes_100_percent():
    results = results_for([
        invoice("1", amount="1000.00", due_date="2026-01-01"),
        invoice("2", amount="-250.00"),
    ])
    (total,) = totals(results, [], AS_OF)
    assert (total.receivables, total.overdue, total.overdue_share) == (
        money("750.00"), money("1000.00"), Decimal("100.00"))


# ---- each customer's balance: buckets + credits = total ------------------

def test_each_customers_buckets_plus_open_credits_make_its_total_in_every_currency():
    results = results_for([
        invoice("J-1", customer="Juniper", amount="12495.72", currency="GBP", due_date="2026-03-10"),
        invoice("CN-1", customer="Juniper", amount="-240.00", currency="GBP"),
        invoice("J-2", customer="Juniper", amount="800.00", currency="EUR", due_date="2026-01-15"),  # 46 days
        invoice("CN-2", customer="Juniper", amount="-50.00", currency="EUR"),
        invoice("CN-3", customer="Juniper", amount="-25.50", currency="EUR"),
        invoice("B-1", customer="Bolt", amount="300.00", currency="EUR", due_date="2025-10-01"),  # 152 days
        invoice("B-2", customer="Bolt", amount="999.00", currency="EUR", status="Paid"),
    ])
    balances = aged_balances(results)
    juniper_gbp, juniper_eur, bolt_eur = (balances[key] for key in (("Juniper", "GBP"), ("Juniper", "EUR"), ("Bolt", "EUR")))
    assert (juniper_gbp.buckets, juniper_gbp.credits, juniper_gbp.total) == (
        {"Current": money("12495.72")}, money("-240.00"), money("12255.72"))
    assert (juniper_eur.buckets, juniper_eur.credits, juniper_eur.total) == (
        {"31–60": money("800.00")}, money("-75.50"), money("724.50"))
    assert (bolt_eur.buckets, bolt_eur.credits, bolt_eur.total) == ({"90+": money("300.00")}, money("0.00"), money("300.00"))
    for line in balances.values():
        assert sum(line.buckets.values(), money("0.00")) + line.credits == line.total


def test_a_customer_with_only_credit_notes_has_them_as_credits_and_nothing_aged():
    results = results_for([
        invoice("CN-9", customer="Dpd", amount="-93848.00", invoice_date="2023-01-01", due_date="2023-02-01"),
        invoice("CN-10", customer="Dpd", balance="-1684.00", amount="5000.00", due_date="2023-03-01"),  # overpaid
    ])
    (line,) = aged_balances(results).values()
    assert (line.buckets, line.credits, line.total, line.oldest) == ({}, money("-95532.00"), money("-95532.00"), 0)


def test_disputed_and_on_hold_invoices_are_aged_and_only_credit_notes_are_credits():
    results = results_for([
        invoice("1", amount="500.00", status="Disputed", due_date="2026-02-01"),  # 29 days
        invoice("2", amount="200.00", status="On hold", due_date="2026-01-01"),  # 60 days
        invoice("3", amount="-80.00"),
    ])
    (line,) = aged_balances(results).values()
    assert (line.buckets, line.credits, line.total, line.oldest) == (
        {"1–30": money("500.00"), "31–60": money("200.00")}, money("-80.00"), money("620.00"), 60)


def test_the_book_totals_are_the_sum_of_the_customers_aged_balances_in_each_currency():
    results = results_for([
        invoice("1", customer="A", amount="100.00", currency="EUR", due_date="2026-02-01"),
        invoice("2", customer="A", amount="-30.00", currency="EUR"),
        invoice("3", customer="B", amount="-70.00", currency="EUR"),
        invoice("4", customer="B", amount="400.00", currency="USD", due_date="2026-04-01"),
        invoice("5", customer="C", amount="-10.00", currency="USD"),
    ])
    balances = aged_balances(results)
    for figures in totals(results, [], AS_OF):
        lines = [line for (_, currency), line in balances.items() if currency == figures.currency]
        assert sum((line.credits for line in lines), money("0.00")) == figures.credits
        assert sum((line.total for line in lines), money("0.00")) == figures.receivables
        for label, amount in figures.buckets:
            assert sum((line.buckets.get(label, money("0.00")) for line in lines), money("0.00")) == amount
        assert figures.overdue_share <= 100
