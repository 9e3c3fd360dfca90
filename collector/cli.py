"""The command line: a thin face over the library.

Each command parses its options, calls one library function and turns the
library's errors into a plain sentence and an exit code: 0 on success, 1 when
the data has problems, 2 on wrong usage. No traceback ever reaches the owner.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import tempfile
import traceback

import click

from collector import __version__


class Failure(click.ClickException):
    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def _as_of_option(command):
    return click.option(
        "--as-of", "as_of", metavar="DATE", default=None,
        help="Work things out as of this date (YYYY-MM-DD) instead of today.",
    )(command)


def _parse_as_of(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.",
                                 param_hint="--as-of") from None


def _workbook_argument(command):
    return click.argument("workbook", type=click.Path(dir_okay=False))(command)


def _friendly(command):
    """Library errors become plain sentences; anything unexpected is logged, not dumped on screen."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from collector.source import NoSuchWorkbook, WorkbookError

        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except NoSuchWorkbook as error:
            raise click.UsageError(str(error)) from None
        except WorkbookError as error:
            raise Failure(str(error)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except Exception:
            log = os.path.join(tempfile.gettempdir(), "collector-error.log")
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"--- {dt.datetime.now().isoformat()} collector {__version__}\n")
                handle.write(traceback.format_exc())
            raise Failure(
                "collector ran into something it did not expect and stopped without changing "
                f"anything. The details are in {log}; please send that file to support."
            ) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="collector")
def cli() -> None:
    """collector: the weekly receivables follow-up, on your own Excel workbook.

    It reads your invoices, works out who owes what and for how long, and decides
    the next collection step for every customer.
    """


@cli.command()
@_workbook_argument
@_as_of_option
@click.option("--dry-run", is_flag=True, help="Show what would be done and write nothing at all.")
@click.option("--force", is_flag=True, help="Write even though a lock file says the workbook is open "
              "(only when that lock file is left over from a crash).")
@_friendly
def run(workbook: str, as_of: str | None, dry_run: bool, force: bool) -> None:
    """The weekly job: work out every account and write the results into the workbook.

    It adds computed columns to the invoice sheet, replaces the Aging, Actions and
    History tabs, records each step in the Contact Log and marks customers put on
    credit hold. A backup is kept in the backups folder beside the workbook, and a
    workbook open in Excel or LibreOffice is left alone.
    """
    from collector.safety import UnsafeToWrite
    from collector.weekly import run_week
    from collector.report import run_summary

    day = _parse_as_of(as_of)
    try:
        result = run_week(workbook, day, dry_run=dry_run, force=force, progress=_progress)
    except UnsafeToWrite as error:
        raise Failure(str(error)) from None
    click.echo(run_summary(result), nl=False)
    if result.book.errors:
        sys.exit(1)


def _progress(message: str) -> None:
    click.echo(f"{message}...", err=True)


@cli.command()
@_workbook_argument
@_friendly
def check(workbook: str) -> None:
    """List every problem in the workbook at once, and change nothing.

    Each problem names the sheet, the cell and the value, and says what to do.
    Exits 1 when there are errors to fix, 0 when the workbook is ready.
    """
    from collector.reader import read_book
    from collector.report import problems_text

    book = read_book(workbook)
    click.echo(problems_text(book), nl=False)
    if book.errors:
        sys.exit(1)


@cli.command()
@_workbook_argument
@_as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print every invoice and customer as JSON, for scripts.")
@_friendly
def report(workbook: str, as_of: str | None, as_json: bool) -> None:
    """Show the aging of every account and this week's plan, and change nothing.

    With --json it prints every invoice with its computed fields and every
    customer with its next step, in a stable form for scripts.
    """
    from collector.engine import assess
    from collector.reader import read_book
    from collector.report import report_json, report_text

    day = _parse_as_of(as_of)
    book = read_book(workbook)
    assessment = assess(book, day)
    click.echo(report_json(book, assessment) if as_json else report_text(book, assessment), nl=not as_json)


@cli.command()
@click.argument("new_workbook", type=click.Path(dir_okay=False))
@_friendly
def init(new_workbook: str) -> None:
    """Create a starter tracking workbook to type your invoices into.

    It has every sheet collector reads (Invoices, Customers, Contact Log,
    Payment Plans, Settings) with headers, formats, drop-down lists and two
    example rows to replace with your own. An existing file is never overwritten.
    """
    from collector.starter import write_starter

    if not new_workbook.lower().endswith(".xlsx"):
        raise click.BadParameter("the new workbook's name must end in .xlsx", param_hint="NEW_WORKBOOK")
    try:
        write_starter(new_workbook)
    except (OSError, ValueError) as error:
        raise Failure(str(error)) from None
    click.echo(f"Created {new_workbook}. Fill in Settings and your invoices, then run: "
               f"collector check {_quote(new_workbook)}")


def _quote(path: str) -> str:
    return f'"{path}"' if " " in path else path


def main() -> None:
    cli(prog_name="collector")


if __name__ == "__main__":
    main()
