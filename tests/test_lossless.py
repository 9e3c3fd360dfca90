"""The lossless writer changes only what collector owns and keeps every other part byte for byte.

Each workbook (hand-built tricky packages from tests/tricky.py, the shared corpus of real
trackers, the bundled samples) is written twice with the same --as-of: original -> first,
first -> second. Then: every part collector does not own is the original's bytes; the computed
columns hold the assessment's values; the owner's formulas keep their cached results; the second
run changes nothing; collector.fidelity finds nothing lost; openpyxl and calamine open the result;
the package is consistent (relationships, content types, ids, schema order, style counts); and
collector's own tabs read the same as the openpyxl writer's.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import fromstring

import openpyxl
import pytest
import python_calamine

from collector import fidelity, writer
from collector.engine import assess, contact_entries
from collector.lossless import _mergeable, _only_collector_notes, write_results_lossless
from collector.lossless import owned_parts as editor_owned_parts
from collector.reader import read_book
from collector.sheet_xml import SheetEdit
from collector.style_xml import Styles
from collector.weekly import _ownership
from collector.xlsx_edit import EditablePackage, relationships
from tests import tricky
from tests.workbooks import CORPUS, ROOT

AS_OF = dt.date(2026, 11, 23)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SAMPLES = {"shop": ROOT / "sample_workbooks" / "shop.xlsx", "first-tracker": ROOT / "sample_workbooks" / "first-tracker.xlsx"}
CORPUS_FILES = {p.stem: p for p in sorted(CORPUS.glob("*.xlsx"))}
CASES = sorted(tricky.BUILDERS) + sorted(CORPUS_FILES) + sorted(SAMPLES) + ["shop-after-openpyxl-writer"]
WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews", "mergeCells",
    "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions", "pageMargins",
    "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors",
    "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst")
WORKBOOK_ORDER = (
    "fileVersion", "fileSharing", "workbookPr", "AlternateContent", "revisionPtr", "absPath", "workbookProtection",
    "bookViews", "sheets", "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
    "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr",
    "webPublishObjects", "extLst")
STYLES_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst")


@dataclass
class Run:
    original: Path
    first: Path
    second: Path
    book: object
    assessment: object
    written: writer.Written
    again: writer.Written
    seconds: float


def _original(name: str, folder: Path) -> Path:
    if name in tricky.BUILDERS:
        return tricky.BUILDERS[name](folder)
    if name == "shop-after-openpyxl-writer":  # a workbook the earlier, openpyxl-based writer already wrote
        path = folder / "shop-before.xlsx"
        shutil.copyfile(SAMPLES["shop"], path)
        book = read_book(str(path))
        assessment = assess(book, AS_OF - dt.timedelta(days=7))
        writer.write_results(str(path), str(path), book, assessment, contact_entries(assessment))
        return path
    source = CORPUS_FILES.get(name) or SAMPLES[name]
    path = folder / source.name
    shutil.copyfile(source, path)
    return path


def write_once(source: Path, target: Path) -> tuple[object, object, writer.Written, float]:
    book = read_book(str(source))
    assessment = assess(book, AS_OF)
    start = time.perf_counter()
    written = write_results_lossless(str(source), str(target), book, assessment, contact_entries(assessment))
    return book, assessment, written, time.perf_counter() - start


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cache: dict[str, Run] = {}

    def get(name: str) -> Run:
        if name not in cache:
            folder = tmp_path_factory.mktemp(re.sub(r"\W", "_", name))
            original = _original(name, folder)
            suffix = original.suffix
            first, second = folder / f"first{suffix}", folder / f"second{suffix}"
            book, assessment, written, seconds = write_once(original, first)
            _, _, again, _ = write_once(first, second)
            cache[name] = Run(original, first, second, book, assessment, written, again, seconds)
        return cache[name]

    return get


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def owned_parts(path: Path, written: writer.Written) -> set[str]:
    """The parts of the original collector may change: its sheets' cells, its tabs, the bookkeeping."""
    package = EditablePackage(path.read_bytes())
    rels = {r.id: r for r in package.relationships("xl/workbook.xml")}
    workbook = package.text("xl/workbook.xml")
    owned = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
             "docProps/app.xml", "xl/calcChain.xml"}
    for name, rel_id in re.findall(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', workbook):
        part = rels[rel_id].part
        if name in (written.invoice_sheet, written.log_sheet, written.customers_sheet):
            owned |= {part, _rels_of(part)}
            related = package.relationships(part)
            owned |= {r.part for r in related if r.type.endswith("/table")}
            comments = [r.part for r in related if r.type.endswith("/comments")]
            drawings = [r.part for r in related if r.type.endswith("/vmlDrawing")]
            if len(comments) == len(drawings) == 1 and (_only_collector_notes(package, comments[0], drawings[0])
                                                         or _mergeable(package, comments[0], drawings[0])):
                owned |= {comments[0], drawings[0]}  # notes: collector's own, or the owner's with collector's added
        if name in writer.OWNED_SHEETS:
            queue = [part]
            while queue:
                current = queue.pop()
                owned |= {current, _rels_of(current)}
                queue += [r.part for r in package.relationships(current) if not r.external and r.part not in owned]
    return owned


def _rels_of(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels"


# --- the properties, for every workbook -------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_every_part_collector_does_not_own_is_byte_for_byte_the_original(runs, name):
    run = runs(name)
    before, after = parts(run.original), parts(run.first)
    owned = owned_parts(run.original, run.written)
    for part, data in before.items():
        if part in owned:
            continue
        assert part in after, f"{part} was dropped"
        assert after[part] == data, f"{part} changed"


@pytest.mark.parametrize("name", CASES)
def test_the_owners_sheets_change_only_in_the_cells_collector_owns(runs, name):
    run = runs(name)
    written = run.written
    for sheet in filter(None, {written.invoice_sheet, written.customers_sheet, written.log_sheet}):
        if sheet == written.log_sheet and written.log_created:
            continue
        before, after = _sheet_text(run.original, sheet), _sheet_text(run.first, sheet)
        for text in (before, after):
            assert text.count("<sheetData") == 1
        head = re.compile(r"<dimension\b[^>]*/>|<cols>.*?</cols>", re.DOTALL)
        assert head.sub("", before.split("<sheetData")[0]) == head.sub("", after.split("<sheetData")[0])
        tail_before, tail_after = before.split("</sheetData>")[-1], after.split("</sheetData>")[-1]
        notes = re.compile(r"<legacyDrawing\b[^>]*/>")  # collector's header notes (an owner's stay: see below)
        if sheet != "Invoices" or name != "threaded-comments":
            tail_before, tail_after = notes.sub("", tail_before), notes.sub("", tail_after)
        if sheet == written.invoice_sheet:
            tail_before = _grown_filter(tail_before, run)
        assert tail_before == tail_after, f"{sheet}: something after the cells changed"
        kept = set(_cells(after))
        for reference, text in _cells(before).items():
            column, row = _column(reference), int(re.sub(r"[A-Z]+", "", reference))
            owned = (sheet == written.invoice_sheet and column >= written.computed_columns[0]) or \
                    (sheet == written.log_sheet and row in written.log_rows) or \
                    reference in written.touched.get(sheet, set())
            if not owned:
                assert _cells(after).get(reference) == text, f"{sheet}!{reference} changed"
        assert kept


def _grown_filter(tail: str, run: Run) -> str:
    """The invoice sheet's tail as it should be written: the owner's AutoFilter grown over collector's columns."""
    layout = run.book.layouts[0]
    start = run.written.computed_columns[0]
    end = start + len(writer.computed_columns(layout)) - 1

    def grow(match: re.Match) -> str:
        return match.group(1) + (writer.grown_filter(match.group(2), layout.header_row, start, end) or match.group(2))

    sheet_own, views = tail.partition("<customSheetViews")[::2]  # a custom view's filter stays
    return re.sub(r'(<autoFilter ref=")([^"]*)', grow, sheet_own, count=1) + ("<customSheetViews" + views if views else "")


def _sheet_text(path: Path, name: str) -> str:
    package = EditablePackage(path.read_bytes())
    rels = {r.id: r for r in package.relationships("xl/workbook.xml")}
    workbook = package.text("xl/workbook.xml")
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        if f'name="{name}"' in tag:
            return package.text(rels[re.search(r':id="([^"]*)"', tag).group(1)].part)
    raise AssertionError(name)


def _cells(xml: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', xml, re.DOTALL)}


@pytest.mark.parametrize("name", CASES)
def test_computed_columns_hold_the_assessments_values(runs, name):
    run = runs(name)
    layout = run.book.layouts[0]
    columns = writer.computed_columns(layout)
    start = run.written.computed_columns[0]
    grid = python_calamine.CalamineWorkbook.from_path(str(run.first)).get_sheet_by_name(layout.name).to_python(
        skip_empty_area=False)
    assert grid[layout.header_row - 1][start - 1:start - 1 + len(columns)] == [c.header for c in columns]
    for result in run.assessment.invoices:
        row = grid[result.invoice.row - 1]
        for offset, expected in enumerate(writer._computed_values(result, columns)):
            actual = row[start - 1 + offset] if start - 1 + offset < len(row) else ""
            assert _same(actual, expected), (result.invoice.row, columns[offset].header, actual, expected)


def _same(actual: object, expected: object) -> bool:
    if expected in (None, ""):
        return actual in (None, "")
    if isinstance(expected, dt.date):
        return actual == expected or (isinstance(actual, dt.datetime) and actual.date() == expected)
    if isinstance(expected, (Decimal, int, float)):
        return isinstance(actual, (int, float)) and Decimal(repr(float(actual))) == Decimal(expected)
    return actual == expected


@pytest.mark.parametrize("name", CASES)
def test_owner_formulas_keep_their_cached_results(runs, name):
    run = runs(name)
    before, after = fidelity.inspect(str(run.original)), fidelity.inspect(str(run.first))
    for sheet, facts in before.sheets.items():
        if sheet in writer.OWNED_SHEETS:
            continue
        assert facts.formulas <= after.sheets[sheet].formulas, sheet
        for cell, cached in facts.cached_formulas.items():
            assert after.sheets[sheet].cached_formulas.get(cell) == cached, f"{sheet}!{cell}"


@pytest.mark.parametrize("name", CASES)
def test_a_second_run_on_the_same_date_changes_nothing(runs, name):
    run = runs(name)
    first, second = parts(run.first), parts(run.second)
    assert sorted(first) == sorted(second)
    changed = [p for p in first if first[p] != second[p]]
    assert changed == []
    assert run.again.log_rows == run.written.log_rows and not run.again.log_created


@pytest.mark.parametrize("name", CASES)
def test_fidelity_check_finds_nothing_lost(runs, name):
    run = runs(name)
    assert fidelity.losses(str(run.original), str(run.first), _ownership(run.written)) == []
    # the proof the weekly run makes after a lossless write: byte for byte outside what collector owns
    present = set(parts(run.original))
    assert run.written.lossless and run.written.owned_parts & present == owned_parts(run.original, run.written) & present
    assert run.written.owned_parts == frozenset(editor_owned_parts(EditablePackage(run.original.read_bytes()), run.written))
    assert fidelity.package_losses(str(run.original), str(run.first), run.written.owned_parts,
                                   _ownership(run.written), run.written.owner_sheet_parts,
                                   run.written.owner_notes) == []


@pytest.mark.parametrize("name", ["shared-strings", "kitchen-sink"])
def test_the_proof_catches_a_changed_part_a_changed_owner_value_and_a_lost_extension(runs, name, tmp_path):
    run = runs(name)
    written = run.written
    check = lambda target: fidelity.package_losses(str(run.original), str(target), written.owned_parts,  # noqa: E731
                                                   _ownership(written), written.owner_sheet_parts, written.owner_notes)

    def rewritten(change) -> Path:
        target = tmp_path / f"changed-{len(list(tmp_path.iterdir()))}.xlsx"
        with zipfile.ZipFile(run.first) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                new.writestr(info, change(info.filename, old.read(info.filename)))
        return target

    untouched = next(p for p in parts(run.original) if p not in written.owned_parts and p.endswith(".xml"))
    assert check(rewritten(lambda n, d: d + b" " if n == untouched else d)) == [f"the part {untouched} would change"]
    invoices = written.owner_sheet_parts[written.invoice_sheet]
    losses = check(rewritten(lambda n, d: re.sub(rb"<c r=\"A2\"[^>]*?(/>|>.*?</c>)", b"", d, count=1)
                             if n == invoices else d))
    assert f"the value of '{written.invoice_sheet}'!A2 would change" in losses
    if name == "kitchen-sink":  # its invoice sheet has sparklines, x14 validations and data bars
        losses = check(rewritten(lambda n, d: re.sub(rb"<ext\b[^>]*uri=\"\{05C60535[^\"]*\"[^>]*>.*?</ext>", b"", d,
                                                       flags=re.DOTALL) if n == invoices else d))
        assert [loss for loss in losses if "extension" in loss] == [
            f"an Excel feature on '{written.invoice_sheet}' (extension {{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}) "
            "would be lost"]


def test_the_proof_counts_formulas_the_way_they_are_written():
    assert fidelity._formula_count(b'<worksheet xmlns="m"><sheetData><row><c r="A1"><f>1+1</f><v>2</v></c>'
                                   b'<c r="B1"><f t="shared" ref="B1:B2" si="0">A1</f></c><c r="B2"><f t="shared" si="0"/>'
                                   b'</c></row></sheetData></worksheet>') == 3
    assert fidelity._formula_count(b'<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c r="A1"><x:f>1</x:f></x:c>'
                                   b'<x:c r="A2"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>') == 1


def _proof(run: Run, target: Path, second: bool = False) -> list[str]:
    written, original = (run.again, run.first) if second else (run.written, run.original)
    return fidelity.package_losses(str(original), str(target), written.owned_parts, _ownership(written),
                                   written.owner_sheet_parts, written.owner_notes)


@pytest.mark.parametrize("name", CASES)
def test_the_proof_shows_the_owners_cells_unchanged_byte_for_byte(runs, name, monkeypatch):
    """The fast proof: no cell of the owner's needs reading as a value, first run or later."""
    run = runs(name)
    asked = []
    monkeypatch.setattr(fidelity, "_owner_values", lambda *args: asked.append(args[-1]) or [])
    assert _proof(run, run.first) == [] and _proof(run, run.second, second=True) == []
    assert asked == [[], []]


def _rewritten(source: Path, target: Path, part: str, change) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == part else data)
    return target


def test_owner_cells_written_differently_but_reading_the_same_are_compared_by_value(runs, tmp_path, monkeypatch):
    run = runs("shared-strings")
    invoices = run.written.owner_sheet_parts[run.written.invoice_sheet]
    target = _rewritten(run.first, tmp_path / "spaced.xlsx", invoices, lambda d: d.replace(b'<c r="A2"', b'<c  r="A2"', 1))
    compared = []
    by_value = fidelity._owner_values
    monkeypatch.setattr(fidelity, "_owner_values", lambda *args: compared.append(args[-1]) or by_value(*args))
    assert _proof(run, target) == [] and compared == [[run.written.invoice_sheet]]


def test_the_proof_catches_a_changed_format_of_the_owners(runs, tmp_path):
    run = runs("kitchen-sink")
    styles = next(p for p in parts(run.first) if p.endswith("styles.xml"))

    def restyled(data: bytes) -> bytes:
        start = data.index(b"<cellXfs")
        return data[:start] + data[start:].replace(b'fontId="0"', b'fontId="1"', 1)

    assert _proof(run, _rewritten(run.first, tmp_path / "restyled.xlsx", styles, restyled)) == [
        "the formats of the owner's cells (fonts, fills, number formats) would change"]


def test_the_owners_formats_are_found_by_the_workbooks_link_to_them():
    styles = (b'<styleSheet xmlns="m"><numFmts count="1"><numFmt numFmtId="164" formatCode="d/m/yy"/></numFmts>'
              b'<cellXfs count="1"><xf numFmtId="164"/></cellXfs></styleSheet>')
    appended = styles.replace(b'<xf numFmtId="164"/>', b'<xf numFmtId="164"/><xf numFmtId="0"/>')
    assert fidelity._formats_kept(styles, appended) and fidelity._formats_kept(None, None)
    assert not fidelity._formats_kept(styles, styles.replace(b"d/m/yy", b"m/d/yy"))
    assert not fidelity._formats_kept(styles, None)
    assert not fidelity._formats_kept(styles, styles.replace(b"<styleSheet", b"<x:styleSheet").replace(b"<xf", b"<x:xf"))


def test_owner_cells_are_compared_without_collectors_columns_rows_cells_and_spans():
    ownership = fidelity.Ownership(sheets=frozenset(), columns={"S": (3, 4)}, rows={"S": frozenset({3})},
                                   cells={"S": frozenset({"B1"})})

    def sheet(rows: str) -> bytes:
        return f'<worksheet xmlns="m"><dimension ref="A1"/><sheetData>{rows}</sheetData></worksheet>'.encode()

    before = sheet('<row r="1" spans="1:2"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
                   '<row r="2" spans="1:2"><c r="A2" t="s"><v>0</v></c></row>')
    after = ('<row r="1" spans="1:4"><c r="A1"><v>1</v></c><c r="B1"><v>9</v></c><c r="C1" s="3"/>'
             '<c r="D1" t="inlineStr"><is><t>x</t></is></c></row>'
             '<row r="2" spans="1:4"><c r="A2" t="s"><v>0</v></c><c r="C2"><v>5</v></c></row>'
             '<row r="3"><c r="A3"><v>7</v></c></row>')
    assert fidelity._same_owner_cells("S", before, sheet(after), ownership)
    assert not fidelity._same_owner_cells("S", before, sheet(after.replace("<v>1</v>", "<v>1.5</v>")), ownership)
    assert not fidelity._same_owner_cells("S", before, sheet(after.replace('r="A2"', 'r="E2"')), ownership)
    no_reference = before.replace(b'<c r="A2" t="s">', b'<c t="s">')
    assert not fidelity._same_owner_cells("S", no_reference, sheet(after), ownership)
    prefixed = before.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
    assert not fidelity._same_owner_cells("S", prefixed, sheet(after), ownership)


@pytest.mark.parametrize("name", CASES)
def test_openpyxl_and_calamine_open_the_result(runs, name):
    run = runs(name)
    workbook = openpyxl.load_workbook(run.first, keep_vba=run.first.suffix == ".xlsm")
    assert {"Aging", "Actions", "History"} <= set(workbook.sheetnames)
    calamine = python_calamine.CalamineWorkbook.from_path(str(run.first))
    for sheet in calamine.sheet_names:
        calamine.get_sheet_by_name(sheet).to_python()


@pytest.mark.parametrize("name", CASES)
def test_the_package_is_consistent_the_way_excel_checks_it(runs, name):
    run = runs(name)
    package = EditablePackage(run.first.read_bytes())
    names = {p.lower() for p in package.parts()}
    for part in package.parts():
        if part.endswith(".rels"):
            source = part.replace("_rels/", "").removesuffix(".rels")
            ids = [r.id for r in relationships(package.text(part), source)]
            assert len(ids) == len(set(ids)), f"duplicate relationship ids in {part}"
            for rel in relationships(package.text(part), source):
                assert rel.external or rel.part.lower() in names, f"{part} points at missing {rel.part}"
        elif part != "[Content_Types].xml":
            assert package.content_type(part), f"{part} has no content type"
    workbook = fromstring(package.read("xl/workbook.xml"))
    _assert_schema_order(workbook, WORKBOOK_ORDER, "workbook.xml")
    sheets = [s for s in workbook.iter(MAIN + "sheet")]
    assert len({s.get("sheetId") for s in sheets}) == len(sheets)
    assert len({s.get("name").casefold() for s in sheets}) == len(sheets)
    defined = [(d.get("name"), d.get("localSheetId")) for d in workbook.iter(MAIN + "definedName")]
    assert len(defined) == len(set(defined)), "duplicate defined names"
    assert all(int(local) < len(sheets) for _, local in defined if local is not None)
    styles = fromstring(package.read("xl/styles.xml"))
    _assert_schema_order(styles, STYLES_ORDER, "styles.xml")
    for section in styles:
        if section.get("count") is not None:
            assert int(section.get("count")) == len(list(section)), section.tag
    xf_count = len(list(styles.find(MAIN + "cellXfs")))
    for part in package.parts():
        if package.content_type(part) == "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml":
            root = fromstring(package.read(part))
            _assert_schema_order(root, WORKSHEET_ORDER, part)
            for row in root.iter(MAIN + "row"):
                numbers = [_column(c.get("r")) for c in row if c.get("r")]
                assert numbers == sorted(set(numbers)), f"{part} row {row.get('r')} cells out of order"
                assert all(int(c.get("s", "0")) < xf_count for c in row), f"{part} uses a style that is not there"
            rows = [int(r.get("r")) for r in root.iter(MAIN + "row") if r.get("r")]
            assert rows == sorted(set(rows)), f"{part} rows out of order"
        if part.startswith("xl/tables/"):
            table = fromstring(package.read(part))
            columns = list(table.find(MAIN + "tableColumns"))
            assert int(table.find(MAIN + "tableColumns").get("count")) == len(columns)
            assert len({c.get("id") for c in columns}) == len(columns)
            assert len({c.get("name").casefold() for c in columns}) == len(columns)


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group(0)
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _assert_schema_order(root, order, where) -> None:
    positions = [order.index(child.tag.rpartition("}")[2]) for child in root
                 if child.tag.rpartition("}")[2] in order]
    assert positions == sorted(positions), f"{where}: elements out of schema order"


@pytest.mark.parametrize("name", CASES)
def test_collectors_tabs_log_and_credit_cells_read_the_same_as_the_openpyxl_writers(runs, name, tmp_path):
    run = runs(name)
    reference = tmp_path / f"openpyxl{run.original.suffix}"
    writer.write_results(str(run.original), str(reference), run.book, run.assessment,
                         contact_entries(run.assessment), keep_vba=run.original.suffix == ".xlsm")
    ours = python_calamine.CalamineWorkbook.from_path(str(run.first))
    theirs = python_calamine.CalamineWorkbook.from_path(str(reference))
    assert ours.sheet_names == theirs.sheet_names
    compared = ["Aging", "Actions", "History", run.written.log_sheet, run.written.customers_sheet or None]
    for sheet in filter(None, compared):
        mine = ours.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        other = theirs.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for r in range(max(len(mine), len(other))):
            a = mine[r] if r < len(mine) else []
            b = other[r] if r < len(other) else []
            for c in range(max(len(a), len(b))):
                x, y = (a[c] if c < len(a) else ""), (b[c] if c < len(b) else "")
                if sheet == "Aging" and y == "" and isinstance(x, float):
                    continue  # the totals formulas: openpyxl saves them without results, we save the results
                assert x == y, f"{sheet}!{openpyxl.utils.get_column_letter(c + 1)}{r + 1}: {x!r} != {y!r}"
    theirs = writer.write_results(str(run.original), str(tmp_path / f"again{run.original.suffix}"), run.book,
                                  run.assessment, contact_entries(run.assessment))
    assert run.written.lossless and not theirs.lossless
    assert replace(run.written, lossless=False, owned_parts=frozenset(), owner_notes={}, owner_sheet_parts={}) == theirs


def _look(cell) -> tuple:
    font, fill, alignment = cell.font, cell.fill, cell.alignment
    color = font.color
    return (cell.value if cell.data_type != "f" else "formula", bool(font.b), bool(font.i), font.u, font.sz,
            (color.rgb if color.type == "rgb" else color.theme) if color is not None else None,
            fill.fill_type, fill.fgColor.rgb if fill.fill_type else None, cell.number_format, alignment.horizontal,
            alignment.vertical, bool(alignment.wrap_text), cell.border.top.style, bool(cell.hyperlink),
            cell.hyperlink.target if cell.hyperlink else None, cell.comment.text if cell.comment else None)


def _layout(sheet) -> tuple:
    return ({k: v.width for k, v in sheet.column_dimensions.items()},
            {k: v.height for k, v in sheet.row_dimensions.items() if v.height}, sheet.freeze_panes,
            sheet.auto_filter.ref, sheet.print_title_rows, sheet.print_area, len(sheet._charts),
            [(str(r.sqref), [x.dxf.fill.fgColor.rgb for x in r.rules]) for r in sheet.conditional_formatting],
            [(str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation],
            sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.sheet_properties.pageSetUpPr.fitToPage)


@pytest.mark.parametrize("name", ["shop", "kitchen-sink", "EzCode312__CRM_AR_List_UK_Large"])
def test_collectors_tabs_look_the_same_as_the_openpyxl_writers(runs, name, tmp_path):
    run = runs(name)
    reference = tmp_path / f"openpyxl{run.original.suffix}"
    links = {a.customer.key: [("Letter", f"letters/{a.customer.key}.pdf"), ("Email", f"mail/{a.customer.key}.eml")]
             for a in run.assessment.actions[:3]}
    arguments = (run.book, run.assessment, contact_entries(run.assessment), links, {}, {})
    writer.write_results(str(run.original), str(reference), *arguments)
    ours = tmp_path / f"lossless{run.original.suffix}"
    write_results_lossless(str(run.original), str(ours), *arguments)
    theirs_book, ours_book = openpyxl.load_workbook(reference), openpyxl.load_workbook(ours)
    for title in writer.OWNED_SHEETS:
        theirs, mine = theirs_book[title], ours_book[title]
        assert _layout(mine) == _layout(theirs), title
        for row in theirs.iter_rows(max_row=max(theirs.max_row, mine.max_row),
                                    max_col=max(theirs.max_column, mine.max_column)):
            for cell in row:
                assert _look(mine[cell.coordinate]) == _look(cell), f"{title}!{cell.coordinate}"


# --- particular promises ----------------------------------------------------------------------------


def test_aging_totals_carry_their_results_so_no_recalculation_is_forced(runs):
    run = runs("kitchen-sink")
    grid = python_calamine.CalamineWorkbook.from_path(str(run.first)).get_sheet_by_name("Aging").to_python()
    totals = {row[1]: row for row in grid if isinstance(row[0], str) and row[0].startswith("Total")}
    for figures in run.assessment.totals:
        row = totals[figures.currency]
        assert [Decimal(repr(v)).quantize(Decimal("0.01")) for v in row[2:4 + len(figures.buckets)]] == \
               [amount for _, amount in figures.buckets] + [figures.credits, figures.receivables]
    assert b"fullCalcOnLoad" not in parts(run.first)["xl/workbook.xml"]


def test_text_starting_with_equals_is_written_as_text_never_as_a_formula(runs):
    run = runs("kitchen-sink")
    sheet = openpyxl.load_workbook(run.first)["Contact Log"]
    customers = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert "=Cog Wheel Co" in customers
    assert all(sheet.cell(row=r, column=2).data_type == "s" for r in range(2, sheet.max_row + 1))


def test_header_notes_are_added_where_the_sheet_had_no_comments(runs):
    run = runs("shared-strings")
    workbook = openpyxl.load_workbook(run.first)
    start = run.written.computed_columns[0]
    note = workbook["Invoices"].cell(row=1, column=start).comment
    assert note is not None and note.author == "collector" and "rewrites it on every run" in note.text
    reason = next(c for c in workbook["Customers"][1] if c.value == "Credit Reason")
    assert reason.comment is not None and reason.comment.author == "collector"


def test_notes_join_the_owners_comments_which_stay_exactly_as_they_were(runs):
    run = runs("threaded-comments")
    before, after = parts(run.original), parts(run.first)
    for part in ("xl/threadedComments/threadedComment1.xml", "xl/persons/person.xml",
                 "xl/worksheets/_rels/sheet1.xml.rels"):
        assert after[part] == before[part]
    comments, vml = after["xl/comments1.xml"].decode(), after["xl/drawings/vmlDrawing1.vml"].decode()
    owners_comment = re.search(r"<comment ref=\"B2\".*?</comment>", before["xl/comments1.xml"].decode()).group(0)
    assert owners_comment in comments
    assert vml.startswith(before["xl/drawings/vmlDrawing1.vml"].decode().removesuffix("</xml>"))
    assert len(set(re.findall(r'id="(_x0000_s\d+)"', vml))) == len(re.findall(r'id="_x0000_s\d+"', vml))
    sheet = openpyxl.load_workbook(run.first)["Invoices"]
    assert "Acme promised payment" in sheet["B2"].comment.text
    start = run.written.computed_columns[0]
    assert sheet.cell(row=1, column=start).comment.author == "collector"
    again = parts(run.second)
    assert again["xl/comments1.xml"] == after["xl/comments1.xml"] and \
           again["xl/drawings/vmlDrawing1.vml"] == after["xl/drawings/vmlDrawing1.vml"]


def test_an_owners_note_on_a_cell_collector_writes_stays_and_the_other_headers_get_collectors(runs):
    run = runs("owner-notes")
    sheet = openpyxl.load_workbook(run.first)["Invoices"]
    assert run.written.computed_columns[0] == 8  # H, where the earlier run put the block
    assert sheet["I1"].comment.text.endswith("Why is this 0 for Acme?") and sheet["I1"].comment.author == "Owner"
    assert sheet["B3"].comment.text.endswith("Disputed: wrong PO") and sheet["Q1"].comment.text.endswith("VAT next")
    assert sheet["H1"].comment.author == "collector" and sheet["J1"].comment.author == "collector"
    vml = parts(run.first)["xl/drawings/vmlDrawing1.vml"].decode()
    assert vml.startswith(parts(run.original)["xl/drawings/vmlDrawing1.vml"].decode().rstrip().removesuffix("</xml>"))


def test_an_excel_table_over_the_invoices_grows_to_take_in_the_computed_columns(runs):
    run = runs("kitchen-sink")
    table = openpyxl.load_workbook(run.first)["Invoices"].tables["InvoiceTable"]
    assert table.ref == "A1:O9"
    assert [c.name for c in table.tableColumns][7:] == [c.header for c in writer.computed_columns(run.book.layouts[0])]
    assert 'xr:uid="{22222222-0000-0000-0000-000000000000}"' in parts(run.first)["xl/tables/table1.xml"].decode()


def test_the_owners_autofilter_and_its_hidden_name_grow_over_the_computed_columns(runs):
    run = runs("owner-filter")
    for written in (run.first, run.second):  # the second run finds the filter grown already and leaves it so
        sheet = _sheet_text(written, "Invoices")
        assert sheet.count("<autoFilter") == 2
        assert ('<autoFilter ref="A1:O9"><filterColumn colId="3"><filters><filter val="Net 30"/></filters>'
                '</filterColumn><sortState ref="A2:G9"><sortCondition ref="C2:C9"/></sortState></autoFilter>') in sheet
        assert '<autoFilter ref="A1:G9"/></customSheetView>' in sheet  # a custom view's filter is its own
        workbook = parts(written)["xl/workbook.xml"].decode()
        assert ('<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Invoices!$A$1:$O$9'
                '</definedName>') in workbook
        assert ('<definedName name="_xlnm._FilterDatabase" localSheetId="1" hidden="1">Customers!$A$1:$C$5'
                '</definedName>') in workbook
    assert parts(run.second)["xl/workbook.xml"] == parts(run.first)["xl/workbook.xml"]


@pytest.mark.parametrize("name", ["shared-strings", "inline-strings", "1904"])
def test_a_filter_not_on_the_header_row_or_not_reaching_collectors_columns_stays(runs, name, tmp_path):
    run = runs(name)
    grows = {"A1:G9": "A1:O9", "B1:G9": "B1:O9", "A1:G5": "A1:O5", "A2:G9": "A2:G9", "A1:E9": "A1:E9", "H1:O9": "H1:O9"}
    for ref, expected in grows.items():
        part = run.written.owner_sheet_parts["Invoices"]
        source = _rewritten(run.original, tmp_path / f"{name}-{ref.replace(':', '')}.xlsx", part,
                            lambda data: data.replace(b"<pageMargins", f'<autoFilter ref="{ref}"/><pageMargins'.encode(), 1))
        target = tmp_path / f"written-{ref.replace(':', '')}.xlsx"
        written = write_once(source, target)[2]
        assert openpyxl.load_workbook(target)["Invoices"].auto_filter.ref == expected
        assert fidelity.package_losses(str(source), str(target), written.owned_parts, _ownership(written),
                                       written.owner_sheet_parts, written.owner_notes) == []


def test_the_proof_allows_the_filter_to_grow_over_collectors_columns_and_nothing_else(runs, tmp_path):
    run = runs("owner-filter")
    part = run.written.owner_sheet_parts["Invoices"]
    name = b'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Invoices!$A$1:$O$9</definedName>'
    changes = {
        "wider than collector's columns": (part, lambda d: d.replace(b'<autoFilter ref="A1:O9">', b'<autoFilter ref="A1:R9">')),
        "fewer rows": (part, lambda d: d.replace(b'<autoFilter ref="A1:O9">', b'<autoFilter ref="A1:O8">')),
        "a filter dropped": (part, lambda d: re.sub(rb"<filterColumn.*?</filterColumn>", b"", d)),
        "the sort changed": (part, lambda d: d.replace(b'<sortState ref="A2:G9">', b'<sortState ref="A2:O9">')),
        "the custom view's filter grown": (part, lambda d: d.replace(b'<autoFilter ref="A1:G9"/>',
                                                                     b'<autoFilter ref="A1:O9"/>')),
    }
    for what, (changed, change) in changes.items():
        target = _rewritten(run.first, tmp_path / f"{len(list(tmp_path.iterdir()))}.xlsx", changed, change)
        assert _proof(run, target) == ["the filter on 'Invoices' would change"], what
    names = {
        "the name grown too far": lambda d: d.replace(name, name.replace(b"$O$9", b"$Q$9")),
        "the name lost": lambda d: d.replace(name, b""),
        "the name shown": lambda d: d.replace(name, name.replace(b' hidden="1"', b"")),
        "another sheet's name grown": lambda d: d.replace(b"Customers!$A$1:$C$5", b"Customers!$A$1:$F$5"),
        "the print titles changed": lambda d: d.replace(b"Invoices!$1:$1", b"Invoices!$1:$2"),
    }
    for what, change in names.items():
        target = _rewritten(run.first, tmp_path / f"{len(list(tmp_path.iterdir()))}.xlsx", "xl/workbook.xml", change)
        losses = _proof(run, target)
        assert len(losses) == 1 and losses[0].startswith("the defined name _xlnm."), (what, losses)


def test_computed_columns_are_as_wide_as_their_widest_value_and_text_stands_off_the_number_beside_it(runs):
    run = runs("owner-filter")
    workbook = openpyxl.load_workbook(run.first)
    sheet = workbook["Invoices"]
    layout = run.book.layouts[0]
    start = run.written.computed_columns[0]
    for offset, column in enumerate(writer.computed_columns(layout)):
        letter = openpyxl.utils.get_column_letter(start + offset)
        values = [sheet[f"{letter}{row}"].value for row in range(2, 10)]
        shown = [len(str(v)) for v in values if isinstance(v, str)] + [len(f"{v:,.2f}") for v in values
                                                                        if isinstance(v, float)]
        assert sheet.column_dimensions[letter].width >= max(shown + [len(column.header)]) + 2, column.header
        if column.kind == "text":
            assert all(sheet[f"{letter}{row}"].alignment.indent == 1 for row in range(2, 10)), column.header
    assert sheet.column_dimensions["A"].width == pytest.approx(24.7109375)  # the owner's stays


def test_a_computed_column_left_narrow_by_an_earlier_run_is_widened_and_an_owners_column_is_not(runs, tmp_path):
    run = runs("owner-filter")
    part = run.written.owner_sheet_parts["Invoices"]
    narrow = _rewritten(run.first, tmp_path / "narrow.xlsx", part, lambda d: re.sub(
        rb'(<col min="(?:1|8|9|10|11|12|13|14|15)" max="\d+") width="[^"]*"', rb'\1 width="12"', d))
    assert openpyxl.load_workbook(narrow)["Invoices"].column_dimensions["N"].width == 12
    write_once(narrow, tmp_path / "again.xlsx")
    again = openpyxl.load_workbook(tmp_path / "again.xlsx")["Invoices"]
    first = openpyxl.load_workbook(run.first)["Invoices"]
    assert again.column_dimensions["A"].width == 12  # the owner's own width, however narrow, stays
    for letter in "HIJKLMNO":
        assert again.column_dimensions[letter].width == first.column_dimensions[letter].width, letter


def test_dates_follow_the_1904_date_system(runs):
    run = runs("1904")
    sheet = openpyxl.load_workbook(run.first)["Invoices"]
    start = run.written.computed_columns[0]
    result = run.assessment.invoices[0]
    assert sheet.cell(row=result.invoice.row, column=start).value.date() == result.due_date
    log = openpyxl.load_workbook(run.first)["Contact Log"]
    assert log.cell(row=2, column=1).value.date() == AS_OF


def test_replaced_tabs_leave_calc_chain_and_keep_their_place_and_id(runs):
    run = runs("stale-tabs")
    after = parts(run.first)
    assert after["xl/calcChain.xml"].decode().endswith(
        '<c r="B1" i="3"/><c r="B2" i="3"/><c r="B3" i="3"/><c r="B4" i="3"/><c r="B5" i="3"/></calcChain>')
    workbook = after["xl/workbook.xml"].decode()
    assert re.search(r'<sheet name="Aging" sheetId="4" r:id="rId4"/>', workbook)
    assert "xl/media/image1.png" not in after and "xl/charts/chart1.xml" in after  # the old picture went with the tab
    history = openpyxl.load_workbook(run.first)["History"]
    assert [r[0].date() for r in history.iter_rows(min_row=2, values_only=True)] == \
           [AS_OF - dt.timedelta(days=7)] + [AS_OF] * len(run.assessment.totals)
    assert workbook.count('name="_xlnm.Print_Titles" localSheetId="3"') == 1


def test_macros_and_hidden_sheets_survive(runs):
    run = runs("macros")
    assert parts(run.first)["xl/vbaProject.bin"] == parts(run.original)["xl/vbaProject.bin"]
    assert "macroEnabled" in parts(run.first)["[Content_Types].xml"].decode()
    hidden = runs("hidden-sheets")
    states = {s.title: s.sheet_state for s in openpyxl.load_workbook(hidden.first).worksheets}
    assert states["Workings"] == "hidden" and states["Secret"] == "veryHidden" and states["Aging"] == "visible"


def test_app_properties_list_every_worksheet(runs):
    run = runs("kitchen-sink")
    app = parts(run.first)["docProps/app.xml"].decode()
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", app.split("<TitlesOfParts>")[1])
    assert titles == ["Invoices", "Customers", "Dashboard", "Workings", "Lists", "Contact Log", "Aging", "Actions",
                      "History"]
    assert "<vt:i4>9</vt:i4>" in app


def test_a_big_sheet_is_streamed_in_seconds(tmp_path):
    original = tricky.big_sheet(tmp_path, 100_000)
    target = tmp_path / "written.xlsx"
    book, assessment, written, seconds = write_once(original, target)
    assert seconds < 30, f"writing 100,000 invoices took {seconds:.1f}s"
    before, after = parts(original), parts(target)
    assert after["xl/theme/theme1.xml"] == before["xl/theme/theme1.xml"]
    grid = python_calamine.CalamineWorkbook.from_path(str(target)).get_sheet_by_name("Invoices").to_python()
    assert len(grid) == 100_001
    columns = writer.computed_columns(book.layouts[0])
    for result in (assessment.invoices[0], assessment.invoices[-1]):
        row = grid[result.invoice.row - 1]
        for offset, expected in enumerate(writer._computed_values(result, columns)):
            assert _same(row[written.computed_columns[0] - 1 + offset], expected)


# --- the pieces on their own --------------------------------------------------------------------------


def test_styles_are_appended_and_the_owners_indices_never_move():
    original = tricky.STYLES
    styles = Styles(original)
    font = styles.add_font(styles.font(0).with_attrs())
    assert font == 0  # the same font is found, not added
    bold = styles.number_format("0.000%")
    xf = styles.derived_xf(2, numFmtId=str(bold))
    assert xf == 3 and bold == 165
    assert styles.derived_xf(xf, numFmtId=str(bold)) == xf
    text = styles.text()
    assert '<cellXfs count="4">' in text and '<numFmts count="2">' in text
    for section in ("numFmts", "fonts", "fills", "borders", "cellXfs"):
        pattern = re.compile(rf"<{section} [^>]*>(.*?)</{section}>", re.DOTALL)
        assert pattern.search(text).group(1).startswith(pattern.search(original).group(1)), section
    assert text.count("<font>") == original.count("<font>")
    assert 'mc:Ignorable="x14ac x16r2 xr"' in text and 'x14ac:knownFonts="1"' in text


def test_sheet_surgery_inserts_rows_and_cells_in_order_and_keeps_the_rest():
    xml = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:B3"/>'
           '<x:sheetData><x:row r="1" spans="1:2"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="C1" t="s"><x:v>0</x:v></x:c>'
           '</x:row><x:row><x:c><x:v>2</x:v></x:c><x:c><x:v>3</x:v></x:c></x:row><x:row r="5"><x:c r="A5">'
           '<x:f>A1+1</x:f><x:v>2</x:v></x:c></x:row></x:sheetData><x:extLst><x:ext uri="{X}"/></x:extLst></x:worksheet>')
    edit = SheetEdit(xml)
    edit.set(1, 2, "=SUM(A1)", 3)
    edit.set(2, 1, 9.5)
    edit.set(3, 4, dt.date(2026, 1, 2), 4)
    edit.set(7, 1, "tail\x01")
    text = edit.text()
    assert '<x:row r="1" spans="1:3"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1" s="3" t="inlineStr"><x:is>' \
           '<x:t xml:space="preserve">=SUM(A1)</x:t></x:is></x:c><x:c r="C1" t="s"><x:v>0</x:v></x:c></x:row>' in text
    assert '<x:row r="2"><x:c r="A2"><x:v>9.5</x:v></x:c><x:c r="B2"><x:v>3</x:v></x:c></x:row>' in text
    assert '<x:row r="3"><x:c r="D3" s="4"><x:v>46024</x:v></x:c></x:row><x:row r="5">' in text
    assert '<x:f>A1+1</x:f><x:v>2</x:v>' in text and text.endswith('<x:extLst><x:ext uri="{X}"/></x:extLst></x:worksheet>')
    assert '<x:row r="7"><x:c r="A7" t="inlineStr"><x:is><x:t xml:space="preserve">tail</x:t>' in text
    assert '<x:dimension ref="A1:D7"/>' in text


def test_a_sheet_with_no_rows_gets_its_first_ones():
    edit = SheetEdit('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/>'
                     '</worksheet>')
    edit.set(2, 1, "x")
    assert '<sheetData><row r="2"><c r="A2" t="inlineStr">' in edit.text()


# --- LibreOffice ------------------------------------------------------------------------------------------


def test_libreoffice_converts_the_results_and_recomputes_the_same_aging_totals(runs, soffice, tmp_path):
    names = ["shop", "EzCode312__CRM_AR_List_UK_Large"] + sorted(tricky.BUILDERS)
    inputs = []
    for name in names:
        run = runs(name)
        copy = tmp_path / f"{name}{run.first.suffix}"
        shutil.copyfile(run.first, copy)
        inputs.append(copy)
    out = tmp_path / "lo"
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out)] + [str(p) for p in inputs], capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    for name in names:
        run = runs(name)
        converted = out / f"{name}.xlsx"
        assert converted.exists(), f"LibreOffice did not convert {name}: {completed.stdout} {completed.stderr}"
        theirs = python_calamine.CalamineWorkbook.from_path(str(converted)).get_sheet_by_name("Aging").to_python()
        ours = python_calamine.CalamineWorkbook.from_path(str(run.first)).get_sheet_by_name("Aging").to_python()
        recomputed = [row for row in theirs if isinstance(row[0], str) and row[0].startswith("Total")]
        cached = [row for row in ours if isinstance(row[0], str) and row[0].startswith("Total")]
        assert recomputed and len(recomputed) == len(cached) == len(run.assessment.totals)
        for mine, libre in zip(cached, recomputed):
            assert [round(v, 2) for v in mine[2:] if isinstance(v, float)] == \
                   [round(v, 2) for v in libre[2:] if isinstance(v, float)]


# --- in the weekly run ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kitchen-sink", "threaded-comments", "macros"])
def test_the_weekly_run_with_the_lossless_writer_updates_the_original_where_openpyxl_could_not(
        runs, name, tmp_path, monkeypatch):
    from collector import weekly

    path = tmp_path / runs(name).original.name
    shutil.copyfile(runs(name).original, path)
    monkeypatch.setattr(weekly, "write_results", writer.write_results)
    before_openpyxl = weekly.run_week(str(path), AS_OF)
    assert not before_openpyxl.replaced_original and before_openpyxl.losses  # today: refused, results beside it
    monkeypatch.setattr(weekly, "write_results", write_results_lossless)
    result = weekly.run_week(str(path), AS_OF)
    assert result.replaced_original and result.losses == [] and result.workbook == str(path)
    assert parts(path) == parts(runs(name).first)


def test_a_package_the_editor_cannot_handle_goes_to_the_openpyxl_writer(runs, tmp_path, monkeypatch):
    from collector import lossless
    from collector.xlsx_edit import Unsupported

    def refuse(self, *args):
        raise Unsupported("the package needs ZIP64")

    monkeypatch.setattr(lossless._Editor, "write", refuse)
    run = runs("shared-strings")
    target = tmp_path / "fallback.xlsx"
    written = write_results_lossless(str(run.original), str(target), run.book, run.assessment,
                                     contact_entries(run.assessment))
    assert b"openpyxl" in parts(target)["docProps/app.xml"].lower()
    assert written.invoice_sheet == "Invoices" and written.sheets_replaced == ["Aging", "Actions", "History"]


class _Unseekable:
    """A stream zipfile cannot seek in, so it writes data descriptors after each member."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, chunk) -> int:
        self.data += chunk
        return len(chunk)

    def flush(self) -> None:
        pass


def test_untouched_members_are_copied_as_their_original_compressed_bytes(tmp_path):
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr(zipfile.ZipInfo("stored.bin", (2020, 1, 2, 3, 4, 6)), b"\x00\x01" * 500)
        info = zipfile.ZipInfo("xl/deflated.xml", (2021, 5, 6, 7, 8, 10))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, b"<a>" + b"x" * 5000 + b"</a>", compresslevel=9)
        archive.writestr("xl/changed.xml", b"<old/>")
    source = tmp_path / "source.zip"
    source.write_bytes(bytes(stream.data))
    package = EditablePackage(bytes(stream.data))
    package.write("xl/changed.xml", b"<new/>")
    package.write("xl/added.xml", "<added>é</added>")
    package.save(str(tmp_path / "out.zip"))
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(tmp_path / "out.zip") as after:
        assert after.testzip() is None
        assert after.namelist() == ["stored.bin", "xl/deflated.xml", "xl/changed.xml", "xl/added.xml"]
        for name in ("stored.bin", "xl/deflated.xml"):
            old, new = before.getinfo(name), after.getinfo(name)
            assert (new.compress_type, new.compress_size, new.CRC, new.date_time) == \
                   (old.compress_type, old.compress_size, old.CRC, old.date_time)
            assert after.read(name) == before.read(name)
        assert after.read("xl/changed.xml") == b"<new/>" and after.read("xl/added.xml") == "<added>é</added>".encode()
    raw_before, raw_after = source.read_bytes(), (tmp_path / "out.zip").read_bytes()
    info = zipfile.ZipFile(source).getinfo("xl/deflated.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    assert raw_before[start:start + info.compress_size] in raw_after  # the very same deflate stream


def test_a_scratch_save_that_fails_closes_its_zip_so_no_traceback_is_printed_later(runs, tmp_path, monkeypatch):
    import errno

    from openpyxl.writer.excel import ExcelWriter

    opened = []

    def fill_the_disk(self):
        opened.append(self._archive)
        self._archive.writestr("half.xml", b"<half")
        raise OSError(errno.ENOSPC, "No space left on device")

    run = runs("shared-strings")
    monkeypatch.setattr(ExcelWriter, "save", fill_the_disk)
    with pytest.raises(OSError, match="No space left"):
        write_results_lossless(str(run.original), str(tmp_path / "out.xlsx"), run.book, run.assessment,
                               contact_entries(run.assessment))
    assert opened and opened[0].fp is None  # closed now: the garbage collector has nothing left to print
