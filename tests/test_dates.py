"""Dates are read as the owner typed them; the order of day and month is settled per column."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collector.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    DateError,
    add_months,
    days_between,
    decide_date_order,
    end_of_month,
    from_serial,
    locale_date_order,
    numeric_date_parts,
    parse_date_text,
    to_serial,
)

D = dt.date
MARCH_4 = D(2026, 3, 4)


# --- Excel serial numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "serial, date1904, expected",
    [
        (1, False, D(1900, 1, 1)),
        (2, False, D(1900, 1, 2)),
        (59, False, D(1900, 2, 28)),
        (61, False, D(1900, 3, 1)),
        (45000, False, D(2023, 3, 15)),
        (46085, False, MARCH_4),
        (2958465, False, D(9999, 12, 31)),
        (0, True, D(1904, 1, 1)),
        (1, True, D(1904, 1, 2)),
        (45000 - 1462, True, D(2023, 3, 15)),
        (2958465 - 1462, True, D(9999, 12, 31)),
        (45000.75, False, D(2023, 3, 15)),  # the time of day is dropped
        (45000.999999, False, D(2023, 3, 15)),
        (Decimal("45000.5"), False, D(2023, 3, 15)),
    ],
)
def test_excel_serial_numbers_become_dates_in_both_date_systems(serial, date1904, expected):
    result = from_serial(serial, date1904)
    assert result == expected
    assert type(result) is dt.date


def test_serial_of_excels_phantom_29_february_1900_is_refused():
    with pytest.raises(DateError, match="29 February 1900"):
        from_serial(60)


@pytest.mark.parametrize(
    "serial, date1904",
    [(0, False), (0.5, False), (-1, False), (2958466, False), (-1, True), (2958465 - 1461, True)],
)
def test_serial_outside_excels_range_is_refused(serial, date1904):
    with pytest.raises(DateError):
        from_serial(serial, date1904)


@pytest.mark.parametrize("serial", [True, "45000", None, float("nan"), float("inf")])
def test_serial_that_is_not_a_number_is_refused(serial):
    with pytest.raises(DateError):
        from_serial(serial)


@pytest.mark.parametrize(
    "day, date1904, expected",
    [
        (D(1900, 1, 1), False, 1),
        (D(1900, 2, 28), False, 59),
        (D(1900, 3, 1), False, 61),
        (D(2023, 3, 15), False, 45000),
        (D(1904, 1, 1), True, 0),
        (D(2023, 3, 15), True, 45000 - 1462),
        (dt.datetime(2023, 3, 15, 18, 30), False, 45000),
    ],
)
def test_dates_become_excel_serial_numbers(day, date1904, expected):
    assert to_serial(day, date1904) == expected


@pytest.mark.parametrize("day, date1904", [(D(1899, 12, 31), False), (D(1903, 12, 31), True)])
def test_dates_before_the_date_system_have_no_serial(day, date1904):
    with pytest.raises(DateError):
        to_serial(day, date1904)


def test_the_two_date_systems_are_1462_days_apart():
    assert to_serial(MARCH_4) - to_serial(MARCH_4, date1904=True) == 1462


@given(st.dates(min_value=D(1900, 3, 1), max_value=D(9999, 12, 31)))
def test_serial_round_trip_in_the_1900_system(day):
    assert from_serial(to_serial(day)) == day


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(1900, 2, 28)))
def test_serial_round_trip_before_the_phantom_leap_day(day):
    assert from_serial(to_serial(day)) == day


@given(st.dates(min_value=D(1904, 1, 1), max_value=D(9999, 12, 31)))
def test_serial_round_trip_in_the_1904_system(day):
    assert from_serial(to_serial(day, date1904=True), date1904=True) == day


# --- text dates: ISO and numeric ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-04",
        "2026/03/04",
        "2026.03.04",
        "2026-3-4",
        "2026-03-04 00:00:00",
        "2026-03-04T10:30",
        "2026-03-04T10:30:15.250",
        "2026-03-04T10:30:00Z",
        "  2026-03-04  ",
    ],
)
@pytest.mark.parametrize("order", [DAY_FIRST, MONTH_FIRST])
def test_iso_dates_are_read_the_same_in_either_order(text, order):
    assert parse_date_text(text, order) == MARCH_4


@pytest.mark.parametrize(
    "text",
    ["04/03/2026", "4/3/2026", "04-03-2026", "4.3.2026", "04.03.2026", "04/03/26", "4/3/26",
     "04/03/2026 00:00:00", "4/3/2026 10:30 AM", "04 / 03 / 2026"],
)
def test_numeric_dates_are_read_day_first(text):
    assert parse_date_text(text, DAY_FIRST) == MARCH_4


@pytest.mark.parametrize("text", ["03/04/2026", "3/4/2026", "03-04-2026", "3.4.26", "03/04/26"])
def test_numeric_dates_are_read_month_first(text):
    assert parse_date_text(text, MONTH_FIRST) == MARCH_4


def test_day_first_is_the_default_order():
    assert parse_date_text("04/03/2026") == MARCH_4


def test_text_date_impossible_in_month_first_order_is_refused():
    with pytest.raises(DateError, match="there is no month 26"):
        parse_date_text("26/04/2023", MONTH_FIRST)


def test_text_date_impossible_in_day_first_order_is_refused():
    with pytest.raises(DateError, match="there is no month 26"):
        parse_date_text("04/26/2023", DAY_FIRST)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("04/03/00", D(2000, 3, 4)),
        ("04/03/26", D(2026, 3, 4)),
        ("04/03/68", D(2068, 3, 4)),
        ("04/03/69", D(1969, 3, 4)),
        ("04/03/99", D(1999, 3, 4)),
        ("4 Mar 68", D(2068, 3, 4)),
        ("4 Mar 69", D(1969, 3, 4)),
    ],
)
def test_two_digit_years_pivot_between_68_and_69(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("29/02/2024", D(2024, 2, 29)),
        ("29/02/2000", D(2000, 2, 29)),
        ("31/12/2026", D(2026, 12, 31)),
    ],
)
def test_leap_days_of_leap_years_are_accepted(text, expected):
    assert parse_date_text(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("29/02/2023", "February 2023 has no day 29"),
        ("29/02/1900", "February 1900 has no day 29"),
        ("31/02/2026", "February 2026 has no day 31"),
        ("31/04/2026", "April 2026 has no day 31"),
        ("00/04/2026", "April 2026 has no day 0"),
        ("2026-02-30", "February 2026 has no day 30"),
        ("30 February 2026", "February 2026 has no day 30"),
        ("2026-13-01", "there is no month 13"),
        ("0000-01-01", "0 is not a year"),
    ],
)
def test_impossible_dates_are_refused_saying_why(text, message):
    with pytest.raises(DateError, match=message):
        parse_date_text(text)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "tomorrow", "2026", "4/3", "04/03/2026/1", "4 Mar", "Mar 2026",
     "4 5 Mar 2026", "4 Mar 2026 extra", "Jui 4 2026", "1234/03/2026", "04/03/026",
     "2026-03/04", "March June 4 2026", "45000", "4 Mar 12026"],
)
def test_text_that_is_not_a_date_is_refused(text):
    with pytest.raises(DateError):
        parse_date_text(text)


def test_unknown_date_order_is_a_programming_error():
    with pytest.raises(ValueError, match="date order"):
        parse_date_text("04/03/2026", "YMD")


def test_date_error_is_a_value_error():
    assert issubclass(DateError, ValueError)


# --- text dates with month names ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "4 Mar 2026",
        "4-Mar-2026",
        "04-Mar-26",
        "4 MAR 2026",
        "4 mar. 2026",
        "March 4, 2026",
        "Mar 4 2026",
        "Mar. 4, 2026",
        "2026 March 4",
        "4th March 2026",
        "4th of March 2026",
        "March 4th, 2026",
        "Wednesday, 4 March 2026",
        "Wed 4 Mar 2026",
        "4 Mar 2026 10:30",
        "4 Mar 2026 10:30 pm",
        "4 mars 2026",
        "le 4 mars 2026",
        "mercredi 4 mars 2026",
        "4 de marzo de 2026",
        "miércoles, 4 de marzo de 2026",
        "4 de março de 2026",
        "quarta-feira, 4 de março de 2026",
        "4 martie 2026",
        "miercuri, 4 martie 2026",
        "4 Μαρτίου 2026",
        "4 ΜΑΡΤΙΟΥ 2026",
        "4 Μαρτιου 2026",
        "Τετάρτη, 4 Μαρτίου 2026",
        "Μάρτιος 4, 2026",
        "4 Μαρ 2026",
        "4 Maret 2026",
        "Rabu, 4 Maret 2026",
        "Marso 4, 2026",
        "ika-4 ng Marso 2026",
        "Miyerkules, Marso 4, 2026",
        "4. März 2026",
        "Mittwoch, 4. Maerz 2026",
        "4 marzo 2026",
        "mercoledì 4 marzo 2026",
        "4-mar-2026",
    ],
)
def test_dates_with_month_names_are_read_in_every_language(text):
    assert parse_date_text(text) == MARCH_4


@pytest.mark.parametrize("order", [DAY_FIRST, MONTH_FIRST])
def test_month_names_do_not_depend_on_the_column_order(order):
    assert parse_date_text("March 4, 2026", order) == MARCH_4
    assert parse_date_text("4 March 2026", order) == MARCH_4


MONTHS_BY_LANGUAGE = {
    "english": "January February March April May June July August September October November "
    "December",
    "english short": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "english four letters": "Janu Febr Marc Apri May June July Augu Sept Octo Nove Dece",
    "french": "janvier février mars avril mai juin juillet août septembre octobre novembre "
    "décembre",
    "french short": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
    "french no accents": "janvier fevrier mars avril mai juin juillet aout septembre octobre "
    "novembre decembre",
    "spanish": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "spanish short": "ene feb mar abr may jun jul ago sept oct nov dic",
    "portuguese": "janeiro fevereiro março abril maio junho julho agosto setembro outubro "
    "novembro dezembro",
    "portuguese short": "jan fev mar abr mai jun jul ago set out nov dez",
    "romanian": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie "
    "noiembrie decembrie",
    "romanian short": "ian. feb. mar. apr. mai iun. iul. aug. sept. oct. nov. dec.",
    "greek nominative": "Ιανουάριος Φεβρουάριος Μάρτιος Απρίλιος Μάιος Ιούνιος Ιούλιος "
    "Αύγουστος Σεπτέμβριος Οκτώβριος Νοέμβριος Δεκέμβριος",
    "greek genitive": "Ιανουαρίου Φεβρουαρίου Μαρτίου Απριλίου Μαΐου Ιουνίου Ιουλίου Αυγούστου "
    "Σεπτεμβρίου Οκτωβρίου Νοεμβρίου Δεκεμβρίου",
    "greek genitive no accents": "Ιανουαριου Φεβρουαριου Μαρτιου Απριλιου Μαιου Ιουνιου "
    "Ιουλιου Αυγουστου Σεπτεμβριου Οκτωβριου Νοεμβριου Δεκεμβριου",
    "greek short": "Ιαν Φεβ Μαρ Απρ Μαΐ Ιουν Ιουλ Αυγ Σεπ Οκτ Νοε Δεκ",
    "indonesian": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober "
    "November Desember",
    "indonesian short": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
    "tagalog": "Enero Pebrero Marso Abril Mayo Hunyo Hulyo Agosto Setyembre Oktubre Nobyembre "
    "Disyembre",
    "tagalog short": "Ene Peb Mar Abr May Hun Hul Ago Set Okt Nob Dis",
    "german": "Januar Februar März April Mai Juni Juli August September Oktober November "
    "Dezember",
    "german short": "Jan. Feb. Mär. Apr. Mai Jun. Jul. Aug. Sep. Okt. Nov. Dez.",
    "italian": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
    "novembre dicembre",
    "italian short": "gen feb mar apr mag giu lug ago set ott nov dic",
}
MONTH_CASES = [
    pytest.param(name, number, id=f"{language}-{number}")
    for language, names in MONTHS_BY_LANGUAGE.items()
    for number, name in enumerate(names.split(), start=1)
]


@pytest.mark.parametrize("name, month", MONTH_CASES)
def test_every_month_name_of_every_language_is_read(name, month):
    assert parse_date_text(f"4 {name} 2026") == D(2026, month, 4)
    assert parse_date_text(f"{name.upper()} 4, 2026") == D(2026, month, 4)


@pytest.mark.parametrize("text", ["4 jui 2026", "4 ma 2026", "4 ιου 2026"])
def test_abbreviation_shared_by_two_months_is_refused(text):
    with pytest.raises(DateError):
        parse_date_text(text)


def test_weekday_that_looks_like_a_month_is_ignored():
    assert parse_date_text("marți, 4 martie 2026") == MARCH_4


@pytest.mark.parametrize(
    "text",
    ["4 Mar 2026", "2026-03-04", "04/03/2026", "4 Μαρτίου 2026", "2026-03-04T10:30"],
)
def test_parsed_dates_are_plain_dates_never_datetimes(text):
    assert type(parse_date_text(text)) is dt.date


# --- deciding the order once per column --------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("04/03/2026", (4, 3, 2026)),
        ("4-3-26", (4, 3, 26)),
        ("26.04.2023", (26, 4, 2023)),
        ("04/03/2026 10:30", (4, 3, 2026)),
        (" 4/3/2026 ", (4, 3, 2026)),
        ("2026-03-04", None),
        ("4 Mar 2026", None),
        ("abc", None),
        ("", None),
        (None, None),
        (45000, None),
    ],
)
def test_numeric_date_parts_are_the_three_numbers_as_typed(text, expected):
    assert numeric_date_parts(text) == expected


@pytest.mark.parametrize(
    "texts, locale_order, expected",
    [
        (["01/02/2026", "26/04/2023"], "", (DAY_FIRST, "data")),
        (["01/02/2026", "26/04/2023"], MONTH_FIRST, (DAY_FIRST, "data")),
        (["04/26/2023"], "", (MONTH_FIRST, "data")),
        (["01/02/2026", "04/26/2023", "2026-01-05"], DAY_FIRST, (MONTH_FIRST, "data")),
        (["01/02/2026"], MONTH_FIRST, (MONTH_FIRST, "locale")),
        (["01/02/2026"], DAY_FIRST, (DAY_FIRST, "locale")),
        (["01/02/2026"], "", (DAY_FIRST, "locale")),
        (["26/04/2023", "27/04/2023", "04/28/2023"], "", (DAY_FIRST, "conflict")),
        (["26/04/2023", "04/27/2023", "04/28/2023"], "", (MONTH_FIRST, "conflict")),
        (["26/04/2023", "04/27/2023"], MONTH_FIRST, (MONTH_FIRST, "conflict")),
        (["26/04/2023", "04/27/2023"], "", (DAY_FIRST, "conflict")),
        (["2026-03-04", "4 Mar 2026", "", None, 45000], MONTH_FIRST, (MONTH_FIRST, "none")),
        ([], "", (DAY_FIRST, "none")),
        (["31/31/2023", "01/02/2026"], MONTH_FIRST, (MONTH_FIRST, "locale")),
    ],
)
def test_date_order_is_decided_once_per_column_from_the_data(texts, locale_order, expected):
    assert decide_date_order(texts, locale_order) == expected


def test_column_decision_then_reads_every_cell_the_same_way():
    column = ["01/02/2026", "26/04/2023", "05/06/2024"]
    order, how = decide_date_order(column, MONTH_FIRST)
    assert (order, how) == (DAY_FIRST, "data")
    assert [parse_date_text(text, order) for text in column] == [
        D(2026, 2, 1), D(2023, 4, 26), D(2024, 6, 5),
    ]


@pytest.mark.parametrize(
    "locale, expected",
    [
        ("en_US", MONTH_FIRST),
        ("en-US", MONTH_FIRST),
        ("EN_us", MONTH_FIRST),
        ("en_US.UTF-8", MONTH_FIRST),
        ("en_PH", MONTH_FIRST),
        ("fil_PH", MONTH_FIRST),
        ("fil", MONTH_FIRST),
        ("tl", MONTH_FIRST),
        ("tl_PH", MONTH_FIRST),
        ("en_GB", DAY_FIRST),
        ("en", DAY_FIRST),
        ("fr", DAY_FIRST),
        ("fr_FR", DAY_FIRST),
        ("ro_RO", DAY_FIRST),
        ("el", DAY_FIRST),
        ("el_GR", DAY_FIRST),
        ("id_ID", DAY_FIRST),
        ("es", DAY_FIRST),
        ("de_DE", DAY_FIRST),
        ("", DAY_FIRST),
    ],
)
def test_locale_gives_the_usual_order_of_day_and_month(locale, expected):
    assert locale_date_order(locale) == expected


# --- date arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 3, 4), 12, D(2027, 3, 4)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2026, 3, 4), 0, D(2026, 3, 4)),
        (dt.datetime(2026, 1, 31, 9, 0), 1, D(2026, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_inside_shorter_months(start, months, expected):
    result = add_months(start, months)
    assert result == expected
    assert type(result) is dt.date


def test_add_months_beyond_year_9999_is_refused():
    with pytest.raises(DateError):
        add_months(D(9999, 12, 1), 1)


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 2, 10), D(2026, 2, 28)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2026, 12, 31), D(2026, 12, 31)),
        (D(2026, 4, 1), D(2026, 4, 30)),
        (dt.datetime(2026, 4, 1, 23, 59), D(2026, 4, 30)),
    ],
)
def test_end_of_month_is_the_last_day_of_that_month(day, expected):
    result = end_of_month(day)
    assert result == expected
    assert type(result) is dt.date


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (D(2026, 3, 4), D(2026, 3, 4), 0),
        (D(2026, 3, 4), D(2026, 4, 3), 30),
        (D(2026, 4, 3), D(2026, 3, 4), -30),
        (D(2024, 2, 28), D(2024, 3, 1), 2),
        (dt.datetime(2026, 3, 4, 23, 0), D(2026, 3, 5), 1),
    ],
)
def test_days_between_counts_from_the_first_date_to_the_second(a, b, expected):
    assert days_between(a, b) == expected


def test_date_arithmetic_refuses_what_is_not_a_date():
    with pytest.raises(DateError):
        days_between("2026-03-04", D(2026, 3, 5))
