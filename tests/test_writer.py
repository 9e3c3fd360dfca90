"""collector run writes the week's results into the workbook and leaves the owner's cells alone."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from click.testing import CliRunner
from openpyxl.worksheet.table import Table

from collector.cli import cli
from collector.engine import assess
from collector.reader import read_book
from tests.workbooks import CORPUS, ROOT, write_xlsx

D = dt.date
AS_OF = D(2026, 11, 23)
OWNED_TABS = {"Aging", "Actions", "History"}


def run(path, as_of=AS_OF, *options):
    options = options or ("--no-documents",)  # the documents have their own tests; these are about the workbook
    result = CliRunner().invoke(cli, ["run", str(path), "--as-of", as_of.isoformat(), *options])
    assert "Traceback" not in result.output, result.output
    return result


def copy(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copyfile(source, target)  # the corpus is read-only; the owner's own copy would not be
    return target


def style_of(cell):
    return (cell.value, cell.number_format, repr(cell.font), repr(cell.fill), repr(cell.border),
            repr(cell.alignment), repr(cell.protection))


def assert_owner_cells_unchanged(before: Path, after: Path, computed_from: dict[str, int] | None = None,
                                 extra_rows: dict[str, int] | None = None, extra_columns: dict[str, set] | None = None):
    """Every cell the owner had: same value, formula, number format, font, fill, border."""
    old, new = openpyxl.load_workbook(before, rich_text=True), openpyxl.load_workbook(after, rich_text=True)
    for sheet in old.worksheets:
        assert sheet.title in new.sheetnames
        changed = new[sheet.title]
        first_computed = (computed_from or {}).get(sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                if first_computed and cell.column >= first_computed:
                    continue
                if cell.column in (extra_columns or {}).get(sheet.title, set()):
                    continue
                if cell.row > (extra_rows or {}).get(sheet.title, 10**9):
                    continue
                assert style_of(changed[cell.coordinate]) == style_of(cell), f"{sheet.title}!{cell.coordinate}"


def computed_start(path: Path, sheet_name: str) -> int:
    workbook = openpyxl.load_workbook(path)
    name = workbook.defined_names["_collector_computed"]
    (title, reference), = list(name.destinations)
    assert title == sheet_name
    return openpyxl.utils.column_index_from_string(reference.split(":")[0].replace("$", "").rstrip("0123456789"))


@pytest.fixture
def small(tmp_path):
    return write_xlsx(tmp_path / "small.xlsx", {
        "Invoices": [
            ["Customer", "Invoice No", "Invoice Date", "Terms", "Amount", "Paid", "Notes"],
            ["Acme Ltd", "A-1", D(2026, 9, 1), "Net 30", 1000, 0, "first"],  # due 2026-10-01: 53 days
            ["Acme Ltd", "A-2", D(2026, 11, 10), "Net 30", 250.5, 0, ""],  # due 2026-12-10: current
            ["Bolt Ltd", "B-1", D(2026, 10, 1), "Net 14", 400, 100, "part paid"],  # due 2026-10-15: 39 days
            ["Cog Ltd", "C-1", D(2026, 6, 1), "Net 30", 80, 80, ""],  # paid
        ],
        "Settings": [["Setting", "Value"], ["Late Interest", 1], ["Grace Days", 5], ["Currency", "GBP"]],
    }, formats={"Invoices!C": "dd/mm/yyyy", "Invoices!E": "#,##0.00"})


def test_computed_columns_hold_due_date_balance_days_aging_interest_and_steps(small):
    before = small.read_bytes()
    result = run(small)
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(small)
    sheet = workbook["Invoices"]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == ["Customer", "Invoice No", "Invoice Date", "Terms", "Amount", "Paid", "Notes"]
    assert headers[7:] == ["Calc. Due Date", "Calc. Balance", "Days Overdue", "Aging", "Interest", "Stage",
                           "Next Step", "Next Action Date"]
    row = {h: sheet.cell(row=2, column=i + 1).value for i, h in enumerate(headers)}
    assert row["Calc. Due Date"].date() == D(2026, 10, 1)
    assert (row["Calc. Balance"], row["Days Overdue"], row["Aging"]) == (1000, 53, "31–60")
    assert row["Interest"] == pytest.approx(16.0)  # 1000 x 1% x (53 - 5) / 30
    assert row["Stage"] == "final-demand" and row["Next Step"] == "collections-referral"
    assert {h: sheet.cell(row=3, column=i + 1).value for i, h in enumerate(headers)}["Aging"] == "Current"
    bolt = {h: sheet.cell(row=4, column=i + 1).value for i, h in enumerate(headers)}
    assert (bolt["Calc. Balance"], bolt["Days Overdue"], bolt["Aging"]) == (300, 39, "31–60")
    assert {h: sheet.cell(row=5, column=i + 1).value for i, h in enumerate(headers)}["Aging"] == "Paid"
    header_cell = sheet["H1"]
    assert header_cell.fill.fgColor.rgb.endswith("DDEBF7") and header_cell.comment.author == "collector"
    assert "rewrites it on every run" in header_cell.comment.text
    assert sheet["H2"].number_format == "dd/mm/yyyy" and sheet["I2"].number_format.startswith("#,##0.00")
    assert before != small.read_bytes()


def test_next_week_read_ignores_collectors_own_columns(small):
    run(small)
    book = read_book(str(small))
    assert [c.field for c in book.layouts[0].columns] == [
        "customer", "invoice_no", "invoice_date", "terms", "amount", "paid", "notes"]
    assert book.invoices[0].due_date is None and book.invoices[0].balance is None


def test_owner_cells_are_untouched_on_the_sample_shop(tmp_path):
    original = ROOT / "sample_workbooks" / "shop.xlsx"
    path = copy(original, tmp_path)
    assert run(path).exit_code == 0
    start = computed_start(path, "Invoices")
    log_rows = openpyxl.load_workbook(original)["Contact Log"].max_row
    customers = openpyxl.load_workbook(original)["Customers"]
    added = {c.column for c in openpyxl.load_workbook(path)["Customers"][1]
             if c.value in ("Credit Status", "Credit Reason") and customers.cell(row=1, column=c.column).value is None}
    status = [c.column for c in customers[1] if c.value == "Credit Status"]
    assert_owner_cells_unchanged(original, path, {"Invoices": start}, {"Contact Log": log_rows},
                                 {"Customers": added | set(status)})


@pytest.mark.parametrize("name", ["EzCode312__CRM_AR_List_UK_Large.xlsx", "OlimingmingO__invoice_tracker.xlsx",
                                  "cmaabhijith21__invoices.xlsx", "jovillarrealm__cartera.xlsx",
                                  "lucastrg2-cpu__invoice-tracker.xlsx"])
def test_owner_cells_are_untouched_on_every_corpus_tracker(tmp_path, name):
    path = copy(CORPUS / name, tmp_path)
    result = run(path)
    assert result.exit_code == 0 and "Updated" in result.output, result.output
    book = read_book(str(CORPUS / name))
    assert_owner_cells_unchanged(CORPUS / name, path, {book.layouts[0].name: computed_start(path, book.layouts[0].name)})
    assert OWNED_TABS <= set(openpyxl.load_workbook(path).sheetnames)


def test_aging_tab_matches_the_engine_to_the_cent(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    assessment = assess(read_book(str(path)), AS_OF)
    run(path)
    sheet = openpyxl.load_workbook(path)["Aging"]
    header_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=1).value == "Customer")
    titles = [c.value for c in sheet[header_row]]
    sums: dict[str, dict[str, Decimal]] = {}
    row = header_row + 1
    while sheet.cell(row=row, column=1).value:
        currency = sheet.cell(row=row, column=2).value
        for index, title in enumerate(titles[2:], start=3):
            value = sheet.cell(row=row, column=index).value
            if isinstance(value, (int, float)) and title != "Oldest Days Overdue":
                bucket = sums.setdefault(currency, {})
                bucket[title] = bucket.get(title, Decimal(0)) + Decimal(repr(value))
        row += 1
    for totals in assessment.totals:
        for label, amount in totals.buckets:
            assert sums[totals.currency].get(label, Decimal(0)).quantize(Decimal("0.01")) == amount
        assert sums[totals.currency]["Total"].quantize(Decimal("0.01")) == totals.receivables
    assert sheet.freeze_panes and sheet.auto_filter.ref and sheet.page_setup.orientation == "landscape"
    assert sheet._charts and sheet.conditional_formatting


def _cents(value) -> Decimal:
    return Decimal(repr(float(value or 0))).quantize(Decimal("0.01"))


def test_aging_tab_rows_and_totals_add_up_with_credit_notes_in_a_credits_column(tmp_path):
    path = write_xlsx(tmp_path / "credits.xlsx", {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount", "Currency"],
        ["Juniper Hotel Group", "INV-1", D(2026, 11, 10), D(2026, 12, 10), 12495.72, "GBP"],
        ["Juniper Hotel Group", "CN-1", D(2026, 11, 4), None, -240, "GBP"],
        ["Juniper Hotel Group", "INV-2", D(2026, 8, 1), D(2026, 9, 1), 800, "EUR"],
        ["Juniper Hotel Group", "CN-2", D(2026, 9, 1), None, -75.5, "EUR"],
        ["Bolt SA", "B-1", D(2026, 6, 1), D(2026, 7, 1), 300, "EUR"],
        ["D.P.D. Colombia", "CN-3", D(2023, 1, 1), D(2023, 2, 1), -93848, "GBP"],
    ]})
    assert run(path).exit_code == 0
    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Aging").to_python()
    header = next(i for i, row in enumerate(grid) if row[0] == "Customer")
    titles = grid[header]
    credits, total = titles.index("Credits"), titles.index("Total")
    assert titles[2:credits] == ["Current", "1–30", "31–60", "61–90", "90+"] and total == credits + 1
    lines = {(row[0], row[1]): row for row in grid[header + 1:] if row[0]}
    assert {key: _cents(row[credits]) for key, row in lines.items() if not key[0].startswith("Total")} == {
        ("Juniper Hotel Group", "GBP"): Decimal("-240.00"), ("Juniper Hotel Group", "EUR"): Decimal("-75.50"),
        ("Bolt SA", "EUR"): Decimal("0.00"), ("D.P.D. Colombia", "GBP"): Decimal("-93848.00")}
    assert _cents(lines["Total GBP", "GBP"][total]) == Decimal("-81592.28")
    assert len([key for key in lines if key[0].startswith("Total")]) == 2
    for (name, _), row in lines.items():  # each customer's row and each currency's totals row
        assert sum(map(_cents, row[2:credits + 1])) == _cents(row[total]), name
    figures = {row[0]: row[2:4] for row in grid[:header] if row[0]}
    for column in (0, 1):
        owed, open_credits, receivables = (_cents(figures[label][column]) for label in (
            "Invoices owed", "Open credits", "Receivables (after credits)"))
        assert owed + open_credits == receivables
        assert figures["Overdue share (of invoices owed)"][column] <= 1
    assert _cents(figures["Open credits"][1]) == Decimal("-94088.00")


def test_history_rows_keep_open_credits_so_buckets_plus_credits_make_receivables(tmp_path):
    path = write_xlsx(tmp_path / "credits.xlsx", {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount"],
        ["Juniper Hotel Group", "INV-1", D(2026, 11, 10), D(2026, 12, 10), 12495.72],
        ["Juniper Hotel Group", "CN-1", D(2026, 11, 4), None, -240],
        ["Bolt SA", "B-1", D(2026, 6, 1), D(2026, 7, 1), 300],
    ]})
    assert run(path).exit_code == 0 and run(path, AS_OF + dt.timedelta(days=7)).exit_code == 0
    grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("History").to_python()
    titles = grid[0]
    assert titles[-1] == "Open Credits" and len(grid) == 3
    for row in grid[1:]:
        buckets = sum(map(_cents, row[titles.index("Current"):titles.index("90+") + 1]))
        assert _cents(row[titles.index("Open Credits")]) == Decimal("-240.00")
        assert buckets + _cents(row[titles.index("Open Credits")]) == _cents(row[titles.index("Receivables")])


def test_actions_tab_lists_this_weeks_steps_most_urgent_first_with_an_empty_done_column(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    assessment = assess(read_book(str(path)), AS_OF)
    run(path)
    sheet = openpyxl.load_workbook(path)["Actions"]
    titles = [c.value for c in sheet[3]]
    assert titles[:3] == ["#", "Done", "Customer"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4, max_row=3 + len(assessment.actions))]
    assert [r[titles.index("Customer")] for r in rows] == [a.customer.name for a in assessment.actions]
    assert [r[titles.index("Step")] for r in rows] == [a.step for a in assessment.actions]
    assert all(r[titles.index("Done")] is None for r in rows)
    hold_title = next(r for r in range(4, sheet.max_row + 1) if str(sheet.cell(row=r, column=3).value).startswith(
        "Customers on credit hold"))
    held = [a.customer.name for a in assessment.accounts if a.credit_status == "Cash only"]
    listed = [sheet.cell(row=r, column=3).value for r in range(hold_title + 2, hold_title + 2 + len(held))]
    assert sorted(listed) == sorted(held) and held


def test_contact_log_gets_one_row_per_step_and_owner_rows_stay(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    before = [[c.value for c in row] for row in openpyxl.load_workbook(path)["Contact Log"].iter_rows()]
    assessment = assess(read_book(str(path)), AS_OF)
    run(path)
    after = [[c.value for c in row] for row in openpyxl.load_workbook(path)["Contact Log"].iter_rows()]
    assert after[:len(before)] == before
    added = after[len(before):]
    assert len(added) == len(assessment.actions)
    header = before[0]
    assert {r[header.index("By")] for r in added} == {"collector"}
    assert [r[header.index("Step")] for r in added] == [a.step for a in assessment.actions]
    assert {r[header.index("Date")].date() for r in added} == {AS_OF}


def test_the_same_run_twice_gives_the_same_workbook_and_no_duplicate_log_rows(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    run(path)
    first = openpyxl.load_workbook(path)
    run(path)
    second = openpyxl.load_workbook(path)
    assert first.sheetnames == second.sheetnames
    for sheet in first.worksheets:
        assert [[c.value for c in r] for r in sheet.iter_rows()] == \
               [[c.value for c in r] for r in second[sheet.title].iter_rows()], sheet.title


def test_next_week_escalates_without_repeating_and_history_keeps_both_runs(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    run(path)
    first = {(n, e.step) for e in read_book(str(path)).contact_log if e.by == "collector" for n in e.invoices}
    next_week = AS_OF + dt.timedelta(days=7)
    run(path, next_week)
    book = read_book(str(path))
    again = {(n, e.step) for e in book.contact_log if e.by == "collector" and e.date == next_week for n in e.invoices}
    assert again and not (again & first)
    history = openpyxl.load_workbook(path)["History"]
    dates = [r[0].date() for r in history.iter_rows(min_row=2, values_only=True)]
    assert sorted(set(dates)) == [AS_OF, next_week]
    run(path, next_week)
    assert len(list(openpyxl.load_workbook(path)["History"].iter_rows(min_row=2))) == len(dates)


def test_customers_put_on_hold_get_cash_only_with_the_reason(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    assessment = assess(read_book(str(path)), AS_OF)
    run(path)
    sheet = openpyxl.load_workbook(path)["Customers"]
    titles = [c.value for c in sheet[1]]
    status, reason = titles.index("Credit Status") + 1, titles.index("Credit Reason") + 1
    held = {a.customer.row: a.credit_reason for a in assessment.accounts if a.credit_status == "Cash only"}
    for row in range(2, sheet.max_row + 1):
        if row in held:
            assert (sheet.cell(row=row, column=status).value, sheet.cell(row=row, column=reason).value) == (
                "Cash only", held[row])
    next_read = read_book(str(path))
    assert all(not next_read.customer(a.customer.key).credit_status for a in assessment.accounts
               if a.credit_status == "Cash only" and a.customer.row)


def _receivables() -> tuple[openpyxl.Workbook, object]:
    """A workbook of five invoices on an 'AR' sheet, A1:D6, and that sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "AR"
    sheet.append(["Customer", "Invoice #", "Invoice Date", "Amount"])
    for index in range(5):
        sheet.append([f"Client {index}", f"N-{index}", D(2026, 8, 1 + index), 100 + index])
    return workbook, sheet


def test_an_excel_table_over_the_invoices_grows_to_take_in_the_computed_columns(tmp_path):
    path = tmp_path / "table.xlsx"
    workbook, sheet = _receivables()
    sheet.add_table(Table(displayName="Receivables", ref="A1:D6"))
    workbook.save(path)
    assert run(path).exit_code == 0
    table = openpyxl.load_workbook(path)["AR"].tables["Receivables"]
    assert table.ref == "A1:L6"
    assert [c.name for c in table.tableColumns][4:] == ["Calc. Due Date", "Calc. Balance", "Days Overdue",
                                                        "Aging", "Interest", "Stage", "Next Step",
                                                        "Next Action Date"]


def _run_with(writer_kind: str, path: Path, as_of=AS_OF) -> None:
    if writer_kind == "openpyxl":  # the writer of .xls, .ods and .csv results, and of packages the editor cannot keep
        from collector import weekly
        from collector.writer import write_results as openpyxl_writer

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(weekly, "write_results", openpyxl_writer)
            weekly.run_week(str(path), as_of)
    else:
        assert run(path, as_of).exit_code == 0


@pytest.mark.parametrize("writer_kind", ["lossless", "openpyxl"])
def test_the_owners_autofilter_grows_over_the_computed_columns_and_next_week_stays(tmp_path, writer_kind):
    path = tmp_path / "filtered.xlsx"
    workbook, sheet = _receivables()
    sheet.auto_filter.ref = "A1:D6"
    sheet.auto_filter.add_filter_column(0, ["Client 1", "Client 2"])
    workbook.save(path)
    for as_of in (AS_OF, AS_OF + dt.timedelta(days=7)):
        _run_with(writer_kind, path, as_of)
        written = openpyxl.load_workbook(path)
        assert written["AR"].auto_filter.ref == "A1:L6"  # Calc. Due Date .. Next Action Date are E:L
        assert [c.colId for c in written["AR"].auto_filter.filterColumn] == [0]
        with zipfile.ZipFile(path) as archive:
            names = re.findall(r'<definedName name="_xlnm._FilterDatabase" localSheetId="0"[^>]*>[^<]*</definedName>',
                               archive.read("xl/workbook.xml").decode())
        assert len(names) == 1 and names[0].endswith("'AR'!$A$1:$L$6</definedName>"), names


@pytest.mark.parametrize("writer_kind", ["lossless", "openpyxl"])
def test_computed_columns_fit_their_widest_value_and_text_stands_off_a_number_beside_it(small, writer_kind):
    _run_with(writer_kind, small)
    sheet = openpyxl.load_workbook(small)["Invoices"]
    start = computed_start(small, "Invoices")
    for column in range(start, sheet.max_column + 1):
        letter = openpyxl.utils.get_column_letter(column)
        cells = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1)]
        shown = [len(c.value) for c in cells if isinstance(c.value, str)]
        shown += [len(f"{c.value:,.2f}") for c in cells if isinstance(c.value, float)]
        shown += [len(str(c.value)) for c in cells if isinstance(c.value, int)]
        header = sheet.cell(row=1, column=column).value
        assert sheet.column_dimensions[letter].width >= max(shown + [len(header)]) + 2, header
        for cell in cells:
            if isinstance(cell.value, str):
                assert cell.alignment.horizontal == "left" and cell.alignment.indent == 1, cell.coordinate


@pytest.mark.parametrize("writer_kind", ["lossless", "openpyxl"])
def test_tab_text_beside_a_right_aligned_number_stands_off_it_and_names_and_phones_fit(tmp_path, writer_kind):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    _run_with(writer_kind, path)
    workbook = openpyxl.load_workbook(path)
    aging, actions = workbook["Aging"], workbook["Actions"]
    header_row = next(r for r in range(1, 30) if aging.cell(row=r, column=1).value == "Customer")
    stage = [c.value for c in aging[header_row]].index("Stage") + 1
    stages = [aging.cell(row=r, column=stage) for r in range(header_row + 1, aging.max_row + 1)]
    assert any(c.value for c in stages) and all(c.alignment.indent == 1 for c in stages if c.value)
    titles = [c.value for c in actions[3]]
    rows = [r for r in range(4, actions.max_row + 1) if isinstance(actions.cell(row=r, column=1).value, int)]
    currencies = [actions.cell(row=r, column=titles.index("Currency") + 1) for r in rows]
    assert all(c.alignment.indent == 1 for c in currencies if c.value)
    for title in ("Customer", "Step", "Contact", "Phone"):
        column = titles.index(title) + 1
        widest = max(len(str(actions.cell(row=r, column=column).value or "")) for r in rows)
        assert actions.column_dimensions[openpyxl.utils.get_column_letter(column)].width >= widest + 2, title


def test_libreoffice_opens_the_result_and_computes_the_same_aging_totals(tmp_path, soffice):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    assessment = assess(read_book(str(path)), AS_OF)
    run(path)
    out = tmp_path / "lo"
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stderr
    grid = python_calamine.CalamineWorkbook.from_path(str(out / "shop.xlsx")).get_sheet_by_name("Aging").to_python()
    totals = {row[1]: row for row in grid if isinstance(row[0], str) and row[0].startswith("Total ")}
    for figures in assessment.totals:
        row = totals[figures.currency]
        recomputed = [Decimal(repr(float(v))).quantize(Decimal("0.01")) for v in row[2:4 + len(figures.buckets)]]
        assert recomputed == [amount for _, amount in figures.buckets] + [figures.credits, figures.receivables]


def test_actions_link_to_the_documents_written_for_the_week(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    result = run(path, AS_OF, "--out", "letters")
    assert result.exit_code == 0 and "To print every letter at once" in result.output
    sheet = openpyxl.load_workbook(path)["Actions"]
    titles = [c.value for c in sheet[3]]
    links = [sheet.cell(row=r, column=titles.index("Documents") + 1).hyperlink for r in range(4, 38)]
    assert all(link is not None for link in links)
    for link in links:
        assert link.target.startswith("letters/2026-11-23/") and (tmp_path / link.target).is_file()
    scripts = [sheet.cell(row=r, column=titles.index("Call Script") + 1).value for r in range(4, 38)
               if sheet.cell(row=r, column=titles.index("Channel") + 1).value == "call"]
    assert scripts and all(s and "second-notice" in s or "first-call" in s or "broken-promise" in s for s in scripts)


@pytest.mark.parametrize("writer_kind", ["lossless", "openpyxl"])
def test_aging_money_columns_are_wide_enough_for_big_figures(tmp_path, writer_kind):
    # 46 million rupiah is a small business's receivables: Excel would show #### in a 13-wide column
    rows = [["Customer", "Invoice No", "Invoice Date", "Amount"],
            ["Toko Maju", "INV-1", dt.date(2026, 1, 5), 46_083_095], ["Toko Baru", "INV-2", dt.date(2026, 11, 1), 1_250.5],
            ["Warung", "INV-3", dt.date(2026, 11, 20), -12_345_678.9]]
    path = write_xlsx(tmp_path / "big.xlsx", {"Invoices": rows})
    _run_with(writer_kind, path)
    sheet = openpyxl.load_workbook(path)["Aging"]
    header_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=1).value == "Customer")
    titles = [c.value for c in sheet[header_row]]
    shown = {}
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        for cell in row:
            if isinstance(cell.value, (int, float)) and cell.number_format.startswith("#,##0.00"):
                shown[cell.column] = max(shown.get(cell.column, 0), len(f"{cell.value:,.2f}"))
    assert shown[titles.index("Total") + 1] >= len("46,083,095.00")
    for column, widest in shown.items():
        assert sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width >= widest + 1, column
    assert sheet.column_dimensions["A"].width == 34  # the others as they were


def test_aging_money_columns_keep_their_width_for_usual_figures(tmp_path):
    path = copy(ROOT / "sample_workbooks" / "shop.xlsx", tmp_path)
    run(path)
    sheet = openpyxl.load_workbook(path)["Aging"]
    header_row = next(r for r in range(1, 30) if sheet.cell(row=r, column=1).value == "Customer")
    titles = [c.value for c in sheet[header_row]]
    widths = [sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(titles) + 1)]
    assert widths == [34, 9] + [13] * (len(titles) - 6) + [14, 12, 23, 14]


def test_aging_widths_when_nothing_is_owed(tmp_path):
    # found by test_fuzz: an open invoice of 0.00 makes totals but no aging line
    path = write_xlsx(tmp_path / "nothing.xlsx", {"Invoices": [["Customer", "Invoice No", "Invoice Date", "Amount", "Status"],
                                                               ["Valid Customer 0", "OK-0", dt.date(2000, 1, 1), 0.0, "Open"]]})
    result = run(path)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["Aging"]
    assert [sheet.column_dimensions[letter].width for letter in "ABC"] == [34, 9, 13]


def test_collectors_log_rows_show_dates_the_way_the_owner_does(small, tmp_path):
    run(small)  # no Contact Log yet: the new one follows the invoice sheet's dd/mm/yyyy
    log = openpyxl.load_workbook(small)["Contact Log"]
    assert [log.cell(row=r, column=1).number_format for r in range(2, log.max_row + 1)] == ["dd/mm/yyyy"] * 2
    logged = write_xlsx(tmp_path / "logged.xlsx", {
        "Invoices": [["Customer", "Invoice No", "Invoice Date", "Amount"], ["Acme Ltd", "A-1", D(2026, 9, 1), 1000]],
        "Contact Log": [["Date", "Customer", "Channel", "Note", "By"],
                        [D(2026, 10, 20), "Acme Ltd", "call", "says the cheque is in the post", "Jane"]],
    }, formats={"Contact Log!A": "d mmm yyyy"})
    run(logged)
    log = openpyxl.load_workbook(logged)["Contact Log"]
    assert log.max_row > 2 and log.cell(row=log.max_row, column=5).value == "collector"
    assert {log.cell(row=r, column=1).number_format for r in range(2, log.max_row + 1)} == {"d mmm yyyy"}
