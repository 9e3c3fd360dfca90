"""`collector run` keeps the owner's workbook safe: backups, atomic writes, locks, text stays text.

Every workbook is written to tmp_path. Failures are injected with monkeypatch at the
step they would really happen (openpyxl saving, verifying, replacing, backing up), and
each test checks what the owner would see: the file's bytes and modification time, the
files left in the folder, and the exact sentence on the terminal.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner

import collector.weekly
import collector.xlsx_edit
from collector import safety
from collector.cli import cli
from tests.workbooks import CORPUS, write_xlsx

D = dt.date
AS_OF = "2026-11-23"
UNEXPECTED = ("Error: collector ran into something it did not expect and stopped without changing anything. "
              "The details are in {log}; please send that file to support.")
LOCKED = ("Error: {name} is open in Excel or LibreOffice (found {lock}). Close it and run collector again. "
          "If it is not open anywhere, the lock file is left over from a crash: run again with --force.")
CHANGED = ("Error: shop.xlsx was changed by someone else while collector was working, so collector did not "
           "overwrite it. Run collector again.")
SUMMARY_HEAD = [
    "Read shop.xlsx: 4 invoices on 'Invoices' (header row 1), 3 customers, 1 contact log entry.",
    "As of 2026-11-23: 2 actions this week, 1 customer on credit hold.",
    "  Receivables EUR 1,950.50, overdue EUR 1,950.50 (100.00%).",
]
PLAN = [
    "This week's plan (2 actions, most urgent first)",
    "Customer  Step                  Channel        Amount  Invoices",
    "--------  --------------------  -------  ------------  --------",
    "Acme Ltd  collections-referral  task     EUR 1,500.00  INV-1",
    "Bolt Ltd  final-demand          letter     EUR 450.50  INV-2",
]

CSV = (
    "Invoice No,Invoice Date,Customer,Terms,Amount,Paid,Currency,Notes\n"
    "INV-1,2026-08-03,Acme Ltd,Net 30,1200,,EUR,first order\n"
    "INV-2,2026-09-14,Bolt Ltd,Net 30,450.50,,EUR,\n"
    "INV-3,2026-10-20,Acme Ltd,Net 30,300,,EUR,\n"
    "INV-4,2026-06-01,Cog Ltd,Net 30,99,99,EUR,paid\n"
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
VBA_CT = "application/vnd.ms-office.vbaProject"


# --- helpers ----------------------------------------------------------------------------------


def invoke(*args: object):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def run(path: Path, *options: str):
    return invoke("run", path, "--as-of", AS_OF, "--no-documents", *options)


def error_line(result) -> str:
    """The sentence the owner reads when the run stops: the last line on stderr."""
    return result.stderr.splitlines()[-1]


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def listing(folder: Path) -> list[str]:
    """Every file and folder under ``folder``, relative, so a stray temp file anywhere shows up."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def invoice_sheet_rows() -> list[list[object]]:
    return [
        ["Invoice No", "Invoice Date", "Customer", "Terms", "Amount", "Paid", "Currency", "Notes"],
        ["INV-1", D(2026, 8, 3), "Acme Ltd", "Net 30", 1200, None, "EUR", "first order"],
        ["INV-2", D(2026, 9, 14), "Bolt Ltd", "Net 30", 450.5, None, "EUR", None],
        ["INV-3", D(2026, 10, 20), "Acme Ltd", "Net 30", 300, None, "EUR", None],
        ["INV-4", D(2026, 6, 1), "Cog Ltd", "Net 30", 99, 99, "EUR", "paid"],
    ]


def write_tracker(path: Path) -> Path:
    """A small tracker the way an owner keeps one: invoices, customers and a contact log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_xlsx(path, {
        "Invoices": invoice_sheet_rows(),
        "Customers": [["Customer", "Email", "Phone", "Credit Limit"],
                      ["Acme Ltd", "ap@acme.test", "+44 20 7946 0000", 5000],
                      ["Bolt Ltd", "bolt@bolt.test", None, None], ["Cog Ltd", None, None, None]],
        "Contact Log": [["Date", "Customer", "Invoice No", "Channel", "Step", "Note", "By"],
                        [D(2026, 10, 1), "Acme Ltd", "INV-1", "phone", None, "called, promised next week", "Owner"]],
    })


def rewrite_package(source: Path, target: Path, edits: dict, additions: dict[str, bytes]) -> Path:
    """Copy an .xlsx package part by part; ``edits`` maps a part to a function of its text."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data.decode("utf-8")).encode("utf-8")
            new.writestr(info, data)
        for name, data in additions.items():
            new.writestr(name, data)
    return target


def add_before(closing_tag: str, xml: str):
    return lambda text: text.replace(closing_tag, xml + closing_tag)


@pytest.fixture
def books(tmp_path) -> Path:
    folder = tmp_path / "books"
    folder.mkdir()
    return folder


@pytest.fixture
def shop(books) -> Path:
    return write_tracker(books / "shop.xlsx")


@pytest.fixture(autouse=True)
def error_log(tmp_path, monkeypatch) -> Path:
    """collector logs unexpected errors in the temp folder: keep that log inside this test's tmp_path."""
    logs = tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(logs))
    return logs / "collector-error.log"


# --- 1. backups -------------------------------------------------------------------------------


def test_run_keeps_a_byte_identical_backup_named_after_the_workbook_and_the_time(shop, books, monkeypatch):
    monkeypatch.chdir(books)
    original = shop.read_bytes()
    started = dt.datetime.now().replace(microsecond=0)
    result = run(shop)
    finished = dt.datetime.now()
    assert result.exit_code == 0
    backups = listing(books / "backups")
    assert len(backups) == 1
    name = backups[0]
    assert re.fullmatch(r"shop \d{4}-\d{2}-\d{2} \d{6}\.xlsx", name)
    assert started <= dt.datetime.strptime(name[5:-5], "%Y-%m-%d %H%M%S") <= finished
    assert (books / "backups" / name).read_bytes() == original
    assert shop.read_bytes() != original
    assert result.stdout.splitlines() == SUMMARY_HEAD + [
        "Updated shop.xlsx: computed columns Invoices!I:P; tabs Aging, Actions, History; 2 Contact Log rows.",
        f"Backup of the previous version: {os.path.join('backups', name)}",
        "Credit status changed for 1 customer on 'Customers'.",
    ]
    assert listing(books) == ["backups", f"backups/{name}", "shop.xlsx"]


def test_backups_keep_at_most_twenty_copies_of_a_workbook(shop):
    stamps = [dt.datetime(2026, 1, 5, 9, 0, 0) + dt.timedelta(days=7 * i) for i in range(25)]
    made = [safety.backup(str(shop), stamp=stamp) for stamp in stamps]
    assert made == [str(shop.parent / "backups" / f"shop {s:%Y-%m-%d %H%M%S}.xlsx") for s in stamps]
    kept = listing(shop.parent / "backups")
    assert len(kept) == 20
    assert all((shop.parent / "backups" / name).read_bytes() == shop.read_bytes() for name in kept)


def test_backups_keep_the_twenty_newest_copies(shop, monkeypatch):
    # Directory order is up to the file system (hash order on ext4, newest first on tmpfs):
    # pin newest-first so the outcome does not depend on where tmp_path lives.
    real_listdir = os.listdir
    monkeypatch.setattr(safety.os, "listdir", lambda folder: sorted(real_listdir(folder), reverse=True))
    first = dt.datetime(2026, 1, 5, 9, 0, 0)
    stamps = [first + dt.timedelta(days=7 * i) for i in range(25)]
    for stamp in stamps:
        safety.backup(str(shop), stamp=stamp)
    assert listing(shop.parent / "backups") == [f"shop {s:%Y-%m-%d %H%M%S}.xlsx" for s in stamps[5:]]


def test_backups_of_another_workbook_in_the_same_folder_are_not_pruned(books, shop):
    other = write_tracker(books / "shop 2025.xlsx")
    os.utime(other, ns=(10**18, 10**18))
    theirs = [Path(safety.backup(str(other), stamp=dt.datetime(2025, 12, day, 9))).name for day in (1, 8, 15)]
    for week in range(20):
        moment = 10**18 + (week + 1) * 10**12
        os.utime(shop, ns=(moment, moment))  # each week's run saved the workbook
        safety.backup(str(shop), stamp=dt.datetime(2026, 1, 5, 9) + dt.timedelta(days=7 * week))
    kept = listing(books / "backups")
    assert [name for name in kept if name.startswith("shop 2025 ")] == theirs
    assert len([name for name in kept if re.fullmatch(r"shop 2026-\d\d-\d\d \d{6}\.xlsx", name)]) == 20


# --- 2. atomic write: whatever fails, the original is untouched and nothing is left behind ----


def _save_half_then_fill_the_disk(monkeypatch, shop):
    def save(self, filename):
        with open(filename, "wb") as handle:
            handle.write(b"PK\x03\x04 half a workbook")
        raise OSError("disk full")

    monkeypatch.setattr(collector.xlsx_edit.EditablePackage, "save", save)
    return "OSError: disk full"


def _written_file_does_not_open(monkeypatch, shop):
    def verify_readable(path):
        raise zipfile.BadZipFile("File is not a zip file")

    monkeypatch.setattr(collector.weekly, "verify_readable", verify_readable)
    return "zipfile.BadZipFile: File is not a zip file"


def _replace_is_refused(monkeypatch, shop):
    real_replace = os.replace

    def replace(source, target, *args, **kwargs):
        if os.path.abspath(target) == str(shop):
            raise PermissionError(13, "Permission denied", str(shop))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return "PermissionError: [Errno 13] Permission denied"


def _backup_fails(monkeypatch, shop):
    def backup(path, stamp=None, kept=safety.BACKUPS_KEPT):
        raise OSError(5, "Input/output error")  # a full disk has its own sentence (tests/test_faults.py)

    monkeypatch.setattr(safety, "backup", backup)
    return "OSError: [Errno 5] Input/output error"


@pytest.mark.parametrize("inject,backup_made", [
    (_save_half_then_fill_the_disk, False),
    (_written_file_does_not_open, False),
    (_backup_fails, False),
], ids=["save-fails-half-way", "verify-fails", "backup-fails"])
def test_a_failure_while_writing_leaves_the_workbook_byte_identical_and_no_stray_file(
        shop, books, monkeypatch, error_log, inject, backup_made):
    before = snapshot(shop)
    logged = inject(monkeypatch, shop)
    result = run(shop)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert error_line(result) == UNEXPECTED.format(log=error_log)
    assert logged in error_log.read_text(encoding="utf-8")
    assert snapshot(shop) == before
    if backup_made:
        (backup,) = listing(books / "backups")
        assert (books / "backups" / backup).read_bytes() == before[0]
        assert listing(books) == ["backups", f"backups/{backup}", "shop.xlsx"]
    else:
        assert listing(books) == ["shop.xlsx"]


def test_a_refused_replace_says_the_workbook_is_in_use_and_leaves_it_untouched(shop, books, monkeypatch):
    before = snapshot(shop)
    _replace_is_refused(monkeypatch, shop)
    result = run(shop)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result) == (
        "Error: collector could not replace shop.xlsx: another program is using it, or you may not "
        "change files in that folder. Close it everywhere and run collector again.")
    assert snapshot(shop) == before
    (backup,) = listing(books / "backups")
    assert (books / "backups" / backup).read_bytes() == before[0]
    assert listing(books) == ["backups", f"backups/{backup}", "shop.xlsx"]


def test_a_read_only_workbook_is_left_alone(shop):
    before = snapshot(shop)
    os.chmod(shop, 0o444)
    result = run(shop)
    assert (result.exit_code, error_line(result)) == (1, (
        "Error: shop.xlsx is read-only, so collector did not change it. Make it writable (in its file "
        "properties) or work on a copy, and run collector again."))
    assert snapshot(shop) == before


def test_a_backup_that_fails_half_way_leaves_no_temporary_copy(shop, books, monkeypatch, error_log):
    def copy2(source, target, **kwargs):
        Path(target).write_bytes(b"PK\x03\x04 half a copy")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safety.shutil, "copy2", copy2)
    before = snapshot(shop)
    result = run(shop)
    assert (result.exit_code, error_line(result)) == (1, (
        "Error: The disk is full, so collector could not write shop.xlsx and left it as it was. "
        "Free some space and run collector again."))
    assert snapshot(shop) == before
    assert [p for p in listing(books) if p != "backups"] == ["shop.xlsx"]


def test_a_backup_that_fails_leaves_no_backups_folder(shop, books, monkeypatch):
    def copy2(source, target, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safety.shutil, "copy2", copy2)
    assert run(shop).exit_code == 1
    assert listing(books) == ["shop.xlsx"]


# --- 3. the owner saves the workbook while collector works -------------------------------------


def _owner_saves_during_the_write(monkeypatch, shop, save):
    real_write = collector.weekly.write_results

    def write_results(source, target, *args, **kwargs):
        written = real_write(source, target, *args, **kwargs)
        save(shop)
        return written

    monkeypatch.setattr(collector.weekly, "write_results", write_results)


def test_workbook_saved_meanwhile_is_not_overwritten_and_the_owner_is_told(shop, books, monkeypatch):
    def save(path):  # Excel's autosave: same content, a new modification time
        later = path.stat().st_mtime_ns + 5 * 10**9
        os.utime(path, ns=(later, later))

    _owner_saves_during_the_write(monkeypatch, shop, save)
    content = shop.read_bytes()
    result = run(shop)
    assert (result.exit_code, result.stdout, error_line(result)) == (1, "", CHANGED)
    assert shop.read_bytes() == content
    assert listing(books) == ["shop.xlsx"]  # nothing replaced, so nothing to back up


def test_workbook_edited_and_saved_meanwhile_is_not_overwritten_and_the_owner_is_told(shop, books, monkeypatch):
    owners = {}

    def save(path):
        workbook = openpyxl.load_workbook(path)
        workbook["Invoices"]["H3"] = "Bolt paid by cheque, banking Monday"
        workbook.save(path)
        owners["version"] = snapshot(path)

    _owner_saves_during_the_write(monkeypatch, shop, save)
    result = run(shop)
    assert (result.exit_code, error_line(result)) == (1, CHANGED)
    assert snapshot(shop) == owners["version"]
    assert [p for p in listing(books) if not p.startswith("backups")] == ["shop.xlsx"]


# --- 4. lock files --------------------------------------------------------------------------------


@pytest.mark.parametrize("name,lock", [
    ("shop.xlsx", "~$shop.xlsx"),
    ("shop.xlsx", ".~lock.shop.xlsx#"),
    ("receivables 2026.xlsx", "~$ceivables 2026.xlsx"),  # Excel drops two letters of a long name
])
def test_workbook_open_in_excel_or_libreoffice_is_refused_and_left_alone(books, name, lock):
    path = write_tracker(books / name)
    (books / lock).write_bytes(b"owner    ")
    before = snapshot(path)
    result = run(path)
    assert (result.exit_code, result.stdout) == (1, "")
    assert error_line(result) == LOCKED.format(name=name, lock=lock)
    assert snapshot(path) == before
    assert listing(books) == sorted([name, lock])


def test_force_writes_although_a_lock_file_is_left_over(shop, books):
    (books / "~$shop.xlsx").write_bytes(b"owner    ")
    before = shop.read_bytes()
    result = run(shop, "--force")
    assert result.exit_code == 0
    assert "Updated shop.xlsx: computed columns Invoices!I:P; tabs Aging, Actions, History; 2 Contact Log rows." \
        in result.stdout.splitlines()
    assert shop.read_bytes() != before
    assert (books / "~$shop.xlsx").read_bytes() == b"owner    "


def test_dry_run_of_an_open_workbook_shows_the_plan_and_writes_nothing(shop, books):
    (books / "~$shop.xlsx").write_bytes(b"owner    ")
    before = snapshot(shop)
    result = run(shop, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == SUMMARY_HEAD + ["Dry run: nothing was written.", ""] + PLAN
    assert snapshot(shop) == before
    assert listing(books) == ["shop.xlsx", "~$shop.xlsx"]


def test_results_file_open_in_excel_is_not_replaced(books):
    tracker = books / "shop.csv"
    tracker.write_text(CSV, encoding="utf-8")
    assert run(tracker).exit_code == 0
    results = books / "shop (collector).xlsx"
    (books / "~$shop (collector).xlsx").write_bytes(b"owner    ")
    before = snapshot(results)
    result = run(tracker)
    assert (result.exit_code, error_line(result)) == (
        1, LOCKED.format(name="shop (collector).xlsx", lock="~$shop (collector).xlsx"))
    assert snapshot(results) == before


# --- 5. dry run -----------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_prints_this_weeks_plan(shop, books):
    before = snapshot(shop)
    result = run(shop, "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == SUMMARY_HEAD + ["Dry run: nothing was written.", ""] + PLAN
    assert snapshot(shop) == before
    assert listing(books) == ["shop.xlsx"]


# --- 6. text stays text ---------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@cmd|' /C calc'!A0"]
OWNER_NOTE = '=HYPERLINK("http://evil","call back") said he would pay Friday'


def _text(cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # typed as text by the owner, as Excel stores it


def write_hostile_tracker(path: Path, names: list[str] = HOSTILE) -> Path:
    workbook = openpyxl.Workbook()
    invoices = workbook.active
    invoices.title = "Invoices"
    invoices.append(["Invoice No", "Invoice Date", "Customer", "Amount"])
    for number, name in enumerate(names + ["Acme Ltd"], start=1):
        invoices.append([f"INV-{number}", D(2026, 8, 3), None, 100 * number])
        _text(invoices.cell(row=number + 1, column=3), name)
    log = workbook.create_sheet("Contact Log")
    log.append(["Date", "Customer", "Invoice No", "Channel", "Step", "Note", "By"])
    log.append([D(2026, 9, 1), "Acme Ltd", f"INV-{len(names) + 1}", "phone", None, None, "Owner"])
    _text(log["F2"], OWNER_NOTE)
    workbook.save(path)
    return path


def _column_cells(sheet, title: str):
    for row in sheet.iter_rows(max_row=30):
        for cell in row:
            if cell.value == title:
                return [sheet.cell(row=r, column=cell.column) for r in range(cell.row + 1, sheet.max_row + 1)]
    raise AssertionError(f"no {title!r} header on {sheet.title}")


def test_customer_names_and_notes_that_look_like_formulas_are_written_as_text(books):
    path = write_hostile_tracker(books / "shop.xlsx")
    result = run(path)
    assert result.exit_code == 0
    workbook = openpyxl.load_workbook(path)
    written = {
        "Actions": _column_cells(workbook["Actions"], "Customer"),
        "Aging": _column_cells(workbook["Aging"], "Customer"),
        "Contact Log": [c for c in _column_cells(workbook["Contact Log"], "Customer")
                        if workbook["Contact Log"].cell(row=c.row, column=7).value == "collector"],
    }
    for sheet, cells in written.items():
        for name in HOSTILE:
            matching = [c for c in cells if c.value == name]
            assert matching, f"{name!r} is missing from {sheet}"
            assert all(c.data_type == "s" for c in matching), f"{name!r} on {sheet} is not text"
    formulas = [f"{s.title}!{c.coordinate}" for s in workbook for row in s.iter_rows() for c in row
                if c.data_type == "f" and any(name in str(c.value) for name in HOSTILE + [OWNER_NOTE])]
    assert formulas == []
    note = workbook["Contact Log"]["F2"]
    assert (note.value, note.data_type) == (OWNER_NOTE, "s")

    calamine = python_calamine.CalamineWorkbook.from_path(str(path))
    for sheet, column in (("Actions", 2), ("Aging", 0), ("Contact Log", 1)):
        values = {row[column] for row in calamine.get_sheet_by_name(sheet).to_python() if len(row) > column}
        assert set(HOSTILE) <= values, sheet
    assert calamine.get_sheet_by_name("Contact Log").to_python()[1][5] == OWNER_NOTE


@pytest.mark.parametrize("name", ["@SUM(A1)", "Total"])
def test_an_invoice_whose_customer_looks_like_a_total_is_still_followed_up_and_written_as_text(books, name):
    path = write_hostile_tracker(books / "shop.xlsx", [name])
    assert run(path).exit_code == 0
    actions = openpyxl.load_workbook(path)["Actions"]
    cells = [c for c in _column_cells(actions, "Customer") if c.value == name]
    assert [c.data_type for c in cells] == ["s"]


def test_a_currency_that_looks_like_a_formula_is_written_as_text(books):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Invoices"
    sheet.append(["Invoice No", "Invoice Date", "Customer", "Amount", "Currency"])
    sheet.append(["INV-1", D(2026, 8, 3), "Acme Ltd", 100, None])
    _text(sheet["E2"], "=2+3")
    path = books / "shop.xlsx"
    workbook.save(path)
    assert run(path).exit_code == 0
    aging = openpyxl.load_workbook(path)["Aging"]
    cells = [c for row in aging.iter_rows() for c in row if c.value == "=2+3"]
    assert cells and all(c.data_type == "s" for c in cells), [(c.coordinate, c.data_type) for c in cells]


# --- 7. macros survive ----------------------------------------------------------------------------

VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 16


def write_xlsm(path: Path) -> Path:
    plain = write_tracker(path.with_name("plain.xlsx"))
    rewrite_package(plain, path, {
        "[Content_Types].xml": lambda text: text.replace(WORKBOOK_CT, MACRO_WORKBOOK_CT).replace(
            "</Types>", f'<Default Extension="bin" ContentType="{VBA_CT}"/></Types>'),
        "xl/_rels/workbook.xml.rels": add_before(
            "</Relationships>", f'<Relationship Id="rIdVba" Type="{VBA_REL}" Target="vbaProject.bin"/>'),
    }, {"xl/vbaProject.bin": VBA})
    plain.unlink()
    return path


def test_macro_workbook_is_updated_in_place_and_keeps_its_vba_project(books):
    path = write_xlsm(books / "shop.xlsm")
    result = run(path)
    assert result.exit_code == 0
    assert "Updated shop.xlsm: computed columns Invoices!I:P; tabs Aging, Actions, History; 2 Contact Log rows." \
        in result.stdout.splitlines()
    with zipfile.ZipFile(path) as package:
        assert package.read("xl/vbaProject.bin") == VBA
        types = package.read("[Content_Types].xml").decode()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    assert f'PartName="/xl/workbook.xml" ContentType="{MACRO_WORKBOOK_CT}"' in types
    assert WORKBOOK_CT not in types
    assert VBA_REL in rels and 'Target="vbaProject.bin"' in rels
    assert "Actions" in openpyxl.load_workbook(path, keep_vba=True).sheetnames
    (backup,) = listing(books / "backups")
    assert backup.startswith("shop ") and backup.endswith(".xlsm")
    assert [p for p in listing(books) if not p.startswith("backups")] == ["shop.xlsm"]


# --- 8. files collector cannot update: results beside them ----------------------------------------

@pytest.fixture(scope="module")
def libreoffice_copies(tmp_path_factory) -> dict[str, Path]:
    """The tracker saved by LibreOffice as .ods and as .xls (converted once for the module)."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    source = write_tracker(folder / "shop.xlsx")
    copies = {}
    for kind in ("ods", "xls"):
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                        "--convert-to", kind, "--outdir", str(folder / kind), str(source)],
                       check=True, capture_output=True, timeout=120)
        copies[kind] = folder / kind / f"shop.{kind}"
    return copies


def _results_are_complete(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[-3:] == ["Aging", "Actions", "History"]
    customers = [c.value for c in _column_cells(workbook["Actions"], "Customer")[:2]]
    assert customers == ["Acme Ltd", "Bolt Ltd"]
    python_calamine.CalamineWorkbook.from_path(str(path)).close()


def _check_results_beside(books: Path, tracker: Path, summary: list[str], tail: list[str]) -> None:
    """Both runs leave the tracker alone; the second backs up the first run's results before replacing them."""
    expected = summary + [
        f"{tracker.name} was left untouched (collector cannot update this kind of file); the results are in "
        f"shop (collector).xlsx. Go on adding invoices and payments to {tracker.name} and run collector on it "
        "each week: the Contact Log and History in shop (collector).xlsx are carried over.", *tail]
    original = snapshot(tracker)
    result = run(tracker)
    assert (result.exit_code, result.stdout.splitlines()) == (0, expected)
    assert snapshot(tracker) == original
    results = books / "shop (collector).xlsx"
    _results_are_complete(results)
    assert listing(books) == sorted([tracker.name, results.name])

    first_results = results.read_bytes()
    again = run(tracker)
    assert (again.exit_code, again.stdout.splitlines()) == (0, expected)
    (backup,) = listing(books / "backups")
    assert re.fullmatch(r"shop \(collector\) \d{4}-\d{2}-\d{2} \d{6}\.xlsx", backup)
    assert (books / "backups" / backup).read_bytes() == first_results
    assert snapshot(tracker) == original
    _results_are_complete(results)
    assert listing(books) == sorted([tracker.name, results.name, "backups", f"backups/{backup}"])


def test_csv_tracker_is_untouched_and_results_go_to_a_new_workbook_beside_it(books):
    tracker = books / "shop.csv"
    tracker.write_text(CSV, encoding="utf-8")
    summary = ["Read shop.csv: 4 invoices on 'shop' (header row 1), 3 customers.", *SUMMARY_HEAD[1:]]
    _check_results_beside(books, tracker, summary, [])


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_libreoffice_or_old_excel_tracker_is_untouched_and_results_go_beside_it(books, libreoffice_copies, kind):
    tracker = books / f"shop.{kind}"
    shutil.copyfile(libreoffice_copies[kind], tracker)
    summary = [f"Read shop.{kind}: 4 invoices on 'Invoices' (header row 1), 3 customers, 1 contact log entry.",
               *SUMMARY_HEAD[1:]]
    _check_results_beside(books, tracker, summary, ["Credit status changed for 1 customer on 'Customers'."])


# --- 9. the fidelity guard ------------------------------------------------------------------------

POWER_QUERY = "PowerQueryforAccountants__receivables"


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_real_workbook_with_parts_openpyxl_would_drop_is_updated_in_place_and_keeps_them(books):
    path = books / f"{POWER_QUERY}.xlsx"
    path.write_bytes((CORPUS / f"{POWER_QUERY}.xlsx").read_bytes())
    before = parts_of(path)
    result = run(path)
    assert result.exit_code == 0
    assert "NOT changed" not in result.stdout
    after = parts_of(path)
    kept = [name for name in before if "printerSettings" in name or name.startswith("customXml/")
            or name == "xl/connections.xml"]
    assert len(kept) >= 4  # printer settings, custom XML (item, props, rels) and the data connections
    assert all(after[name] == before[name] for name in kept)
    assert listing(books) == sorted([path.name, "backups", f"backups/{os.listdir(books / 'backups')[0]}"])
    assert (books / "backups" / os.listdir(books / "backups")[0]).read_bytes() == \
        (CORPUS / f"{POWER_QUERY}.xlsx").read_bytes()
    assert openpyxl.load_workbook(path).sheetnames[-3:] == ["Aging", "Actions", "History"]
    python_calamine.CalamineWorkbook.from_path(str(path)).close()


TEXT_BOX_DRAWING = (
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<xdr:twoCellAnchor><xdr:from><xdr:col>9</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
    '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff>'
    '<xdr:row>5</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
    '<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/>'
    '</xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1828800" cy="762000"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/>'
    '<a:p><a:r><a:t>Chase Acme before Friday</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
    '<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>'
)
THREADED_COMMENTS = (
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    f'xmlns:x="{MAIN_NS}"><threadedComment ref="H2" dT="2026-10-01T10:00:00.00" '
    'personId="{6B7E6A2C-0000-4000-8000-000000000001}" id="{6B7E6A2C-0000-4000-8000-000000000002}">'
    '<text>Ask for the PO number</text></threadedComment></ThreadedComments>'
)
PERSONS = (
    '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
    f'xmlns:x="{MAIN_NS}"><person displayName="Owner" id="{{6B7E6A2C-0000-4000-8000-000000000001}}" '
    'userId="owner" providerId="None"/></personList>'
)


def write_tracker_with_text_box(path: Path) -> Path:
    plain = write_tracker(path.with_name("plain.xlsx"))
    rewrite_package(plain, path, {
        "[Content_Types].xml": add_before("</Types>", (
            '<Override PartName="/xl/drawings/drawing1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>')),
        "xl/worksheets/sheet1.xml": add_before("</worksheet>", f'<drawing xmlns:r="{REL_NS}" r:id="rIdBox"/>'),
    }, {
        "xl/worksheets/_rels/sheet1.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdBox" Type="{REL_NS}/drawing" Target="../drawings/drawing1.xml"/>'
            '</Relationships>').encode(),
        "xl/drawings/drawing1.xml": TEXT_BOX_DRAWING.encode(),
    })
    plain.unlink()
    return path


def write_tracker_with_threaded_comment(path: Path) -> Path:
    plain = write_tracker(path.with_name("plain.xlsx"))
    rewrite_package(plain, path, {
        "[Content_Types].xml": add_before("</Types>", (
            '<Override PartName="/xl/threadedComments/threadedComment1.xml" '
            'ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
            '<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>')),
        "xl/_rels/workbook.xml.rels": add_before("</Relationships>", (
            '<Relationship Id="rIdPeople" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" '
            'Target="persons/person.xml"/>')),
    }, {
        "xl/worksheets/_rels/sheet1.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rIdThread" '
            'Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" '
            'Target="../threadedComments/threadedComment1.xml"/></Relationships>').encode(),
        "xl/threadedComments/threadedComment1.xml": THREADED_COMMENTS.encode(),
        "xl/persons/person.xml": PERSONS.encode(),
    })
    plain.unlink()
    return path


@pytest.mark.parametrize("build,kept", [
    (write_tracker_with_text_box, ["xl/drawings/drawing1.xml"]),
    (write_tracker_with_threaded_comment, ["xl/threadedComments/threadedComment1.xml", "xl/persons/person.xml"]),
], ids=["text-box", "threaded-comment"])
def test_workbook_with_something_openpyxl_cannot_keep_is_updated_in_place_and_keeps_it(books, build, kept):
    path = build(books / "shop.xlsx")
    before = parts_of(path)
    result = run(path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == SUMMARY_HEAD
    assert "NOT changed" not in result.stdout
    after = parts_of(path)
    assert all(after[name] == before[name] for name in kept)
    _results_are_complete(path)


def _lossless_then(change):
    """The lossless writer, followed by a change to the written package that the guard must catch."""
    from collector.lossless import write_results_lossless

    def write(source, target, *args, **options):
        written = write_results_lossless(source, target, *args, **options)
        with zipfile.ZipFile(target) as archive:
            contents = {info: archive.read(info.filename) for info in archive.infolist()}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in contents.items():
                archive.writestr(info, change(info.filename, data))
        return written
    return write


def _damage_the_drawing(name: str, data: bytes) -> bytes:
    return data.replace(b"Chase Acme", b"Chase Bolt") if name == "xl/drawings/drawing1.xml" else data


def _change_an_owner_value(name: str, data: bytes) -> bytes:
    return data.replace(b"first order", b"first  order") if name == "xl/worksheets/sheet1.xml" else data


def _drop_a_saved_result(name: str, data: bytes) -> bytes:
    return re.sub(rb"(<f\b[^>]*>[^<]*</f>)<v>[^<]*</v>", rb"\1", data) if name == "xl/worksheets/sheet1.xml" else data


@pytest.mark.parametrize("change,loss", [
    (_damage_the_drawing, "the part xl/drawings/drawing1.xml would change"),
    (_change_an_owner_value, "the value of 'Invoices'!H2 would change"),
], ids=["a-part-changes", "an-owner-cell-changes"])
def test_the_guard_refuses_a_write_that_changes_anything_collector_does_not_own(books, monkeypatch, change, loss):
    path = write_tracker_with_text_box(books / "shop.xlsx")
    before = snapshot(path)
    monkeypatch.setattr(collector.weekly, "write_results", _lossless_then(change))
    result = run(path)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == SUMMARY_HEAD + [
        "shop.xlsx was NOT changed, because saving it would lose:",
        f"  - {loss}",
        "The results are in shop (collector).xlsx beside it.",
        "Credit status changed for 1 customer on 'Customers'.",
    ]
    assert snapshot(path) == before
    assert listing(books) == ["shop (collector).xlsx", "shop.xlsx"]


def test_the_guard_refuses_a_write_that_wipes_a_formulas_saved_result(books, monkeypatch, soffice, tmp_path):
    path = books / "shop.xlsx"
    rows = invoice_sheet_rows()
    rows[0].append("Open")
    for number, row in enumerate(rows[1:], start=2):
        row.append(f"=E{number}-IF(F{number}=\"\",0,F{number})")
    write_xlsx(path, {"Invoices": rows})
    workbook = openpyxl.load_workbook(path)  # give the formulas saved results, as Excel would
    workbook.save(path)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(books / "lo"), str(path)],
                   check=True, capture_output=True, timeout=120)
    shutil.move(books / "lo" / "shop.xlsx", path)
    (books / "lo").rmdir()
    before = snapshot(path)
    monkeypatch.setattr(collector.weekly, "write_results", _lossless_then(_drop_a_saved_result))
    result = run(path)
    assert "shop.xlsx was NOT changed, because saving it would lose:" in result.stdout
    assert "  - the value of 'Invoices'!I2 would change" in result.stdout.splitlines()
    assert snapshot(path) == before


# --- 10. the unexpected -----------------------------------------------------------------------------


def test_an_unexpected_failure_shows_a_plain_sentence_and_changes_nothing(shop, books, monkeypatch, error_log):
    def assess(book, as_of):
        raise RuntimeError("policy table is inconsistent")

    monkeypatch.setattr(collector.weekly, "assess", assess)
    before = snapshot(shop)
    result = run(shop)
    assert (result.exit_code, result.stdout, error_line(result)) == (1, "", UNEXPECTED.format(log=error_log))
    assert "RuntimeError: policy table is inconsistent" in error_log.read_text(encoding="utf-8")
    assert snapshot(shop) == before
    assert listing(books) == ["shop.xlsx"]


def test_a_workbook_on_another_drive_is_reported_as_updated(shop, monkeypatch):
    real_relpath = os.path.relpath

    def relpath(path, start=None):  # ntpath.relpath across drives
        if start is None:
            raise ValueError("path is on mount 'S:', start on mount 'C:'")
        return real_relpath(path, start)

    monkeypatch.setattr(os.path, "relpath", relpath)
    before = shop.read_bytes()
    result = run(shop)
    assert shop.read_bytes() != before  # the workbook was updated...
    assert result.exit_code == 0  # ...so the owner must not be told nothing changed
    assert "Updated shop.xlsx" in result.stdout
