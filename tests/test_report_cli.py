"""collector report: the aging and the plan at a glance, and JSON that scripts can rely on."""
from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

from collector.cli import cli
from tests.workbooks import ROOT, write_xlsx

D = dt.date


def report(*args):
    result = CliRunner().invoke(cli, ["report", *map(str, args)])
    assert "Traceback" not in result.output
    return result


def small(tmp_path):
    return write_xlsx(tmp_path / "small.xlsx", {
        "Invoices": [
            ["Customer", "Invoice No", "Invoice Date", "Terms", "Amount", "Paid", "Currency"],
            ["Acme Ltd", "A-1", D(2026, 9, 1), "Net 30", 1000, 0, "GBP"],
            ["Acme Ltd", "A-2", D(2026, 11, 10), "Net 30", 250.5, 0, "GBP"],
            ["Bolt SA", "B-1", D(2026, 10, 1), "Net 14", 400, 100, "EUR"],
            ["Cog Ltd", "C-1", D(2026, 6, 1), "Net 30", 80, 80, "GBP"],
        ],
    })


def test_report_prints_aging_per_currency_totals_and_the_plan(tmp_path):
    result = report(small(tmp_path), "--as-of", "2026-11-23")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Read small.xlsx: 4 invoices on 'Invoices' (header row 1), 3 customers. As of 2026-11-23."
    assert "Aging in EUR" in lines and "Aging in GBP" in lines
    gbp = lines.index("Aging in GBP")
    assert lines[gbp + 1].split() == ["Customer", "Current", "1–30", "31–60", "61–90", "90+", "Total"]
    assert lines[gbp + 3].split() == ["Acme", "Ltd", "(cash", "only)", "250.50", "1,000.00", "1,250.50"]
    assert lines[gbp + 4].split() == ["TOTAL", "250.50", "0.00", "1,000.00", "0.00", "0.00", "1,250.50"]
    assert lines[gbp + 5] == ("Receivables 1,250.50  Overdue 1,000.00 (79.97%)  DSO 90.0 days  "
                              "Customers on credit hold 1")
    plan = lines.index("This week's plan (2 actions, most urgent first)")
    assert lines[plan + 3].split()[:3] == ["Acme", "Ltd", "final-demand"]
    assert lines[plan + 4].split()[:3] == ["Bolt", "SA", "manager-escalation"]


def test_report_json_has_every_invoice_with_computed_fields_and_every_customer_with_its_next_step(tmp_path):
    result = report(small(tmp_path), "--as-of", "2026-11-23", "--json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["as_of"] == "2026-11-23"
    first = document["invoices"][0]
    assert {k: first[k] for k in ("number", "due_date", "open_balance", "days_overdue", "aging", "state",
                                  "currency", "stage", "next_step")} == {
        "number": "A-1", "due_date": "2026-10-01", "open_balance": "1000.00", "days_overdue": 53,
        "aging": "31–60", "state": "open", "currency": "GBP", "stage": "final-demand",
        "next_step": "collections-referral"}
    paid = document["invoices"][3]
    assert (paid["state"], paid["open_balance"], paid["aging"]) == ("paid", "0.00", "")
    acme = next(c for c in document["customers"] if c["name"] == "Acme Ltd")
    assert acme["open_total"] == {"GBP": "1250.50"} and acme["credit_status"] == "Cash only"
    assert acme["next_step"]["step"] == "final-demand" and acme["next_step"]["invoices"] == ["A-1"]
    cog = next(c for c in document["customers"] if c["name"] == "Cog Ltd")
    assert cog["next_step"] is None
    assert [t["currency"] for t in document["totals"]] == ["EUR", "GBP"]


def test_report_json_is_stable_between_runs():
    path = ROOT / "sample_workbooks" / "shop.xlsx"
    first = report(path, "--as-of", "2026-11-23", "--json").output
    assert first == report(path, "--as-of", "2026-11-23", "--json").output


def test_report_refuses_a_malformed_as_of_date_as_a_usage_error(tmp_path):
    result = report(small(tmp_path), "--as-of", "23/11/2026")
    assert result.exit_code == 2
    assert "'23/11/2026' is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04." in result.output


class _Documents:
    folder = "/nowhere/collector-output/2026-11-23"
    results: tuple = ()

    def counts(self) -> dict[str, int]:
        return {"statement": 1}

    def summary(self) -> str:
        return f"Wrote 1 statement to {self.folder}."


def _run_with_documents(tmp_path, sheets):
    from collector.report import run_summary
    from collector.weekly import run_week

    path = write_xlsx(tmp_path / "shop.xlsx", sheets)
    return run_summary(run_week(str(path), dt.date(2026, 11, 23), render=lambda book, assessment: _Documents()))


INVOICES = [["Customer", "Invoice No", "Invoice Date", "Amount"], ["Acme Ltd", "INV-1", dt.date(2026, 8, 3), 120]]


def test_run_warns_under_its_documents_when_they_cannot_say_who_they_are_from(tmp_path):
    lines = _run_with_documents(tmp_path, {"Invoices": INVOICES}).splitlines()
    assert lines[-1] == ("Warning: these documents do not say who they are from, because the workbook has no "
                         "Company Name. Add a Settings sheet with the rows Company Name, Address, Phone and Email "
                         "and their values ('collector init' makes a workbook that shows one) and run collector "
                         "again.")
    named = _run_with_documents(tmp_path, {"Invoices": INVOICES,
                                           "Settings": [["Setting", "Value"], ["Company Name", "Tidy Ltd"]]})
    assert "Warning" not in named and "Wrote 1 statement" in named


def test_the_run_summary_says_receivables_are_after_open_credits_when_overdue_is_counted_before_them(tmp_path):
    path = write_xlsx(tmp_path / "credits.xlsx", {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Amount"],
        ["Acme Ltd", "INV-1", dt.date(2026, 8, 3), 1000], ["Bolt Ltd", "CN-1", dt.date(2026, 9, 1), -250],
    ]})
    result = CliRunner().invoke(cli, ["run", str(path), "--as-of", "2026-11-23", "--dry-run"])
    assert "  Receivables 750.00 after open credits of 250.00, overdue 1,000.00 (100.00%)." in result.output


def _credits_book(tmp_path):
    return write_xlsx(tmp_path / "credits.xlsx", {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Amount", "Currency"],
        ["Acme Ltd", "INV-1", D(2026, 8, 3), 1000, "GBP"], ["Acme Ltd", "CN-1", D(2026, 9, 1), -240, "GBP"],
        ["Bolt Ltd", "CN-2", D(2026, 9, 1), -10, "GBP"], ["Cog SA", "INV-2", D(2026, 11, 1), 400, "EUR"],
    ]})


def test_report_shows_open_credits_in_their_own_column_so_each_line_adds_up(tmp_path):
    lines = report(_credits_book(tmp_path), "--as-of", "2026-11-23").output.splitlines()
    gbp = lines.index("Aging in GBP")
    assert lines[gbp + 1].split() == ["Customer", "Current", "1–30", "31–60", "61–90", "90+", "Credits", "Total"]
    assert lines[gbp + 3].split() == ["Acme", "Ltd", "(cash", "only)", "1,000.00", "-240.00", "760.00"]  # referred
    assert lines[gbp + 4].split() == ["Bolt", "Ltd", "-10.00", "-10.00"]
    assert lines[gbp + 5].split() == ["TOTAL", "0.00", "0.00", "0.00", "1,000.00", "0.00", "-250.00", "750.00"]
    assert lines[gbp + 7] == ("Open credit notes -250.00 are in the Credits column and the total, not in any bucket; "
                              "the overdue share is of the 1,000.00 owed before them.")
    eur = lines.index("Aging in EUR")
    assert "Credits" not in lines[eur + 1]  # no credit notes in euros, no column


def test_report_json_gives_each_customers_buckets_credits_and_total_by_currency(tmp_path):
    document = json.loads(report(_credits_book(tmp_path), "--as-of", "2026-11-23", "--json").output)
    aging = {c["name"]: c["aging"] for c in document["customers"]}
    assert aging["Acme Ltd"] == {"GBP": {"buckets": {"61–90": "1000.00"}, "credits": "-240.00", "total": "760.00"}}
    assert aging["Bolt Ltd"] == {"GBP": {"buckets": {}, "credits": "-10.00", "total": "-10.00"}}
    assert aging["Cog SA"] == {"EUR": {"buckets": {"Current": "400.00"}, "credits": "0.00", "total": "400.00"}}
    (gbp,) = [t for t in document["totals"] if t["currency"] == "GBP"]
    assert (gbp["credits"], gbp["receivables"], gbp["overdue_share"]) == ("-250.00", "750.00", "100.00")
