"""Email drafts: headers a mail program trusts, and nothing typed in a workbook can forge one."""
from __future__ import annotations

import datetime as dt
import email
import email.policy

from collector.documents import EMAIL, INTERNAL_EMAIL, LETTER, STATEMENT, render_documents
from collector.engine import assess
from collector.mail import Attachment, Mailbox, addresses_in, draft, header_text, mailbox, valid_address
from tests.builders import book, customer, invoice, settings
from tests.documents_helpers import pdf_text, read_eml

WHEN = dt.datetime(2026, 2, 6, 9, 0, tzinfo=dt.timezone.utc)
NASTY = 'Evil <script>alert(1)</script>\r\nBcc: evil@x.example'


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def test_draft_is_an_unsent_message_with_text_html_and_a_pdf():
    data = draft(Mailbox("Shop Ltd", "ar@shop.example"), [Mailbox("Ann Lee", "ann@client.example")],
                 "Invoice 7", "Hello\nplain", "<p>Hello</p>", WHEN, "<id@shop.example>",
                 [Attachment("Statement.pdf", b"%PDF-1.7 test")])
    message = parse(data)
    assert message["X-Unsent"] == "1" and message["Message-ID"] == "<id@shop.example>"
    assert message["Date"].datetime == WHEN
    assert message.get_content_type() == "multipart/mixed"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Hello\nplain\n"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello</p>"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "Statement.pdf" and attachment.get_content() == b"%PDF-1.7 test"
    assert b"\r\n" in data  # SMTP line endings, as mail programs expect in .eml files
    assert message.get_all("MIME-Version") == ["1.0"]


def test_names_with_line_breaks_cannot_add_headers():
    data = draft(Mailbox("Shop", "ar@shop.example"), [Mailbox(NASTY, "ann@client.example")],
                 "Subject\nBcc: evil@x.example", "text", "<p>html</p>", WHEN, "<id@shop.example>")
    message = parse(data)
    assert message["Bcc"] is None and "evil@x.example" not in message["To"].addresses[0].addr_spec
    assert [a.addr_spec for a in message["To"].addresses] == ["ann@client.example"]
    assert "\n" not in message["Subject"] and "\n" not in message["To"]


def test_only_plain_valid_addresses_are_accepted():
    assert valid_address("ann@client.example") == "ann@client.example"
    assert valid_address(" <ann@client.example> ") == "ann@client.example"
    assert valid_address("mailto:ann@client.example") == "ann@client.example"
    for bad in ("ann at client", "ann@", "@client.example", "ann@client", "a@b.c\nBcc: x@y.example",
                "Ann <ann@client.example>, evil@x.example", "ann@@client.example", ""):
        assert valid_address(bad) is None, bad
    assert mailbox("Ann", "not an address") is None


def test_a_cell_with_several_addresses_gives_each_and_reports_the_rest():
    good, bad = addresses_in("ann@client.example; bob@client.example, nonsense")
    assert good == ["ann@client.example", "bob@client.example"] and bad == ["nonsense"]


def test_header_text_is_one_clean_line():
    assert header_text("a\r\nb\tc\x00d\u2028e") == "a b c d e"


def test_customer_name_with_script_and_bcc_is_harmless_everywhere(tmp_path):
    workbook = book(
        [invoice("X-1", NASTY, "250.00", "2026-01-01", terms="Net 30", customer_key="EVIL")],
        [customer(NASTY, key="EVIL", email="ok@client.example", contact_name="Bob " + NASTY,
                  address=("1 <b>Bold</b> Street", "Town"))],
        settings=settings(company_name="Shop", email="shop@example.com", currency="GBP"),
    )
    rendered = render_documents(workbook, assess(workbook, dt.date(2026, 2, 6)), str(tmp_path))
    (result,) = rendered.results
    assert [d.kind for d in result.documents] == [EMAIL, STATEMENT]
    for d in result.documents:
        assert "/" not in d.path and "\n" not in d.path and "<" not in d.path
    message = read_eml(tmp_path / result.documents[0].path)
    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["ok@client.example"]
    assert all("\n" not in value for _, value in message.items())
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert message.get_body(("plain",)).get_content().startswith("Dear Bob Evil <script>alert(1)</script>")
    statement = pdf_text(tmp_path / result.documents[1].path)
    assert "<script>alert(1)</script>" in statement  # shown as text, not run or dropped
    assert "1 <b>Bold</b> Street" in statement


def test_internal_email_without_any_colleague_address_goes_to_the_owner(tmp_path):
    workbook = book(
        [invoice("S-1", "Rep Less Ltd", "900.00", "2026-01-01", terms="Net 30")],
        [customer("Rep Less Ltd", email="a@repless.example", phone="0100", sales_rep="Tom")],
        settings=settings(company_name="Shop", email="owner@shop.example"),
    )
    assessment = assess(workbook, dt.date(2026, 2, 9))
    assert assessment.actions[0].step == "first-call"
    (result,) = render_documents(workbook, assessment, str(tmp_path)).results
    internal = next(d for d in result.documents if d.kind == INTERNAL_EMAIL)
    message = read_eml(tmp_path / internal.path)
    assert [a.addr_spec for a in message["To"].addresses] == ["owner@shop.example"]
    assert result.note.startswith("No email address for the sales rep")
    assert LETTER not in [d.kind for d in result.documents]
