"""Postal addresses: the lines in the order the destination country's post reads them.

An owner who keeps the address in separate cells (street, city, postcode, region,
country) gets each country's layout: a British town with its postcode on the line
below ("London" / "EC1R 0DP"), an American "Springfield, IL 62701", a French
"69002 Lyon". An address typed in one cell is printed as typed. Pure: no files,
only tables and Babel's country names.
"""
from __future__ import annotations

import functools
import re
from typing import Sequence

from babel import Locale

from collector.locale_text import country_of, currency_country
from collector.model import Settings
from collector.terms import fold

# The lines below the street, per country: C city, S region (state, county, province), Z postcode;
# anything else is the separator printed before a field when something precedes it on its line.
# Sources: Royal Mail, An Post, USPS Pub. 28, Canada Post, Australia Post, UPU address formats.
_CITY_FIRST = ("C", "S", "Z")  # town, county, postcode each on a line of its own
_POSTCODE_FIRST = ("Z C", "S")
_CITY_THEN_POSTCODE = ("C Z", "S")
_LAYOUTS = {
    "GB": _CITY_FIRST, "IE": _CITY_FIRST,  # the Eircode last, on its own line
    "US": ("C, S Z",), "CA": ("C S  Z",), "AU": ("C S Z",), "NZ": ("C Z",),
    "IT": ("Z C S",),  # the province's initials follow the town: "00144 Roma RM"
    "ID": _CITY_THEN_POSTCODE, "PH": _CITY_THEN_POSTCODE, "SG": _CITY_THEN_POSTCODE, "IN": _CITY_THEN_POSTCODE,
}
# FR, DE, RO, ES, NL, BE, CH, AT, PT, GR, MY and most other countries: postcode, then town.
_DEFAULT_LAYOUT = _POSTCODE_FIRST

# Short English names an owner may type for a country, printed as typed.
_ENGLISH_SHORT_NAMES = frozenset({"uk", "u.k.", "usa", "u.s.a.", "great britain", "britain", "england",
                                  "scotland", "wales", "northern ireland", "america", "united states of america"})

# The country a language code without a region points to ("el" → Greece), when nothing else says
# where the owner is; English and French are spoken in too many countries to point to one.
_LANGUAGE_COUNTRY = {"el": "GR", "ro": "RO", "id": "ID", "tl": "PH", "fil": "PH"}


def postal_lines(street: Sequence[str], city: str = "", postcode: str = "", region: str = "",
                 country: str = "", home: str = "", language: str = "en") -> tuple[str, ...]:
    """The address lines for a window envelope: street, town and postcode in the country's order, the country last.

    ``home`` is the owner's country, whose layout an address without a country gets. The country
    line is for the sender's post office, so a known country typed as a code or in another
    language is printed in English, or French for a French-speaking owner (``language``), the
    languages every post reads (UPU): "Ελλάδα" → "Greece". Without a city, postcode or region
    the street lines are the whole address, kept as typed.
    """
    lines = [line for line in street if line]
    code = country_code(country)
    if city or postcode or region:
        fields = {"C": city, "S": region, "Z": postcode}
        lines += [line for line in (_line(layout, fields) for layout in _LAYOUTS.get(code or home, _DEFAULT_LAYOUT))
                  if line]
    if country and not (code and country_of(lines[-1:]) == code):  # not when the address already ends with it
        lines.append(_country_name(country.strip(), code, language))
    return tuple(lines)


def country_code(text: str) -> str:
    """The ISO code of a Country cell: a name in one of several languages, or the code itself; "" if unknown."""
    text = (text or "").strip()
    if re.fullmatch(r"[A-Za-z]{2}", text) and text.upper() in _territories("en"):
        return text.upper()
    return country_of([text])


def home_country(settings: Settings, locale: str = "") -> str:
    """The owner's country: the last line of the Settings address, else the currency's, else the one a
    language code names ("en_GB", "el"), else the computer's ``locale`` region; "" when none says."""
    return (country_of(settings.address) or currency_country(settings.currency)
            or _language_country(settings.language) or _language_country(locale, regions_only=True))


def recipient(name: str, company: str, contact: str) -> tuple[str, str]:
    """Whom a letter is addressed to: the business, and the person for the attention line ("" for none).

    A Customers sheet with both a customer and a company column names, in the customer column,
    the person to write to ("Lynne Higgins-Carr" of "Fletcher, Adams and Parker"), unless the
    contact column names someone else or one name holds the other ("Acme" of "Acme Ltd").
    """
    company = company.strip()
    person = contact.strip()
    if not company or fold(company) == fold(name):
        return name, "" if fold(person) == fold(name) else person
    if not person and fold(name) not in fold(company) and fold(company) not in fold(name):
        person = name
    return company, "" if fold(person) == fold(company) else person


def _line(layout: str, fields: dict[str, str]) -> str:
    out = ""
    for separator, field in re.findall(r"([^CSZ]*)([CSZ])", layout):
        value = fields[field].strip()
        if value:
            out += (separator if out else "") + value
    return out


def _country_name(typed: str, code: str, language: str) -> str:
    french, english = (_territories(upu).get(code, "") for upu in ("fr", "en"))
    if not code or fold(typed) in (fold(french), fold(english)) or fold(typed) in _ENGLISH_SHORT_NAMES:
        return typed
    return french if fold(language).startswith("fr") else english


@functools.lru_cache(maxsize=2)
def _territories(language: str) -> dict[str, str]:
    """Babel's country names in ``language`` by ISO code (its regions, numbered, left out)."""
    return {code: name for code, name in Locale.parse(language).territories.items()
            if len(code) == 2 and code.isalpha()}


def _language_country(code: str, regions_only: bool = False) -> str:
    language, _, region = (code or "").split(".")[0].replace("-", "_").partition("_")
    if region.isalpha() and len(region) == 2:
        return region.upper()
    return "" if regions_only else _LANGUAGE_COUNTRY.get(language.lower(), "")
