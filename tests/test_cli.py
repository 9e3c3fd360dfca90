"""The commands as the owner sees them: exact text and exit codes, never a traceback."""
from __future__ import annotations

import datetime as dt

import msoffcrypto
import pytest
from click.testing import CliRunner

from collector.cli import cli
from tests.workbooks import write_xlsx

D = dt.date


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


INVOICES = [
    ["Customer", "Invoice No", "Invoice Date", "Amount"],
    ["Acme Ltd", "INV-1", D(2026, 1, 5), 100], ["Bolt Ltd", "INV-2", D(2026, 2, 5), 250.5],
]


@pytest.fixture
def clean(tmp_path):
    return write_xlsx(tmp_path / "clean.xlsx", {"Invoices": INVOICES,
                                                "Settings": [["Setting", "Value"], ["Company Name", "Tidy Ltd"]]})


def test_check_warns_when_letters_would_not_say_who_they_are_from(tmp_path):
    path = write_xlsx(tmp_path / "nameless.xlsx", {"Invoices": INVOICES})
    result = run("check", path)
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "1 thing worth checking:",
        "  Settings: there is no Company Name, so the letters and email drafts would not say who they are from. "
        "Add a Settings sheet with the rows Company Name, Address, Phone and Email and their values "
        "('collector init' makes a workbook that shows one), or run with --no-documents.",
        "Nothing stops collector from working with this workbook.",
    ]


def test_check_on_a_clean_workbook_says_it_is_ready_and_exits_0(clean):
    result = run("check", clean)
    assert result.exit_code == 0
    assert result.output == (
        "Read clean.xlsx: 2 invoices on 'Invoices' (header row 1), 2 customers.\n"
        "No problems to fix. The workbook is ready.\n"
    )


def test_check_lists_every_problem_at_once_and_exits_1(tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", {"Invoices": [
        ["Customer", "Invoice No", "Invoice Date", "Amount"],
        ["Acme Ltd", "INV-1", "31/02/2026", 100], ["Bolt Ltd", "INV-2", D(2026, 2, 5), "lots"],
        [None, "INV-3", D(2026, 2, 5), 7], ["Cog Ltd", "INV-4", D(2026, 2, 6), 9],
    ], "Settings": [["Setting", "Value"], ["Company Name", "Tidy Ltd"]]})
    result = run("check", path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Read bad.xlsx: 1 invoice on 'Invoices' (header row 1), 1 customer."
    assert lines[1] == "3 problems to fix:"
    assert lines[2].startswith("  Invoices!C2: 'Invoice Date' is not a date collector can read:")
    assert lines[2].endswith("(found '31/02/2026'). Type the date as 2026-03-04, or as a real Excel date.")
    assert lines[3] == "  Invoices!D3: 'Amount' is not an amount of money (found 'lots'). Type a number such as 1234.50."
    assert lines[4] == "  Invoices!A4: invoice INV-3 has no customer. Type the customer's name in A4."
    assert len(lines) == 5


@pytest.mark.parametrize("content,expected", [
    (b"", "Error: broken.xlsx is empty (0 bytes). Restore it from a backup or pick another file.\n"),
    (b"just some notes\n", "Error: broken.xlsx is not a spreadsheet collector can read. "
                           "Save it from Excel as .xlsx and try again.\n"),
    (b"PK\x03\x04" + b"\x00" * 40, "Error: broken.xlsx is damaged (it is not a complete Excel file). "
                                   "Restore it from a backup, or open it in Excel and save it again.\n"),
])
def test_unreadable_files_get_one_plain_sentence_and_exit_1(tmp_path, content, expected):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    result = run("check", path)
    assert (result.exit_code, result.output) == (1, expected)


def test_truncated_workbook_is_called_damaged(tmp_path, clean):
    data = clean.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    result = run("check", path)
    assert result.exit_code == 1 and result.output.startswith("Error: cut.xlsx is damaged")


def test_password_protected_workbook_says_how_to_remove_the_password(tmp_path, clean):
    locked = tmp_path / "locked.xlsx"
    with open(clean, "rb") as source, open(locked, "wb") as target:
        office = msoffcrypto.OfficeFile(source)
        office.encrypt("secret", target)
    result = run("check", locked)
    assert result.exit_code == 1
    assert result.output == (
        "Error: locked.xlsx is protected with a password, so collector cannot read it. Open it in "
        "Excel, remove the password (File > Info > Protect Workbook), save, and run collector again.\n")


def test_workbook_with_no_invoice_sheet_names_its_sheets(tmp_path):
    path = write_xlsx(tmp_path / "budget.xlsx", {"Budget": [["Month", "Rent"], ["Jan", 100]]})
    result = run("check", path)
    assert result.exit_code == 1
    assert result.output == (
        "Error: budget.xlsx has no sheet collector recognises as a list of invoices (sheets: Budget). "
        "Name the sheet 'Invoices' and give it a header row with at least Customer, Invoice Date and "
        "Amount.\n")


def test_empty_workbook_asks_for_invoices(tmp_path):
    path = write_xlsx(tmp_path / "new.xlsx", {"Sheet1": []})
    result = run("check", path)
    assert (result.exit_code, result.output) == (
        1, "Error: new.xlsx has no data in it. Add your invoices (customer, invoice date, amount) and run again.\n")


def test_missing_file_is_a_usage_error_with_exit_2(tmp_path):
    result = run("check", tmp_path / "nope.xlsx")
    assert result.exit_code == 2
    assert result.output.endswith(f"Error: There is no file at {tmp_path / 'nope.xlsx'}. Check the name and the folder.\n")


@pytest.mark.parametrize("command", ["run", "check", "report", "init", "templates"])
def test_every_command_has_a_plain_help_paragraph(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    summary = result.output.split("\n\n")[1].strip()
    assert len(summary) > 40 and summary[0].isupper()


def test_templates_command_copies_the_built_in_set_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "my-templates"
    result = run("templates", target)
    assert result.exit_code == 0 and result.output.startswith("Copied ")
    assert (target / "letter.html").exists() and (target / "fr").is_dir()
    again = run("templates", target)
    assert again.exit_code == 1 and "already exist" in again.output


# --- the real command, as a process: it ends itself once its output is flushed (cli.main) --------


def _command(*args, cwd):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "collector", *[str(a) for a in args]], capture_output=True,
                          text=True, cwd=cwd)


def test_the_command_ends_with_its_whole_summary_written_and_exit_0(clean, tmp_path):
    in_process = run("run", clean, "--as-of", "2026-11-23", "--no-documents", "--dry-run")
    done = _command("run", clean, "--as-of", "2026-11-23", "--no-documents", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = next(line for line in in_process.output.splitlines() if line.startswith("Read "))
    assert done.stdout.startswith(first + "\n")  # the same first line as in-process
    assert "Updated clean.xlsx" in done.stdout and done.stdout.endswith("\n")
    assert "Writing the results into the workbook..." in done.stderr
    assert (tmp_path / "backups").is_dir()
    import python_calamine
    assert "Aging" in python_calamine.CalamineWorkbook.from_path(str(clean)).sheet_names  # written and closed


def test_the_command_keeps_its_exit_codes_and_messages(tmp_path):
    missing = _command("run", tmp_path / "nowhere.xlsx", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.endswith(f"Error: There is no file at {tmp_path / 'nowhere.xlsx'}. Check the name and the "
                                   "folder.\n")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    failed = _command("check", broken, cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.startswith("Error: ")
    helped = _command("--help", cwd=tmp_path)
    assert helped.returncode == 0 and helped.stdout.rstrip().endswith(helped.stdout.rstrip().splitlines()[-1])
    assert "run" in helped.stdout


def test_the_command_output_survives_a_pipe_read_to_the_end(clean, tmp_path):
    import subprocess
    import sys

    # a pipe's buffer is not a terminal's: everything must still come out before the process ends
    shell = f'"{sys.executable}" -m collector check "{clean}" | cat'
    done = subprocess.run(shell, shell=True, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == run("check", clean).output


def test_a_run_logged_to_a_file_says_where_the_letters_go_without_a_lone_progress_label(clean, tmp_path):
    done = _command("run", clean, "--as-of", "2026-11-23", cwd=tmp_path)  # stderr is a pipe, as in a log file
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert f"Writing the letters and email drafts to {tmp_path / 'collector-output' / '2026-11-23'}..." in lines
    assert not any(line.strip().startswith("Documents") for line in lines)
    assert "Wrote " in done.stdout


def test_check_asks_to_fill_in_the_settings_sheet_the_workbook_already_has(tmp_path):
    path = write_xlsx(tmp_path / "started.xlsx", {"Invoices": INVOICES,
                                                  "Réglages": [["Setting", "Value"], ["Company Name", None]]})
    result = run("check", path)
    assert result.exit_code == 0
    assert ("  Réglages: there is no Company Name, so the letters and email drafts would not say who they are "
            "from. Fill in the rows Company Name, Address, Phone and Email on the 'Réglages' sheet, or run with "
            "--no-documents.") in result.output.splitlines()
