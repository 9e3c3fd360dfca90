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
from typing import Callable

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
            try:
                with open(log, "a", encoding="utf-8") as handle:
                    handle.write(f"--- {dt.datetime.now().isoformat()} collector {__version__}\n")
                    handle.write(traceback.format_exc())
            except OSError as error:  # a full disk, a read-only temp folder: still no traceback
                raise Failure(
                    "collector ran into something it did not expect and stopped without changing "
                    f"anything, and could not write the details to {log} ({error.strerror or error})."
                ) from None
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
@click.option("--out", "out", metavar="DIR", default=None,
              help="Folder for the letters and email drafts (default: collector-output beside the workbook).")
@click.option("--lang", "lang", metavar="CODE", default=None,
              help="Write every document in this language (en, fr, ro, el, id, tl) instead of each customer's.")
@click.option("--templates", "templates", metavar="DIR", default=None, type=click.Path(file_okay=False),
              help="Use the templates in DIR before the built-in ones (default: a templates folder beside the workbook).")
@click.option("--no-documents", is_flag=True, help="Update the workbook only; write no letters or drafts.")
@_friendly
def run(workbook: str, as_of: str | None, dry_run: bool, force: bool, out: str | None, lang: str | None,
        templates: str | None, no_documents: bool) -> None:
    """The weekly job: work out every account, write the results into the workbook and the week's letters.

    It adds computed columns to the invoice sheet, replaces the Aging, Actions and
    History tabs, records each step in the Contact Log and marks customers put on
    credit hold. Letters (PDF, with one file to print them all), email drafts (.eml),
    call sheets and statements go to collector-output/<date>/ beside the workbook. A
    backup is kept in the backups folder, and a workbook open in Excel or
    LibreOffice is left alone.
    """
    from collector.render import DocumentError
    from collector.report import run_summary
    from collector.safety import UnsafeToWrite
    from collector.weekly import run_week

    day = _parse_as_of(as_of)
    language = _language_option(lang)
    render = None if no_documents else _renderer(workbook, day, out, templates, language)
    try:
        result = run_week(workbook, day, dry_run=dry_run, force=force, progress=_progress, render=render)
    except (UnsafeToWrite, DocumentError) as error:
        raise Failure(str(error)) from None
    click.echo(run_summary(result), nl=False)
    if _left_for_exit is not None:
        _left_for_exit.append(result)
    if result.book.errors:
        sys.exit(1)


def _progress(message: str) -> None:
    click.echo(f"{message}...", err=True)


def _language_option(text: str | None) -> str | None:
    from collector.header import language_code

    if not text:
        return None
    code = language_code(text)
    if not code:
        raise click.BadParameter(f"{text!r} is not a language collector knows; use en, fr, ro, el, id or tl.",
                                 param_hint="--lang")
    return code


def _renderer(workbook: str, day: dt.date, out: str | None, templates: str | None, language: str | None):
    """The documents step of the run: render into the week's output folder, showing progress."""

    def render(book, assessment):
        from collector.documents import render_documents

        folder = output_folder(workbook, day, out or book.settings.output_folder)
        if assessment.actions:
            _progress(f"Writing the letters and email drafts to {folder}")
        if not assessment.actions or not sys.stderr.isatty():  # a bar only where it redraws: a log keeps a lone label
            return render_documents(book, assessment, folder, templates_dir=templates, language=language)
        with click.progressbar(length=len(assessment.actions), label="Documents", file=sys.stderr,
                               show_pos=True) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(1, total)
                bar.update(done - bar.pos)

            return render_documents(book, assessment, folder, templates_dir=templates, language=language,
                                    progress=progress)

    return render


def output_folder(workbook: str, day: dt.date, base: str | None) -> str:
    """collector-output/<date>/ beside the workbook, or <base>/<date>/ (a relative base is beside it too)."""
    beside = os.path.dirname(os.path.abspath(workbook))
    root = os.path.join(beside, os.path.expanduser(base)) if base else os.path.join(beside, "collector-output")
    return os.path.join(root, day.isoformat())


@cli.command()
@_workbook_argument
@_friendly
def check(workbook: str) -> None:
    """List every problem in the workbook at once, and change nothing.

    Each problem names the sheet, the cell and the value, and says what to do.
    Exits 1 when there are errors to fix, 0 when the workbook is ready.
    """
    from collector.report import problems_text
    from collector.weekly import read_tracker

    book = read_tracker(workbook, dt.date.today())  # with the rows the run carries over, if any
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
    from collector.report import report_json, report_text
    from collector.weekly import read_tracker

    day = _parse_as_of(as_of)
    book = read_tracker(workbook, day)
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


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@_friendly
def templates(folder: str) -> None:
    """Copy the built-in letter and email templates into FOLDER, to make them your own.

    Put the folder beside your workbook and name it templates, or pass it to
    collector run with --templates: any file you change there replaces the
    built-in one of the same name, and the others stay as they are.
    """
    from collector.render import DocumentError, copy_templates

    try:
        written = copy_templates(folder)
    except DocumentError as error:
        raise Failure(str(error)) from None
    click.echo(f"Copied {len(written)} template files into {folder}. Edit them, then run collector with "
               f"--templates {_quote(folder)} (or keep the folder beside your workbook, named templates).")


def _quote(path: str) -> str:
    return f'"{path}"' if " " in path else path


# The objects of a finished run (a big workbook's are hundreds of thousands), kept alive so the
# process can end without freeing them one by one; a list only while main drives the command.
_left_for_exit: list | None = None


def main(end: Callable[[int], object] = os._exit) -> None:
    """The collector command: it ends the process itself (``end``) once everything it wrote is out.

    A run over a big workbook leaves hundreds of megabytes of small objects that the
    interpreter would free one by one on the way out (a third of a second for 100,000
    invoices) for the operating system to take back anyway. Every file collector writes is
    closed (and the workbook replaced) before its command returns, and every worker is
    joined, so once the output streams are flushed nothing is left to do but exit. A caller
    that goes on afterwards (a test harness) passes ``end=sys.exit``.
    """
    global _left_for_exit
    _left_for_exit = []
    try:
        cli(prog_name="collector")  # standalone mode: always ends in SystemExit
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    if code is None:
        code = 0
    if not isinstance(code, int):
        raise SystemExit(code)  # a message to print: the interpreter's own way
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stream: let the interpreter report it as usual
        raise SystemExit(code) from None
    end(code)


if __name__ == "__main__":
    main()
