"""Postal addresses in each country's order, and whom a letter is addressed to (no files)."""
from __future__ import annotations

import pytest

from collector.address import country_code, home_country, postal_lines, recipient
from tests.builders import settings


@pytest.mark.parametrize("street, city, postcode, region, country, expected", [
    # Royal Mail: the post town, then the postcode on a line of its own; the owner's capitals kept
    (["3rd Floor, 12 Clerkenwell Green"], "London", "EC1R 0DP", "", "United Kingdom",
     ["3rd Floor, 12 Clerkenwell Green", "London", "EC1R 0DP", "United Kingdom"]),
    (["41 Church Street"], "KIDDERMINSTER", "DY10 2AY", "Worcestershire", "UK",
     ["41 Church Street", "KIDDERMINSTER", "Worcestershire", "DY10 2AY", "UK"]),
    (["1 Main Street"], "Dublin 2", "D02 X285", "Co. Dublin", "Ireland",
     ["1 Main Street", "Dublin 2", "Co. Dublin", "D02 X285", "Ireland"]),
    (["200 Main St"], "Springfield", "62701", "IL", "USA", ["200 Main St", "Springfield, IL 62701", "USA"]),
    (["200 Main St"], "Springfield", "62701", "", "United States", ["200 Main St", "Springfield 62701",
                                                                       "United States"]),
    (["1 Front St W"], "Toronto", "M5J 2N8", "ON", "Canada", ["1 Front St W", "Toronto ON  M5J 2N8", "Canada"]),
    (["1 George St"], "Sydney", "2000", "NSW", "Australia", ["1 George St", "Sydney NSW 2000", "Australia"]),
    (["12 rue de la République"], "Lyon", "69002", "", "France", ["12 rue de la République", "69002 Lyon", "France"]),
    (["Unter den Linden 1"], "Berlin", "10117", "", "Deutschland", ["Unter den Linden 1", "10117 Berlin", "Germany"]),
    (["Str. Doamnei nr. 12", "Sector 3"], "București", "030051", "", "România",
     ["Str. Doamnei nr. 12", "Sector 3", "030051 București", "România"]),
    (["Calle Mayor 1"], "Madrid", "28013", "", "España", ["Calle Mayor 1", "28013 Madrid", "Spain"]),
    (["Via Roma 1"], "Roma", "00144", "RM", "Italia", ["Via Roma 1", "00144 Roma RM", "Italy"]),
    (["Damrak 1"], "Amsterdam", "1012 LG", "", "Netherlands", ["Damrak 1", "1012 LG Amsterdam", "Netherlands"]),
    (["Rue Neuve 1"], "Bruxelles", "1000", "", "Belgique", ["Rue Neuve 1", "1000 Bruxelles", "Belgique"]),
    (["Bahnhofstrasse 1"], "Zürich", "8001", "", "Schweiz", ["Bahnhofstrasse 1", "8001 Zürich", "Switzerland"]),
    (["Ring 1"], "Wien", "1010", "", "Österreich", ["Ring 1", "1010 Wien", "Austria"]),
    (["Rua Augusta 1"], "Lisboa", "1100-048", "", "Portugal", ["Rua Augusta 1", "1100-048 Lisboa", "Portugal"]),
    (["Λεωφόρος Νίκης 24"], "Θεσσαλονίκη", "546 22", "", "Ελλάδα",
     ["Λεωφόρος Νίκης 24", "546 22 Θεσσαλονίκη", "Greece"]),
    (["Ermou 1"], "Athens", "105 57", "", "Greece", ["Ermou 1", "105 57 Athens", "Greece"]),
    (["Jl. M.H. Thamrin No. 1"], "Jakarta", "10110", "", "Indonesia",
     ["Jl. M.H. Thamrin No. 1", "Jakarta 10110", "Indonesia"]),
    (["Unit 804, Ayala Avenue"], "Makati City", "1226", "Metro Manila", "Philippines",
     ["Unit 804, Ayala Avenue", "Makati City 1226", "Metro Manila", "Philippines"]),
    (["1 Jalan Ampang"], "Kuala Lumpur", "50450", "Wilayah Persekutuan", "Malaysia",
     ["1 Jalan Ampang", "50450 Kuala Lumpur", "Wilayah Persekutuan", "Malaysia"]),
    (["1 Raffles Place"], "Singapore", "048616", "", "Singapore", ["1 Raffles Place", "Singapore 048616",
                                                                    "Singapore"]),
    (["1 MG Road"], "Mumbai", "400001", "Maharashtra", "India", ["1 MG Road", "Mumbai 400001", "Maharashtra",
                                                                  "India"]),
])
def test_each_country_gets_the_order_its_post_reads(street, city, postcode, region, country, expected):
    assert list(postal_lines(street, city, postcode, region, country)) == expected


def test_a_country_typed_as_a_code_or_in_its_own_language_is_printed_as_every_post_reads_it():
    assert postal_lines(["200 Main St"], "Springfield", "62701", "IL", "us") == (
        "200 Main St", "Springfield, IL 62701", "United States")
    assert postal_lines(["12 rue X"], "Lyon", "69002", "", "FR", language="fr") == ("12 rue X", "69002 Lyon", "France")
    assert postal_lines(["1 Park Row"], "Leeds", "LS1 5AB", "", "GB", language="fr") == (
        "1 Park Row", "Leeds", "LS1 5AB", "Royaume-Uni")  # French, the other language of the postal union
    assert postal_lines(["Via Roma 1"], "Roma", "00144", "", "Italia", language="el") == (
        "Via Roma 1", "00144 Roma", "Italy")
    # the English names an owner types stay as typed, with their capitals and accents
    assert postal_lines(["1 Road"], "Leeds", "LS1 5AB", "", "UK")[-1] == "UK"
    assert postal_lines(["1 Road"], "Springfield", "62701", "IL", "USA")[-1] == "USA"
    assert postal_lines(["Str. X 1"], "Iași", "700001", "", "ROMÂNIA")[-1] == "ROMÂNIA"


def test_an_address_without_a_country_follows_the_owners_country_else_postcode_then_town():
    assert postal_lines(["1 Park Row"], "Leeds", "LS1 5AB", home="GB") == ("1 Park Row", "Leeds", "LS1 5AB")
    assert postal_lines(["1 Road"], "Springfield", "62701", "IL", home="US") == ("1 Road", "Springfield, IL 62701")
    assert postal_lines(["1 Park Row"], "Leeds", "LS1 5AB") == ("1 Park Row", "LS1 5AB Leeds")
    # the customer's own country wins over the owner's
    assert postal_lines(["8 place X"], "Lille", "59000", "", "France", home="GB") == ("8 place X", "59000 Lille",
                                                                                     "France")


def test_an_address_typed_in_one_cell_is_never_reordered():
    assert postal_lines(["54 Parker view, Kayland, CO0P 5AH"], home="GB") == ("54 Parker view, Kayland, CO0P 5AH",)
    assert postal_lines(["Str. Doamnei 12", "030051 București"], country="Romania") == (
        "Str. Doamnei 12", "030051 București", "Romania")
    assert postal_lines(["1 Road", "Leeds LS1 1AA", "United Kingdom"], country="UK") == (
        "1 Road", "Leeds LS1 1AA", "United Kingdom")  # the country it already ends with is not repeated


def test_country_names_in_several_languages_and_codes_are_recognised():
    for typed, code in [("United Kingdom", "GB"), ("UK", "GB"), ("Royaume-Uni", "GB"),
                        ("Ηνωμένο Βασίλειο", "GB"), ("gb", "GB"), ("Grecia", "GR"), ("Ελλάδα", "GR"), ("Deutschland", "DE"),
                        ("España", "ES"), ("Pilipinas", "PH"), ("Narnia", ""), ("", "")]:
        assert country_code(typed) == code, typed


def test_the_owners_country_comes_from_settings_then_the_computers_locale():
    assert home_country(settings(address=("1 Road", "Leeds", "United Kingdom"), currency="USD")) == "GB"
    assert home_country(settings(currency="GBP")) == "GB"
    assert home_country(settings(language="en_US")) == "US"
    assert home_country(settings(language="el")) == "GR"
    assert home_country(settings(language="en"), "en_AU") == "AU"
    assert home_country(settings(language="fr"), "fr") == ""


def test_a_letter_goes_to_the_company_for_the_attention_of_the_person():
    assert recipient("Lynne Higgins-Carr", "Fletcher, Adams and Parker", "") == (
        "Fletcher, Adams and Parker", "Lynne Higgins-Carr")
    assert recipient("Mercer Plumbing & Heating", "", "Steve Mercer") == ("Mercer Plumbing & Heating", "Steve Mercer")
    assert recipient("Lynne Higgins-Carr", "Fletcher Ltd", "Accounts Payable") == ("Fletcher Ltd", "Accounts Payable")
    assert recipient("Acme", "Acme Ltd", "") == ("Acme Ltd", "")  # one name holds the other: not a person
    assert recipient("ACME LTD", "Acme Ltd", "Jo Bloggs") == ("ACME LTD", "Jo Bloggs")
    assert recipient("Solo Trader", "", "") == ("Solo Trader", "")
