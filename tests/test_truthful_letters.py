"""Every letter, email, call script and referral pack states only what is true for that customer:
no reminder or call the Contact Log does not show, each invoice's own due date, and amounts that
are the sum of the invoices the sentence names (or say that they cover the other overdue ones)."""
from __future__ import annotations

import datetime as dt

import pytest

from pypdf import PdfReader

from collector.documents import EMAIL, INTERNAL_EMAIL, LETTER, REFERRAL_PACK, render_documents
from collector.engine import assess
from tests.builders import book, customer, entry, invoice, settings
from tests.documents_helpers import flat, pdf_text, read_eml

AS_OF = dt.date(2026, 11, 23)
ADDRESS = ("1 High Street", "Bristol BS1 1AA")


def client(name: str, language: str = "en", **fields):
    return customer(name, email=f"pay@{name.split()[0].lower()}.example", address=ADDRESS, language=language,
                    contact_name="Pat Lee", phone="0117 000 0000", **fields)


def bill(number: str, name: str, amount: str, due: str, issued: str = "2026-09-01"):
    return invoice(number, name, amount, issued, due_date=due)


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """One week's documents for customers with and without history, in several languages."""
    invoices = [
        bill("FD-1", "First Demand Ltd", "1200.00", "2026-10-01"),
        bill("RM-1", "Reminded Ltd", "800.00", "2026-10-01"),
        bill("ES-1", "Escaladat SRL", "640.00", "2026-10-01"),
        bill("CN-1", "Noticed Ltd", "410.00", "2026-10-01"),
        # a second notice for two invoices due on different days, beside a younger overdue one
        bill("AB-1", "Abbott Ltd", "765.72", "2026-10-25"),
        bill("AB-2", "Abbott Ltd", "373.03", "2026-10-31"),
        bill("AB-3", "Abbott Ltd", "4012.28", "2026-11-15"),
        bill("DU-1", "Dupont SARL", "1000.00", "2026-10-25"),
        bill("DU-2", "Dupont SARL", "500.00", "2026-10-31"),
        bill("DU-3", "Dupont SARL", "250.00", "2026-11-15"),
        bill("OL-1", "Olympia Taverna", "900.00", "2026-11-12"),
        bill("BM-1", "Boulangerie Martin", "450.00", "2026-11-12"),
        bill("SV-1", "Severn Brewery", "9629.10", "2026-11-28", "2026-10-29"),
        bill("SV-2", "Severn Brewery", "2685.86", "2026-11-30", "2026-10-31"),
        bill("GW-1", "Greenway Ltd", "2641.32", "2026-12-04", "2026-11-04"),
        bill("GW-2", "Greenway Ltd", "223.49", "2026-12-13", "2026-11-13"),
        bill("GW-3", "Greenway Ltd", "3517.84", "2026-12-18", "2026-11-18"),
        bill("QS-1", "Quayside Ltd", "300.00", "2026-09-01", "2026-08-01"),
    ]
    customers = [
        client("First Demand Ltd"), client("Reminded Ltd"), client("Escaladat SRL", "ro"), client("Noticed Ltd"),
        client("Abbott Ltd"), client("Dupont SARL", "fr"), client("Olympia Taverna", "el"),
        client("Boulangerie Martin", "fr"), client("Severn Brewery"), client("Greenway Ltd"),
        client("Quayside Ltd"),
    ]
    log = [
        entry("2026-10-20", "Reminded Ltd", ["RM-1"], "email", step="overdue-notice", by="collector"),
        entry("2026-11-02", "Escaladat SRL", ["ES-1"], "email", step="manager-escalation", by="collector"),
        entry("2026-10-21", "Noticed Ltd", ["CN-1"], "call", step="second-notice", by="collector"),
    ]
    workbook = book(invoices, customers, log,
                    settings=settings(company_name="Harbour Lane", email="accounts@harbour.example", currency="GBP",
                                      signature="Jane Porter"))
    assessment = assess(workbook, AS_OF)
    steps = {a.customer.key: a.step for a in assessment.actions}
    assert steps == {
        "First Demand Ltd": "final-demand", "Reminded Ltd": "final-demand", "Escaladat SRL": "final-demand",
        "Noticed Ltd": "final-demand",
        "Abbott Ltd": "second-notice", "Dupont SARL": "second-notice", "Olympia Taverna": "conversation-letter",
        "Boulangerie Martin": "conversation-letter", "Severn Brewery": "courtesy-reminder",
        "Greenway Ltd": "receipt-check", "Quayside Ltd": "collections-referral",
    }
    folder = tmp_path_factory.mktemp("week") / AS_OF.isoformat()
    return assessment, render_documents(workbook, assessment, str(folder)), folder


def text_of(week, name: str, kind: str) -> str:
    """What the reader sees in the customer's letter or email, or the owner's pack or internal email."""
    _, rendered, folder = week
    result = next(r for r in rendered.results if r.customer_key == name)
    path = folder / next(d.path for d in result.documents if d.kind == kind)
    if path.suffix == ".pdf":
        return flat(pdf_text(path))
    message = read_eml(path)
    return flat(f"{message['Subject']}\n{message.get_body(('plain',)).get_content()}")


def call_page(folder, call_sheet: str, name: str) -> str:
    """The call sheet's page (one per call) for this customer."""
    pages = [flat(page.extract_text()) for page in PdfReader(str(folder / call_sheet)).pages]
    return next(page for page in pages if name in page)


def test_first_ever_final_demand_claims_no_earlier_reminder(week):
    text = text_of(week, "First Demand Ltd", LETTER)
    assert "reminder" not in text.lower()
    assert "Invoice FD-1, due on 1 October 2026, remains unpaid." in text
    assert "This is our final demand." in text


def test_final_demand_after_a_logged_reminder_says_so(week):
    text = text_of(week, "Reminded Ltd", LETTER)
    assert "Despite our previous reminder, invoice RM-1 remains unpaid." in text


def test_a_second_notice_collector_logged_as_its_call_was_a_written_reminder_too(week):
    text = text_of(week, "Noticed Ltd", LETTER)
    assert "Despite our previous reminder, invoice CN-1 remains unpaid." in text


def test_an_internal_escalation_is_no_reminder_to_the_customer(week):
    text = text_of(week, "Escaladat SRL", LETTER)
    assert "În ciuda" not in text
    assert "Factura ES-1, scadentă la data de 1 octombrie 2026, nu a fost încă achitată." in text


def test_second_notice_without_a_logged_letter_does_not_say_we_wrote(week):
    text = text_of(week, "Abbott Ltd", EMAIL)
    assert "We have written to you" not in text
    assert ("Invoices AB-1, AB-2 and AB-3, due between 25 October 2026 and 15 November 2026, have still not been "
            "paid.") in text  # the account's step carries every overdue invoice that has not had it


def test_second_notice_amount_says_it_covers_the_other_overdue_invoices(tmp_path):
    # X-1 had its second notice a week before; X-2 has its own now, and the £1,000.00 asked for covers both
    workbook = book(
        [bill("X-1", "Xeno", "700.00", "2026-10-25", "2026-09-25"), bill("X-2", "Xeno", "300.00", "2026-10-31")],
        [client("Xeno")], [entry("2026-11-14", "Xeno", ["X-1"], "call", step="second-notice", by="collector")],
        settings=settings(company_name="Harbour Lane", email="accounts@harbour.example", currency="GBP"),
    )
    assessment = assess(workbook, AS_OF)
    assert [(a.step, a.invoices) for a in assessment.actions] == [("second-notice", ("X-2",))]
    rendered = render_documents(workbook, assessment, str(tmp_path))
    (result,) = rendered.results
    email = read_eml(tmp_path / next(d.path for d in result.documents if d.kind == EMAIL))
    text = flat(email.get_body(("plain",)).get_content())
    assert ("Invoice X-2, due on 31 October 2026, has still not been paid. The account is now 29 days overdue, and "
            "the amount outstanding, with the other overdue invoices listed below, is £1,000.00.") in text
    assert "X-1 · due 25 Oct 2026" in text
    script = call_page(tmp_path, rendered.call_sheet, "Xeno")
    assert ("I'm calling about invoice X-2. The account is now 29 days overdue, and, with your other overdue "
            "invoices, £1,000.00 is outstanding.") in script


def test_call_script_names_no_reminders_and_no_amount_as_the_named_invoices_own(week):
    _, rendered, folder = week
    script = call_page(folder, rendered.call_sheet, "Abbott Ltd")
    assert "reminders" not in script
    assert "£5,151.03 is now" not in script
    assert ("I'm calling about invoices AB-1, AB-2 and AB-3. The account is now 29 days overdue, and £5,151.03 is "
            "outstanding.") in script


def test_french_second_notice_gives_both_due_dates_and_what_the_amount_covers(week):
    text = text_of(week, "Dupont SARL", EMAIL)
    assert "Nous vous avons déjà écrit" not in text
    assert "échues entre le 25 octobre 2026 et le 15 novembre 2026" in text
    assert "le montant restant dû s'élève à 1 750,00 £" in text


def test_conversation_letter_without_a_logged_call_mentions_no_call(week):
    french = text_of(week, "Boulangerie Martin", LETTER)
    assert "téléphon" not in french
    greek = text_of(week, "Olympia Taverna", LETTER)
    assert "τηλεφωνικ" not in greek


def test_courtesy_reminder_gives_each_due_date_and_no_single_date_for_the_total(week):
    text = text_of(week, "Severn Brewery", EMAIL)
    assert "due between 28 November 2026 and 30 November 2026" in text
    assert "Due on 28 November 2026" not in text
    assert "Total to pay: £12,314.96" in text


def test_receipt_check_is_not_payable_by_the_first_due_date_alone(week):
    text = text_of(week, "Greenway Ltd", EMAIL)
    assert "payable by 4 December 2026" not in text
    assert "for £6,382.65, falling due between 4 December 2026 and 18 December 2026." in text


def test_referral_pack_offers_no_copies_of_reminders_never_sent(week):
    text = text_of(week, "Quayside Ltd", REFERRAL_PACK)
    assert "copies of the reminders" not in text and "final demand" not in text
    assert "No reminders or calls are recorded" in text


def test_first_call_names_every_overdue_invoice_it_asks_for(tmp_path):
    workbook = book(
        [bill("TB-1", "Thornbury", "1000.00", "2026-11-14"), bill("TB-2", "Thornbury", "200.00", "2026-11-20")],
        [client("Thornbury", sales_rep="Priya", sales_rep_email="priya@harbour.example")],
        settings=settings(company_name="Harbour Lane", email="accounts@harbour.example", currency="GBP"),
    )
    assessment = assess(workbook, AS_OF)
    assert assessment.actions[0].step == "first-call" and assessment.actions[0].invoices == ("TB-1", "TB-2")
    rendered = render_documents(workbook, assessment, str(tmp_path))
    (result,) = rendered.results
    script = call_page(tmp_path, rendered.call_sheet, "Thornbury")
    assert "I'm calling about invoices TB-1 and TB-2 for £1,200.00." in script
    internal = next(d for d in result.documents if d.kind == INTERNAL_EMAIL)
    body = flat(read_eml(tmp_path / internal.path).get_body(("plain",)).get_content())
    assert ("has £1,200.00 overdue on invoices TB-1 and TB-2 (due between 14 November 2026 and 20 November 2026, "
            "now 9 days late)") in body
    assert "invoices TB-1 and TB-2, £1,200.00, 9 days overdue." in flat(result.call_script)


def test_a_second_referral_pack_gives_the_accounts_oldest_overdue_not_the_new_invoices(tmp_path):
    workbook = book(
        [bill("WS-1", "Westfield", "1900.00", "2026-08-31", "2026-08-01"),
         bill("WS-2", "Westfield", "503.85", "2026-11-18", "2026-10-19")],
        [client("Westfield")],
        [entry("2026-11-16", "Westfield", ["WS-1"], "task", "collections-referral", by="collector")],
        settings=settings(company_name="Harbour Lane", email="accounts@harbour.example", currency="GBP"),
    )
    assessment = assess(workbook, AS_OF)
    (action,) = assessment.actions
    assert action.step == "collections-referral" and action.invoices == ("WS-2",)
    rendered = render_documents(workbook, assessment, str(tmp_path))
    (result,) = rendered.results
    pack = flat(pdf_text(tmp_path / next(d.path for d in result.documents if d.kind == REFERRAL_PACK)))
    assert "The oldest unpaid invoice is 84 days past its due date." in pack
    assert "5 days past its due date" not in pack
