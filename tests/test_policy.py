import datetime as dt
import pytest

from tests.builders import customer, entry, invoice, settings
from collector.aging import assess_invoice
from collector.assessment import CASH_ONLY, GOOD_STANDING, Action, Promise
from collector.model import PolicyStep
from collector.policy import (
    DEFAULT_POLICY, channel_kind, credit_status, due_step, is_customer_facing, ladder_of,
    last_contact, logged_stage, step_key, steps_from_table,
)

D = dt.date
LADDER = ladder_of(DEFAULT_POLICY)


def names(steps):
    return [step.name for step in steps]


# ---- the default table ---------------------------------------------------

def test_default_policy_is_the_seed_practice_table():
    table = [(s.name, s.days, s.start, s.channel, s.to, s.only_before_due) for s in DEFAULT_POLICY]
    assert table == [
        ("receipt-check", 5, "invoice date", "email", ("customer",), True),
        ("courtesy-reminder", -7, "due date", "email", ("customer",), True),
        ("overdue-notice", 5, "due date", "email", ("customer",), False),
        ("first-call", 8, "due date", "call", ("customer", "sales rep"), False),
        ("conversation-letter", 10, "due date", "letter", ("customer",), False),
        ("second-notice", 20, "due date", "call", ("customer",), False),
        ("manager-escalation", 30, "due date", "task", ("manager", "owner"), False),
        ("final-demand", 40, "due date", "letter", ("customer",), False),
        ("collections-referral", 60, "due date", "task", ("owner",), False),
        ("broken-promise", 2, "promised date", "call", ("customer",), False),
        ("instalment-missed", 5, "instalment date", "email", ("customer",), False),
    ]


def test_default_templates_are_named_after_their_steps():
    assert all(step.template == step.name for step in DEFAULT_POLICY)


def test_ladder_is_the_steps_counted_from_invoice_or_due_date():
    assert names(LADDER) == names(DEFAULT_POLICY)[:9]


def test_a_step_is_customer_facing_when_the_customer_is_a_recipient():
    facing = {step.name: is_customer_facing(step) for step in DEFAULT_POLICY}
    assert [name for name, yes in facing.items() if not yes] == ["manager-escalation", "collections-referral"]


# ---- which step is due ---------------------------------------------------

def result_for(as_of, **fields):
    return assess_invoice(invoice(**fields), None, settings(), as_of)


@pytest.mark.parametrize("as_of, expected", [
    (D(2026, 1, 5), None),  # invoice date + 4
    (D(2026, 1, 6), "receipt-check"),  # invoice date + 5
    (D(2026, 1, 24), "courtesy-reminder"),  # due − 7
    (D(2026, 1, 31), "courtesy-reminder"),  # on the due date
    (D(2026, 2, 3), None),  # due + 3: reminders before the due date are over
    (D(2026, 2, 5), "overdue-notice"),
    (D(2026, 2, 8), "first-call"),
    (D(2026, 2, 9), "first-call"),
    (D(2026, 2, 10), "conversation-letter"),
    (D(2026, 2, 20), "second-notice"),
    (D(2026, 3, 2), "manager-escalation"),
    (D(2026, 3, 12), "final-demand"),
    (D(2026, 4, 1), "collections-referral"),
    (D(2027, 4, 1), "collections-referral"),
])
def test_due_step_is_the_highest_step_whose_day_has_come(as_of, expected):
    result = result_for(as_of, invoice_date="2026-01-01", terms="Net 30")  # due 2026-01-31
    index = due_step(result, LADDER, as_of)
    assert (LADDER[index].name if index >= 0 else None) == expected


def test_receipt_check_is_not_due_when_the_invoice_is_due_on_receipt():
    as_of = D(2026, 1, 6)  # invoice date + 5 is also due date + 5
    result = result_for(as_of, invoice_date="2026-01-01", terms="Due on receipt")
    assert LADDER[due_step(result, LADDER, as_of)].name == "overdue-notice"
    assert due_step(result, LADDER, D(2026, 1, 5)) == -1


def test_logged_stage_is_the_highest_step_logged_for_the_invoice():
    result = result_for(D(2026, 3, 1), number="7")
    log = [
        entry("2026-02-05", invoices=["7"], step="overdue-notice"),
        entry("2026-02-12", invoices=["8"], step="final-demand"),
        entry("2026-02-20", invoices=["6", "7"], step="Second Notice"),
    ]
    assert LADDER[logged_stage(result, log, LADDER)].name == "second-notice"


def test_log_entry_without_invoices_covers_every_invoice_issued_by_then():
    early = result_for(D(2026, 3, 1), number="7", invoice_date="2026-01-01")
    late = result_for(D(2026, 3, 1), number="8", invoice_date="2026-02-15")
    log = [entry("2026-02-10", step="overdue-notice")]
    assert (logged_stage(early, log, LADDER), logged_stage(late, log, LADDER)) == (2, -1)


def test_step_names_compare_without_case_or_punctuation():
    assert step_key("Overdue Notice") == step_key("overdue_notice") == "overdue-notice"


@pytest.mark.parametrize("text, kind", [
    ("Email", "email"), ("e-mail", "email"), ("Letter", "letter"), ("courrier", "letter"),
    ("Phone call", "call"), ("Appel", "call"), ("tawag", "call"), ("Visit", "visit"),
    ("Task", "task"), ("SMS", "message"), ("Note", "note"), ("Dispute", "dispute"),
    ("litige", "dispute"), ("call + email", "call"), ("carrier pigeon", ""),
])
def test_channel_kind_reads_channels_as_typed(text, kind):
    assert channel_kind(text) == kind


def test_last_contact_counts_only_contacts_that_reach_the_customer():
    log = [
        entry("2026-02-01", channel="call"),
        entry("2026-02-10", channel="note"),
        entry("2026-02-12", channel="task", step="manager-escalation"),
        entry("2026-02-05", channel="", step="overdue-notice"),
    ]
    assert last_contact(log, DEFAULT_POLICY) == D(2026, 2, 5)


# ---- the Policy sheet ----------------------------------------------------

def row(step, days, start="due date", channel="email", template="", to="customer"):
    return {"step": step, "days": days, "from": start, "channel": channel, "template": template, "to": to}


def test_policy_table_rows_become_steps():
    steps, problems = steps_from_table([
        (2, row("Friendly Reminder", "-3", "Due", "E-mail", "", "Customer")),
        (3, row("Phone", "+10", "due date", "Phone", "call-script", "customer and sales rep")),
        (4, row("Boss", "25 days", "Invoice", "Task", "", "manager + owner")),
    ])
    assert problems == ()
    assert steps == (
        PolicyStep("friendly-reminder", -3, "due date", "email", "friendly-reminder", ("customer",), True, 2),
        PolicyStep("phone", 10, "due date", "call", "call-script", ("customer", "sales rep"), False, 3),
        PolicyStep("boss", 25, "invoice date", "task", "boss", ("manager", "owner"), False, 4),
    )


def test_seed_reminder_names_are_only_before_due_wherever_they_sit():
    steps, _ = steps_from_table([(2, row("receipt-check", "5", "invoice date"))])
    assert steps[0].only_before_due


def test_every_bad_policy_cell_is_reported_with_its_cell():
    steps, problems = steps_from_table([
        (2, row("overdue-notice", "5")),
        (3, row("", "five", "tomorrow", "pigeon", "", "the neighbours")),
        (7, row("final-demand", "40.5", "due date", "letter")),
    ])
    assert names(steps) == ["overdue-notice"]
    assert [(p.sheet, p.cell, p.value) for p in problems] == [
        ("Policy", "A3", ""), ("Policy", "B3", "five"), ("Policy", "C3", "tomorrow"),
        ("Policy", "D3", "pigeon"), ("Policy", "F3", "the neighbours"), ("Policy", "B7", "40.5"),
    ]
    assert str(problems[1]) == (
        "Policy!B3: The days must be a whole number (found 'five'). "
        "Type a number of days such as 5, or -7 for before the date."
    )


def test_policy_problems_use_the_sheets_own_column_letters():
    letters = {"step": "B", "days": "D", "from": "C", "channel": "E", "template": "F", "to": "G"}
    _, problems = steps_from_table([(9, row("x", "soon"))], sheet="Règles", letters=letters)
    assert [(p.sheet, p.cell) for p in problems] == [("Règles", "D9")]


def test_duplicate_step_names_are_reported():
    steps, problems = steps_from_table([(2, row("Call", "8")), (3, row("call", "9"))])
    assert names(steps) == ["call"]
    assert [(p.cell, p.message) for p in problems] == [("A3", "The step 'call' appears twice")]


def test_blank_policy_rows_are_skipped_and_blank_cells_take_defaults():
    steps, problems = steps_from_table([(2, row("", "", "", "", "", "")), (3, row("nudge", "3", "", "email", "", ""))])
    assert problems == ()
    assert steps == (PolicyStep("nudge", 3, "due date", "email", "nudge", ("customer",), False, 3),)


# ---- credit status -------------------------------------------------------

def status_of(cust=None, results=(), log=(), action=None, promise=None):
    return credit_status(cust or customer(), list(results), list(log), action, promise, DEFAULT_POLICY, "")


AS_OF = D(2026, 3, 2)
OPEN = assess_invoice(invoice("1", amount="500.00", invoice_date="2026-01-01"), None, settings(), AS_OF)


def test_customer_in_good_standing_by_default():
    assert status_of(results=[OPEN]) == (GOOD_STANDING, "")


def test_final_demand_sent_makes_the_customer_cash_only():
    log = [entry("2026-02-20", invoices=["1"], channel="letter", step="final-demand")]
    assert status_of(results=[OPEN], log=log) == (CASH_ONLY, "A final demand was sent on 2026-02-20.")


def test_broken_promise_makes_the_customer_cash_only():
    promise = Promise(D(2026, 2, 20), D(2026, 2, 25), None, ("1",), True)
    assert status_of(results=[OPEN], promise=promise) == (
        CASH_ONLY, "The promise to pay by 2026-02-25 was not kept.",
    )


def test_open_total_over_the_credit_limit_makes_the_customer_cash_only():
    assert status_of(customer(credit_limit="400.00"), [OPEN]) == (
        CASH_ONLY, "The open balance of 500.00 is over the credit limit of 400.00.",
    )
    assert status_of(customer(credit_limit="500.00"), [OPEN]) == (GOOD_STANDING, "")


@pytest.mark.parametrize("typed", ["Cash only", "On hold", "COD", "comptant", "numerar"])
def test_cash_only_typed_by_the_owner_is_kept(typed):
    assert status_of(customer(credit_status=typed), [OPEN]) == (CASH_ONLY, "Set by you on the Customers sheet.")



def test_referral_for_collection_makes_the_customer_cash_only():
    log = [entry("2026-02-20", invoices=["1"], channel="letter", step="final-demand"),
           entry("2026-03-01", invoices=["1"], channel="task", step="collections-referral")]
    assert status_of(results=[OPEN], log=log) == (
        CASH_ONLY, "The account was referred for collection on 2026-03-01.",
    )


def test_referral_going_out_with_this_run_makes_the_customer_cash_only():
    action = Action.of(customer=customer(), step="collections-referral", channel="task", to=("owner",),
                       template="collections-referral", invoices=("1",), open_invoices=("1",), amount={},
                       interest={}, minimum_amount={}, pay_by=None, following_step="", following_date=None,
                       reason="", urgency=0)
    assert status_of(results=[OPEN], action=action) == (
        CASH_ONLY, "The account is referred for collection with this run.",
    )
