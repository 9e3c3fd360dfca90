"""Week after week on an .ods or .csv tracker: the results file's Contact Log and History carry over.

collector cannot write .xls, .ods or .csv files, so each run's results go to "X (collector).xlsx"
beside the tracker. The owner keeps adding invoices and payments to the tracker and runs collector
on it every week; the steps collector took, the rows the owner logged in the results file and the
History must come along to the next week's results, or the ladder starts again (a second final
demand). Every tracker is written to tmp_path; the .ods is made by LibreOffice from an .xlsx.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from collector.cli import cli
from collector.model import ContactEntry
from tests.workbooks import write_xlsx

D = dt.date
WEEK_1, WEEK_2 = "2026-11-23", "2026-11-30"
RESULTS = "shop (collector).xlsx"

INVOICES = [
    ["Invoice No", "Invoice Date", "Customer", "Terms", "Amount", "Paid", "Currency"],
    ["INV-1", D(2026, 9, 10), "Acme Ltd", "Net 30", 1200, None, "EUR"],  # final demand due on 23 Nov
    ["INV-2", D(2026, 9, 26), "Bolt Ltd", "Net 30", 450.50, None, "EUR"],  # second notice, then escalation
    ["INV-3", D(2026, 11, 10), "Cog Ltd", "Net 30", 99, None, "EUR"],  # receipt check, not yet due
]
CSV = "".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in INVOICES)
TRACKER_LOG_ROW = [D(2026, 10, 1), "Cog Ltd", None, "note", None, "new customer, pays by transfer", "Owner"]
EDITED_NOTE = "new customer, pays by transfer on the 1st"
# A row the owner typed into the results file between the two runs.
OWNER_ROW = (D(2026, 11, 25), "Bolt Ltd", "INV-2", "note", None, "Accountant pays on Fridays", "Owner")

WEEK_1_STEPS = [(D(2026, 11, 23), "Acme Ltd", "final-demand", "collector"),
                (D(2026, 11, 23), "Bolt Ltd", "second-notice", "collector"),
                (D(2026, 11, 23), "Cog Ltd", "receipt-check", "collector")]
WEEK_2_STEPS = [(D(2026, 11, 30), "Bolt Ltd", "manager-escalation", "collector")]
OWNER_STEP = (D(2026, 11, 25), "Bolt Ltd", None, "Owner")


def invoke(*args: object):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def run(tracker: Path, as_of: str, *options: str):
    return invoke("run", tracker, "--as-of", as_of, "--no-documents", *options)


def ods_of(folder: Path, log_row: list) -> Path:
    """An .ods tracker with invoices, customers and one Contact Log row, saved by LibreOffice."""
    source = write_xlsx(folder / "shop.xlsx", {
        "Invoices": INVOICES,
        "Customers": [["Customer", "Email"], ["Acme Ltd", "ap@acme.test"], ["Bolt Ltd", "bolt@bolt.test"],
                      ["Cog Ltd", "cog@cog.test"]],
        "Contact Log": [["Date", "Customer", "Invoice No", "Channel", "Step", "Note", "By"], log_row],
    })
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--convert-to", "ods", "--outdir", str(folder / "out"), str(source)],
                   check=True, capture_output=True, timeout=120)
    return folder / "out" / "shop.ods"


@pytest.fixture(scope="module")
def ods_tracker(tmp_path_factory) -> Path:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) is not installed")
    return ods_of(tmp_path_factory.mktemp("ods"), TRACKER_LOG_ROW)


@pytest.fixture(scope="module")
def ods_tracker_edited(tmp_path_factory, ods_tracker) -> Path:
    """The same tracker after the owner rewrote the note of its Contact Log row."""
    return ods_of(tmp_path_factory.mktemp("ods-edited"), TRACKER_LOG_ROW[:5] + [EDITED_NOTE, "Owner"])


@pytest.fixture
def make_tracker(tmp_path, request):
    def make(kind: str) -> Path:
        tracker = tmp_path / f"shop.{kind}"
        if kind == "csv":
            tracker.write_text(CSV, encoding="utf-8")
        else:
            shutil.copyfile(request.getfixturevalue("ods_tracker"), tracker)
        return tracker
    return make


def log_rows(results: Path) -> list[tuple]:
    """(date, customer, step, by) of every Contact Log row, in sheet order."""
    sheet = openpyxl.load_workbook(results)["Contact Log"]
    titles = [c.value for c in sheet[1]]
    at = {name: titles.index(name) for name in ("Date", "Customer", "Step", "By")}
    rows = []
    for values in sheet.iter_rows(min_row=2, values_only=True):
        if any(v not in (None, "") for v in values):
            day = values[at["Date"]]
            rows.append((day.date() if isinstance(day, dt.datetime) else day, values[at["Customer"]],
                         values[at["Step"]], values[at["By"]]))
    return rows


def history_dates(results: Path) -> list[dt.date]:
    sheet = openpyxl.load_workbook(results)["History"]
    return [row[0].date() for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]


def add_owner_row(results: Path, values: tuple = OWNER_ROW) -> None:
    """The owner logs something in the results file, as they would in Excel."""
    workbook = openpyxl.load_workbook(results)
    sheet = workbook["Contact Log"]
    titles = [c.value for c in sheet[1]]
    row = sheet.max_row + 1
    for title, value in zip(("Date", "Customer", "Invoice No", "Channel", "Step", "Note", "By"), values):
        sheet.cell(row=row, column=titles.index(title) + 1, value=value)
    workbook.save(results)


# --- two weeks on the same tracker -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "ods"])
def test_second_week_on_the_tracker_repeats_no_step_and_keeps_last_weeks_contact_log(make_tracker, kind):
    tracker = make_tracker(kind)
    results = tracker.with_name(RESULTS)
    assert run(tracker, WEEK_1).exit_code == 0
    add_owner_row(results)
    original = tracker.read_bytes()

    second = run(tracker, WEEK_2)

    assert second.exit_code == 0
    tracker_row = [(TRACKER_LOG_ROW[0], "Cog Ltd", None, "Owner")] if kind == "ods" else []
    assert log_rows(results) == tracker_row + WEEK_1_STEPS + [OWNER_STEP] + WEEK_2_STEPS
    steps = [(customer, step) for _, customer, step, by in log_rows(results) if by == "collector"]
    assert len(steps) == len(set(steps))
    assert history_dates(results) == [D(2026, 11, 23), D(2026, 11, 30)]
    assert f"Carried over 4 Contact Log rows and 1 History row from {RESULTS}." in second.stdout.splitlines()
    assert tracker.read_bytes() == original


def test_results_written_before_collector_marked_them_carry_over_by_content(make_tracker):
    tracker = make_tracker("ods")
    results = tracker.with_name(RESULTS)
    run(tracker, WEEK_1)
    workbook = openpyxl.load_workbook(results)  # as a results file of an earlier version of collector
    for name in ("_collector_source", "_collector_tracker_log"):
        del workbook.defined_names[name]
    workbook.save(results)

    second = run(tracker, WEEK_2)

    assert second.exit_code == 0
    assert log_rows(results) == [(TRACKER_LOG_ROW[0], "Cog Ltd", None, "Owner")] + WEEK_1_STEPS + WEEK_2_STEPS
    assert second.stdout.splitlines()[:2] == [
        "Read shop.ods: 3 invoices on 'Invoices' (header row 1), 3 customers, 1 contact log entry.",
        f"Carried over 3 Contact Log rows and 1 History row from {RESULTS}."]


def test_row_the_owner_changed_in_the_tracker_is_not_brought_back_from_last_weeks_results(
        make_tracker, ods_tracker_edited):
    tracker = make_tracker("ods")
    results = tracker.with_name(RESULTS)
    run(tracker, WEEK_1)
    shutil.copyfile(ods_tracker_edited, tracker)

    second = run(tracker, WEEK_2)

    assert second.exit_code == 0
    sheet = openpyxl.load_workbook(results)["Contact Log"]
    notes = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == "Cog Ltd"]
    assert notes == [EDITED_NOTE, "Invoice INV-3 falls due on 2026-12-10; no reminder has been sent yet."]
    assert f"Carried over 3 Contact Log rows and 1 History row from {RESULTS}." in second.stdout.splitlines()


def test_row_typed_in_the_results_file_with_a_misspelt_customer_is_kept_and_checked(make_tracker):
    tracker = make_tracker("csv")
    results = tracker.with_name(RESULTS)
    run(tracker, WEEK_1)
    add_owner_row(results, (D(2026, 11, 25), "Bolt Limitd", None, "call", None, "promised Friday", "Owner"))

    second = run(tracker, WEEK_2)
    check = invoke("check", tracker)

    assert second.exit_code == 0
    assert log_rows(results) == WEEK_1_STEPS + [(D(2026, 11, 25), "Bolt Limitd", None, "Owner")] + WEEK_2_STEPS
    assert second.stdout.splitlines()[:2] == [
        "Read shop.csv: 3 invoices on 'shop' (header row 1), 3 customers.",
        f"Carried over 4 Contact Log rows and 1 History row from {RESULTS}."]
    assert "Bolt Limitd" in check.stdout


def test_customer_put_on_hold_by_last_weeks_final_demand_stays_on_hold(make_tracker):
    tracker = make_tracker("ods")
    results = tracker.with_name(RESULTS)
    run(tracker, WEEK_1)

    second = run(tracker, WEEK_2)

    assert "As of 2026-11-30: 1 action this week, 1 customer on credit hold." in second.stdout.splitlines()
    customers = openpyxl.load_workbook(results)["Customers"]
    titles = [c.value for c in customers[1]]
    status = {row[0]: row[titles.index("Credit Status")] for row in customers.iter_rows(min_row=2, values_only=True)}
    assert status == {"Acme Ltd": "Cash only", "Bolt Ltd": None, "Cog Ltd": None}


def test_rerun_on_the_same_date_carries_nothing_twice(make_tracker):
    tracker = make_tracker("csv")
    results = tracker.with_name(RESULTS)
    run(tracker, WEEK_1)
    run(tracker, WEEK_2)
    first_log, first_history = log_rows(results), history_dates(results)

    again = run(tracker, WEEK_2)

    assert again.exit_code == 0
    assert log_rows(results) == first_log == WEEK_1_STEPS + WEEK_2_STEPS
    assert history_dates(results) == first_history == [D(2026, 11, 23), D(2026, 11, 30)]
    assert f"Carried over 3 Contact Log rows and 1 History row from {RESULTS}." in again.stdout.splitlines()
    workbook = openpyxl.load_workbook(results)
    assert workbook.sheetnames == ["shop", "Contact Log", "Aging", "Actions", "History"]
    log = workbook["Contact Log"]  # carried over, it still looks as collector made it in the first week
    assert (log["A1"].fill.fgColor.rgb, log.freeze_panes, log.column_dimensions["F"].width) == ("001F4E78", "A2", 60)


def test_report_on_the_tracker_plans_with_last_weeks_steps(make_tracker):
    tracker = make_tracker("csv")
    run(tracker, WEEK_1)

    report = invoke("report", tracker, "--as-of", WEEK_2)

    assert report.exit_code == 0
    assert "final-demand" not in report.stdout
    assert "manager-escalation" in report.stdout


# --- results files collector must not replace --------------------------------------------------------

UNREADABLE = (f"Error: {RESULTS} cannot be read, so collector did not replace it: it should hold the Contact "
              "Log and History of earlier runs on shop.csv. Put back the newest copy of it from the backups "
              "folder beside it, or, if there is none, move it to another folder to start afresh; then run "
              "collector again.")
NOT_OURS = (f"Error: {RESULTS} is already there but collector did not write it, so collector will not replace "
            f"it. Move or rename {RESULTS}, then run collector on shop.csv again.")


def test_damaged_results_file_is_not_replaced(make_tracker):
    tracker = make_tracker("csv")
    results = tracker.with_name(RESULTS)
    run(tracker, WEEK_1)
    damaged = results.read_bytes()[:300]
    results.write_bytes(damaged)

    second = run(tracker, WEEK_2)

    assert (second.exit_code, second.output.splitlines()[-1]) == (1, UNREADABLE)
    assert results.read_bytes() == damaged
    assert not (tracker.parent / "backups").exists()


def test_results_file_collector_did_not_write_is_not_replaced(make_tracker):
    tracker = make_tracker("csv")
    results = tracker.with_name(RESULTS)
    write_xlsx(results, {"Budget": [["Month", "Amount"], ["January", 100]]})
    before = results.read_bytes()

    first = run(tracker, WEEK_1)

    assert (first.exit_code, first.output.splitlines()[-1]) == (1, NOT_OURS)
    assert results.read_bytes() == before


def test_csv_and_ods_trackers_with_one_name_do_not_share_a_results_file(make_tracker):
    ods = make_tracker("ods")
    csv = make_tracker("csv")
    results = ods.with_name(RESULTS)
    assert run(ods, WEEK_1).exit_code == 0
    before = results.read_bytes()

    clash = run(csv, WEEK_2)

    assert (clash.exit_code, clash.output.splitlines()[-1]) == (1, (
        f"Error: {RESULTS} holds the results of shop.ods, not of shop.csv, so collector will not replace it. "
        "Run collector on shop.ods as before; or, to keep both, rename shop.csv (for example to 'shop 2.csv') "
        "so that its results go to a file of their own."))
    assert results.read_bytes() == before
    renamed = csv.rename(csv.with_name("shop 2.csv"))
    assert run(renamed, WEEK_2).exit_code == 0
    assert (csv.parent / "shop 2 (collector).xlsx").exists()


# --- which rows carry over: plain values ------------------------------------------------------------


def entry(day: dt.date, customer: str, step: str = "", by: str = "collector", note: str = "", row: int = 2):
    return ContactEntry(row=row, date=day, customer_key=customer, invoices=("INV-1",), channel="letter",
                        step=step, note=note, by=by)


def test_rows_the_tracker_already_holds_and_this_runs_own_rows_are_not_carried():
    from collector.carry import entries_to_carry

    typed_in_tracker = entry(D(2026, 10, 1), "Acme Ltd", by="Owner", note="called")
    last_week = entry(D(2026, 11, 23), "Acme Ltd", "final-demand")
    earlier_today = entry(D(2026, 11, 30), "Bolt Ltd", "second-notice")
    owner_today = entry(D(2026, 11, 30), "Bolt Ltd", by="Owner", note="promised Friday")
    twice = entry(D(2026, 11, 2), "Cog Ltd", by="Owner", note="left a message")
    previous = [typed_in_tracker, last_week, earlier_today, owner_today, twice, twice]

    carried = entries_to_carry([typed_in_tracker, twice], previous, D(2026, 11, 30))

    assert carried == [last_week, owner_today, twice]


def test_rows_copied_from_the_tracker_last_week_are_the_trackers_to_change_or_delete():
    from collector.carry import entries_to_carry

    since_changed = entry(D(2026, 10, 1), "Acme Ltd", by="Owner", note="called", row=2)
    since_deleted = entry(D(2026, 10, 8), "Acme Ltd", by="Owner", note="called again", row=3)
    last_week = entry(D(2026, 11, 23), "Acme Ltd", "final-demand", row=4)
    now_in_tracker = replace(since_changed, note="called, promised Friday")

    carried = entries_to_carry([now_in_tracker], [since_changed, since_deleted, last_week], D(2026, 11, 30),
                               tracker_rows=3)

    assert carried == [last_week]


def test_carried_rows_go_to_the_trackers_columns_by_heading_and_missing_columns_are_added():
    from collector.carry import log_with_rows
    from collector.model import Column, SheetLayout
    from collector.source import RawSheet

    tracker = RawSheet("Log", [["Customer", "Date", "Note"], ["Acme Ltd", D(2026, 10, 1), "called"], ["", "", ""]])
    tracker_layout = SheetLayout("Log", 1, (Column("customer", 0, "A", "Customer"),
                                           Column("invoice_date", 1, "B", "Date"), Column("notes", 2, "C", "Note")))
    previous = RawSheet("Contact Log", [["Date", "Customer", "Note", "By"],
                                        ["", "", "", ""], [D(2026, 11, 23), "Bolt Ltd", "final demand", "collector"]])
    previous_layout = SheetLayout("Contact Log", 1, (
        Column("invoice_date", 0, "A", "Date"), Column("customer", 1, "B", "Customer"),
        Column("notes", 2, "C", "Note"), Column("by", 3, "D", "By")))

    merged = log_with_rows(tracker, tracker_layout, previous, previous_layout, [3])

    assert merged.name == "Log"
    assert merged.rows == [["Customer", "Date", "Note", "By"], ["Acme Ltd", D(2026, 10, 1), "called"],
                           ["Bolt Ltd", D(2026, 11, 23), "final demand", "collector"]]
