"""Hostile files get a quick plain sentence or a harmless read: never a traceback, a hang or a blown memory.

Files that can cost memory are read in a child process that measures itself (time with
perf_counter, peak memory with resource.getrusage), under an address-space limit, so a
regression shows up as a failed assertion instead of a killed test run. The builders are in
tests/hostile.py.
"""
from __future__ import annotations

import io

import json
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from collector import source
from collector.cli import cli
from collector.reader import read_book
from collector.source import WorkbookError
from tests import hostile

ROOT = Path(__file__).resolve().parents[1]
SECONDS = 5.0  # what "quickly" means for a refusal, measured inside the child
EXTRA_MB = 300  # peak memory above a bare `import collector.reader`
ADDRESS_SPACE = 3 * 1024**3  # the child dies (and the test fails) rather than take the machine

CHILD = r"""
import json, resource, sys, time
from collector.reader import read_book
from collector.source import WorkbookError
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    book = read_book(sys.argv[1], locale="en_GB")
    out = {"outcome": "book", "invoices": [[i.customer, i.number, str(i.amount)] for i in book.invoices],
           "problems": [str(p) for p in book.problems]}
except WorkbookError as error:
    out = {"outcome": "refused", "message": str(error)}
out["seconds"] = time.perf_counter() - started
out["extra_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
print(json.dumps(out))
"""


def read_in_child(path: Path) -> dict:
    """read_book in a fresh process under a memory limit: its outcome, time and extra peak memory."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, preexec_fn=limit)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def refused_quickly(path: Path) -> str:
    result = read_in_child(path)
    assert result["outcome"] == "refused", result
    assert result["seconds"] < SECONDS and result["extra_mb"] < EXTRA_MB, result
    return result["message"]


def sentence(text: str, name: str) -> None:
    """One plain sentence (or two) about the file, with no Python or Rust in it."""
    assert text.startswith(name) and text.endswith(".")
    assert "\n" not in text and len(text) < 400
    for jargon in ("Traceback", "Error(", "errno", "Errno", "0x", "b'", "rust", "zipfile", "calamine"):
        assert jargon not in text, text


def check(path: Path):
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert "Traceback" not in result.output
    return result


BOOK_READ = [["Acme Ltd", "INV-1", "100.00"], ["Bolt Ltd", "INV-2", "250.50"]]


def test_the_plain_builder_makes_a_workbook_the_reader_reads(tmp_path):
    result = read_in_child(hostile.valid_xlsx(tmp_path / "shop.xlsx"))
    assert result["outcome"] == "book" and result["invoices"] == BOOK_READ and result["problems"] == []


# --- entity bombs -------------------------------------------------------------------------------


def test_billion_laughs_in_the_sheet_is_refused_quickly_as_entities(tmp_path):
    # calamine reads past the entity; the formula scan's defusedxml refuses it. That refusal
    # used to escape read_book as a bare ValueError (a traceback for `collector check`).
    path = hostile.entity_bomb_xlsx(tmp_path / "laughs.xlsx", "xl/worksheets/sheet1.xml")
    message = refused_quickly(path)
    assert message == "laughs.xlsx declares XML entities, which collector refuses to read."
    assert check(path).exit_code == 1


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/workbook.xml"])
@pytest.mark.parametrize("quadratic", [False, True], ids=["billion-laughs", "quadratic"])
def test_entity_bombs_elsewhere_are_refused_by_calamine_without_expanding(tmp_path, part, quadratic):
    # quick-xml does not expand custom entities at all: the part is damaged, said plainly.
    path = hostile.entity_bomb_xlsx(tmp_path / "bomb.xlsx", part, quadratic=quadratic)
    message = refused_quickly(path)
    sentence(message, "bomb.xlsx")
    assert message.startswith("bomb.xlsx is damaged and cannot be read (")
    assert "unrecognized entity" in message


def test_quadratic_blowup_in_the_sheet_is_refused_quickly(tmp_path):
    path = hostile.entity_bomb_xlsx(tmp_path / "quad.xlsx", "xl/worksheets/sheet1.xml", quadratic=True)
    assert refused_quickly(path) == "quad.xlsx declares XML entities, which collector refuses to read."


# --- zip bombs, too much data -------------------------------------------------------------------


BOMB = ("{name} unpacks to far more data than a tracking workbook holds, so collector will not open it. "
        "If it is really yours, split it into smaller workbooks.")


@pytest.mark.parametrize("filler", [b"\0", b" "], ids=["zeros", "spaces-inside-sheetData"])
def test_a_part_of_one_and_a_half_gigabytes_deflated_to_a_megabyte_and_a_half_is_refused(tmp_path, filler):
    path = hostile.zip_bomb_xlsx(tmp_path / "bomb.xlsx", filler=filler)
    assert path.stat().st_size < 3 * 1024**2
    assert refused_quickly(path) == BOMB.format(name="bomb.xlsx")


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_a_bomb_that_lies_about_its_size_is_stopped_at_the_size_it_declared(tmp_path, part):
    # The zip directory says 600 bytes; the stream inflates to 1.5 GB. calamine's zip reader stops
    # at the declared size, so nothing large is ever inflated.
    path = hostile.zip_bomb_xlsx(tmp_path / "liar.xlsx", part=part, filler=b" ", declared=600)
    message = refused_quickly(path)
    sentence(message, "liar.xlsx")
    assert message.startswith("liar.xlsx is damaged and cannot be read (")


def test_a_declared_size_of_three_gigabytes_is_refused_before_anything_is_inflated(tmp_path):
    path = hostile.lying_size_xlsx(tmp_path / "huge.xlsx", declared=3 * 1024**3)
    assert refused_quickly(path) == BOMB.format(name="huge.xlsx")


def test_a_zip_of_twenty_thousand_parts_is_refused_from_its_end_record(tmp_path):
    path = hostile.many_parts_xlsx(tmp_path / "many.xlsx", count=20_000)
    assert refused_quickly(path) == (
        "many.xlsx holds more than 10,000 files inside it, far more than any tracking workbook, so "
        "collector will not open it. If it is really yours, open it in Excel and save it again.")


def test_the_member_count_is_read_from_a_zip64_end_record_too(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(70_000):  # past 65,535 the count lives in the zip64 end record
            archive.writestr(f"x/{index}", b"")
    assert source._declared_members(str(path)) == 70_000


TOO_BIG = ("{name} holds {mb} MB of spreadsheet data, more than the {limit} MB collector reads (about "
           "200,000 invoices), so collector will not open it. Split it into smaller workbooks, for example "
           "by moving paid invoices to an archive workbook.")


def test_a_200_megabyte_workbook_is_refused_at_once_not_read_for_minutes(tmp_path):
    # Before the limit, this file took 78 s and 3.2 GB to read (2 million repeated rows).
    path = hostile.big_xlsx(tmp_path / "big.xlsx", size=200 * 1024**2)
    assert path.stat().st_size > 200_000_000
    assert refused_quickly(path) == TOO_BIG.format(name="big.xlsx", mb=199, limit=128)


def test_the_data_limit_counts_inflated_xml_not_the_file_size(tmp_path, monkeypatch):
    path = hostile.big_xlsx(tmp_path / "big.xlsx", size=3 * 1024**2, compression=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 200 * 1024
    monkeypatch.setattr(source, "MAX_XML_BYTES", 2 * 1024**2)
    with pytest.raises(WorkbookError) as refusal:
        read_book(str(path))
    assert str(refusal.value) == TOO_BIG.format(name="big.xlsx", mb=3, limit=2)


def test_a_tracker_just_under_the_limits_is_read(tmp_path):
    rows = [hostile.HEADER] + [(f"Customer {i % 700}", f"INV-{i}", 46027 + i % 300, 10 + i) for i in range(20_000)]
    result = read_in_child(hostile.valid_xlsx(tmp_path / "busy.xlsx", rows))
    assert result["outcome"] == "book" and len(result["invoices"]) == 20_000
    assert result["invoices"][-1] == ["Customer 399", "INV-19999", "20009.00"]
    assert result["seconds"] < 10 and result["extra_mb"] < EXTRA_MB


def sheet_with(extra_rows: str) -> dict[str, bytes]:
    members = hostile.parts()
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = sheet.replace("</sheetData>", extra_rows + "</sheetData>").encode()
    return members


FAR = ("{name} has something in its sheet 'Invoices' as far out as cell {corner}, which makes a grid of "
       "{cells} cells, more than the 10,000,000 collector reads. Delete whatever is far below or to the "
       "right of your data (Ctrl+End in Excel goes to it), save, and run collector again.")


def test_a_stray_value_in_the_last_cell_of_the_sheet_is_refused_instead_of_aborting(tmp_path):
    # calamine builds the full rectangle: 17 billion cells, a Rust abort with a backtrace on screen.
    path = hostile.package(tmp_path / "far.xlsx", sheet_with('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    assert refused_quickly(path) == FAR.format(name="far.xlsx", corner="XFD1048576", cells="17,179,869,184")


def test_cells_without_references_are_counted_to_find_how_far_they_reach(tmp_path):
    wide = "<row>" + "<c><v>1</v></c>" * 16_384 + "</row>"
    path = hostile.package(tmp_path / "far.xlsx", sheet_with(wide + '<row r="1048576"><c><v>1</v></c></row>'))
    assert refused_quickly(path) == FAR.format(name="far.xlsx", corner="XFD1048576", cells="17,179,869,184")


def test_formatted_empty_cells_far_away_do_not_count_and_a_long_thin_sheet_is_read(tmp_path):
    members = sheet_with('<row r="5000"><c r="XFD5000" s="1"/></row>'
                         '<row r="1048576"><c r="C1048576"><v>1</v></c></row>')
    result = read_in_child(hostile.package(tmp_path / "thin.xlsx", members))
    assert result["outcome"] == "book" and result["invoices"] == BOOK_READ
    assert result["seconds"] < SECONDS and result["extra_mb"] < EXTRA_MB


def test_the_quick_measure_of_a_sheet_does_not_take_a_namespace_for_a_cell():
    """xmlns:r="http://..." is no cell reference: taken for column HT, it sent every big sheet collector
    had written to the slow measure (3 s of a 100,000-invoice run)."""
    from collector.source import _surely_small

    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="Q{r}"><v>2</v></c></row>' for r in range(1, 100_001))
    sheet = ('<worksheet xmlns="m" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             f'<sheetData>{rows}</sheetData><drawing r:id="rId1"/></worksheet>').encode()
    assert _surely_small(lambda: io.BytesIO(sheet))
    assert not _surely_small(lambda: io.BytesIO(sheet.replace(b'<c r="Q9"', b'<c r="XFD9"')))


@pytest.mark.parametrize("count", ["4294967295", "99999999999999999999"])
def test_a_shared_string_count_that_lies_is_refused_instead_of_aborting(tmp_path, count):
    # calamine reserves room for uniqueCount strings up front: 4,294,967,295 of them is a Rust abort.
    members = hostile.parts()
    members["xl/sharedStrings.xml"] = members["xl/sharedStrings.xml"].replace(
        b'uniqueCount="8"', f'uniqueCount="{count}"'.encode())
    message = refused_quickly(hostile.package(tmp_path / "sst.xlsx", members))
    assert message == (f"sst.xlsx is damaged: its list of text values claims {int(count):,} entries, far more "
                       "than the file holds. Restore it from a backup, or open it in Excel and save it again.")


def test_a_shared_string_count_that_is_merely_wrong_is_read(tmp_path):
    members = hostile.parts()
    members["xl/sharedStrings.xml"] = members["xl/sharedStrings.xml"].replace(b'uniqueCount="8"', b'uniqueCount="1048576"')
    result = read_in_child(hostile.package(tmp_path / "sst.xlsx", members))
    assert result["outcome"] == "book" and result["invoices"] == BOOK_READ


def test_a_cell_reference_with_thirteen_digits_is_measured_not_skipped(tmp_path):
    # Found by the mutation fuzz: r="D1000000000000" slipped past a 9-digit pattern into calamine.
    members = sheet_with('<row r="4"><c r="D1000000000000"><v>1</v></c></row>')
    message = refused_quickly(hostile.package(tmp_path / "far.xlsx", members))
    assert message.startswith("far.xlsx has something in its sheet 'Invoices' as far out as cell D1000000000000,")


def ods(path: Path, rows_xml: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Invoices">'
        + "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
                  for row in (["Customer", "Invoice No", "Invoice Date", "Amount"], ["Acme Ltd", "INV-1", "2026-01-05", 100]))
        + rows_xml + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'))
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def _ods_cell(value: object) -> str:
    if isinstance(value, (int, float)):
        return f'<table:table-cell office:value-type="float" office:value="{value}"/>'
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def test_an_ods_cell_repeated_across_80_million_cells_is_refused_instead_of_taking_8_gigabytes(tmp_path):
    repeated = ('<table:table-row table:number-rows-repeated="5000"><table:table-cell '
                'table:number-columns-repeated="16000" office:value-type="float" office:value="1"/></table:table-row>')
    message = refused_quickly(ods(tmp_path / "rep.ods", repeated))
    assert message == FAR.format(name="rep.ods", corner="WQJ5002", cells="80,032,000")


def test_the_empty_repeated_rows_libreoffice_writes_at_the_end_are_harmless(tmp_path):
    trailing = ('<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
                'table:number-columns-repeated="1024"/></table:table-row>')
    result = read_in_child(ods(tmp_path / "lo.ods", trailing))
    assert result["outcome"] == "book" and result["invoices"] == [["Acme Ltd", "INV-1", "100.00"]]


# --- members named to escape, links out ---------------------------------------------------------


def test_member_names_that_climb_out_are_never_followed_or_written(tmp_path):
    names = ["../../evil.txt", "/etc/x", "C:\\x", "..\\..\\evil2.txt", "xl/../../../evil3.txt"]
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    path = hostile.traversal_xlsx(folder / "shop.xlsx", names)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    book = read_book(str(path), locale="en_GB")
    assert [(i.customer, i.number) for i in book.invoices] == [("Acme Ltd", "INV-1"), ("Bolt Ltd", "INV-2")]
    assert check(path).exit_code == 0
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not Path("/etc/x").exists() and not Path("C:\\x").exists()


@pytest.mark.parametrize("formula, why", [
    ("[1]Sheet1!A1", "refers to another file, which collector never opens"),
    ("cmd|' /C calc'!A0", "refers to another file, which collector never opens"),
    ("=cmd|' /C calc'!A0+1", "refers to another file, which collector never opens"),
    ("'C:\\Users\\x\\[old.xlsx]Sheet1'!B2", "refers to another file, which collector never opens"),
    ('HYPERLINK("http://evil.test/x","1")', "uses HYPERLINK, which collector cannot work out"),
    ("WEBSERVICE(\"http://evil.test/\")", "uses WEBSERVICE, which collector cannot work out"),
])
def test_links_out_are_never_evaluated_and_the_cell_is_named(tmp_path, formula, why, monkeypatch):
    def no_subprocess(*args, **kwargs):
        raise AssertionError("collector started a program")

    monkeypatch.setattr(subprocess, "Popen", no_subprocess)
    monkeypatch.setattr(os, "system", no_subprocess)
    if formula.startswith("["):
        path = hostile.external_link_xlsx(tmp_path / "links.xlsx", formula)
    else:
        path = hostile.formula_xlsx(tmp_path / "links.xlsx", "=" + formula.lstrip("="))
    book = read_book(str(path), locale="en_GB")
    assert [i.number for i in book.invoices] == ["INV-2"]
    [problem] = book.problems
    assert (problem.sheet, problem.cell, problem.value) == ("Invoices", "D2", "=" + formula.lstrip("="))
    assert problem.message == f"this formula has no saved result and collector cannot work it out ({why})"


# --- files that are not what their name says ---------------------------------------------------


@pytest.mark.parametrize("name", ["export.xlsx", "export.xls"])
def test_an_html_table_named_as_a_workbook_is_called_a_web_page(tmp_path, name):
    path = hostile.html_as_xlsx(tmp_path / name)
    result = check(path)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {name} is a web page (HTML) with a spreadsheet's name, as some programs export it, so "
        "collector cannot read it. Open it in Excel and save it as .xlsx, then run collector on that file.\n")


def test_a_csv_named_xlsx_is_called_a_csv(tmp_path):
    result = check(hostile.csv_as_xlsx(tmp_path / "export.xlsx"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: export.xlsx is a CSV text file with a spreadsheet's name, so collector cannot read it as one. "
        "Rename it to end in .csv, or open it in Excel and save it as .xlsx.\n")


def test_a_sheet_named_in_workbook_xml_but_missing_from_the_package(tmp_path):
    result = check(hostile.missing_sheet_part_xlsx(tmp_path / "shop.xlsx"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: shop.xlsx is damaged: its sheet 'Invoices' is listed but missing from the file. Restore it "
        "from a backup, or open it in Excel and save it again.\n")


def test_a_csv_with_a_nul_byte_at_the_start_is_not_text(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_bytes(b"Customer,Invoice Date,Amount\nAc\x00me,2026-01-05,100\n")
    with pytest.raises(WorkbookError, match=r"^shop.csv is not a text file, so it cannot be read as CSV\.$"):
        read_book(str(path))


def test_a_nul_byte_deep_in_a_csv_stays_in_its_cell(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_bytes(b"Customer,Invoice No,Invoice Date,Amount\n" + b"Acme,A,2026-01-05,100\n" * 300
                     + b"Bo\x00lt,B,2026-01-06,200\n")
    book = read_book(str(path), locale="en_GB")
    assert len(book.invoices) == 301 and book.invoices[-1].customer == "Bo\x00lt"


def test_a_csv_in_two_encodings_is_read_with_replacement_not_refused(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_bytes("Customer,Invoice No,Invoice Date,Amount\nCafé Zoë,A,2026-01-05,100\n".encode()
                     + "Müller GmbH,B,2026-01-06,200\n".encode("cp1252"))
    book = read_book(str(path), locale="en_GB")
    assert [i.number for i in book.invoices] == ["A", "B"]
    assert book.invoices[1].customer == "Müller GmbH"  # the file falls back to cp1252 as a whole


@pytest.mark.parametrize("body", [
    b"Customer,Invoice Date,Amount," + b"x" * (10 * 1024**2) + b"\nAcme,2026-01-05,100,y\n",
    b'Customer,Invoice Date,Amount\n"Acme,2026-01-05,100\n' + b"x" * 200_000,
], ids=["10MB-line", "unclosed-quote"])
def test_a_csv_cell_longer_than_any_spreadsheet_cell_is_a_sentence(tmp_path, body):
    # csv.Error used to escape: a traceback.
    path = tmp_path / "shop.csv"
    path.write_bytes(body)
    result = check(path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: shop.csv cannot be read as CSV: near line ")
    assert result.stderr.endswith(
        "a value runs on for more than 131,072 characters, usually a quote mark that is never closed. "
        "Fix that line, or open the file in Excel and save it as .xlsx.\n")


def test_a_10_megabyte_line_of_short_cells_is_read_in_well_under_a_second(tmp_path):
    # Five million cells in one row: header detection used to look at all of them (57 s).
    path = tmp_path / "shop.csv"
    path.write_bytes(b"Customer,Invoice No,Invoice Date,Amount," + b"a," * (5 * 1024**2)
                     + b"\nAcme,A,2026-01-05,100\n")
    result = read_in_child(path)
    assert result["outcome"] == "book" and result["invoices"] == [["Acme", "A", "100.00"]]
    assert result["seconds"] < 3


def test_a_csv_over_64_megabytes_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "shop.csv"
    with open(path, "wb") as handle:
        handle.write(b"Customer,Invoice Date,Amount\n")
        handle.truncate(65 * 1024**2)
    assert refused_quickly(path) == TOO_BIG.format(name="shop.csv", mb=65, limit=64)
