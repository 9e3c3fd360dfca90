"""Working out formulas that a workbook saved without their results."""
from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
import python_calamine

from collector import package
from collector.formula import (
    CellError,
    FormulaError,
    col_index,
    col_letter,
    evaluate,
    parse_ref,
    shift_formula,
)
from collector.xlsx_formulas import sheet_formulas
from tests.workbooks import CORPUS

OLIMING = CORPUS / "OlimingmingO__invoice_tracker.xlsx"
LUCAS = CORPUS / "lucastrg2-cpu__invoice-tracker.xlsx"


def sheet(cells: dict[str, object] | None = None):
    """A lookup over {"A1": value, "Sheet2!B3": value}; every other cell is blank."""
    table = {parse_ref(ref): value for ref, value in (cells or {}).items()}
    return lambda name, row, col: table.get((name, row, col), "")


def value_of(formula: str, cells: dict[str, object] | None = None, **options) -> object:
    return evaluate(formula, sheet(cells), **options)


LEDGER = {
    "I1": 100.0, "J1": "Paid",
    "I2": 250.0, "J2": "Pending",
    "I3": 40.0, "J3": "paid",
    "I4": "n/a", "J4": "Overdue",
    "I5": 5.0,
}

CASES = [
    # arithmetic and Excel's precedence
    ("1+2*3", 7),
    ("(1+2)*3", 9),
    ("=10/4", 2.5),
    ("-2^2", 4),  # Excel negates before raising to a power
    ("0-2^2", -4),
    ("2^3^2", 64),  # left to right, unlike Python
    ("2^-1", 0.5),
    ("1.5e3+1", 1501),
    ("+A1", 7),
    ("A1*2 - -1", 15),
    ("Z99+1", 1),  # a blank cell is 0 in arithmetic
    # percent
    ("6%", 0.06),
    ("200*6%", 12),
    ("-5%", -0.05),
    ("50%%", 0.005),
    # text
    ('"a"&"b"', "ab"),
    ('"say ""hi"""', 'say "hi"'),
    ('"n="&1.5', "n=1.5"),
    ('"x"&(0.1+0.2)', "x0.3"),
    ('"x"&TRUE', "xTRUE"),
    ('"x"&Z99&"y"', "xy"),
    ('"3"+1', 4),
    ('"1,234.50"*2', 2469),
    ('A1&"-"&B1', "7-Acme"),
    # comparisons
    ('""=""', True),
    ('Z99=""', True),
    ("Z99=0", True),
    ('"abc"="ABC"', True),
    ('1<"a"', True),  # numbers sort before text, text before TRUE/FALSE
    ('"z"<TRUE', True),
    ("0.1+0.2=0.3", True),  # Excel compares to 15 significant digits
    ("2<>2", False),
    ("3>=3", True),
    ("A1>B1", False),
    # IF and friends
    ('IF(F10="","",F10*G10)', ""),
    ("IF(FALSE,1)", False),
    ("IF(TRUE,,1)", 0),
    ("IF(Z99=0,0,1/Z99)", 0),  # the branch not taken is not worked out
    ('IFERROR(1/0,"none")', "none"),
    ("IFERROR(A1*2,0)", 14),
    ("AND(TRUE,A1>1)", True),
    ("OR(FALSE,0)", False),
    ("NOT(Z99)", True),
    ("ISBLANK(Z99)", True),
    ("ISBLANK(A1)", False),
    # numbers
    ("SUM(I1:I5)", 395),  # text in a range is skipped
    ('SUM("2",TRUE,3)', 6),  # typed values are converted
    ("AVERAGE(I1:I3)", 130),
    ("MIN(I1:I5)", 5),
    ("MAX(I1:I5,999)", 999),
    ("COUNT(I1:I6)", 4),
    ("COUNTA(J1:J6)", 4),
    ("ABS(-3)", 3),
    ("INT(-2.5)", -3),
    ("MOD(-3,2)", 1),
    ("ROUND(2.675,2)", 2.68),  # Excel rounds the decimal it shows, not the binary float
    ("ROUND(-2.5,0)", -3),  # halves go away from zero
    ("ROUND(1234.5,-2)", 1200),
    ("ROUNDUP(1.201,2)", 1.21),
    ("ROUNDDOWN(-1.29,1)", -1.2),
    ("ROUND(30616*1.06,2)", 32452.96),
    # SUMIF / COUNTIF
    ('SUMIF(J1:J5,"Paid",I1:I5)', 140),  # text criteria ignore case
    ('SUMIF(J1:J5,"Paid",I1)', 140),  # the sum range takes the criteria range's shape
    ('SUMIF(I1:I5,"<>")', 395),
    ('SUMIF(I1:I5,">50")', 350),
    ("SUMIF(I1:I5,100)", 100),
    ('COUNTIF(J1:J5,"Paid")', 2),
    ('COUNTIF(J1:J5,"p*")', 3),
    ('COUNTIF(J1:J5,"<>Paid")', 3),  # the blank J5 counts as not Paid
    ('COUNTIF(J1:J5,"")', 1),
    ('COUNTIF(I1:I5,">="&100)', 2),
    ('SUMIFS(I1:I5,J1:J5,"paid",I1:I5,">50")', 100),
    ('COUNTIFS(J1:J5,"P*",I1:I5,"<100")', 1),
    # dates (1900 system; a date from a cell counts as its serial number)
    ("DATE(2026,5,16)", 46158),
    ("DATE(2026,13,1)", 46388),  # month 13 is January of the next year
    ("D1+60", 46218),
    ("EDATE(DATE(2026,1,31),1)", 46081),  # 28 Feb 2026
    ("EOMONTH(D1,0)", 46173),
    ("DAYS(D2,D1)", 60),
    ("YEAR(D1)&\"-\"&MONTH(D1)&\"-\"&DAY(D1)", "2026-5-16"),
    ('DAYS("2026-07-15",D1)', 60),
    ("D3-D1", 0.5),  # a datetime keeps its time of day
    # conversions and text functions
    ("N(\"x\")", 0),
    ("N(TRUE)", 1),
    ("N(D1)", 46158),
    ('VALUE("1,234.50")', 1234.5),
    ('VALUE("(120)")', -120),
    ('VALUE("6%")', 0.06),
    ('CONCAT(A1:B1,"!")', "7Acme!"),
    ('_xlfn.CONCAT("a","b")', "ab"),
    ('CONCATENATE("INV-",A1)', "INV-7"),
    ('LEFT("Invoice",3)', "Inv"),
    ('LEFT("Invoice")', "I"),
    ('RIGHT("INV-0042",4)', "0042"),
    ('MID("abcdef",2,3)', "bcd"),
    ('LEN("Acme")', 4),
    ('TRIM("  Acme   Corp ")', "Acme Corp"),
    ('UPPER("paid")', "PAID"),
    ('LOWER("PAID")', "paid"),
    ("LEFT(1234.5,2)", "12"),
    # other sheets
    ("Sheet2!B3*2", 20),
    ("'My Sheet'!C4&\"\"", "x"),
    ("SUM(Sheet2!B3:B4)", 11),
]

CELLS = {
    "A1": 7, "B1": "Acme",
    "D1": dt.date(2026, 5, 16), "D2": dt.date(2026, 7, 15), "D3": dt.datetime(2026, 5, 16, 12, 0),
    "Sheet2!B3": 10.0, "Sheet2!B4": 1.0, "'My Sheet'!C4": "x",
    **LEDGER,
}


@pytest.mark.parametrize("formula, expected", CASES)
def test_formula_gives_what_excel_shows(formula, expected):
    result = value_of(formula, CELLS)
    if isinstance(expected, bool) or isinstance(expected, str):
        assert result == expected and type(result) is type(expected)
    else:
        assert result == pytest.approx(expected, abs=1e-9)


def test_template_row_with_figures_is_multiplied():
    assert value_of('IF(F10="","",F10*G10)', {"F10": 2, "G10": 3.5}) == 7


def test_a_formula_pointing_at_a_blank_cell_shows_zero_as_excel_does():
    assert value_of("A1", {}) == 0


def test_dates_count_from_1904_when_the_workbook_says_so():
    assert value_of("DATE(2026,5,16)", date1904=True) == 46158 - 1462
    assert value_of("D1", {"D1": dt.date(2026, 5, 16)}, date1904=True) == 46158 - 1462


def test_whole_columns_are_read_up_to_the_size_of_the_sheet():
    asked = []

    def size(name):
        asked.append(name)
        return (5, 10)

    assert value_of('SUMIF(J:J,"Paid",I:I)', LEDGER, sheet_size=size) == 140
    assert asked == [None, None]


def test_lookup_receives_the_sheet_name_without_quotes():
    seen = []

    def lookup(name, row, col):
        seen.append((name, row, col))
        return 1

    evaluate("'Bob''s Sheet'!$B$2+Sheet2!A1+C3", lookup)
    assert seen == [("Bob's Sheet", 1, 1), ("Sheet2", 0, 0), (None, 2, 2)]


ERRORS = [
    ("VLOOKUP(A1,B1:C9,2,FALSE)", "uses VLOOKUP, which collector cannot work out"),
    ("1/0", "divides by zero"),
    ("A1/Z99", "divides by zero"),
    ("AVERAGE(Z1:Z3)", "takes the average of no numbers"),
    ("[1]Sheet1!A1+1", "refers to another file"),
    ("'C:\\Books\\[old.xlsx]Invoices'!B2", "refers to another file"),
    ("SUM([1]!Total)", "refers to another file"),
    ("cmd|'/c calc'!A0", "refers to another file"),
    ("IF(FALSE,[2]Sheet1!A1,0)", "refers to another file"),  # never, not even in a branch not taken
    ("TODAY()-D1", "TODAY()"),
    ("NOW()", "NOW()"),
    ("TaxRate*2", '"TaxRate"'),
    ("Invoices[Amount]*2", "Invoices[Amount]"),
    ('"abc"*2', 'uses the text "abc" where a number is needed'),
    ("SUM(A:A)", "whole columns"),
    ("1+", "cannot be read"),
    ("SUM(1,2", "cannot be read"),
    ('"open', "cannot be read"),
    ("{1,2}", "list of values"),
    ("Sheet1:Sheet3!A1", "several sheets"),
    ("A1:A3*2", "range of cells where one value is needed"),
    ("ROUND(1)", "gives ROUND the wrong number of values"),
    ("", "has no formula text"),
]


@pytest.mark.parametrize("formula, message", ERRORS)
def test_formula_collector_cannot_work_out_says_why(formula, message):
    with pytest.raises(FormulaError) as caught:
        value_of(formula, CELLS)
    assert message in str(caught.value)


def test_iferror_catches_excel_errors_but_not_what_collector_cannot_do():
    assert value_of('IFERROR(Z1/Z2,"-")') == "-"
    assert value_of("IFERROR(A1,0)", {"A1": "#N/A"}) == 0
    with pytest.raises(FormulaError, match="VLOOKUP"):
        value_of('IFERROR(VLOOKUP(1,A1:B2,2),"-")')


def test_a_cell_showing_an_error_makes_the_formula_fail_with_that_error():
    with pytest.raises(CellError) as caught:
        value_of("A1+1", {"A1": "#DIV/0!"})
    assert caught.value.code == "#DIV/0!"
    assert str(caught.value) == "refers to a cell that shows #DIV/0!"


def test_deep_nesting_is_refused_rather_than_crashing():
    with pytest.raises(FormulaError, match="nested too deeply"):
        value_of("(" * 500 + "1" + ")" * 500)


SHIFTS = [
    ("A1", 1, 1, "B2"),
    ("$A1", 1, 1, "$A2"),
    ("A$1", 1, 1, "B$1"),
    ("$A$1", 1, 1, "$A$1"),
    ("F2*0.06", 14, 0, "F16*0.06"),
    ("SUM(A1:B3)", 2, 0, "SUM(A3:B5)"),
    ("SUM($A$1:A1)", 3, 0, "SUM($A$1:A4)"),
    ("SUMIF(J:J,\"Paid\",I:I)", 9, 1, "SUMIF(K:K,\"Paid\",J:J)"),
    ("SUM(1:1)", 2, 5, "SUM(3:3)"),
    ("SUM($A:A)", 0, 1, "SUM($A:B)"),
    ('"A1"&A1', 1, 0, '"A1"&A2'),
    ('IF(F10="","",F10*G10)', 1, 0, 'IF(F11="","",F11*G11)'),
    ("Sheet2!A1+Sheet2!$B$2", 1, 0, "Sheet2!A2+Sheet2!$B$2"),
    ("'My Sheet'!B1:C2", 1, 1, "'My Sheet'!C2:D3"),
    ("LOG10(A1)+ATAN2(A1,B1)", 1, 0, "LOG10(A2)+ATAN2(A2,B2)"),
    ("_xlfn.CONCAT(A1, \" x \")", 0, 2, "_xlfn.CONCAT(C1, \" x \")"),
    ("TaxRate*B2", 1, 0, "TaxRate*B3"),
    ("A2-1", -1, 0, "A1-1"),
    ("A1+1", -1, 0, "#REF!+1"),
    ("Sheet2!A1", 0, -1, "Sheet2!#REF!"),
    ("XFD1", 0, 1, "#REF!"),
]


@pytest.mark.parametrize("formula, drow, dcol, expected", SHIFTS)
def test_shared_formula_moves_like_excel_copies_it(formula, drow, dcol, expected):
    assert shift_formula(formula, drow, dcol) == expected


def test_references_and_columns_convert_both_ways():
    assert parse_ref("B3") == (None, 2, 1)
    assert parse_ref("$AB$10") == (None, 9, 27)
    assert parse_ref("'My Sheet'!C4") == ("My Sheet", 3, 2)
    assert parse_ref("Τιμολόγια!A1") == ("Τιμολόγια", 0, 0)
    assert [col_letter(i) for i in (0, 25, 26, 27, 701, 702, 16383)] == ["A", "Z", "AA", "AB", "ZZ", "AAA", "XFD"]
    assert [col_index(s) for s in ("A", "z", "AB", "XFD")] == [0, 25, 27, 16383]
    with pytest.raises(FormulaError):
        parse_ref("A1:B2")
    with pytest.raises(FormulaError):
        parse_ref("A0")


# ---------------------------------------------------------------- the workbook package

def calamine_lookup(path: Path, formulas: dict[tuple[int, int], str]):
    """Values as calamine reads them; formula cells without a saved result are worked out."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(
        skip_empty_area=False
    )

    def lookup(name, row, col):
        if (row, col) in formulas:
            return evaluate(formulas[(row, col)], lookup)
        return rows[row][col] if row < len(rows) and col < len(rows[row]) else ""

    return lookup


def test_corpus_tracker_formulas_without_saved_results_are_found():
    formulas = sheet_formulas(str(OLIMING), "Invoice Tracker")
    columns = (col_index("G"), col_index("H"), col_index("M"))
    assert set(formulas) == {(row, col) for row in range(1, 16) for col in columns}
    assert formulas[(1, 6)] == "F2*0.06"
    assert formulas[(1, 7)] == "F2+G2"
    assert formulas[(15, 12)] == "H16-L16"


def test_corpus_total_is_worked_out_from_the_subtotal_and_tax():
    formulas = sheet_formulas(str(OLIMING), "invoice tracker")  # sheet names ignore case
    lookup = calamine_lookup(OLIMING, formulas)
    assert evaluate(formulas[(1, 7)], lookup) == pytest.approx(30616 * 1.06)
    assert round(evaluate(formulas[(1, 7)], lookup), 2) == 32452.96
    assert round(evaluate(formulas[(1, 12)], lookup), 2) == round(30616 * 1.06 - 29878, 2)


def test_corpus_template_rows_and_summary_are_worked_out():
    formulas = sheet_formulas(str(LUCAS), "Invoice Tracker")
    lookup = calamine_lookup(LUCAS, formulas)
    assert formulas[(9, 7)] == 'IF(F10="","",F10*G10)'
    assert evaluate(formulas[(9, 7)], lookup) == ""
    assert evaluate(formulas[(9, 8)], lookup) == ""
    assert evaluate(formulas[(4, 15)], lookup) == 5300  # SUMIF(I5:I15,"<>")
    assert evaluate(formulas[(5, 15)], lookup) == 1500  # SUMIF(J5:J15,"Paid",I5:I15)
    assert evaluate(formulas[(8, 15)], lookup) == 5  # COUNTA(A5:A15)
    assert evaluate(formulas[(9, 15)], lookup) == 2  # COUNTIF(J5:J15,"Paid")


CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/notes.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/data.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<x:sheets><x:sheet name="Notes" sheetId="1" r:id="rId7"/><x:sheet name="Invoices" sheetId="2" r:id="rId3"/>'
    "</x:sheets></x:workbook>"
)
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId3" Target="worksheets/data.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId7" Target="/xl/worksheets/notes.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)
# The sheet uses a namespace prefix, shared formulas (one group starts with its master's result
# saved), an array formula, a formula with a saved empty text, and cells without an r attribute.
INVOICES = (
    '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
    '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Net</x:t></x:is></x:c></x:row>'
    '<x:row r="2"><x:c r="A2"><x:v>100</x:v></x:c><x:c r="B2"><x:v>5</x:v></x:c>'
    '<x:c r="C2"><x:f t="shared" ref="C2:D4" si="0">A2*$B$2+SUM(A$2:A2)&amp;"A2"</x:f><x:v>600</x:v></x:c>'
    '<x:c r="D2"><x:f t="shared" si="0"/></x:c>'
    '<x:c r="E2" t="str"><x:f>IF(A2="","",A2)</x:f><x:v></x:v></x:c></x:row>'
    '<x:row r="3"><x:c r="A3"><x:v>200</x:v></x:c>'
    '<x:c r="C3"><x:f t="shared" si="0"/><x:v/></x:c>'
    '<x:c r="D3"><x:f t="shared" si="0"/><x:v>7</x:v></x:c></x:row>'
    '<x:row><x:c><x:v>300</x:v></x:c><x:c/><x:c><x:f t="shared" si="0"/></x:c>'
    '<x:c><x:f t="array" ref="D4">SUM(A2:A4*2)</x:f></x:c></x:row>'
    "</x:sheetData></x:worksheet>"
)
NOTES = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="B1"><f>Invoices!A2*2</f></c></row></sheetData></worksheet>'
)


def write_package(path: Path, invoices: str = INVOICES) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/data.xml", invoices)
        archive.writestr("xl/worksheets/notes.xml", NOTES)
    return path


def test_shared_formulas_are_translated_to_every_cell_without_a_result(tmp_path):
    formulas = sheet_formulas(str(write_package(tmp_path / "book.xlsx")), "Invoices")
    assert formulas == {
        (1, 3): 'B2*$B$2+SUM(B$2:B2)&"A2"',
        (2, 2): 'A3*$B$2+SUM(A$2:A3)&"A2"',
        (3, 2): 'A4*$B$2+SUM(A$2:A4)&"A2"',
        (3, 3): "SUM(A2:A4*2)",
    }


def test_the_sheet_is_found_through_the_workbook_relationships(tmp_path):
    assert sheet_formulas(str(write_package(tmp_path / "book.xlsx")), "Notes") == {(0, 1): "Invoices!A2*2"}


def test_a_translated_shared_formula_evaluates(tmp_path):
    formulas = sheet_formulas(str(write_package(tmp_path / "book.xlsx")), "Invoices")
    values = {"A2": 100.0, "B2": 5.0, "A3": 200.0, "A4": 300.0}
    assert value_of(formulas[(3, 2)], values) == "2100A2"


def test_missing_sheet_is_a_plain_sentence(tmp_path):
    path = write_package(tmp_path / "book.xlsx")
    with pytest.raises(ValueError, match='has no sheet named "Payments"'):
        sheet_formulas(str(path), "Payments")


def test_a_file_that_is_not_a_workbook_is_a_plain_sentence(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 encrypted or old")
    with pytest.raises(ValueError, match="not an .xlsx workbook collector can open"):
        sheet_formulas(str(path), "Invoices")


def test_a_damaged_sheet_is_a_plain_sentence(tmp_path):
    path = write_package(tmp_path / "book.xlsx", invoices='<worksheet><sheetData><row><c r="A1"><f>1+1</f>')
    with pytest.raises(ValueError, match='the sheet "Invoices" cannot be read'):
        sheet_formulas(str(path), "Invoices")


def test_a_sheet_without_formulas_is_not_parsed_at_all(tmp_path):
    path = write_package(tmp_path / "book.xlsx", invoices='<worksheet><sheetData><row><c r="A1"><v>1</v>')
    assert sheet_formulas(str(path), "Invoices") == {}


def test_entity_declarations_are_refused(tmp_path):
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData>&a;</sheetData></worksheet>'
    path = write_package(tmp_path / "book.xlsx", invoices=bomb)
    with pytest.raises(ValueError, match="declares XML entities"):
        sheet_formulas(str(path), "Invoices")


def test_a_part_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    path = write_package(tmp_path / "book.xlsx")
    monkeypatch.setattr(package, "MAX_PART_BYTES", 100)
    with pytest.raises(ValueError, match="more than the 100 bytes collector allows"):
        sheet_formulas(str(path), "Invoices")


def test_a_long_sheet_is_streamed(tmp_path):
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f t="shared" si="0"/></c></row>'
        for r in range(3, 20_001)
    )
    sheet_xml = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" ref="B2:B20000" si="0">A2*2</f></c></row>'
        f"{rows}</sheetData></worksheet>"
    )
    formulas = sheet_formulas(str(write_package(tmp_path / "book.xlsx", invoices=sheet_xml)), "Invoices")
    assert len(formulas) == 19_999
    assert formulas[(19_999, 1)] == "A20000*2"
