"""Money is read as the owner typed it and kept exact to the cent."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.money import (
    CENT,
    MoneyError,
    currency_in_text,
    decide_decimal_comma,
    parse_money,
    split_evenly,
    sum_money,
    to_cents,
)

D = Decimal


# --- to_cents: the one rounding rule -------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (D("0.125"), D("0.13")),
        ("0.125", D("0.13")),
        ("2.675", D("2.68")),
        (2.675, D("2.68")),  # through repr, not the binary 2.67499999...
        (0.125, D("0.13")),
        (D("-0.125"), D("-0.13")),  # half away from zero on both sides
        (D("0.124999"), D("0.12")),
        (1040.7699999999999, D("1040.77")),
        (0.1 + 0.2, D("0.30")),
        (12, D("12.00")),
        (D("7"), D("7.00")),
        (" 3.5 ", D("3.50")),
        (D("-0.001"), D("0.00")),
    ],
)
def test_to_cents_rounds_half_up_to_the_cent(value, expected):
    result = to_cents(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_to_cents_never_returns_negative_zero():
    assert str(to_cents(D("-0.001"))) == "0.00"


@pytest.mark.parametrize(
    "value", [True, False, None, float("nan"), float("inf"), D("NaN"), "abc", "", [1], D("1e40")]
)
def test_to_cents_refuses_what_is_not_a_number(value):
    with pytest.raises(MoneyError):
        to_cents(value)


def test_cent_is_one_hundredth():
    assert CENT == D("0.01")


# --- parse_money: every format the owner may type -------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1234.5", "1234.50"),
        ("1234", "1234.00"),
        ("$1,234.50", "1234.50"),
        ("1.234,50 €", "1234.50"),
        ("1 234,50", "1234.50"),
        ("1\u00a0234,50", "1234.50"),
        ("1\u202f234,50", "1234.50"),
        ("1\u2009234,50", "1234.50"),
        ("1'234.50", "1234.50"),
        ("1\u2019234.50", "1234.50"),
        ("USD 1,234", "1234.00"),
        ("usd 5", "5.00"),
        ("RM 1,200.00", "1200.00"),
        ("RM1,200.00", "1200.00"),
        ("₹1,23,456.00", "123456.00"),
        ("₹12,34,567", "1234567.00"),
        ("Rs. 1,500", "1500.00"),
        ("Rs.50", "50.00"),
        ("Rp 1.500.000", "1500000.00"),
        ("Rp 1.500.000,50", "1500000.50"),
        ("€ 12", "12.00"),
        ("12 €", "12.00"),
        ("12 lei", "12.00"),
        ("12,50 LEI", "12.50"),
        ("£3", "3.00"),
        ("₱1,000", "1000.00"),
        ("US$ 99.99", "99.99"),
        ("CHF 1'000.00", "1000.00"),
        ("$ 1,234,567.89", "1234567.89"),
        ("1,234,567", "1234567.00"),
        ("1.234.567", "1234567.00"),
        ("12,5", "12.50"),
        ("1.5", "1.50"),
        ("12,05", "12.05"),
        (".50", "0.50"),
        ("0,125", "0.13"),
        ("1234,567", "1234.57"),
        ("12.3456", "12.35"),
        ("+15", "15.00"),
        ("  7.10  ", "7.10"),
        ("1,234.50 DR", "1234.50"),
    ],
)
def test_money_text_formats_are_read(text, expected):
    assert parse_money(text) == D(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("(120.00)", "-120.00"),
        ("-120", "-120.00"),
        ("120-", "-120.00"),
        ("\u2212120", "-120.00"),
        ("\u2013120", "-120.00"),
        ("1,234.50 CR", "-1234.50"),
        ("1,234.50cr", "-1234.50"),
        ("$(1,234.50)", "-1234.50"),
        ("($1,234.50)", "-1234.50"),
        ("-$12", "-12.00"),
        ("$-12", "-12.00"),
        ("(1.234,50 €)", "-1234.50"),
        ("- 5", "-5.00"),
    ],
)
def test_negative_amounts_are_read_in_every_notation(text, expected):
    assert parse_money(text) == D(expected)


@pytest.mark.parametrize(
    "text, decimal_comma, expected",
    [
        ("1,234", None, "1234.00"),
        ("1.234", None, "1234.00"),
        ("1,234", True, "1.23"),
        ("1.234", True, "1234.00"),
        ("1,234", False, "1234.00"),
        ("1.234", False, "1.23"),
        ("2.675", False, "2.68"),
        ("1 234,567", True, "1234.57"),
        # the digits settle these whatever the column says
        ("12,5", False, "12.50"),
        ("12.5", True, "12.50"),
        ("1,234.50", True, "1234.50"),
        ("1.234,50", False, "1234.50"),
        ("1.234.567", False, "1234567.00"),
    ],
)
def test_ambiguous_separator_follows_the_column_decision(text, decimal_comma, expected):
    assert parse_money(text, decimal_comma) == D(expected)


@pytest.mark.parametrize(
    "value, expected",
    [
        (1234, D("1234.00")),
        (-5, D("-5.00")),
        (D("19.999"), D("20.00")),
        (1040.7699999999999, D("1040.77")),
        (0.1 + 0.2, D("0.30")),
    ],
)
def test_numbers_from_cells_are_rounded_to_the_cent(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "-",
        "\u2014",
        "abc",
        "12abc34",
        "1.2.3,4,5",
        "1,2,3",
        "12,34,5",
        "1,234.56.7",
        "1, 234",
        "1,234 567",
        "(120",
        "120)",
        ")120(",
        "--5",
        "-120-",
        "+-5",
        "$12 €",
        "12 34",
        "twelve",
        "12.",
        "N/A",
        "1e5",
        "$",
        "1,234.50 CRX",
    ],
)
def test_garbage_is_refused_with_a_money_error(text):
    with pytest.raises(MoneyError):
        parse_money(text)


@pytest.mark.parametrize("value", [True, False, None, float("nan"), float("-inf")])
def test_non_amounts_are_refused(value):
    with pytest.raises(MoneyError):
        parse_money(value)


def test_money_error_is_a_value_error_with_a_plain_sentence():
    with pytest.raises(ValueError) as caught:
        parse_money("abc")
    assert str(caught.value) == "this is not an amount of money"


def test_empty_text_says_the_cell_is_empty():
    with pytest.raises(MoneyError, match="empty"):
        parse_money("  ")


# --- currency hints ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Total (RM)", "MYR"),
        ("Amount (₹)", "INR"),
        ("Amount ($)", "USD"),
        ("$1,234.50", "USD"),
        ("US$ 12", "USD"),
        ("A$ 12", "AUD"),
        ("C$ 12", "CAD"),
        ("S$ 12", "SGD"),
        ("Total €", "EUR"),
        ("£ owed", "GBP"),
        ("¥", "JPY"),
        ("Rs 500", "INR"),
        ("Rs. 500", "INR"),
        ("INR", "INR"),
        ("Rp 1.500.000", "IDR"),
        ("₱ 100", "PHP"),
        ("PHP 100", "PHP"),
        ("12 lei", "RON"),
        ("Suma (Lei)", "RON"),
        ("Amount RON", "RON"),
        ("₫ 50000", "VND"),
        ("฿ 100", "THB"),
        ("CHF 100", "CHF"),
        ("COP 1000", "COP"),
        ("Balance EUR", "EUR"),
        ("Amount (GBP)", "GBP"),
        ("Total SGD", "SGD"),
        ("RM1,200", "MYR"),
        ("12USD", "USD"),
    ],
)
def test_currency_hints_in_headers_and_values_are_recognised(text, expected):
    assert currency_in_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Subtotal",
        "Payment Terms",
        "Terms",
        "Rsvp",
        "Prime",
        "RMA number",
        "Leisure",
        "Rpt",
        "EUROPE",
        "usd",  # lower case words are not codes in headers
        "TOTAL DUE",
        "Amount",
        "",
        "TRY AGAIN",
    ],
)
def test_ordinary_words_hint_no_currency(text):
    assert currency_in_text(text) == ""


# --- decide_decimal_comma ------------------------------------------------------------------


@pytest.mark.parametrize(
    "texts, expected",
    [
        (["1.234,50"], True),
        (["12,5"], True),
        (["1 234,50"], True),
        (["1.500.000"], True),
        (["1,234.50"], False),
        (["12.5"], False),
        (["1,234,567"], False),
        (["1,234", "1.234", "1 234", "100"], None),
        ([], None),
        (["abc", "", "-"], None),
        (["1,234", "12,50"], True),
        (["1.234", "99.95"], False),
        (["12,5", "1,50", "3.75"], True),
        (["12,5", "3.75", "4.10"], False),
        (["12,5", "3.75"], False),  # a tie goes to the point
        ([12.5, None, "12,5"], True),  # cells that are already numbers say nothing
    ],
)
def test_decimal_comma_is_decided_once_per_column(texts, expected):
    assert decide_decimal_comma(texts) is expected


# --- split_evenly and sum_money -----------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, parts, expected",
    [
        (D("100.00"), 3, ["33.34", "33.33", "33.33"]),
        (D("100.00"), 4, ["25.00"] * 4),
        (D("0.05"), 3, ["0.02", "0.02", "0.01"]),
        (D("0.01"), 3, ["0.01", "0.00", "0.00"]),
        (D("-100.00"), 3, ["-33.34", "-33.33", "-33.33"]),
        (D("10"), 1, ["10.00"]),
        (1000, 6, ["166.67", "166.67", "166.67", "166.67", "166.66", "166.66"]),
    ],
)
def test_split_evenly_gives_spare_cents_to_the_first_parts(amount, parts, expected):
    assert split_evenly(amount, parts) == [D(e) for e in expected]


@pytest.mark.parametrize("parts", [0, -1, True, 2.5, "3"])
def test_split_evenly_refuses_a_part_count_that_is_not_positive(parts):
    with pytest.raises(MoneyError):
        split_evenly(D("10"), parts)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([D("0.10")] * 10, D("1.00")),
        ([0.1] * 10, D("1.00")),
        ([D("0.004"), D("0.004")], D("0.01")),  # exact sum, one rounding at the end
        ([], D("0.00")),
        ([1, "2.50", D("-0.50")], D("3.00")),
    ],
)
def test_sum_money_adds_exactly_then_rounds_once(values, expected):
    assert sum_money(values) == expected


# --- properties ---------------------------------------------------------------------------------

amounts = st.decimals(
    min_value=D("-1000000000"), max_value=D("1000000000"), allow_nan=False, places=4
)
cents_values = amounts.map(to_cents)


def _format(value: Decimal, group: str, mark: str) -> str:
    text = f"{abs(value):,.2f}".replace(",", "\0").replace(".", mark).replace("\0", group)
    return ("-" if value < 0 else "") + text


@given(amounts)
def test_plain_text_of_a_rounded_amount_reads_back(value):
    assert parse_money(str(to_cents(value))) == to_cents(value)


@given(cents_values)
def test_comma_grouped_point_decimal_text_reads_back(value):
    assert parse_money(_format(value, ",", ".")) == value


@given(cents_values)
def test_point_grouped_comma_decimal_text_reads_back(value):
    assert parse_money(_format(value, ".", ","), decimal_comma=True) == value


@given(cents_values)
def test_space_grouped_comma_decimal_text_reads_back(value):
    assert parse_money(_format(value, "\u00a0", ",")) == value


@given(cents_values, st.integers(min_value=1, max_value=60))
def test_split_evenly_parts_add_up_and_differ_by_at_most_a_cent(amount, parts):
    shares = split_evenly(amount, parts)
    assert len(shares) == parts
    assert sum(shares) == amount
    assert max(shares) - min(shares) <= CENT
    assert all(share == to_cents(share) for share in shares)
