"""Dates, money and paper the way each reader expects them."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from collector.locale_text import country_of, formats_for, paper_size, percent, text_language
from collector.paper import A4, LETTER, address_font_size

DAY = dt.date(2026, 11, 23)
AMOUNT = Decimal("1234.50")


@pytest.mark.parametrize("code, country, date, money", [
    ("en", "GB", "23 November 2026", "£1,234.50"),
    ("en_US", "", "November 23, 2026", "£1,234.50"),
    ("fr", "FR", "23 novembre 2026", "1\u202f234,50\u00a0£GB"),
    ("ro", "RO", "23 noiembrie 2026", "1.234,50\u00a0GBP"),
    ("el", "GR", "23 Νοεμβρίου 2026", "1.234,50\u00a0£"),
    ("id", "ID", "23 November 2026", "£1.234,50"),
    ("tl", "PH", "Nobyembre 23, 2026", "£1,234.50"),
])
def test_dates_and_money_follow_the_readers_locale(code, country, date, money):
    formats = formats_for(code, country)
    assert formats.date(DAY) == date
    assert formats.money(AMOUNT, "GBP") == money


def test_english_without_a_country_is_written_the_international_way():
    assert formats_for("en").date(DAY) == "23 November 2026"


def test_money_without_a_currency_is_a_plain_two_decimal_number():
    assert formats_for("en", "GB").money(Decimal("1234.5"), "") == "1,234.50"
    assert formats_for("fr").money(Decimal("3"), "") == "3,00"


def test_amounts_in_several_currencies_are_listed_never_added():
    text = formats_for("en", "GB").amounts({"GBP": Decimal("10.00"), "EUR": Decimal("5.00")})
    assert text == "€5.00 and £10.00"


@pytest.mark.parametrize("typed, language", [
    ("fr_BE", "fr"), ("French", "fr"), ("Ελληνικά", "el"), ("fil", "tl"), ("Tagalog", "tl"),
    ("Bahasa Indonesia", "id"), ("de", "en"), ("", "en"), ("Klingon", "en"),
])
def test_the_text_language_comes_from_what_the_owner_typed(typed, language):
    assert formats_for(typed).language == language
    assert text_language(formats_for(typed).language) == language


def test_countries_are_read_from_the_last_address_line_in_several_languages():
    assert country_of(["1 Road", "Leeds", "United Kingdom"]) == "GB"
    assert country_of(["Λεωφόρος Νίκης 24", "Ελλάδα"]) == "GR"
    assert country_of(["Str. Doamnei 12", "România"]) == "RO"
    assert country_of(["Makati", "Philippines"]) == "PH"
    assert country_of(["Springfield, IL 62701", "USA"]) == "US"
    assert country_of(["12 rue de la Paix", "69002 Lyon"]) == ""


@pytest.mark.parametrize("setting, country, paper", [
    ("A4", "US", "A4"), ("Letter", "GB", "Letter"), ("letter", "", "Letter"), ("", "US", "Letter"),
    ("", "PH", "Letter"), ("", "GB", "A4"), ("", "", "A4"), ("", "FR", "A4"),
])
def test_paper_comes_from_settings_else_the_owners_country(setting, country, paper):
    assert paper_size(setting, country) == paper


def test_interest_rates_are_written_as_the_reader_writes_percentages():
    assert percent(Decimal("1.5"), formats_for("en", "GB")) == "1.5%"
    assert percent(Decimal("1"), formats_for("fr", "FR")) == "1\u00a0%"


def test_the_window_geometry_matches_the_envelopes():
    assert (A4.window_left, A4.window_top, A4.window_width, A4.window_height) == (20, 45, 90, 45)
    left, top, width, height = LETTER.address_box
    assert left >= 0.875 * 25.4 and top + height <= (1 + 15 / 16 + 1.125) * 25.4 + 0.01


def test_long_addresses_get_a_smaller_font_so_they_stay_in_the_window():
    assert address_font_size(["Acme", "1 Road", "Leeds"], A4) == 10.0
    crowded = ["A very long company name that goes on and on Limited"] + ["Line"] * 8
    assert address_font_size(crowded, A4) < 10.0
