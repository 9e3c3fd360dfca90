"""The week's documents for the sample shop: letters, print file, emails, statements, calls, packs.

One rendering of the shop (module fixture) serves most tests; the rest render a
tiny book of their own so each stays fast.
"""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from collector.documents import (
    CALL_SCRIPT, EMAIL, INTERNAL_EMAIL, LETTER, REFERRAL_PACK, STATEMENT, render_documents,
)
from collector.engine import assess
from collector.locale_text import formats_for
from collector.reader import read_book
from tests.builders import book, customer, entry, invoice, settings
from tests.documents_helpers import flat, page_size_mm, pdf_pages, pdf_text, read_eml, text_positions
from tests.workbooks import write_xlsx

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def shop():
    workbook = read_book(str(ROOT / "sample_workbooks" / "shop.xlsx"))
    return workbook, assess(workbook, AS_OF)


@pytest.fixture(scope="module")
def rendered(shop, tmp_path_factory):
    workbook, assessment = shop
    folder = tmp_path_factory.mktemp("week") / AS_OF.isoformat()
    seen = []
    result = render_documents(workbook, assessment, str(folder), progress=lambda done, total: seen.append((done, total)))
    return result, folder, seen


def result_for(rendered, name: str):
    result, folder, _ = rendered
    match = [r for r in result.results if r.customer_key == name]
    assert match, f"no result for {name}"
    return match[0]


def document(rendered, name: str, kind: str) -> Path:
    result, folder, _ = rendered
    paths = [d.path for d in result_for(rendered, name).documents if d.kind == kind]
    assert paths, f"no {kind} for {name}"
    return folder / paths[0]


# ---- what was written ------------------------------------------------------

def test_every_action_gets_a_result_in_the_order_of_the_actions(shop, rendered):
    _, assessment = shop
    result, folder, _ = rendered
    assert [(r.customer_key, r.step) for r in result.results] == [
        (a.customer.key, a.step) for a in assessment.actions]
    assert len(result.results) == 34


def test_every_listed_document_exists_and_its_path_is_relative_to_the_folder(rendered):
    result, folder, _ = rendered
    for r in result.results:
        assert r.documents, f"{r.customer_key} got no document"
        for d in r.documents:
            assert not os.path.isabs(d.path) and ".." not in d.path
            assert (folder / d.path).is_file(), d.path
            assert d.action_customer_key == r.customer_key and d.step == r.step


def test_file_names_start_with_the_action_number_and_name_customer_and_step(rendered):
    path = document(rendered, "Aegean Foods Ltd", LETTER)
    assert path.name == "03 Aegean Foods Ltd - final-demand.pdf"
    assert document(rendered, "Aegean Foods Ltd", STATEMENT).name == "03 Aegean Foods Ltd - statement.pdf"


def test_progress_counts_every_file_up_to_the_total(rendered):
    _, _, seen = rendered
    total = seen[-1][1]
    assert [done for done, _ in seen] == list(range(1, total + 1))
    assert all(t == total for _, t in seen)


def test_summary_says_what_was_written_and_where(rendered):
    result, folder, _ = rendered
    summary = result.summary()
    assert "7 letters" in summary and "34 statements" in summary and str(folder) in summary
    assert result.print_file in summary


def test_written_files_are_not_private_to_the_owner_account(rendered):
    _, folder, _ = rendered
    mode = (folder / "03 Aegean Foods Ltd - final-demand.pdf").stat().st_mode & 0o777
    assert mode & 0o044  # readable by group/others as any file the owner saves


# ---- letters -----------------------------------------------------------------

def test_final_demand_letter_names_customer_invoices_and_minimum_amount_in_greek(shop, rendered):
    _, assessment = shop
    action = next(a for a in assessment.actions if a.customer.key == "Aegean Foods Ltd")
    text = flat(pdf_text(document(rendered, "Aegean Foods Ltd", LETTER)))
    greek = formats_for("el")
    assert "Aegean Foods Ltd" in text
    for number in action.open_invoices:
        assert number in text
    assert flat(greek.money(action.minimum_amount["GBP"], "GBP")) in text  # 19.281,01 £
    assert "Τελική όχληση" in text and "μόνο τοις μετρητοίς" in text
    assert flat(greek.date(action.pay_by)) in text  # 30 Νοεμβρίου 2026


def test_french_letter_is_written_in_french_with_french_amounts(rendered):
    text = flat(pdf_text(document(rendered, "Boulangerie Martin SARL", LETTER)))
    assert "Madame, Monsieur" in text
    assert "INV-1187" in text and "1 325,72 €" in text
    assert "salutations distinguées" in text


def test_indonesian_and_english_letters_use_their_languages(rendered):
    assert "Dengan hormat" in pdf_text(document(rendered, "PT Nusantara Craft", LETTER))
    mercer = flat(pdf_text(document(rendered, "Mercer Plumbing & Heating", LETTER)))
    assert "Dear Steve Mercer" in mercer and "£973.79" in mercer and "1% per month" in mercer


def test_letter_address_sits_inside_the_dl_window_of_an_a4_sheet(rendered):
    path = document(rendered, "Aegean Foods Ltd", LETTER)
    assert page_size_mm(path) == (210.0, 297.0)
    lines = ["Aegean Foods Ltd", "Giorgos Papadopoulos", "Unit 6, Lea Valley Trading Estate", "Angel Road",
             "London", "N18 3BP"]
    runs = text_positions(path)
    for line in lines:
        x, y, size, text = next(run for run in runs if line in run[3])
        width = len(text) * size * 0.6 * 25.4 / 72  # generous: wider than Arial really is
        assert 20 <= x and x + width <= 20 + 90, (line, x, width)
        assert 45 + 5 <= y - size * 25.4 / 72 and y <= 45 + 45, (line, y)


def window_lines(path: Path) -> list[str]:
    return [text for x, y, _, text in text_positions(path) if 50 < y < 90 and x < 110]


def test_domestic_letters_leave_the_country_off_and_foreign_ones_keep_it(rendered):
    assert window_lines(document(rendered, "Aegean Foods Ltd", LETTER))[-1] == "N18 3BP"
    assert window_lines(document(rendered, "Boulangerie Martin SARL", LETTER))[-1] == "France"


def test_print_file_holds_every_letter_each_starting_on_a_new_page(rendered):
    result, folder, _ = rendered
    letters = [folder / d.path for r in result.results for d in r.documents if d.kind == LETTER]
    assert len(letters) == 7
    assert pdf_pages(folder / result.print_file) == sum(pdf_pages(p) for p in letters)
    reader = PdfReader(str(folder / result.print_file))
    first_page = 0
    for letter in letters:  # each letter's first page is a page of the print file with its subject
        first = flat(PdfReader(str(letter)).pages[0].extract_text())
        assert flat(reader.pages[first_page].extract_text()) == first
        first_page += pdf_pages(letter)


def test_email_step_for_customer_without_email_becomes_a_letter_and_says_so(tmp_path):
    workbook = book(
        [invoice("A-1", "No Mail Ltd", "500.00", "2026-01-01", terms="Net 30")],
        [customer("No Mail Ltd", address=("1 High Street", "Leeds LS1 1AA"))],
        settings=settings(company_name="Shop", email="shop@example.com", currency="GBP"),
    )
    assessment = assess(workbook, dt.date(2026, 2, 6))
    assert [a.step for a in assessment.actions] == ["overdue-notice"]
    rendered = render_documents(workbook, assessment, str(tmp_path))
    (result,) = rendered.results
    assert result.channel == "letter" and result.note == "No email address: sent as a letter."
    assert [d.kind for d in result.documents] == [LETTER, STATEMENT]
    assert rendered.print_file and (tmp_path / rendered.print_file).is_file()
    assert "Dear Sir or Madam" in pdf_text(tmp_path / result.documents[0].path)


def test_invalid_email_address_is_refused_and_sent_as_a_letter(tmp_path):
    workbook = book(
        [invoice("A-1", "Bad Mail Ltd", "500.00", "2026-01-01", terms="Net 30")],
        [customer("Bad Mail Ltd", email="accounts at badmail")],
        settings=settings(company_name="Shop", email="shop@example.com"),
    )
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(tmp_path))
    (result,) = rendered.results
    assert result.channel == "letter"
    assert "is not valid: sent as a letter" in result.note


def test_letter_on_us_letter_paper_puts_the_address_in_a_number_10_window(tmp_path):
    workbook = book(
        [invoice("A-1", "Acme Corp", "1200.00", "2026-01-01", terms="Net 30")],
        [customer("Acme Corp", contact_name="Pat Lee", address=("200 Main St", "Springfield, IL 62701", "USA"))],
        settings=settings(company_name="Shop Inc", email="ar@shop.example", currency="USD", language="en_US",
                          address=("1 Commerce Way", "Chicago, IL 60601", "USA")),
    )
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(tmp_path))
    letter = tmp_path / rendered.results[0].documents[0].path
    assert page_size_mm(letter) == (215.9, 279.4)
    runs = text_positions(letter)
    for line in ("Acme Corp", "Pat Lee", "200 Main St", "Springfield, IL 62701"):
        x, y, size, _ = next(run for run in runs if line in run[3] and run[1] < 90)
        assert 22.2 <= x <= 22.2 + 114.3 and 49.2 <= y - size * 25.4 / 72 and y <= 49.2 + 28.6, (line, x, y)
    text = flat(pdf_text(letter))
    assert "$1,200.00" in text and "February 6, 2026" in text
    assert window_lines(letter)[-1] == "Springfield, IL 62701"  # a domestic letter: no country line


# ---- emails --------------------------------------------------------------------

def test_email_draft_has_the_headers_a_mail_program_needs_and_the_statement_attached(rendered):
    message = read_eml(document(rendered, "Juniper Hotel Group", EMAIL))
    assert message["From"].addresses[0].addr_spec == "accounts@harbourlane.example"
    assert message["From"].addresses[0].display_name == "Harbour Lane Supplies Ltd"
    assert message["To"].addresses[0].addr_spec == "payables@juniperhotels.example"
    assert message["Subject"] == "Friendly reminder: invoice INV-1243 due on 27 November 2026"
    assert message["X-Unsent"] == "1"
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@harbourlane.example>")
    assert message["Date"].datetime.date() == AS_OF
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "INV-1243" in plain and "INV-1243" in html
    assert "you save £121.85" in plain  # the open early-payment discount
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    data = attachment.get_content()
    assert data.startswith(b"%PDF")
    assert "Juniper Hotel Group" in pdf_text(data)


def test_overdue_notice_email_says_please_ignore_if_already_paid(rendered):
    plain = read_eml(document(rendered, "Bramley Garden Centre", EMAIL)).get_body(("plain",)).get_content()
    assert "If you have already paid, please ignore this email" in plain


def test_french_email_is_french_from_subject_to_attachment_name(rendered):
    message = read_eml(document(rendered, "Le Petit Comptoir", EMAIL))
    assert message["Subject"].startswith("Petit rappel")
    assert message.get_body(("plain",)).get_content().startswith("Bonjour Camille Laurent,")
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "Relevé de compte - Le Petit Comptoir - 2026-11-23.pdf"


def test_call_steps_with_a_written_notice_get_an_email_too(rendered):
    kinds = [d.kind for d in result_for(rendered, "Coastal Cleaning Co").documents]
    assert kinds == [CALL_SCRIPT, EMAIL, STATEMENT]
    message = read_eml(document(rendered, "Coastal Cleaning Co", EMAIL))
    plain = message.get_body(("plain",)).get_content()
    assert "late payments bear interest of 1% per month" in plain


def test_first_call_tells_the_sales_rep_by_internal_email(rendered):
    result = result_for(rendered, "Dalton Electrical Services")
    assert [d.kind for d in result.documents] == [CALL_SCRIPT, INTERNAL_EMAIL, STATEMENT]
    message = read_eml(document(rendered, "Dalton Electrical Services", INTERNAL_EMAIL))
    assert message["To"].addresses[0].addr_spec == "priya.shah@harbourlane.example"
    assert "Dalton Electrical Services" in message["Subject"]
    assert message["X-Unsent"] == "1"


def test_manager_escalation_goes_to_the_owner_when_there_is_no_account_manager(rendered):
    result = result_for(rendered, "Carpatia Import SRL")
    assert result.channel == "task"
    message = read_eml(document(rendered, "Carpatia Import SRL", INTERNAL_EMAIL))
    assert [a.addr_spec for a in message["To"].addresses] == ["accounts@harbourlane.example"]
    assert result.note.startswith("No email address for the manager")
    assert message["Subject"].startswith("Please call or visit Carpatia Import SRL")  # the owner's language


# ---- calls, statements, referral packs -----------------------------------------

def test_call_steps_return_a_short_script_for_the_actions_tab(rendered):
    result, folder, _ = rendered
    calls = [r for r in result.results if r.call_script]
    assert {r.step for r in calls} == {"first-call", "second-notice", "broken-promise"}
    script = result_for(rendered, "Ironbridge Motors Ltd").call_script
    assert 2 <= len(script.splitlines()) <= 4
    assert "01632 960488" in script and "Promised Date" in script
    assert all(not r.call_script for r in result.results if r.step not in ("first-call", "second-notice", "broken-promise"))


def test_call_sheet_has_one_page_per_call_with_what_to_record(rendered):
    result, folder, _ = rendered
    calls = [r for r in result.results if r.call_script]
    reader = PdfReader(str(folder / result.call_sheet))
    assert len(reader.pages) == len(calls) == 8
    first = flat(reader.pages[0].extract_text())
    assert "Abbott & Finch Builders Ltd" in first and "0113 496 0101" in first
    assert "Record in the Contact Log after the call" in first and "Promised amount" in first
    manila = flat(reader.pages[[r.customer_key for r in calls].index("Manila Bay Trading")].extract_text())
    assert "Magandang araw po" in manila  # the script in the customer's language


def test_statement_lists_every_open_item_with_credit_notes_and_the_right_total(shop, rendered):
    workbook, assessment = shop
    text = flat(pdf_text(document(rendered, "Juniper Hotel Group", STATEMENT)))
    open_items = [r for r in assessment.invoices if r.invoice.customer_key == "Juniper Hotel Group" and r.is_open]
    for item in open_items:
        assert item.invoice.number in text
    total = sum((r.open_balance for r in open_items), Decimal(0))
    assert f"£{total:,.2f}" in text and "-£240.00" in text and "credit note" in text


def _balance_by_age(text: str, title: str, end: str) -> list[str]:
    """The words of a statement's Balance by age, from its title to the next section."""
    return text.split(title, 1)[1].split(end, 1)[0].split()


def test_statement_balance_by_age_shows_credits_and_adds_up_to_the_total_open_balance(rendered):
    text = flat(pdf_text(document(rendered, "Juniper Hotel Group", STATEMENT)))
    words = _balance_by_age(text, "Balance by age", "How to pay")
    amounts = [Decimal(word.replace("£", "").replace(",", "")) for word in words if "£" in word]
    assert words[:7] == ["Not", "yet", "due", "1–30", "31–60", "61–90", "90+"] and "Credits" in words
    assert amounts == [Decimal("12495.72")] + [Decimal("0.00")] * 4 + [Decimal("-240.00"), Decimal("12255.72")]
    assert sum(amounts[:-1]) == amounts[-1]
    assert f"Total open balance £{amounts[-1]:,.2f}" in text


def test_statement_in_french_names_the_credits_of_its_balance_by_age(tmp_path):
    workbook = book(
        [invoice("F-1", "Boulangerie", "800.00", "2026-01-01", terms="Net 30", currency="EUR"),
         invoice("AV-1", "Boulangerie", "-75.50", "2026-01-20", currency="EUR")],
        [customer("Boulangerie", language="fr", email="compta@boulangerie.example", address=("1 rue Haute", "75001 Paris"))],
        settings=settings(company_name="Shop", email="shop@example.com", currency="EUR"),
    )
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 10)), str(tmp_path))
    (result,) = rendered.results
    statement = next(d for d in result.documents if d.kind == STATEMENT)
    words = _balance_by_age(flat(pdf_text(tmp_path / statement.path)), "Ancienneté du solde", "Échu à ce jour")
    assert "Avoirs" in words
    assert [word for word in words if "," in word] == ["0,00", "800,00", "0,00", "0,00", "0,00", "-75,50", "724,50"]


def test_referral_pack_holds_customer_details_invoices_and_contact_history(tmp_path):
    workbook = book(
        [invoice("R-1", "Slow Payer Ltd", "800.00", "2026-01-01", terms="Net 30")],
        [customer("Slow Payer Ltd", contact_name="Sam Slow", phone="0113 000 0000", email="sam@slow.example",
                  address=("9 Mill Lane", "York YO1 1AA"))],
        log=[entry("2026-02-10", "Slow Payer Ltd", ["R-1"], "call", note="Sam says next week", by="Jane")],
        settings=settings(company_name="Shop", email="shop@example.com", currency="GBP", late_interest="1"),
    )
    assessment = assess(workbook, dt.date(2026, 4, 6))
    assert assessment.actions[0].step == "collections-referral"
    rendered = render_documents(workbook, assessment, str(tmp_path))
    (result,) = rendered.results
    pack = next(d for d in result.documents if d.kind == REFERRAL_PACK)
    text = flat(pdf_text(tmp_path / pack.path))
    for expected in ("Slow Payer Ltd", "Sam Slow", "9 Mill Lane", "R-1", "Sam says next week", "Contact history",
                     "Total claimed"):
        assert expected in text


def test_letters_statements_and_packs_go_to_the_company_for_the_person_with_the_uk_postcode_last(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "Invoices": [["Customer ID", "Customer Name", "Company Name", "Address", "City", "Postcode", "Country",
                      "Invoice #", "Invoice Date", "Invoice Amount"],
                     ["CUST0006", "Lynne Higgins-Carr", "Fletcher, Adams and Parker", "54 Parker View", "Kayland",
                      "CO10 5AH", "United Kingdom", "INV1006", dt.date(2026, 1, 1), 2271.76]],
        "Settings": [["Setting", "Value"], ["Company Name", "Shop"], ["Currency", "GBP"],
                     ["Address", "1 Quay Street\nBristol\nBS1 4DJ\nUnited Kingdom"]],
    })
    workbook = read_book(str(path), locale="")
    window = ["Fletcher, Adams and Parker", "Attn. Lynne Higgins-Carr", "54 Parker View", "Kayland", "CO10 5AH"]
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(tmp_path / "week"))
    documents = {d.kind: tmp_path / "week" / d.path for d in rendered.results[0].documents}
    assert window_lines(documents[LETTER]) == window and window_lines(documents[STATEMENT]) == window
    assert "Dear Lynne Higgins-Carr," in pdf_text(documents[LETTER])
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 4, 6)), str(tmp_path / "later"))
    pack = next(d for d in rendered.results[0].documents if d.kind == REFERRAL_PACK)
    text = flat(pdf_text(tmp_path / "later" / pack.path))
    assert "Fletcher, Adams and Parker (CUST0006)" in text and "Contact Lynne Higgins-Carr" in text


def test_conversation_letter_confirms_the_call_logged_in_the_contact_log(tmp_path):
    workbook = book(
        [invoice("C-1", "Agreed Ltd", "1000.00", "2026-01-01", terms="Net 30")],
        [customer("Agreed Ltd", email="pay@agreed.example", address=("1 Road", "Hull HU1 1AA"))],
        log=[entry("2026-02-09", "Agreed Ltd", ["C-1"], "call", step="first-call",
                   note="Invoice approved, goes out in the next payment run", by="Jane")],
        settings=settings(company_name="Shop", email="shop@example.com", currency="GBP"),
    )
    assessment = assess(workbook, dt.date(2026, 2, 16))  # a week after the call: the minimum gap
    assert assessment.actions[0].step == "conversation-letter"
    rendered = render_documents(workbook, assessment, str(tmp_path))
    text = flat(pdf_text(tmp_path / rendered.results[0].documents[0].path))
    assert "Thank you for speaking with us on 9 February 2026" in text
    assert "Invoice approved, goes out in the next payment run" in text


# ---- the output folder ---------------------------------------------------------

def test_rerun_replaces_collectors_files_and_leaves_the_owners_alone(tmp_path):
    workbook = book(
        [invoice("A-1", "Acme", "500.00", "2026-01-01", terms="Net 30")],
        [customer("Acme", email="a@acme.example")],
        settings=settings(company_name="Shop", email="shop@example.com"),
    )
    first = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(tmp_path))
    (tmp_path / "my notes.txt").write_text("keep me")
    stale = tmp_path / first.results[0].documents[0].path
    renamed = book(list(workbook.invoices), [customer("Acme", email="a@acme.example")],
                   settings=settings(company_name="Shop", email="shop@example.com"))
    second = render_documents(renamed, assess(renamed, dt.date(2026, 2, 20)), str(tmp_path))
    names = {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")}
    assert "my notes.txt" in names
    assert {d.path for r in second.results for d in r.documents} <= names
    if stale.name not in {d.path for r in second.results for d in r.documents}:
        assert not stale.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_customers_whose_names_differ_only_by_case_or_accents_get_different_files(tmp_path):
    workbook = book(
        [invoice("A-1", "Café Rio", "500.00", "2026-01-01", terms="Net 30"),
         invoice("B-1", "CAFE RIO", "300.00", "2026-01-01", terms="Net 30")],
        [customer("Café Rio", email="a@rio.example"), customer("CAFE RIO", email="b@rio.example")],
        settings=settings(company_name="Shop", email="shop@example.com"),
    )
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(tmp_path))
    names = [Path(d.path).name for r in rendered.results for d in r.documents]
    folded = {n.casefold().replace("é", "e") for n in names}
    assert len(folded) == len(names) == 4


# ---- what a customer's own text cannot do ---------------------------------------

MARKUP = '<img src="file:///etc/passwd"><script>alert(1)</script>'


def test_markup_in_names_addresses_and_log_notes_is_printed_in_letters_as_typed(tmp_path):
    from collector.documents import prepare_documents

    name = f"Evil {MARKUP} Ltd"
    workbook = book(
        [invoice("C-1", name, "1000.00", "2026-01-01", terms="Net 30", customer_key="EVIL")],
        [customer(name, key="EVIL", contact_name="<b>Bob</b>", address=("1 <i>Road</i>", "Hull HU1 1AA"))],
        log=[entry("2026-02-09", "EVIL", ["C-1"], "call", step="first-call",
                   note='Paid <a href="https://evil.example">here</a> </p><h1>PAID IN FULL</h1>', by="Jane")],
        settings=settings(company_name="Shop", email="shop@example.com", currency="GBP"),
    )
    assessment = assess(workbook, dt.date(2026, 2, 16))
    assert assessment.actions[0].step == "conversation-letter"
    (html,) = prepare_documents(workbook, assessment).letters
    for tag in ("<img", "<script", "<b>", "<i>", "<a href", "<h1>"):
        assert tag not in html
    assert "&lt;img src=" in html and "&lt;h1&gt;PAID IN FULL&lt;/h1&gt;" in html
    rendered = render_documents(workbook, assessment, str(tmp_path))
    text = flat(pdf_text(tmp_path / rendered.results[0].documents[0].path))
    assert 'Evil<imgsrc="file:///etc/passwd"><script>alert(1)</script>Ltd' in text.replace(" ", "")  # it wraps
    assert "1 <i>Road</i>" in text and "</p><h1>PAID IN FULL</h1>" in text


@pytest.mark.parametrize("name", [
    "../../../etc/cron.d/evil", "..\\..\\Windows\\win.ini", "/absolute/path", "CON", "NUL.", "com1 ", "LPT1.txt",
    'What? <Is> "this": a|name*', "trailing dots...", "😀" * 70, "Ω" * 200,
])
def test_any_customer_name_gives_files_inside_the_week_folder_that_every_system_accepts(tmp_path, name):
    folder = tmp_path / "week"
    workbook = book(
        [invoice("A-1", name, "500.00", "2026-01-01", terms="Net 30", customer_key="K")],
        [customer(name, key="K", email="a@client.example")],
        settings=settings(company_name="Shop", email="shop@example.com"),
    )
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(folder))
    paths = [d.path for d in rendered.results[0].documents]
    assert [os.path.dirname(p) for p in paths] == ["", ""]
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(paths)
    assert [p for p in tmp_path.rglob("*") if folder not in (p, *p.parents)] == []
    for path in paths:
        assert len(path.encode("utf-8")) <= 255
        assert not set(path) & set('<>:"/\\|?*') and path == path.strip(" .")
        assert os.path.splitext(path)[0].split(".")[0].strip().upper() not in {"CON", "NUL", "COM1", "LPT1"}
