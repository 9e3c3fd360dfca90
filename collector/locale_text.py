"""Dates, money and lists written the way a reader of a given language and country expects.

Presentation only: the core computes Decimals and dates, this module turns them
into text with Babel for one locale. A customer's locale comes from the language
the owner typed (``fr``, ``en_US``, ``Tagalog``) and, when that names no
country, from the country at the bottom of the customer's address, else the
owner's own country, so a British shop's English letters say "23 November 2026".
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Optional, Sequence

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

from collector.header import language_code
from collector.terms import fold

# The languages collector has texts for; anything else is written in English.
LANGUAGES = ("en", "fr", "ro", "el", "id", "tl")
DEFAULT_LANGUAGE = "en"

# Countries whose offices print on US Letter; everyone else uses A4.
LETTER_COUNTRIES = frozenset({"US", "PH", "CA", "MX", "PR", "CL", "CO", "VE"})

# A currency says where the owner probably is when nothing else does.
_CURRENCY_COUNTRY = {
    "GBP": "GB", "USD": "US", "PHP": "PH", "AUD": "AU", "CAD": "CA", "NZD": "NZ", "INR": "IN",
    "SGD": "SG", "ZAR": "ZA", "IDR": "ID", "RON": "RO", "MYR": "MY", "CHF": "CH", "HKD": "HK",
}
_COUNTRY_ALIASES = {
    "uk": "GB", "u k": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "northern ireland": "GB", "britain": "GB", "usa": "US", "u s a": "US", "us": "US", "u s": "US",
    "america": "US", "united states of america": "US", "pilipinas": "PH", "hellas": "GR",
    "ellada": "GR", "ελλαδα": "GR", "ελλας": "GR", "marea britanie": "GB", "anglia": "GB",
}


@dataclass(frozen=True)
class Formats:
    """How one reader sees dates, money and lists: a text language and a Babel locale."""

    language: str  # one of LANGUAGES: which texts to use
    locale: Locale

    @property
    def country(self) -> str:
        return self.locale.territory or ""

    def date(self, day: Optional[dt.date]) -> str:
        return format_date(day, format="long", locale=self.locale) if day else ""

    def short_date(self, day: Optional[dt.date]) -> str:
        return format_date(day, format="medium", locale=self.locale) if day else ""

    def money(self, amount: Optional[Decimal], currency: str = "") -> str:
        if amount is None:
            return ""
        if not currency:
            return format_decimal(amount, format="#,##0.00", locale=self.locale, decimal_quantization=True)
        try:
            return format_currency(amount, currency, locale=self.locale)
        except (ValueError, KeyError):  # a code Babel does not know: number then code
            return f"{format_decimal(amount, format='#,##0.00', locale=self.locale)} {currency}"

    def amounts(self, by_currency: dict[str, Decimal]) -> str:
        """Amounts in several currencies, never added: "£1,200.00 and €80.00"."""
        return self.join([self.money(amount, currency) for currency, amount in sorted(by_currency.items())])

    def number(self, value: Decimal | int) -> str:
        return format_decimal(value, locale=self.locale)

    def join(self, items: Sequence[str]) -> str:
        items = [item for item in items if item]
        if not items:
            return ""
        return format_list(items, locale=self.locale)


def text_language(code: str) -> str:
    """Which of collector's text languages a locale code uses: "fr_BE" → "fr", "xx" → "en"."""
    base = re.split(r"[-_]", (code or "").strip().lower())[0]
    base = {"fil": "tl", "gr": "el", "in": "id", "ind": "id"}.get(base, base)
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def formats_for(code: str, country: str = "") -> Formats:
    """Formats for a language code as typed, with ``country`` used when the code names none.

    An unknown language is written in English; the country still shapes the dates.
    """
    typed = language_code(code) or ""
    language = text_language(typed)
    region = typed.partition("_")[2]  # kept for an unknown language: English with local dates
    return Formats(language, _locale(language, region.upper() or country.upper()))


@functools.lru_cache(maxsize=256)
def _locale(language: str, country: str) -> Locale:
    babel_language = "fil" if language == "tl" else language
    for candidate in ([f"{babel_language}_{country}"] if country else []) + _fallbacks(babel_language):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en_001")


def _fallbacks(language: str) -> list[str]:
    # Bare "en" is American in Babel; English with no country known is written the international way.
    return ["en_001"] if language == "en" else [language]


def country_of(address: Iterable[str]) -> str:
    """The ISO country code named by the last line of an address, or ""."""
    lines = [line.strip() for line in address if line and line.strip()]
    if not lines:
        return ""
    return _country_names().get(_country_key(lines[-1]), "")


def currency_country(currency: str) -> str:
    return _CURRENCY_COUNTRY.get((currency or "").upper(), "")


def _country_key(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(text)))


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in ("en", "fr", "ro", "el", "id", "fil", "es", "de", "it", "pt", "nl"):  # ours, then neighbours'
        for code, name in Locale.parse(language).territories.items():
            if code.isalpha() and len(code) == 2:
                names.setdefault(_country_key(name), code)
    names.update(_COUNTRY_ALIASES)
    return names


def paper_size(setting: str, country: str) -> str:
    """"A4" or "Letter": the Settings value when it names one, else the owner's country's paper."""
    key = fold(setting or "").replace(" ", "")
    if key in ("a4",):
        return "A4"
    if key in ("letter", "usletter", "us", "lettre", "8.5x11", "8,5x11"):
        return "Letter"
    return "Letter" if country in LETTER_COUNTRIES else "A4"


def percent(rate: Decimal, formats: Formats) -> str:
    """A monthly interest rate as the reader writes percentages: "1.5%" / "1,5 %"."""
    return format_percent(rate / 100, locale=formats.locale, decimal_quantization=False)
