"""File names from customer names: safe everywhere, distinct, stable."""
from __future__ import annotations

import pytest

from collector.safe_name import MAX_LENGTH, customer_file_names, safe_file_name


@pytest.mark.parametrize("name, safe", [
    ('A/B: "Best" Ltd.', "A B Best Ltd"),
    ("CON", "_CON"),
    ("com1.txt", "_com1.txt"),
    ("LPT9", "_LPT9"),
    ("..", "unnamed"),
    ("  .hidden. ", "hidden"),
    ("a..b", "a.b"),
    ("Tab\tand\nnewline\x00", "Tab and newline"),
    ("Λεωφόρος & Σια", "Λεωφόρος & Σια"),
    ("back\\slash|pipe?star*", "back slash pipe star"),
])
def test_names_become_one_safe_path_component(name, safe):
    assert safe_file_name(name) == safe


def test_names_are_capped_without_a_trailing_space_or_dot():
    name = safe_file_name("Company " * 30)
    assert len(name) <= MAX_LENGTH and not name.endswith((" ", "."))


def test_names_differing_only_by_case_or_accents_get_a_stable_distinct_suffix():
    names = customer_file_names({"k1": "Café Rio", "k2": "Cafe Rio", "k3": "CAFE RIO", "k4": "Other"})
    assert names["k4"] == "Other"
    folded = {n.casefold().replace("é", "e") for n in names.values()}
    assert len(folded) == 4
    assert customer_file_names({"k2": "Cafe Rio", "k1": "Café Rio"})["k1"] == names["k1"]


@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd", "etc passwd"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("NUL", "_NUL"), ("aux.txt", "_aux.txt"), ("PRN ", "_PRN"), ("COM1.", "_COM1"), ("CON..", "_CON"),
    ("nul.tar.gz", "_nul.tar.gz"), ("lpt1 .pdf", "_lpt1 .pdf"),
])
def test_paths_and_reserved_windows_names_become_harmless(name, safe):
    assert safe_file_name(name) == safe


def test_names_in_wide_scripts_are_capped_in_bytes_too_so_the_file_system_takes_them():
    # 70 emoji are 280 bytes: with the action number and step around them, over the 255 of ext4 and APFS.
    assert safe_file_name("😀" * 70, 60) == "😀" * 30
    assert len(customer_file_names({"k": "Ω" * 200})["k"].encode("utf-8")) <= 120
