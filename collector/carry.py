"""Carrying earlier runs over when the tracker is an .xls, .ods or .csv file.

collector cannot write such a file, so each run's results go to "X (collector).xlsx"
beside it. The Contact Log rows collector adds there (and any the owner types there) and
the History of earlier runs live only in that file. The next run reads the tracker again
and brings them over, so the ladder goes on where it stopped instead of starting again.
The previous results file is never replaced unless it is readable and collector's own,
written for this tracker.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Optional, Sequence

import python_calamine

from collector import header
from collector.model import Book, ContactEntry, SheetLayout
from collector.policy import is_own_entry
from collector.reader import ReadError, find_sheets, read_source
from collector.source import EXCEL_KINDS, RawSheet, Source, WorkbookError, open_source

# Hidden defined names in the results file: the name of the tracker it holds the results of, and
# the Contact Log rows copied from the tracker (header to last row; Excel moves it when rows are
# inserted above). Those rows are the tracker's to change or delete: they are never carried over.
TRACKER_NAME = "_collector_source"
TRACKER_LOG = "_collector_tracker_log"
# Written into every results file collector makes (collector.writer.COMPUTED_NAME).
COMPUTED_NAME = "_collector_computed"
HISTORY = "history"


class NotCarried(WorkbookError):
    """The previous results file cannot be carried over, so it must not be replaced."""


@dataclass(frozen=True)
class Previous:
    """What the results file of an earlier run holds that the tracker does not."""

    path: str
    log: tuple[ContactEntry, ...]
    log_sheet: Optional[RawSheet]
    log_layout: Optional[SheetLayout]
    history: tuple[RawSheet, ...]  # the History tab, when there is one: header row first
    tracker_rows: int = 0  # the log's rows up to this one were copied from the tracker (0: not known)


@dataclass(frozen=True)
class Carried:
    path: str  # the previous results file
    log_rows: int
    history_rows: int
    log_entries: int = 0  # of log_rows, those read as contact log entries (the others have a problem)

    def sentence(self) -> str:
        """What the run brought over, for the terminal; "" when nothing."""
        parts = [_count(self.log_rows, "Contact Log row"), _count(self.history_rows, "History row")]
        parts = [p for p in parts if p]
        if not parts:
            return ""
        return f"Carried over {' and '.join(parts)} from {os.path.basename(self.path)}."


def _count(number: int, word: str) -> str:
    return "" if not number else f"{number} {word}{'' if number == 1 else 's'}"


# --- reading the previous results file ------------------------------------------------------


def tracker_name_value(tracker: str) -> str:
    """The defined name's formula text: the tracker's file name as a quoted text constant."""
    return '"' + os.path.basename(tracker).replace('"', '""') + '"'


def _recorded_tracker(defined_names: dict[str, str]) -> str:
    text = (defined_names.get(TRACKER_NAME) or "").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return text


def read_previous(results: str, tracker: str, locale: str = "") -> Optional[Previous]:
    """The results file of an earlier run on ``tracker``; None when there is none yet.

    Raises NotCarried, with a sentence saying what to do, when the file is there but is
    unreadable, not collector's, or holds the results of another tracker.
    """
    if not os.path.exists(results):
        return None
    name, tracker_name = os.path.basename(results), os.path.basename(tracker)
    unreadable = NotCarried(
        f"{name} cannot be read, so collector did not replace it: it should hold the Contact Log and History "
        f"of earlier runs on {tracker_name}. Put back the newest copy of it from the backups folder beside it, "
        f"or, if there is none, move it to another folder to start afresh; then run collector again.")
    try:
        source = open_source(results)
    except WorkbookError:
        raise unreadable from None
    if source.kind not in EXCEL_KINDS or COMPUTED_NAME not in source.defined_names:
        raise NotCarried(f"{name} is already there but collector did not write it, so collector will not "
                         f"replace it. Move or rename {name}, then run collector on {tracker_name} again.")
    recorded = _recorded_tracker(source.defined_names)
    if recorded and recorded.casefold() != tracker_name.casefold():
        stem, extension = os.path.splitext(tracker_name)
        raise NotCarried(
            f"{name} holds the results of {recorded}, not of {tracker_name}, so collector will not replace it. "
            f"Run collector on {recorded} as before; or, to keep both, rename {tracker_name} (for example to "
            f"'{stem} 2{extension}') so that its results go to a file of their own.")
    try:
        book = read_source(source, locale)
    except ReadError:
        raise unreadable from None
    log_sheet = find_sheets(source).get("contact_log")
    log_layout = next((l for l in book.layouts if log_sheet is not None and l.name == log_sheet.name), None)
    try:
        history = _history_tab(results)
    except Exception:  # calamine raises several types for a damaged sheet
        raise unreadable from None
    return Previous(path=results, log=book.contact_log, log_sheet=log_sheet, log_layout=log_layout,
                    history=history, tracker_rows=_tracker_rows(source.defined_names, log_sheet))


def tracker_log_rows(source: Source) -> tuple[str, int]:
    """The tracker's Contact Log sheet and its last filled row; ("", 1) when it has none (collector
    then adds one, with its header in row 1)."""
    sheet = find_sheets(source).get("contact_log")
    return (sheet.name, max(_last_filled(sheet.rows), 1)) if sheet else ("", 1)


_ROWS_REFERENCE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?[A-Z]{0,3}\$?\d+:\$?[A-Z]{0,3}\$?(\d+)$")


def _tracker_rows(defined_names: dict[str, str], log_sheet: Optional[RawSheet]) -> int:
    found = _ROWS_REFERENCE.match((defined_names.get(TRACKER_LOG) or "").strip())
    if not found or log_sheet is None:
        return 0
    sheet = found.group(1).replace("''", "'") if found.group(1) else found.group(2)
    return int(found.group(3)) if sheet == log_sheet.name else 0


def _history_tab(path: str) -> tuple[RawSheet, ...]:
    """The History tab's values (the reader leaves collector's own tabs out)."""
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    try:
        name = next((n for n in workbook.sheet_names if header.normalize(n) == HISTORY), None)
        if name is None:
            return ()
        return (RawSheet(name=name, rows=workbook.get_sheet_by_name(name).to_python()),)
    finally:
        workbook.close()


# --- what to carry: plain values in, plain values out ----------------------------------------


def _identity(entry: ContactEntry) -> tuple:
    return (entry.date, entry.customer_key, entry.invoices, entry.channel.strip().casefold(),
            entry.step.strip().casefold(), " ".join(entry.note.split()), entry.promised_date,
            entry.promised_amount, entry.by.strip().casefold())


def entries_to_carry(tracker_log: Sequence[ContactEntry], previous_log: Sequence[ContactEntry],
                     as_of: dt.date, tracker_rows: int = 0) -> list[ContactEntry]:
    """The previous results file's Contact Log rows that the tracker's own Contact Log does not hold.

    Rows up to ``tracker_rows`` were copied from the tracker, which may have changed or deleted
    them since; collector's rows of ``as_of`` itself are this run's, written again. Neither is carried.
    """
    present = Counter(_identity(entry) for entry in tracker_log)
    carried = []
    for entry in previous_log:
        if entry.row <= tracker_rows or (entry.date == as_of and is_own_entry(entry)):
            continue
        key = _identity(entry)
        if present[key]:
            present[key] -= 1
        else:
            carried.append(entry)
    return carried


def _day(value: object) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def history_to_carry(previous: Sequence[Sequence[object]], tracker: Sequence[Sequence[object]],
                     as_of: dt.date) -> list[list[object]]:
    """History rows (below the header) of run dates neither the tracker's History nor this run has."""
    known = {_day(row[0]) for row in tracker if row} | {as_of}
    return [list(row) for row in previous if row and _day(row[0]) is not None and _day(row[0]) not in known]


def unread_rows(previous: Previous) -> list[int]:
    """Rows typed in the results file below the tracker's that could not be read as contact log
    entries (a misspelt customer, no date): the owner's all the same, so carried over as typed."""
    if not previous.tracker_rows or previous.log_sheet is None:
        return []
    read = {entry.row for entry in previous.log}
    rows = previous.log_sheet.rows
    return [number for number in range(previous.tracker_rows + 1, len(rows) + 1)
            if number not in read and any(value not in (None, "") for value in rows[number - 1])]


def _last_filled(rows: Sequence[Sequence[object]]) -> int:
    for index in range(len(rows) - 1, -1, -1):
        if any(value not in (None, "") for value in rows[index]):
            return index + 1
    return 0


def log_with_rows(tracker: Optional[RawSheet], tracker_layout: Optional[SheetLayout],
                  previous: RawSheet, previous_layout: SheetLayout, rows: Sequence[int]) -> RawSheet:
    """The tracker's Contact Log with the previous file's ``rows`` (1-based) added below it.

    Each value goes to the tracker's column for the same field, else for the same heading;
    a column the tracker lacks is added at the right with the previous file's heading.
    """
    titles = list(previous.rows[previous_layout.header_row - 1])
    carried = [list(previous.rows[row - 1]) for row in rows]
    if tracker is None or tracker_layout is None or not tracker_layout.header_row:
        above = [list(row) for row in tracker.rows[:_last_filled(tracker.rows)]] if tracker else []
        return RawSheet(name=tracker.name if tracker else previous.name, rows=above + [titles] + carried,
                        visible=tracker.visible if tracker else True)
    grid = [list(row) for row in tracker.rows[:_last_filled(tracker.rows)]]
    heading = grid[tracker_layout.header_row - 1]
    by_field = {c.field: c.index for c in tracker_layout.columns}
    by_title = {header.normalize(v): i for i, v in enumerate(heading) if header.normalize(v)}
    fields = {c.index: c.field for c in previous_layout.columns}
    targets = {}
    for index, title in enumerate(titles):
        target = by_field.get(fields.get(index, ""), by_title.get(header.normalize(title)))
        if target is None and header.normalize(title):
            heading.extend([""] * (_width(grid) - len(heading)))
            target = len(heading)
            heading.append(title)
        if target is not None:
            targets[index] = target
    width = max(_width(grid), len(heading))
    for values in carried:
        row = [""] * width
        for index, target in targets.items():
            if index < len(values):
                row[target] = values[index]
        grid.append(row)
    return RawSheet(name=tracker.name, rows=grid, visible=tracker.visible)


def _width(grid: Sequence[Sequence[object]]) -> int:
    return max((len(row) for row in grid), default=0)


def carry_over(source: Source, book: Book, previous: Previous, as_of: dt.date) -> tuple[Source, Carried]:
    """The tracker's sheets with the previous results file's Contact Log rows and History added."""
    sheets = list(source.sheets)
    entries = entries_to_carry(book.contact_log, previous.log, as_of, previous.tracker_rows)
    rows = sorted([entry.row for entry in entries] + unread_rows(previous))
    if rows and previous.log_sheet is not None and previous.log_layout is not None:
        tracker_sheet = find_sheets(source).get("contact_log")
        tracker_layout = next((l for l in book.layouts if tracker_sheet is not None and l.name == tracker_sheet.name),
                              None)
        merged = log_with_rows(tracker_sheet, tracker_layout, previous.log_sheet, previous.log_layout, rows)
        sheets = [merged if sheet is tracker_sheet else sheet for sheet in sheets]
        if tracker_sheet is None:
            sheets.append(merged)
    sheets, history_rows = _with_history(sheets, previous.history, as_of)
    carried = Carried(path=previous.path, log_rows=len(rows), history_rows=history_rows, log_entries=len(entries))
    return replace(source, sheets=sheets), carried


def _with_history(sheets: list[RawSheet], history: Sequence[RawSheet], as_of: dt.date) -> tuple[list[RawSheet], int]:
    """The sheets with the previous History's rows of other run dates added (as a History tab when
    the tracker has none); the number of rows added."""
    for tab in history:
        own = next((s for s in sheets if header.normalize(s.name) == HISTORY), None)
        runs = history_to_carry(tab.rows[1:], own.rows[1:] if own else [], as_of)
        if runs:
            merged = RawSheet(name=own.name if own else tab.name,
                              rows=[list(r) for r in (own.rows if own else tab.rows[:1])] + runs)
            return [merged if s is own else s for s in sheets] + ([] if own else [merged]), len(runs)
    return sheets, 0
