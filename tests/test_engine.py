import datetime as dt
from decimal import Decimal

from tests.builders import book, customer, entry, instalment, invoice, settings
from collector.assessment import CASH_ONLY, GOOD_STANDING
from collector.engine import assess, contact_entries
from collector.policy import steps_from_table

D = dt.date
DUE = D(2026, 1, 31)  # invoice 1043: 1000.00, dated 2026-01-01, Net 30


def money(text):
    return Decimal(text)


def acme(number="1043", amount="1000.00", invoice_date="2026-01-01", **fields):
    return invoice(number, "Acme", amount, invoice_date, terms=fields.pop("terms", "Net 30"), **fields)


def on(days_after_due):
    return DUE + dt.timedelta(days=days_after_due)


def run(invoices=None, log=(), as_of=DUE, **fields):
    return assess(book(invoices if invoices is not None else [acme()], log=log, **fields), as_of)


def the_action(assessment):
    (action,) = assessment.actions
    return action


def sent(step, date, invoices=("1043",), channel="email"):
    return entry(date, invoices=list(invoices), channel=channel, step=step, by="collector")


# ---- one test per step of the seed practice (SPEC §3) --------------------

def test_receipt_check_step_goes_five_days_after_the_invoice_date():
    action = the_action(run(as_of=D(2026, 1, 6)))
    assert (action.step, action.channel, action.to, action.template) == (
        "receipt-check", "email", ("customer",), "receipt-check",
    )
    assert action.invoices == ("1043",)
    assert action.amount == {"": money("1000.00")}
    assert action.pay_by == DUE
    assert action.reason == "Invoice 1043 falls due on 2026-01-31; no reminder has been sent yet."
    assert (action.following_step, action.following_date) == ("courtesy-reminder", D(2026, 1, 24))
    assert run(as_of=D(2026, 1, 5)).actions == ()


def test_receipt_check_step_is_not_sent_once_the_invoice_is_due():
    assert run(as_of=on(2)).actions == ()


def test_courtesy_reminder_step_goes_seven_days_before_the_due_date():
    log = [sent("receipt-check", "2026-01-06")]
    action = the_action(run(log=log, as_of=on(-7)))
    assert (action.step, action.channel, action.to) == ("courtesy-reminder", "email", ("customer",))
    assert action.reason == (
        "Invoice 1043 falls due on 2026-01-31; the last step was receipt-check on 2026-01-06."
    )
    assert (action.following_step, action.following_date) == ("overdue-notice", on(5))


def test_courtesy_reminder_step_mentions_the_open_early_payment_discount():
    inv = acme(invoice_date="2026-01-20", terms="2/10 Net 10")  # due Jan 30, discount to Jan 30
    result = run([inv], as_of=D(2026, 1, 23)).invoices[0]
    assert (result.discount_deadline, result.discount_amount) == (D(2026, 1, 30), money("20.00"))
    assert the_action(run([inv], as_of=D(2026, 1, 23))).step == "courtesy-reminder"


def test_courtesy_reminder_step_is_not_sent_after_the_due_date():
    log = [sent("receipt-check", "2026-01-06")]
    assert run(log=log, as_of=on(3)).actions == ()


def test_overdue_notice_step_goes_five_days_after_the_due_date():
    log = [sent("receipt-check", "2026-01-06"), sent("courtesy-reminder", "2026-01-24")]
    action = the_action(run(log=log, as_of=on(5)))
    assert (action.step, action.channel, action.to) == ("overdue-notice", "email", ("customer",))
    assert action.reason == "Invoice 1043 is 5 days overdue; the last step was courtesy-reminder on 2026-01-24."
    assert action.pay_by == on(15)
    # first-call falls on D+8, but no second contact within 7 days
    assert (action.following_step, action.following_date) == ("first-call", on(12))


def test_first_call_step_goes_eight_days_after_due_to_customer_and_sales_rep():
    action = the_action(run(as_of=on(8)))
    assert (action.step, action.channel, action.to) == ("first-call", "call", ("customer", "sales rep"))
    assert action.reason == "Invoice 1043 is 8 days overdue; no reminder has been sent yet."


def test_conversation_letter_step_goes_ten_days_after_due():
    log = [sent("first-call", "2026-02-08", channel="call")]
    action = the_action(run(log=log, as_of=on(10), settings=settings(min_days_between_contacts=2)))
    assert (action.step, action.channel, action.to) == ("conversation-letter", "letter", ("customer",))
    assert action.reason == "Invoice 1043 is 10 days overdue; the last step was first-call on 2026-02-08."


def test_second_notice_step_goes_twenty_days_after_due_with_interest():
    log = [sent("conversation-letter", "2026-02-10", channel="letter")]
    action = the_action(run(log=log, as_of=on(20), settings=settings(late_interest="1")))
    assert (action.step, action.channel, action.to) == ("second-notice", "call", ("customer",))
    # 1000.00 × 1% × 20 ÷ 30 = 6.666... → 6.67
    assert action.interest == {"": money("6.67")}
    assert action.amount == {"": money("1006.67")}
    assert action.urgency == 5 * 1000 + 20


def test_manager_escalation_step_goes_thirty_days_after_due_even_right_after_a_call():
    log = [sent("second-notice", "2026-02-20", channel="call"), entry("2026-02-28", channel="call")]
    assessment = run(log=log, as_of=on(30))
    action = the_action(assessment)
    assert (action.step, action.channel, action.to) == ("manager-escalation", "task", ("manager", "owner"))
    assert action.pay_by is None
    assert (action.following_step, action.following_date) == ("final-demand", on(40))
    assert assessment.accounts[0].waiting_until is None


def test_final_demand_step_goes_forty_days_after_due_and_asks_to_catch_up():
    invoices = [
        acme(),
        acme("1044", "500.00", invoice_date="2026-01-21"),  # due Feb 20: 20 days overdue
        acme("1045", "300.00", invoice_date="2026-03-05"),  # not yet due
    ]
    log = [sent("second-notice", "2026-02-20", ("1043",), "call"),
           sent("manager-escalation", "2026-03-02", ("1043",), "task")]
    assessment = run(invoices, log, on(40), settings=settings(late_interest="1"))
    action = the_action(assessment)
    assert (action.step, action.channel, action.to) == ("final-demand", "letter", ("customer",))
    assert action.invoices == ("1043", "1044")  # 1044 is overdue too: it goes with the account
    assert action.open_invoices == ("1043", "1044", "1045")
    # 1043: 1000.00 + 13.33 (40 days), 1044: 500.00 + 3.33 (20 days)
    assert action.minimum_amount == {"": money("1516.66")}
    assert action.pay_by == on(47)
    account = assessment.accounts[0]
    assert (account.credit_status, account.credit_reason) == (CASH_ONLY, "A final demand goes out with this run.")


def test_collections_referral_step_goes_sixty_days_after_due_to_the_owner():
    log = [sent("final-demand", "2026-03-12", channel="letter")]
    assessment = run(log=log, as_of=on(60))
    action = the_action(assessment)
    assert (action.step, action.channel, action.to) == ("collections-referral", "task", ("owner",))
    assert (action.following_step, action.following_date) == ("", None)
    assert assessment.accounts[0].credit_reason == "The account is referred for collection with this run."


def test_broken_promise_step_goes_two_days_after_the_promised_date():
    log = [entry("2026-02-10", invoices=["1043"], channel="call", promised_date="2026-02-20", row=5)]
    assessment = run(log=log, as_of=D(2026, 2, 22))
    action = the_action(assessment)
    assert (action.step, action.channel, action.to) == ("broken-promise", "call", ("customer",))
    assert action.reason == "The promise to pay by 2026-02-20 was not kept and invoice 1043 is still unpaid."
    assert action.urgency == 5 * 1000 + 22
    account = assessment.accounts[0]
    assert (account.promise.broken, account.promise.log_row, account.stage) == (True, 5, "broken-promise")
    assert (account.credit_status, account.credit_reason) == (
        CASH_ONLY, "The promise to pay by 2026-02-20 was not kept.",
    )


def test_instalment_missed_step_goes_five_days_after_an_unpaid_instalment():
    plan = [instalment("2026-02-15", "400.00"), instalment("2026-03-15", "600.00")]
    assessment = run(as_of=D(2026, 2, 20), instalments=plan)
    action = the_action(assessment)
    assert (action.step, action.channel, action.to) == ("instalment-missed", "email", ("customer",))
    assert action.amount == {"": money("400.00")}
    assert action.reason == "The payment plan instalment due on 2026-02-15 has not been paid."
    account = assessment.accounts[0]
    assert (account.instalments_missed, account.instalments_due) == ((D(2026, 2, 15),), money("400.00"))


# ---- never miss, never repeat, never go back -----------------------------

def test_customer_first_seen_at_45_days_overdue_gets_the_final_demand_only():
    first = run(as_of=on(45))
    assert the_action(first).step == "final-demand"
    assert first.invoices[0].stage == "final-demand"
    assert (first.invoices[0].next_step, first.invoices[0].next_action_date) == ("collections-referral", on(60))
    later = run(log=contact_entries(first), as_of=on(52))
    assert later.actions == ()


def test_customer_first_seen_at_75_days_overdue_goes_straight_to_collections_referral():
    first = run(as_of=on(75))
    action = the_action(first)
    assert action.step == "collections-referral"
    assert action.reason == "Invoice 1043 is 75 days overdue; no reminder has been sent yet."
    assert (first.invoices[0].stage, first.invoices[0].next_step) == ("collections-referral", "")
    log = contact_entries(first)
    for week in range(1, 5):
        assert run(log=log, as_of=on(75 + 7 * week)).actions == ()


def test_running_the_same_day_twice_gives_the_same_plan_and_the_same_log_rows():
    first = run(as_of=on(5))
    again = run(log=contact_entries(first), as_of=on(5))
    assert again == first
    assert contact_entries(again) == contact_entries(first)


def test_a_week_later_nothing_already_done_is_repeated():
    first = run(as_of=on(5))
    assert the_action(first).step == "overdue-notice"
    second = run(log=contact_entries(first), as_of=on(12))
    assert the_action(second).step == "conversation-letter"  # first-call (D+8) fell between runs
    third = run(log=contact_entries(first) + contact_entries(second), as_of=on(19))
    assert third.actions == ()


def test_weekly_runs_send_each_passed_step_once_in_order():
    log, steps = [], []
    monday = D(2026, 1, 5)
    for week in range(16):
        assessment = run(log=log, as_of=monday + dt.timedelta(weeks=week))
        log += contact_entries(assessment)
        steps += [(a.step, assessment.as_of) for a in assessment.actions]
    assert steps == [
        ("receipt-check", D(2026, 1, 12)),
        ("courtesy-reminder", D(2026, 1, 26)),
        ("first-call", D(2026, 2, 9)),
        ("conversation-letter", D(2026, 2, 16)),
        ("second-notice", D(2026, 2, 23)),
        ("manager-escalation", D(2026, 3, 2)),
        ("final-demand", D(2026, 3, 16)),
        ("collections-referral", D(2026, 4, 6)),
    ]


def test_a_step_logged_by_the_owner_is_not_sent_again():
    log = [entry("2026-02-06", invoices=["1043"], channel="email", step="Overdue notice", by="Ana")]
    assert run(log=log, as_of=on(14)).actions[0].step == "conversation-letter"
    assert run(log=log, as_of=on(7)).actions == ()


def test_log_rows_dated_after_the_run_date_are_ignored():
    log = [sent("final-demand", "2026-03-20", channel="letter")]
    assert the_action(run(log=log, as_of=on(5))).step == "overdue-notice"


def test_one_action_per_customer_lists_every_open_invoice():
    invoices = [
        acme(),  # 20 days overdue: second-notice
        acme("1044", "200.00", invoice_date="2026-01-10"),  # due Feb 9: 11 days, conversation-letter
        acme("1045", "300.00", invoice_date="2026-02-15"),  # not yet due
        acme("CN1", "-50.00", invoice_date="2026-02-01"),
    ]
    assessment = run(invoices, as_of=on(20))
    action = the_action(assessment)
    assert (action.step, action.invoices) == ("second-notice", ("1043", "1044"))  # every overdue invoice
    assert action.open_invoices == ("1043", "1044", "1045", "CN1")
    assert action.amount == {"": money("1200.00")}  # 1043 and the overdue 1044; credits are not asked for
    results = {r.invoice.number: r for r in assessment.invoices}
    assert (results["1044"].stage, results["1044"].next_step, results["1044"].next_action_date) == (
        "second-notice", "manager-escalation", on(30),  # with 1043, the account's next step
    )


def test_invoices_due_for_the_same_step_share_one_action():
    invoices = [acme(), acme("1044", "250.00")]
    action = the_action(run(invoices, as_of=on(20)))
    assert (action.invoices, action.amount) == (("1043", "1044"), {"": money("1250.00")})
    assert action.reason == "Invoices 1043 and 1044 are up to 20 days overdue; no reminder has been sent yet."


# ---- minimum days between contacts ---------------------------------------

def test_no_second_customer_contact_within_the_minimum_days():
    log = [entry("2026-02-03", channel="Phone", note="asked about the invoice", by="Ana")]
    assessment = run(log=log, as_of=on(5))
    assert assessment.actions == ()
    account = assessment.accounts[0]
    assert account.waiting_until == D(2026, 2, 10)
    assert (assessment.invoices[0].next_step, assessment.invoices[0].next_action_date) == (
        "overdue-notice", D(2026, 2, 10),
    )


def test_minimum_days_between_contacts_comes_from_settings():
    log = [entry("2026-01-25", channel="email", by="Ana")]
    assert run(log=log, as_of=on(5), settings=settings(min_days_between_contacts=14)).actions == ()
    assert the_action(run(log=log, as_of=on(5))).step == "overdue-notice"


def test_notes_do_not_count_as_contacts():
    log = [entry("2026-02-04", channel="note", by="Ana")]
    assert the_action(run(log=log, as_of=on(5))).step == "overdue-notice"


# ---- promises and payment plans ------------------------------------------

PROMISE = entry("2026-02-10", invoices=["1043"], channel="call", promised_date="2026-02-25", by="Ana")


def test_pending_promise_pauses_customer_facing_steps():
    assessment = run(log=[PROMISE], as_of=on(25))  # Feb 25: the promised day itself
    assert assessment.actions == ()
    account = assessment.accounts[0]
    assert (account.promise.date, account.promise.broken) == (D(2026, 2, 25), False)
    assert account.expected_payment_date == D(2026, 2, 25)
    assert account.credit_status == GOOD_STANDING
    assert assessment.invoices[0].next_action_date == D(2026, 2, 27)


def test_pending_promise_does_not_pause_internal_steps():
    promise = entry("2026-02-26", invoices=["1043"], channel="call", promised_date="2026-03-06")
    assert the_action(run(log=[promise], as_of=on(30))).step == "manager-escalation"


def test_kept_promise_ends_the_matter():
    paid = acme(paid="1000.00", paid_date="2026-02-24")
    assessment = run([paid], log=[PROMISE], as_of=on(30))
    assert assessment.actions == () and assessment.accounts[0].promise is None


def test_broken_promise_is_acted_on_once_then_the_ladder_resumes():
    log, steps = [PROMISE], []
    for as_of in (D(2026, 2, 27), D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)):
        assessment = run(log=log, as_of=as_of)
        log += contact_entries(assessment)
        steps += [(a.step, as_of) for a in assessment.actions]
        assert assessment.accounts[0].credit_status == CASH_ONLY
    assert steps == [
        ("broken-promise", D(2026, 2, 27)),
        ("manager-escalation", D(2026, 3, 2)),  # internal: the minimum gap does not hold it back
        ("final-demand", D(2026, 3, 16)),
    ]


def test_reason_names_the_last_step_or_contact():
    log = [PROMISE, entry("2026-02-27", invoices=["1043"], channel="call", step="broken-promise")]
    assert the_action(run(log=log, as_of=on(30))).reason == (
        "Invoice 1043 is 30 days overdue; the last step was broken-promise on 2026-02-27."
    )
    call = entry("2026-02-10", channel="Phone", note="no answer", by="Ana")
    assert the_action(run(log=[call], as_of=on(30))).reason == (
        "Invoice 1043 is 30 days overdue; the last contact was a call on 2026-02-10."
    )


def test_payment_plan_on_schedule_pauses_the_ladder():
    plan = [instalment("2026-02-15", "400.00"), instalment("2026-03-15", "600.00")]
    paid = acme(paid="400.00", paid_date="2026-02-14")
    assessment = run([paid], as_of=on(25), instalments=plan)
    assert assessment.actions == ()
    account = assessment.accounts[0]
    assert (account.instalments_missed, account.instalments_due, account.expected_payment_date) == (
        (), money("0.00"), D(2026, 3, 15),
    )


def test_missed_instalment_is_acted_on_once_per_instalment():
    plan = [instalment("2026-02-15", "400.00"), instalment("2026-03-15", "600.00")]
    first = run(as_of=D(2026, 2, 20), instalments=plan)
    log = list(contact_entries(first))
    assert the_action(run(log=log, as_of=D(2026, 2, 27), instalments=plan)).step == "second-notice"


# ---- policy, currencies, order -------------------------------------------

def test_policy_sheet_replaces_the_default_ladder():
    steps, problems = steps_from_table([
        (2, {"step": "gentle", "days": "-3", "from": "due", "channel": "email", "to": "customer"}),
        (3, {"step": "firm", "days": "15", "from": "due", "channel": "call", "to": "customer"}),
        (4, {"step": "lawyer", "days": "45", "from": "due", "channel": "task", "to": "owner"}),
    ])
    assert problems == ()
    action = the_action(run(as_of=on(20), policy=steps))
    assert (action.step, action.channel, action.following_step, action.following_date) == (
        "firm", "call", "lawyer", on(45),
    )
    assert run(as_of=on(10), policy=steps).invoices[0].next_step == "firm"


def test_two_currencies_are_asked_for_separately():
    invoices = [acme(currency="EUR"), acme("1044", "700.00", currency="USD")]
    assessment = run(invoices, as_of=on(20))
    action = the_action(assessment)
    assert action.amount == {"EUR": money("1000.00"), "USD": money("700.00")}
    assert assessment.accounts[0].open_total == {"EUR": money("1000.00"), "USD": money("700.00")}
    assert [(t.currency, t.receivables) for t in assessment.totals] == [
        ("EUR", money("1000.00")), ("USD", money("700.00")),
    ]


def test_invoice_currency_defaults_to_the_settings_currency():
    assessment = run(as_of=on(5), settings=settings(currency="RON"))
    assert assessment.invoices[0].currency == "RON"
    assert the_action(assessment).amount == {"RON": money("1000.00")}


def test_actions_are_most_urgent_first_then_by_customer_name():
    invoices = [
        invoice("1", "Zeta", "100.00", "2026-01-01", terms="Net 30"),
        invoice("2", "Beta", "100.00", "2026-01-01", terms="Net 30"),
        invoice("3", "Alpha", "100.00", "2025-12-30", terms="Net 30"),
        invoice("4", "Omega", "100.00", "2025-12-01", terms="Net 30"),
    ]
    assessment = assess(book(invoices), on(20))
    assert [(a.customer.name, a.step, a.urgency) for a in assessment.actions] == [
        ("Omega", "final-demand", 7051), ("Alpha", "second-notice", 5022),
        ("Beta", "second-notice", 5020), ("Zeta", "second-notice", 5020),
    ]


def test_disputed_invoices_are_aged_but_not_chased():
    log = [entry("2026-02-01", invoices=["1043"], channel="dispute", note="wrong quantity")]
    assessment = run(log=log, as_of=on(20))
    assert assessment.actions == ()
    result = assessment.invoices[0]
    assert (result.state, result.days_overdue, result.bucket, result.next_step) == ("disputed", 20, "1–30", "")


def test_credit_limit_exceeded_puts_the_customer_on_cash_only():
    b = book([acme()], customers=[customer(credit_limit="800.00")])
    assessment = assess(b, on(-10))
    assert assessment.accounts[0].credit_status == CASH_ONLY
    assert assessment.totals[0].customers_on_hold == 1


def test_customers_without_invoices_get_an_empty_account():
    assessment = assess(book([acme()], customers=[customer("Idle Ltd")]), on(0))
    assert [(a.customer.name, a.open_total) for a in assessment.accounts] == [
        ("Acme", {"": money("1000.00")}), ("Idle Ltd", {}),
    ]


def test_unusable_aging_buckets_fall_back_to_the_standard_ones_with_a_warning():
    assessment = run(as_of=on(40), settings=settings(aging_buckets=(60, 30)))
    assert assessment.invoices[0].bucket == "31–60"
    (problem,) = assessment.problems
    assert (problem.sheet, problem.severity) == ("Settings", "warning")


def test_the_same_book_always_gives_the_same_assessment():
    invoices = [acme(), acme("1044", "250.00", currency="EUR"), invoice("9", "Beta", "10.00", "2025-11-01")]
    b = book(invoices, log=[PROMISE], settings=settings(late_interest="1.5"))
    assert assess(b, on(33)) == assess(b, on(33))


# ---- one voice per customer: the tone climbs, never back (SPEC §3) -------

def by_number(assessment):
    return {r.invoice.number: r for r in assessment.invoices}


def quiet_week_next_step(newer, log, as_of):
    """The newer invoice's next step and its date, in a week when nothing goes to Acme."""
    assessment = run([acme(), newer], log, as_of=as_of)
    assert assessment.actions == ()
    result = by_number(assessment)[newer.number]
    return result.next_step, result.next_action_date


def test_no_friendly_reminder_after_a_final_demand_until_the_overdue_is_paid():
    newer = acme("1050", "700.00", invoice_date="2026-02-28")  # due Mar 30: courtesy-reminder from Mar 23
    log = [sent("final-demand", on(45), channel="letter")]
    assert quiet_week_next_step(newer, log, on(52)) == ("collections-referral", on(60))
    paid = acme(paid="1000.00", paid_date=on(50))
    assert the_action(run([paid, newer], log, as_of=on(52))).step == "courtesy-reminder"


def test_no_receipt_check_while_older_invoices_are_at_second_notice_and_the_why_says_so():
    newer = acme("1050", "700.00", invoice_date="2026-02-20")  # receipt-check from Feb 25, due Mar 22
    log = [sent("second-notice", on(20), channel="call")]
    assert quiet_week_next_step(newer, log, on(27))[0] == "manager-escalation"
    assessment = run([acme(), newer], log, as_of=on(30))
    action = the_action(assessment)
    assert (action.step, action.invoices) == ("manager-escalation", ("1043",))
    assert action.reason.endswith(
        " No polite reminder for invoice 1050, not yet due, while invoices at second-notice or beyond are"
        " unpaid; the statement lists it.")
    assert by_number(assessment)["1050"].next_action_date > on(30)


def test_a_newer_overdue_invoice_waits_for_the_account_s_next_step_instead_of_a_milder_one():
    newer = acme("1050", "300.00", invoice_date="2026-01-20")  # due Feb 19: overdue-notice from Feb 24
    log = [sent("second-notice", on(20), channel="call")]
    assert quiet_week_next_step(newer, log, on(25)) == ("manager-escalation", on(30))
    action = the_action(run([acme(), newer], log, as_of=on(30)))
    assert (action.step, action.invoices) == ("manager-escalation", ("1043", "1050"))
    assert action.reason == (
        "Invoices 1043 and 1050 are up to 30 days overdue; the last step was second-notice on 2026-02-20."
        " Invoice 1050 joins this step rather than a milder one of its own: the account is chased as a whole.")


def test_the_account_s_step_carries_every_overdue_invoice_and_nothing_else_shows_as_due_today():
    never_chased = acme("1044", "4012.28", invoice_date="2026-01-09")  # due Feb 8: 22 days overdue
    log = [sent("second-notice", on(20), channel="call")]
    assessment = run([acme(), never_chased], log, as_of=on(30))
    action = the_action(assessment)
    assert (action.step, action.invoices) == ("manager-escalation", ("1043", "1044"))
    result = by_number(assessment)["1044"]
    assert (result.stage, result.next_step, result.next_action_date) == ("manager-escalation", "final-demand", on(40))
    assert [r.invoice.number for r in assessment.invoices
            if r.next_action_date and r.next_action_date <= on(30) and r.invoice.number not in action.invoices] == []


def test_at_the_top_of_the_ladder_a_newer_overdue_invoice_is_referred_too():
    newer = acme("1050", "300.00", invoice_date="2026-03-04")  # due Apr 3: overdue-notice from Apr 8
    log = [sent("final-demand", on(40), channel="letter"), sent("collections-referral", on(60), channel="task")]
    assessment = run([acme(), newer], log, as_of=on(67))
    action = the_action(assessment)
    assert (action.step, action.invoices) == ("collections-referral", ("1050",))
    assert action.reason == (
        "Invoice 1050 is 5 days overdue; no reminder has been sent yet. Invoice 1050 joins this step rather"
        " than a milder one of its own: the account is chased as a whole.")
    assert (assessment.accounts[0].credit_status, assessment.accounts[0].credit_reason) == (
        CASH_ONLY, "The account was referred for collection on 2026-04-01.")
