"""The weekly run: read, decide, render, write back, safely.

This is the pipeline `collector run` drives. Reading and deciding are pure
(reader, engine); the documents are rendered next; the workbook is written
last, through a temporary file that is verified (reopened, and compared with
the original part by part and cell by cell) before it atomically replaces the
original. If the writer would lose anything the owner made, the original is
left alone and the results go to a new file beside it.
"""
from __future__ import annotations

import datetime as dt
import os
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

import openpyxl
import python_calamine
from openpyxl.utils import quote_sheetname
from openpyxl.workbook.defined_name import DefinedName

from collector import carry, fidelity, safety
from collector.assessment import Assessment
from collector.engine import assess, contact_entries
from collector.lossless import reading_ahead, write_results_lossless
from collector.model import Book
from collector.reader import environment_locale, read_source
from collector.source import EXCEL_KINDS, open_source, require_file
from collector.writer import CONTACT_LOG, OWNED_SHEETS, Written, dress_log_sheet
from collector.writer import write_results as write_results_openpyxl

Progress = Callable[[str], None]


class Refused(Exception):
    """The written file would lose something the owner made."""

    def __init__(self, losses: list[str]):
        super().__init__("; ".join(losses))
        self.losses = losses


@dataclass
class RunResult:
    book: Book
    assessment: Assessment
    dry_run: bool = False
    workbook: str = ""  # the file that now holds the results
    replaced_original: bool = False
    backup: Optional[str] = None
    losses: list[str] = field(default_factory=list)  # why the original was not overwritten
    written: Optional[Written] = None
    documents: object = None  # collector.documents.Rendered when documents were rendered
    carried: Optional[carry.Carried] = None  # what came over from the previous results file


def results_path(path: str) -> str:
    """Where results go when the original cannot or must not be overwritten."""
    folder, name = os.path.split(os.path.abspath(path))
    stem = os.path.splitext(name)[0]
    return os.path.join(folder, f"{stem} (collector).xlsx")


def run_week(path: str, as_of: dt.date, *, dry_run: bool = False, force: bool = False,
             progress: Progress = lambda message: None,
             render: Optional[Callable[[Book, Assessment], object]] = None) -> RunResult:
    """Read the workbook, decide this week's steps, render documents and write the results back."""
    require_file(path)
    if not dry_run:
        safety.refuse_if_open(path, force)
        safety.refuse_if_open(results_path(path), force)
    progress("Reading the workbook")
    before = safety.fingerprint(path)
    with reading_ahead(path) if not dry_run else nullcontext() as read_ahead:
        return _run(path, as_of, dry_run, progress, render, before, read_ahead)


def _run(path: str, as_of: dt.date, dry_run: bool, progress: Progress,
         render: Optional[Callable[[Book, Assessment], object]], before: tuple[int, int],
         read_ahead: Optional[Callable[[], None]]) -> RunResult:
    source = open_source(path, meanwhile=read_ahead)  # the writer reads ahead while calamine parses
    kind = source.kind
    if not dry_run and kind in EXCEL_KINDS:
        safety.refuse_if_read_only(path)
    book = read_source(source, environment_locale())
    carried, tracker_log = None, None
    if kind in EXCEL_KINDS:
        source = None  # every sheet's values: not needed again, and big for a big workbook
    else:
        tracker_log = carry.tracker_log_rows(source)
        source, book, carried = _carry_over(path, source, book, as_of)
    progress("Working out balances, aging and next steps")
    assessment = assess(book, as_of)
    result = RunResult(book=book, assessment=assessment, dry_run=dry_run, carried=carried)
    if dry_run:
        return result
    documents = render(book, assessment) if render else None
    result.documents = documents
    entries = _log_entries(assessment, documents)
    progress("Writing the results into the workbook")
    if kind in EXCEL_KINDS:
        _write_in_place(path, book, assessment, entries, documents, before, kind, result)
    else:
        _write_beside(path, source, tracker_log, book, assessment, entries, documents, result)
    return result


def read_tracker(path: str, as_of: dt.date) -> Book:
    """The workbook as `collector run` reads it: an .xls, .ods or .csv tracker with last week's
    results carried over, so a report plans what the run would do."""
    source = open_source(path)
    book = read_source(source, environment_locale())
    if source.kind in EXCEL_KINDS:
        return book
    return _carry_over(path, source, book, as_of)[1]


def _carry_over(path: str, source, book: Book, as_of: dt.date):
    """An .xls/.ods/.csv tracker with what only last week's results file holds: its Contact Log rows
    and History. The book is read again from the merged sheets, so the ladder sees every step done."""
    locale = environment_locale()
    previous = carry.read_previous(results_path(path), path, locale)
    if previous is None:
        return source, book, None
    source, carried = carry.carry_over(source, book, previous, as_of)
    if carried.log_rows or carried.history_rows:
        book = read_source(source, locale)
    return source, book, carried


def _log_entries(assessment: Assessment, documents) -> tuple:
    entries = contact_entries(assessment)
    if documents is None:
        return entries
    by_customer = {r.customer_key: r for r in documents.results}
    updated = []
    for entry in entries:
        rendered = by_customer.get(entry.customer_key)
        if rendered is None:
            updated.append(entry)
            continue
        names = ", ".join(os.path.basename(d.path) for d in rendered.documents)
        note = entry.note + (f" {rendered.note}" if rendered.note else "") + (f" Documents: {names}." if names else "")
        updated.append(replace(entry, channel=rendered.channel or entry.channel, note=note.strip()))
    return tuple(updated)


def _links(documents) -> tuple[dict, dict, dict]:
    if documents is None:
        return {}, {}, {}
    links, scripts, notes = {}, {}, {}
    for rendered in documents.results:
        links[rendered.customer_key] = [(d.kind, os.path.join(documents.folder, d.path)) for d in rendered.documents]
        if rendered.call_script:
            scripts[rendered.customer_key] = rendered.call_script
        if rendered.note:
            notes[rendered.customer_key] = rendered.note
    return links, scripts, notes


# The owner's .xlsx/.xlsm is edited in place, part by part (collector.lossless); openpyxl writes the
# new workbook that holds the results of an .xls, .ods or .csv file.
write_results = write_results_lossless


def _write(source_path: str, target_path: str, book: Book, assessment: Assessment, entries, documents,
           keep_vba: bool, workbook_folder: str, write_with: Optional[Callable] = None) -> Written:
    links, scripts, notes = _links(documents)
    relative = {key: [(kind, os.path.relpath(p, workbook_folder)) for kind, p in items] for key, items in links.items()}
    return (write_with or write_results)(source_path, target_path, book, assessment, entries, relative, scripts,
                                         notes, keep_vba=keep_vba)


def _ownership(written: Written) -> fidelity.Ownership:
    owned_sheets = set(OWNED_SHEETS)
    if written.log_created:
        owned_sheets.add(written.log_sheet)
    columns = {written.invoice_sheet: written.computed_columns} if written.invoice_sheet else {}
    rows = {written.log_sheet: frozenset(written.log_rows)} if written.log_sheet else {}
    cells = {sheet: frozenset(coordinates) for sheet, coordinates in written.touched.items()}
    filters = {written.invoice_sheet: (written.computed_columns[0], written.filter_end)} if written.filter_end else {}
    return fidelity.Ownership(sheets=frozenset(owned_sheets), columns=columns, rows=rows, cells=cells, filters=filters,
                              names=frozenset({"_collector_computed", "_xlnm.Print_Titles", "_xlnm._FilterDatabase"}))


def verify_readable(path: str) -> None:
    """The written file opens in both libraries collector relies on."""
    openpyxl.load_workbook(path, read_only=True).close()
    python_calamine.CalamineWorkbook.from_path(path).close()


def _write_in_place(path: str, book: Book, assessment: Assessment, entries, documents,
                    before: tuple[int, int], kind: str, result: RunResult) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    state: dict[str, Written] = {}

    def write(temporary: str) -> None:
        state["written"] = _write(path, temporary, book, assessment, entries, documents,
                                  keep_vba=kind == ".xlsm", workbook_folder=folder)

    def verify(temporary: str) -> None:
        verify_readable(temporary)
        written = state["written"]
        if written.lossless:
            lost = fidelity.package_losses(path, temporary, written.owned_parts, _ownership(written),
                                           written.owner_sheet_parts, written.owner_notes)
        else:
            lost = fidelity.losses(path, temporary, _ownership(written))
        if lost:
            raise Refused(lost)
        result.backup = safety.backup(path)

    try:
        safety.write_atomically(path, write, verify, expected=before)
        result.workbook, result.replaced_original = path, True
    except Refused as refusal:
        target = results_path(path)
        _keep_previous_results(target)
        safety.write_atomically(target, write, verify_readable)
        result.workbook, result.losses = target, refusal.losses
    result.written = state.get("written")


def _keep_previous_results(target: str) -> None:
    """A results file from an earlier run may hold the owner's notes: back it up before replacing it."""
    if os.path.exists(target):
        safety.backup(target)


def _write_beside(path: str, source, tracker_log: tuple[str, int], book: Book, assessment: Assessment, entries, documents,
                  result: RunResult) -> None:
    """Old .xls, .ods and .csv files stay untouched; the results go to a new .xlsx beside them."""
    target = results_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    _keep_previous_results(target)
    state: dict[str, Written] = {}

    def write(temporary: str) -> None:
        _values_workbook(source, temporary, tracker_log)
        state["written"] = _write(temporary, temporary, book, assessment, entries, documents,
                                  keep_vba=False, workbook_folder=folder, write_with=write_results_openpyxl)

    safety.write_atomically(target, write, verify_readable)
    result.workbook, result.written = target, state.get("written")


def _values_workbook(source, target: str, tracker_log: Optional[tuple[str, int]] = None) -> None:
    """The sheets of a file openpyxl cannot load (.xls, .ods, .csv), as values in a new .xlsx.

    ``tracker_log`` is the Contact Log sheet and its last row that are the tracker's own: the
    next run takes those from the tracker and carries over only the rows below them."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    # Which tracker these are the results of: the next run carries them over only for that one.
    workbook.defined_names[carry.TRACKER_NAME] = DefinedName(
        carry.TRACKER_NAME, attr_text=carry.tracker_name_value(source.path), hidden=True)
    if tracker_log:
        sheet_name, last_row = tracker_log
        workbook.defined_names[carry.TRACKER_LOG] = DefinedName(
            carry.TRACKER_LOG, attr_text=f"{quote_sheetname(sheet_name[:31] or CONTACT_LOG)}!$1:${last_row}",
            hidden=True)
    for raw in source.sheets:
        sheet = workbook.create_sheet(raw.name[:31])
        for row in raw.rows:
            sheet.append([_plain(v) for v in row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                elif isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
    if tracker_log and not tracker_log[0] and CONTACT_LOG in workbook.sheetnames:
        dress_log_sheet(workbook[CONTACT_LOG])  # carried over from the results file: looks as collector made it
    _own_tabs_last(workbook)
    workbook.save(target)


def _own_tabs_last(workbook) -> None:
    """collector's tabs after the owner's sheets, in their usual order (a History carried over
    from last week's results would otherwise stand before this week's Aging and Actions)."""
    if not any(title in workbook.sheetnames for title in OWNED_SHEETS):
        return
    for title in OWNED_SHEETS:
        sheet = workbook[title] if title in workbook.sheetnames else workbook.create_sheet(title)
        workbook.move_sheet(sheet, len(workbook.sheetnames) - 1 - workbook.index(sheet))


def _plain(value: object) -> object:
    if value == "":
        return None
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value
