import datetime as dt
from decimal import Decimal

import pytest

from collector.terms import (
    Terms, TermsError, choose_terms, discount_amount, discount_deadline, due_date, parse_terms,
)

D = dt.date


# (text, net days, end of month, discount percent, discount days)
TERM_CASES = [
    ("Net 30", 30, False, "0", 0),
    ("net30", 30, False, "0", 0),
    ("N30", 30, False, "0", 0),
    ("n/30", 30, False, "0", 0),
    ("Net.30", 30, False, "0", 0),
    ("NET  30 .", 30, False, "0", 0),
    ("30", 30, False, "0", 0),
    ("30.0", 30, False, "0", 0),
    ("30 days", 30, False, "0", 0),
    ("30 Days", 30, False, "0", 0),
    ("Net 60", 60, False, "0", 0),
    ("Net 0", 0, False, "0", 0),
    ("2/10 Net 30", 30, False, "2", 10),
    ("2/10 N30", 30, False, "2", 10),
    ("2% 10 Net 30", 30, False, "2", 10),
    ("2%/10 net 30 days", 30, False, "2", 10),
    ("1.5/10, n/45", 45, False, "1.5", 10),
    ("1,5/10 net 45", 45, False, "1.5", 10),
    ("Due on receipt", 0, False, "0", 0),
    ("Upon receipt", 0, False, "0", 0),
    ("Due upon receipt.", 0, False, "0", 0),
    ("COD", 0, False, "0", 0),
    ("C.O.D.", 0, False, "0", 0),
    ("Cash", 0, False, "0", 0),
    ("CIA", 0, False, "0", 0),
    ("Cash in advance", 0, False, "0", 0),
    ("Net 30 EOM", 30, True, "0", 0),
    ("EOM", 0, True, "0", 0),
    ("30 EOM", 30, True, "0", 0),
    ("EOM 30", 30, True, "0", 0),
    ("e.o.m. 30", 30, True, "0", 0),
    ("2/10 EOM Net 30", 30, True, "2", 10),
    # French
    ("30 jours", 30, False, "0", 0),
    ("30 jours fin de mois", 30, True, "0", 0),
    ("à réception", 0, False, "0", 0),
    ("A RECEPTION", 0, False, "0", 0),
    ("comptant", 0, False, "0", 0),
    # Romanian
    ("30 zile", 30, False, "0", 0),
    ("30 de zile", 30, False, "0", 0),
    ("la primire", 0, False, "0", 0),
    # Greek
    ("30 ημέρες", 30, False, "0", 0),
    ("30 ΗΜΕΡΕΣ", 30, False, "0", 0),
    ("τοις μετρητοίς", 0, False, "0", 0),
    # Indonesian
    ("30 hari", 30, False, "0", 0),
    ("tunai", 0, False, "0", 0),
    # Tagalog
    ("30 araw", 30, False, "0", 0),
    # Spanish and Portuguese
    ("30 días", 30, False, "0", 0),
    ("30 dias", 30, False, "0", 0),
    ("contado", 0, False, "0", 0),
    ("Contra entrega", 0, False, "0", 0),
]


@pytest.mark.parametrize("text, net, eom, percent, days", TERM_CASES)
def test_parse_terms_reads_every_common_format(text, net, eom, percent, days):
    terms = parse_terms(text)
    assert (terms.net_days, terms.end_of_month, terms.discount_percent, terms.discount_days) == (
        net, eom, Decimal(percent), days,
    )
    assert terms.text == text.strip()


def test_due_on_receipt_is_net_zero():
    assert parse_terms("Due on receipt").on_receipt
    assert not parse_terms("EOM").on_receipt


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_terms_raise_so_the_caller_uses_the_next_source(text):
    with pytest.raises(TermsError, match="No payment terms are given."):
        parse_terms(text)


@pytest.mark.parametrize("text", ["whenever", "net", "2/10", "30 60", "Net 30 maybe", "150/10 net 30", "Net 99999"])
def test_unreadable_terms_raise_a_plain_sentence(text):
    with pytest.raises(TermsError) as error:
        parse_terms(text)
    message = str(error.value)
    assert repr(text) in message and message.endswith(".")


def test_terms_error_is_a_value_error():
    assert issubclass(TermsError, ValueError)


@pytest.mark.parametrize("invoice_day, text, expected", [
    (D(2026, 1, 1), "Net 30", D(2026, 1, 31)),
    (D(2024, 1, 31), "Net 30", D(2024, 3, 1)),  # leap year: February has 29 days
    (D(2025, 1, 31), "Net 30", D(2025, 3, 2)),
    (D(2026, 12, 15), "Net 30", D(2027, 1, 14)),
    (D(2026, 1, 15), "Net 30 EOM", D(2026, 3, 2)),  # Jan 31 + 30 days
    (D(2026, 1, 15), "EOM", D(2026, 1, 31)),
    (D(2024, 2, 10), "EOM", D(2024, 2, 29)),  # end of February in a leap year
    (D(2025, 2, 10), "EOM", D(2025, 2, 28)),
    (D(2024, 2, 10), "Net 30 EOM", D(2024, 3, 30)),
    (D(2024, 2, 29), "30 jours fin de mois", D(2024, 3, 30)),
    (D(2026, 3, 4), "Due on receipt", D(2026, 3, 4)),
    (D(2026, 3, 4), "2/10 Net 30", D(2026, 4, 3)),
])
def test_due_date_counts_net_days_from_invoice_or_month_end(invoice_day, text, expected):
    assert due_date(invoice_day, parse_terms(text)) == expected


def test_discount_deadline_is_discount_days_after_invoice_date():
    assert discount_deadline(D(2026, 1, 1), parse_terms("2/10 Net 30")) == D(2026, 1, 11)
    assert discount_deadline(D(2026, 1, 25), parse_terms("2/10 Net 30")) == D(2026, 2, 4)


def test_eom_discount_counts_from_month_end():
    assert discount_deadline(D(2026, 1, 15), parse_terms("2/10 EOM Net 30")) == D(2026, 2, 10)


def test_no_discount_deadline_without_a_discount():
    assert discount_deadline(D(2026, 1, 1), parse_terms("Net 30")) is None


@pytest.mark.parametrize("amount, text, expected", [
    ("1000.00", "2/10 Net 30", "20.00"),
    ("333.33", "1.5/10 n/45", "5.00"),  # 4.99995 rounds half up
    ("0.25", "2/10 Net 30", "0.01"),  # 0.005 rounds half up
    ("1234.56", "2/10 Net 30", "24.69"),  # 24.6912
    ("1000.00", "Net 30", "0.00"),
])
def test_discount_amount_is_exact_to_the_cent(amount, text, expected):
    result = discount_amount(Decimal(amount), parse_terms(text))
    assert result == Decimal(expected) and str(result) == expected


def test_choose_terms_prefers_invoice_then_customer_then_default():
    assert choose_terms("Net 15", "Net 45", "Net 60") == (parse_terms("Net 15"), "Net 15")
    assert choose_terms("", "Net 45", "Net 60") == (parse_terms("Net 45"), "Net 45")
    assert choose_terms("", "", "Net 60") == (parse_terms("Net 60"), "Net 60")


def test_choose_terms_falls_back_to_net_30():
    terms, source = choose_terms("", "", "")
    assert (terms.net_days, terms.end_of_month, source) == (30, False, "Net 30")


def test_choose_terms_skips_unreadable_terms_for_the_next_source():
    assert choose_terms("whenever", "Net 45", "Net 60")[0].net_days == 45
    assert choose_terms("whenever", "soon", "")[0] == Terms(30, text="Net 30")
