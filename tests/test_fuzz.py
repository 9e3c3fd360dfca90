"""Fuzzing the reader: whatever is in the cells, or in the bytes, collector answers in sentences.

Two fuzzers:

* Generated workbooks (hypothesis, openpyxl): an invoice sheet whose data rows mix rows known
  to be valid with rows holding every kind of cell in every column: blanks, error cells, booleans,
  huge and negative numbers, dates, text dates in many formats (some before 1900 or after 9999),
  formulas with and without saved results, rich text, merged cells, 32,767-character strings,
  any Unicode (right-to-left, emoji, control characters openpyxl can write). read_book raises
  nothing but WorkbookError; every Problem names a sheet and a cell that exist and says a
  sentence; every valid row is read with its exact values; `collector check` and `collector run`
  never show a traceback, and a run that fails leaves the workbook byte for byte as it was.
* Mutated bytes: small good files (built here and from /work/shared/corpus) with flipped bytes,
  truncated, spliced, or with damaged XML zipped again (tests/hostile.py: mutants). They are read
  in one child process under a 3 GB address-space limit with a 10 s alarm per file, so a hang
  or a runaway allocation fails the test instead of the machine; read_book returns a Book or
  raises WorkbookError, nothing else.

Default size: 60 + 20 generated workbooks (check, then run) and 400 mutants, under a minute.
A longer fuzz:

    COLLECTOR_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py -o addopts=""  # random seeds too
    python bench/fuzz_reader.py --mutations 100000 --seed 1       # the mutation loop, for hours
    python bench/fuzz_reader.py --atheris -max_total_time=36000   # coverage-guided (pip install atheris)
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils import get_column_letter

from collector.cli import cli
from collector.model import Book
from collector.reader import read_book
from collector.source import WorkbookError
from tests import hostile
from tests.workbooks import CORPUS

ROOT = Path(__file__).resolve().parents[1]
LONG_RUN = "COLLECTOR_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("COLLECTOR_FUZZ_EXAMPLES", "60"))
RUN_EXAMPLES = max(EXAMPLES // 3, 20)
MUTANTS = int(os.environ.get("COLLECTOR_FUZZ_MUTANTS", "400"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG_RUN, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
COUNTS = {"workbooks checked": 0, "workbooks run": 0, "mutants": 0}

HEADER = ["Customer", "Invoice No", "Invoice Date", "Due Date", "Terms", "Amount", "Paid", "Status", "Notes"]
ERRORS = ["#N/A", "#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d %b %Y", "%B %d, %Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d",
                "%d-%b-%y", "%b %d %Y", "%d/%m/%y", "%A %d %B %Y", "%Y-%m-%dT%H:%M:%S"]
SCRIPTS = ["شركة الأمل للتجارة", "חברה בע\"מ", "\u202eevil\u202c", "\u200fمرحبا\u200e", "Ελληνική Α.Ε.",
           "株式会社テスト", "ООО Ромашка", "बिक्री", "💸🧾🙂‍↔️", "Zoë & Café <b>", "=1+1", "+cmd|' /C calc'!A0",
           "@SUM(A1)", "-2+3", "\t tab\nnew line\r", "Total", "Subtotal", "NOTE: call them", "  ", "-", "n/a"]


def writable(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def text_dates():
    day = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
    far = st.sampled_from(["1899-12-31", "31/12/1850", "10000-01-01", "01/01/10000", "0000-00-00", "29/02/2025",
                           "31/04/2026", "2026-13-01", "2026-02-30", "4 Smarch 2026", "yesterday"])
    return st.one_of(st.builds(lambda d, f: d.strftime(f), day, st.sampled_from(DATE_FORMATS)), far)


def formulas():
    plain = st.sampled_from([
        "=SUM(F2:F4)", "=1/0", "=F2*2", "=A1", "=#REF!+1", "=[1]Sheet1!A1", "=cmd|' /C calc'!A0",
        "=TODAY()", "=NOW()-1", "=INDIRECT(\"A1\")", "=VLOOKUP(A2,A:B,2,0)", "=IF(1,\"x\",2)", "=DATE(2026,2,30)",
        "=SUM(A:A)", "=F1000000", "=\"unterminated", "=((((((1", "=1e308*10", "=-1e308", "=LEN(I2)",
        "=XFD1048576", "=SUM(A1:XFD1048576)", "=Invoices!C2+30", "='No Such Sheet'!A1", "=HYPERLINK(\"x\",1)",
    ])
    cached = st.sampled_from([("ROUND(41.5+0.5,0)", "42"), ("SUM(1,2)", "3"), ("DATE(2026,1,5)", "46027")])
    return st.one_of(plain, cached.map(lambda pair: ("cached",) + pair))


def rich_text():
    return st.lists(st.text(max_size=8).map(writable), min_size=1, max_size=3).map(
        lambda parts: ("rich", parts))


def junk_cell():
    return st.one_of(
        st.none(),
        st.sampled_from(ERRORS).map(lambda code: ("error", code)),
        st.booleans(),
        st.integers(min_value=-(10**18), max_value=10**18),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([1e308, -1e308, -0.0, 5e-324, 2**53 + 1, 0.1 + 0.2, 99999999999.995, 1e15, -1e-15]),
        st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31, 23, 59)),
        st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
        st.times(),
        text_dates(),
        formulas(),
        rich_text(),
        st.sampled_from(SCRIPTS),
        st.text(max_size=40).map(writable),
        st.sampled_from(["x", "é", "💸", "ש", "\u0000x", "\u001bX"]).map(lambda c: ("long", writable(c * 32767)[:32767])),
        st.sampled_from(["$1,234.50", "1.234,50 €", "(120.00)", "€-0,01", "1 234,56", "12%", "USD 9e9", "٣٤٥",
                         "1,2,3", "--5", "$", "0x1F", "Infinity", "NaN", "1e400"]),
    )


@st.composite
def valid_row(draw, number: int):
    """A row that is a valid invoice whatever surrounds it, and what it must read back as."""
    cents = draw(st.integers(min_value=-(10**9), max_value=10**11))
    paid_cents = draw(st.none() | st.integers(min_value=0, max_value=10**9))
    invoice_date = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)))
    due_date = draw(st.none() | st.just(invoice_date + dt.timedelta(days=30)))
    name = f"Valid Customer {number}"
    customer = draw(st.sampled_from(["plain", "rich", "padded"]))
    amount_kind = draw(st.sampled_from(["number", "text", "formula", "cached"]))
    amount = {"number": cents / 100, "text": f"{Decimal(cents) / 100:.2f}",
              "formula": f"={cents}/100", "cached": ("cached", f"{cents}/100", f"{Decimal(cents) / 100}")}[amount_kind]
    notes = draw(st.sampled_from(SCRIPTS[:9]) | st.text(max_size=30).map(writable))
    cells = [
        ("rich", ["Valid ", f"Customer {number}"]) if customer == "rich" else f"  {name}  " if customer == "padded" else name,
        f"OK-{number}", invoice_date, due_date, "Net 30",
        amount, None if paid_cents is None else paid_cents / 100, "Open", ("text", notes),
    ]
    expected = {
        "customer": name, "number": f"OK-{number}", "invoice_date": invoice_date, "due_date": due_date,
        "amount": Decimal(cents) / 100, "paid": None if paid_cents is None else Decimal(paid_cents) / 100,
        "terms": "Net 30", "status": "Open", "notes": " ".join(writable(notes).split()),
    }
    return cells, expected


@st.composite
def tracker(draw):
    """Rows for an invoice sheet (valid and junk, shuffled), merges over junk, other sheets."""
    valid = [draw(valid_row(number)) for number in range(draw(st.integers(1, 4)))]
    junk = [[draw(junk_cell()) for _ in HEADER] for _ in range(draw(st.integers(0, 8)))]
    order = draw(st.permutations([("valid", i) for i in range(len(valid))] + [("junk", i) for i in range(len(junk))]))
    rows = [valid[i][0] if kind == "valid" else junk[i] for kind, i in order]
    junk_rows = [index + 2 for index, (kind, _) in enumerate(order) if kind == "junk"]
    merges = []
    for row in draw(st.lists(st.sampled_from(junk_rows), max_size=2, unique=True)) if junk_rows else []:
        first = draw(st.integers(1, len(HEADER) - 1))
        merges.append(f"{get_column_letter(first)}{row}:{get_column_letter(draw(st.integers(first + 1, len(HEADER))))}{row}")
    settings_rows = draw(st.none() | st.lists(st.tuples(
        st.sampled_from(["Currency", "Language", "Default Terms", "Late Interest", "Grace Days", "Aging Buckets",
                         "Date Order", "Paper Size", "Minimum Days Between Contacts", "Company Name"]),
        junk_cell()), max_size=4))
    return rows, [expected for _, expected in valid], merges, settings_rows


def put(cell, value) -> list[tuple[str, str]]:
    """Write one generated value; returns the (formula, cached) pairs to patch into the saved XML."""
    if isinstance(value, tuple) and value[0] == "error":
        cell.value, cell.data_type = value[1], "e"
    elif isinstance(value, tuple) and value[0] == "rich":
        cell.value = CellRichText([TextBlock(InlineFont(b=True), value[1][0]), *value[1][1:]])
    elif isinstance(value, tuple) and value[0] == "long":
        cell.value = value[1]
    elif isinstance(value, tuple) and value[0] == "cached":
        cell.value = "=" + value[1]
        return [(value[1], value[2])]
    elif isinstance(value, tuple) and value[0] == "text":  # text even when it begins with "="
        cell.value, cell.data_type = writable(value[1]), "s"
    elif isinstance(value, str):
        cell.value = writable(value)
    else:
        cell.value = value
    return []


def save_tracker(path: Path, rows, merges, settings_rows) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Invoices"
    sheet.append(HEADER)
    cached: list[tuple[str, str]] = []
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cached += put(sheet.cell(row=r, column=c), value)
    for area in merges:
        sheet.merge_cells(area)
    if settings_rows is not None:
        extra = workbook.create_sheet("Settings")
        for r, (name, value) in enumerate(settings_rows, start=1):
            extra.cell(row=r, column=1, value=name)
            cached += put(extra.cell(row=r, column=2), value)
    workbook.save(path)
    _save_results(path, cached)
    return path


def _save_results(path: Path, cached: list[tuple[str, str]]) -> None:
    """Give some formulas the saved result Excel would have written (openpyxl writes none)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["docProps/core.xml"] = re.sub(  # the same bytes on every run, so a mutant can be made again
        rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-01T00:00:00Z", members["docProps/core.xml"])
    for name, data in members.items():
        if name.startswith("xl/worksheets/"):
            text = data.decode("utf-8")
            for formula, value in cached:
                text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
            members[name] = text.encode("utf-8")
    hostile.package(path, members)


CELL_RE = re.compile(r"([A-Z]{1,3})([0-9]*)")


def assert_problems_point_at_real_cells(book: Book, path: Path) -> None:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        sizes = {sheet.title: (sheet.max_row or 1, sheet.max_column or 1) for sheet in workbook.worksheets}
    finally:
        workbook.close()
    for problem in book.problems:
        assert problem.sheet in sizes, problem
        where = CELL_RE.fullmatch(problem.cell)
        assert where, f"no cell named: {problem}"
        rows, cols = sizes[problem.sheet]
        column = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(where.group(1))))
        assert column <= max(cols, len(HEADER)), problem
        assert not where.group(2) or 1 <= int(where.group(2)) <= rows, problem
        assert_sentence(problem.message)
        assert_sentence(str(problem))


def assert_sentence(text: str) -> None:
    assert text.strip() and " " in text, text
    for jargon in ("Traceback", "Error:", "Exception", "object at 0x", "NoneType", "<class"):
        assert jargon not in text, text


def assert_valid_rows_read(book: Book, expected: list[dict]) -> None:
    by_number = {invoice.number: invoice for invoice in book.invoices}
    for wanted in expected:
        invoice = by_number.get(wanted["number"])
        assert invoice is not None, (wanted, [str(p) for p in book.problems])
        got = {field: getattr(invoice, field) for field in wanted}
        got["notes"] = " ".join(got["notes"].split())
        assert got == wanted
    problems = [p for p in book.problems if p.sheet == "Invoices" and p.severity == "error"]
    rows = {invoice.row for invoice in book.invoices if invoice.number.startswith("OK-")}
    assert not [p for p in problems if re.fullmatch(r"[A-Z]+(\d+)", p.cell)
                and int(re.fullmatch(r"[A-Z]+(\d+)", p.cell).group(1)) in rows]


@FUZZ
@given(tracker())
def test_generated_trackers_are_read_row_by_row_and_checked_without_a_traceback(sample):
    rows, expected, merges, settings_rows = sample
    with tempfile.TemporaryDirectory() as folder:
        path = save_tracker(Path(folder) / "shop.xlsx", rows, merges, settings_rows)
        COUNTS["workbooks checked"] += 1
        try:
            book = read_book(str(path), locale="en_GB")
        except WorkbookError as error:  # allowed, but a sheet with valid rows must not be refused
            raise AssertionError(f"refused a workbook with valid rows: {error}") from None
        assert_problems_point_at_real_cells(book, path)
        assert_valid_rows_read(book, expected)
        result = CliRunner().invoke(cli, ["check", str(path)])
        assert "Traceback" not in result.output and result.exit_code in (0, 1), result.output


@settings(FUZZ, max_examples=RUN_EXAMPLES)
@given(tracker())
def test_collector_run_on_generated_trackers_never_shows_a_traceback_and_a_failed_run_changes_nothing(sample):
    rows, _, merges, settings_rows = sample
    with tempfile.TemporaryDirectory() as folder:
        path = save_tracker(Path(folder) / "shop.xlsx", rows, merges, settings_rows)
        before = path.read_bytes()
        COUNTS["workbooks run"] += 1
        result = CliRunner().invoke(cli, ["run", str(path), "--as-of", "2026-11-23", "--no-documents"])
        assert "Traceback" not in result.output, result.output
        assert result.exit_code in (0, 1), result.output
        if result.exit_code and "Error:" in result.stderr:
            assert path.read_bytes() == before
        assert "did not expect" not in result.stderr, result.stderr


# --- mutated bytes, in a child process -----------------------------------------------------------


def seed_files() -> list[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory() as folder:
        made = [
            hostile.valid_xlsx(Path(folder) / "plain.xlsx"),
            hostile.formula_xlsx(Path(folder) / "formula.xlsx", "=SUM(1,2)*C3"),
            save_tracker(Path(folder) / "tracker.xlsx", [
                ["Acme", "A-1", dt.date(2026, 1, 5), None, "Net 30", 100.5, None, "Open", "x"],
                ["Bolt", "A-2", "05/02/2026", None, "2/10 Net 30", "=F2*2", ("error", "#N/A"), "", "é"],
            ], ["H3:I3"], [("Currency", "EUR")]),
        ]
        files = [(p.name, p.read_bytes()) for p in made]
    files.append(("shop.csv", b"Invoice No,Invoice Date,Customer,Amount,Paid\nA-1,2026-08-03,Acme,\"1,200.00\",\n"
                              b"A-2,04/09/2026,Bolt,450.50,10\n"))
    for name in ("OlimingmingO__invoice_tracker.xlsx", "jovillarrealm__cartera.xlsx",
                 "lucastrg2-cpu__invoice-tracker.xlsx"):
        if (CORPUS / name).exists():
            files.append((name, (CORPUS / name).read_bytes()))
    return files


def mutation_child(count: int, seed: int, folder: str) -> None:
    """Read ``count`` mutants, then print a summary line of JSON (run in a child process).

    Each mutant is written to ``folder`` before it is read, so the one that killed or hung the
    child is still there for the parent to name."""
    import resource
    import signal
    import time

    def alarm(*_):
        raise TimeoutError("took more than 10 s")

    signal.signal(signal.SIGALRM, alarm)
    slowest, failures = (0.0, ""), []
    for label, name, data in hostile.mutants(seed_files(), count, seed):
        print(json.dumps({"started": label}), flush=True)
        path = Path(folder) / name
        path.write_bytes(data)
        started = time.perf_counter()
        signal.alarm(10)
        try:
            read_book(str(path), locale="en_GB")
        except WorkbookError as error:
            if not str(error).strip() or "Traceback" in str(error):
                failures.append({"case": label, "error": f"not a sentence: {error!r}"})
        except BaseException:  # noqa: BLE001 - every other exception is the finding
            failures.append({"case": label, "error": traceback.format_exc(limit=-4)})
        finally:
            signal.alarm(0)
        took = time.perf_counter() - started
        slowest = max(slowest, (took, label))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"done": count, "failures": failures, "slowest": slowest, "peak_mb": peak}), flush=True)


def test_mutated_workbooks_get_a_book_or_a_sentence_quickly_and_in_bounded_memory(tmp_path):
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    seed = int(os.environ.get("COLLECTOR_FUZZ_SEED", "7"))
    try:
        done = subprocess.run(
            [sys.executable, "-c", f"from tests.test_fuzz import mutation_child; mutation_child({MUTANTS}, {seed}, {str(tmp_path)!r})"],
            capture_output=True, text=True, timeout=max(120, MUTANTS), cwd=ROOT, preexec_fn=limit)
        output, crashed = done.stdout, done.returncode != 0
    except subprocess.TimeoutExpired as hung:
        output, crashed = (hung.stdout or b"").decode() if isinstance(hung.stdout, bytes) else hung.stdout or "", True
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    started = [line["started"] for line in lines if "started" in line]
    last = started[-1] if started else "?"
    assert not crashed, f"the child died or hung reading mutant {last}, kept in {tmp_path / last.split(':')[1]}"
    summary = lines[-1]
    COUNTS["mutants"] += summary["done"]
    assert summary["done"] == MUTANTS == len(started)
    assert summary["failures"] == [], json.dumps(summary["failures"], indent=1)[:6000]
    assert summary["slowest"][0] < 5, summary["slowest"]
    assert summary["peak_mb"] < 1024, summary["peak_mb"]
    print(f"\n{MUTANTS} mutants, slowest {summary['slowest'][0]:.2f} s ({summary['slowest'][1]}), "
          f"peak {summary['peak_mb']:.0f} MB")


@pytest.fixture(scope="module", autouse=True)
def report_counts(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\nfuzz: {', '.join(f'{n} {what}' for what, n in COUNTS.items())}")
