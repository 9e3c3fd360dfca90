"""Writing the week's results by editing the workbook package, so nothing of the owner's is lost.

Same results as collector.writer, written differently: instead of loading the
workbook into openpyxl and saving a new file (which drops shapes, sparklines,
slicers, threaded comments, custom XML and cached formula results), this
editor changes only the parts collector owns:

- the owner's sheets (Invoices, Contact Log, Customers): only the cells
  collector owns, by text surgery on the sheet part (collector.sheet_xml);
- collector's own tabs (Aging, Actions, History): filled by writer.py's own
  functions, and moved in as whole parts (sheet, drawing, charts, comments)
  with their styles appended to the owner's. The cells go straight to XML
  (_TabSheet); the rest (charts, filters, print setup, validations, notes)
  through an empty openpyxl sheet, which is fast whatever the tab's size;
- the bookkeeping that must stay consistent: workbook.xml's sheet list and
  defined names, relationships, content types, app.xml's sheet titles,
  styles.xml (appended, never renumbered), table ranges, the owner's AutoFilter
  over the invoices (grown over the computed columns), calcChain.

Every other part is copied as its original compressed bytes. A package the
editor cannot handle (strict OOXML, ZIP64, encryption, a formula it would
break) falls back to writer.write_results, whose output the fidelity check
then judges as before.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, repeat
from typing import Callable, Iterator, Mapping, NamedTuple, Optional, Sequence

import openpyxl
import python_calamine
from openpyxl.comments import Comment
from openpyxl.utils import quote_sheetname
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.writer.excel import ExcelWriter

from collector import header, writer
from collector.assessment import CASH_ONLY, Assessment
from collector.model import Book, ContactEntry, SheetLayout, bulk_records
from collector.sheet_xml import KEEP_VALUE, SheetEdit, column_index, column_letter, column_rests, number_text
from collector.style_xml import Node, Styles
from collector.writer import (ACTIONS, AGING, COLLECTOR, COMPUTED_NAME, COMPUTED_NOTE, CONTACT_LOG, DATE_FORMAT,
                              HISTORY, LOG_HEADERS, MONEY_FORMAT, OWNED_SHEETS, Written, by_collector)
from collector.xlsx_edit import (MAIN_NS, REL, RELATIONSHIPS_NS, WORKSHEET_CONTENT, WORKSHEET_TYPE, XML_DECLARATION,
                                 EditablePackage, Unsupported, add_relationship, attributes, local_attribute, escape_attribute,
                                 escape_text, find_element, free_rel_id, insert_child, insert_in_order, prefix_for,
                                 qualified, rels_name, relationships, remove_relationships, set_attribute)

COMMENTS_TYPE = REL + "comments"
VML_TYPE = REL + "vmlDrawing"
TABLE_TYPE = REL + "table"
CALC_CHAIN_TYPE = REL + "calcChain"
STYLES_TYPE = REL + "styles"
COMPUTED_COLOR = "FFDDEBF7"
HEADER_COLOR = "FF1F4E78"
# What follows <definedNames> in workbook.xml, in schema order.
_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_OWNER_COMMENT_SKIP = "skip"
FILTER_DATABASE = "_xlnm._FilterDatabase"


def write_results_lossless(source_path: str, target_path: str, book: Book, assessment: Assessment,
                           log_entries: Sequence[ContactEntry],
                           links: Mapping[str, Sequence[tuple[str, str]]] | None = None,
                           call_scripts: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
                           keep_vba: bool = False) -> Written:
    """Add this run's results to the workbook at source_path, save to target_path, change nothing else."""
    with open(source_path, "rb") as stream:
        data = stream.read()
    ahead = _taken_ahead(source_path, data)
    try:
        # hundreds of thousands of short-lived rows, cells and strings and no cycles: a collection
        # would walk the whole book and assessment each time, costing more than the edit
        with bulk_records():
            package = ahead.package if ahead else EditablePackage(data)
            editor = _Editor(package, data, book, assessment, ahead.edits if ahead else None)
            written = editor.write(log_entries, links or {}, call_scripts or {}, notes or {})
    except Unsupported:
        return writer.write_results(source_path, target_path, book, assessment, log_entries, links, call_scripts,
                                    notes, keep_vba=keep_vba)
    package.save(target_path)
    written.lossless = True
    original = EditablePackage(data)
    written.owned_parts = frozenset(owned_parts(original, written))
    written.owner_notes = owner_notes(original, written.owned_parts)
    written.owner_sheet_parts = {s.name: original.name(s.part) or s.part for s in _Workbook(original).sheets
                                 if s.part and s.name in (written.invoice_sheet, written.log_sheet,
                                                          written.customers_sheet)}
    return written


# --- the owner's workbook, read ahead ------------------------------------------------------------

class _Ahead(NamedTuple):
    data: bytes
    package: EditablePackage
    edits: dict[str, SheetEdit]  # part -> the sheet, indexed


_AHEAD: dict[str, _Ahead] = {}  # absolute path -> its workbook, read ahead for the write


@contextmanager
def reading_ahead(path: str) -> Iterator[Callable[[], None]]:
    """A way to do the writer's own reading of the workbook early, at a moment when it is free.

    Indexing a 100,000-row sheet for the write takes a third of a second of Python. The
    reader has such a moment: python-calamine parses the file without holding the
    interpreter (source.open_source's ``meanwhile``). write_results_lossless takes what was
    read, once, and only if the file still holds the same bytes; anything that went wrong
    here it meets again itself, and says in its own words.
    """
    key = os.path.abspath(path)

    def read() -> None:
        try:
            _AHEAD[key] = _read_ahead(path)
        except Exception:  # the writer meets it again
            pass

    try:
        yield read
    finally:
        _AHEAD.pop(key, None)


def _read_ahead(path: str) -> _Ahead:
    with open(path, "rb") as stream:
        data = stream.read()
    package = EditablePackage(data)
    workbook = _Workbook(package)
    sheets = [s for s in workbook.sheets
              if s.is_worksheet and s.part and s.name not in OWNED_SHEETS and package.exists(s.part)]
    edits = {}
    if sheets:  # the invoice list, as a rule: the only sheet big enough to matter
        biggest = max(sheets, key=lambda s: package.size(s.part))
        edit = SheetEdit(package.text(biggest.part), workbook.date1904)
        edit.prepare()
        edits[biggest.part] = edit
    return _Ahead(data, package, edits)


def _taken_ahead(path: str, data: bytes) -> Optional[_Ahead]:
    ahead = _AHEAD.pop(os.path.abspath(path), None)
    return ahead if ahead is not None and ahead.data == data else None


def owned_parts(package: EditablePackage, written: Written) -> set[str]:
    """The original's parts collector may change; every other part must come out byte for byte.

    Worked out from the original package and the sheet names alone, not from what the editor did,
    so that the fidelity check proves the editor kept its promise rather than repeating it.
    """
    workbook = _Workbook(package)
    owned = {"[Content_Types].xml", workbook.part, rels_name(workbook.part), "docProps/app.xml"}
    owned |= {part for part in (workbook.related(STYLES_TYPE), workbook.related(CALC_CHAIN_TYPE)) if part}
    for sheet in workbook.sheets:
        if not sheet.part:
            continue
        if sheet.name in (written.invoice_sheet, written.log_sheet, written.customers_sheet):
            owned |= {sheet.part, rels_name(sheet.part)}
            related = package.relationships(sheet.part)
            owned |= {r.part for r in related if r.type == TABLE_TYPE}
            comments = [r.part for r in related if r.type == COMMENTS_TYPE]
            drawings = [r.part for r in related if r.type == VML_TYPE]
            if len(comments) == len(drawings) == 1 and (_only_collector_notes(package, comments[0], drawings[0])
                                                         or _mergeable(package, comments[0], drawings[0])):
                owned |= {comments[0], drawings[0]}  # notes: collector's own, or the owner's with collector's added
        if sheet.name in OWNED_SHEETS:
            queue = [sheet.part]
            while queue:
                current = queue.pop()
                owned |= {current, rels_name(current)}
                queue += [r.part for r in package.relationships(current) if not r.external and r.part not in owned]
    return {package.name(part) or part for part in owned}


def owner_notes(package: EditablePackage, owned: frozenset[str]) -> dict[str, tuple[bytes, ...]]:
    """The owner's own notes in the comments parts collector adds its notes to, which must stay word for word."""
    found = {}
    for part in owned:
        if not re.search(r"comments\d*\.xml$", part, re.IGNORECASE) or not package.exists(part):
            continue
        xml = package.read(part)
        authors = [a.decode("utf-8", "replace") for a in
                   re.findall(rb"<(?:[\w.-]+:)?author>([^<]*)</(?:[\w.-]+:)?author>", xml)]
        kept = []
        for comment in re.findall(rb"<(?:[\w.-]+:)?comment\b.*?</(?:[\w.-]+:)?comment>", xml, re.DOTALL):
            author = re.search(rb'authorId="(\d+)"', comment)
            index = int(author.group(1)) if author else -1
            if not 0 <= index < len(authors) or authors[index] != COLLECTOR:
                kept.append(comment)
        if kept:
            found[part] = tuple(kept)
    return found


# --- the workbook part --------------------------------------------------------------------------


@dataclass
class _Sheet:
    name: str
    sheet_id: int
    rel_id: str
    part: str  # "" for a sheet whose part is missing
    is_worksheet: bool
    tag: str  # the <sheet> element as written
    new: bool = False


@dataclass(frozen=True)
class _Name:
    name: str
    local: Optional[int]
    text: str  # the whole <definedName> element as written


class _Workbook:
    """workbook.xml and its relationships, with the edits collector makes to them."""

    def __init__(self, package: EditablePackage) -> None:
        self.package = package
        self.part = next((r.part for r in package.relationships("") if r.type.endswith("/officeDocument")
                          and not r.external), "xl/workbook.xml")
        if not package.exists(self.part):
            raise Unsupported("the package has no workbook part")
        self.xml = package.text(self.part)
        prefix = prefix_for(self.xml, MAIN_NS)
        self.r_prefix = prefix_for(self.xml, RELATIONSHIPS_NS)
        if prefix is None:
            raise Unsupported("workbook.xml is not transitional SpreadsheetML")
        self.prefix = prefix
        self.rels_xml = package.text(rels_name(self.part))
        self.rels = {r.id: r for r in relationships(self.rels_xml, self.part)}
        self.sheets = self._sheets()
        properties = find_element(self.xml, prefix, "workbookPr")
        self.date1904 = bool(properties) and (attributes(self.xml[properties[0]:properties[1]]).get("date1904")
                                              in ("1", "true"))
        self.names = self._names()
        self.removed_names: set[str] = set()
        self.replaced_names: dict[str, str] = {}
        self.added_names: list[str] = []

    def _sheets(self) -> list[_Sheet]:
        place = find_element(self.xml, self.prefix, "sheets")
        if place is None:
            raise Unsupported("workbook.xml has no sheets")
        found = []
        tag = qualified(self.prefix, "sheet")
        for match in re.finditer(r"<%s(?=[\s/>])[^>]*?(?:/>|>\s*</%s>)" % (re.escape(tag), re.escape(tag)),
                                 self.xml[place[1]:place[2]]):
            values = attributes(match.group(0).split(">")[0])
            rel_id = local_attribute(match.group(0).split(">")[0], "id") or ""
            rel = self.rels.get(rel_id)
            part = rel.part if rel and not rel.external and self.package.exists(rel.part) else ""
            found.append(_Sheet(values.get("name", ""), int(values.get("sheetId", "0") or 0), rel_id,
                                self.package.name(part) or "" if part else "",
                                bool(rel) and rel.type == WORKSHEET_TYPE, match.group(0)))
        return found

    def _names(self) -> list[_Name]:
        place = find_element(self.xml, self.prefix, "definedNames")
        if place is None:
            return []
        tag = qualified(self.prefix, "definedName")
        names = []
        for match in re.finditer(r"<%s(?=[\s/>])[^>]*?(?:/>|>.*?</%s>)" % (re.escape(tag), re.escape(tag)),
                                 self.xml[place[1]:place[2]], re.DOTALL):
            values = attributes(match.group(0).split(">")[0])
            local = values.get("localSheetId")
            names.append(_Name(values.get("name", ""), int(local) if local and local.isdigit() else None,
                               match.group(0)))
        return names

    def sheet(self, name: str) -> Optional[_Sheet]:
        return next((s for s in self.sheets if s.name == name), None)

    def index(self, name: str) -> int:
        return next(i for i, s in enumerate(self.sheets) if s.name == name)

    def related(self, kind: str) -> Optional[str]:
        return next((r.part for r in self.rels.values() if r.type == kind and not r.external), None)

    def name_value(self, name: str) -> Optional[str]:
        for item in self.names:
            if item.name == name:
                return _unescape(re.sub(r"^<[^>]*>|</[^>]*>$", "", item.text))
        return None

    # changes

    def add_sheet(self, name: str, part: str) -> _Sheet:
        sheet_id = max([s.sheet_id for s in self.sheets] + [0]) + 1
        rel_id = free_rel_id(self.rels_xml)
        self.rels_xml = add_relationship(self.rels_xml, rel_id, WORKSHEET_TYPE, "/" + part)
        relationship = (f'{self.r_prefix}:id="{rel_id}"' if self.r_prefix
                        else f'xmlns:r="{RELATIONSHIPS_NS}" r:id="{rel_id}"')
        tag = (f'<{qualified(self.prefix, "sheet")} name="{escape_attribute(name)}" sheetId="{sheet_id}" '
               f'{relationship}/>')
        sheet = _Sheet(name, sheet_id, rel_id, part, True, tag, new=True)
        self.sheets.append(sheet)
        return sheet

    def retarget(self, sheet: _Sheet, part: str) -> None:
        """Point an existing sheet's relationship at a new part."""
        pattern = re.compile(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])[^>]*>")

        def swap(match: re.Match) -> str:
            tag = match.group(0)
            if attributes(tag).get("Id") != sheet.rel_id:
                return tag
            return set_attribute(tag, "Target", "/" + part)

        self.rels_xml = pattern.sub(swap, self.rels_xml)
        sheet.part = part

    def remove_names(self, predicate: Callable[[_Name], bool]) -> None:
        for item in self.names:
            if predicate(item):
                self.removed_names.add(item.text)

    def replace_name(self, item: _Name, text: str) -> None:
        """Rewrite one <definedName> where it stands."""
        if text != item.text:
            self.replaced_names[item.text] = text

    def add_name(self, name: str, value: str, local: Optional[int] = None, hidden: bool = False) -> None:
        scope = f' localSheetId="{local}"' if local is not None else ""
        flag = ' hidden="1"' if hidden else ""
        self.added_names.append(f'<{qualified(self.prefix, "definedName")} name="{escape_attribute(name)}"'
                                f'{scope}{flag}>{escape_text(value)}</{qualified(self.prefix, "definedName")}>')

    def text(self) -> str:
        xml = self.xml
        new = "".join(s.tag for s in self.sheets if s.new)
        if new:
            xml = insert_child(xml, find_element(xml, self.prefix, "sheets"), self.prefix, "sheets", new)
        place = find_element(xml, self.prefix, "definedNames")
        if place is not None:
            inner = xml[place[1]:place[2]]
            for text in self.removed_names:
                inner = inner.replace(text, "", 1)
            for text, replacement in self.replaced_names.items():
                inner = inner.replace(text, replacement, 1)
            closing = f"</{qualified(self.prefix, 'definedNames')}>"
            if place[1] == place[2]:  # <definedNames/>
                body = "".join(self.added_names)
                opening = xml[place[0]:place[1] - 2].rstrip() + ">"
                xml = xml[:place[0]] + (opening + body + closing if body else "") + xml[place[2]:]
            else:
                inner = inner[:-len(closing)] + "".join(self.added_names) + closing
                if re.fullmatch(r"\s*" + re.escape(closing), inner):
                    xml = xml[:place[0]] + xml[place[2]:]  # an empty <definedNames> is invalid
                else:
                    xml = xml[:place[1]] + inner + xml[place[2]:]
        elif self.added_names:
            tag = qualified(self.prefix, "definedNames")
            xml = insert_in_order(xml, self.prefix, f"<{tag}>{''.join(self.added_names)}</{tag}>",
                                  _AFTER_DEFINED_NAMES, "workbook")
        return xml


def _unescape(text: str) -> str:
    return html.unescape(text)


def _grown_name(text: str, before: str, grown: str) -> str:
    """A _xlnm._FilterDatabase element naming the filter's range before, now naming grown; as it was
    when it names some other range (the filter's own range is what Excel sorts)."""
    opening, _, rest = text.partition(">")
    value, _, closing = rest.rpartition("<")
    sheet, bang, reference = _unescape(value).rpartition("!")
    if not bang or reference.replace("$", "") != before.replace("$", ""):
        return text
    dollar = "$" if "$" in reference else ""
    first, last = grown.split(":")
    cells = [re.sub(r"([A-Z]+)(\d+)", rf"{dollar}\1{dollar}\2", cell) for cell in (first, last)]
    return f"{opening}>{escape_text(sheet + '!' + ':'.join(cells))}<{closing}"


# --- the editor ---------------------------------------------------------------------------------


class _Editor:
    def __init__(self, package: EditablePackage, data: bytes, book: Book, assessment: Assessment,
                 edits: Optional[dict[str, SheetEdit]] = None) -> None:
        self.package = package
        self.data = data
        self.book = book
        self.assessment = assessment
        self.workbook = _Workbook(package)
        self.styles_part = self.workbook.related(STYLES_TYPE)
        if not self.styles_part or not package.exists(self.styles_part):
            raise Unsupported("the workbook has no styles part")
        self.styles = Styles(package.text(self.styles_part))
        self.date1904 = self.workbook.date1904
        self.written = Written()
        self.edits: dict[str, SheetEdit] = dict(edits or {})  # part -> edit of an owner sheet
        self.overrides: dict[str, str] = {}
        self.removed_parts: set[str] = set()
        self.taken: set[str] = set()
        self.notes: dict[str, dict[str, str]] = {}  # sheet name -> cell -> note
        self.notes_mode: dict[str, str] = {}  # sheet -> "new", "merge" or "skip"
        self.merge_into: dict[str, tuple[str, str, set[str]]] = {}  # sheet -> comments, vml, cells with notes
        self._grids: Optional[python_calamine.CalamineWorkbook] = None
        self.old_sheet_names = [s.name for s in self.workbook.sheets if s.is_worksheet]

    # helpers

    def grid(self, name: str) -> list[list[object]]:
        if self._grids is None:
            self._grids = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(self.data))
        try:
            return self._grids.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as error:  # an unreadable sheet must not look empty: rows would be overwritten
            raise Unsupported(f"the sheet {name} could not be read: {error}") from None

    def edit(self, sheet: _Sheet) -> SheetEdit:
        if not sheet.is_worksheet or not sheet.part:
            raise Unsupported(f"the sheet {sheet.name} is not a worksheet collector can edit")
        if sheet.part not in self.edits:
            self.edits[sheet.part] = SheetEdit(self.package.text(sheet.part), self.date1904)
        return self.edits[sheet.part]

    def font(self, bold: bool = False, italic: bool = False, color: Optional[str] = None) -> int:
        """The owner's default font, made bold/italic/coloured, so collector's cells match the workbook."""
        base = self.styles.font(0) or Node("font", (), (Node("sz", (("val", "11"),)), Node("name", (("val", "Calibri"),))))
        children = [c for c in base.children if c.tag not in ("b", "i", "color")]
        extra = ([Node("b")] if bold else []) + ([Node("i")] if italic else [])
        if color:
            extra.append(Node("color", (("rgb", color),)))
        else:
            extra += [c for c in base.children if c.tag == "color"]
        return self.styles.add_font(Node("font", base.attrs, tuple(extra + children)))

    def fill(self, color: str) -> int:
        return self.styles.add_fill(Node("fill", (), (Node("patternFill", (("patternType", "solid"),), (
            Node("fgColor", (("rgb", color),)), Node("bgColor", (("indexed", "64"),)))),)))

    def xf(self, number_format: int = 0, font: int = 0, fill: int = 0, wrap: bool = False, indent: bool = False) -> int:
        attrs = [("numFmtId", str(number_format)), ("fontId", str(font)), ("fillId", str(fill)), ("borderId", "0"),
                 ("xfId", "0")]
        attrs += [(name, "1") for name, used in (("applyNumberFormat", number_format), ("applyFont", font),
                                                   ("applyFill", fill), ("applyAlignment", wrap or indent)) if used]
        children = (Node("alignment", (("vertical", "center"), ("wrapText", "1"))),) if wrap else ()
        if indent:  # as writer.COMPUTED_TEXT_ALIGNMENT
            children = (Node("alignment", (("horizontal", "left"), ("indent", "1"))),)
        return self.styles.add_cell_xf(Node("xf", tuple(attrs), children))

    # the run

    def write(self, log_entries, links, call_scripts, notes) -> Written:
        self._remove_owned_tabs()
        self._plan_notes()
        self._write_invoice_columns()
        self._write_contact_log(log_entries)
        self._write_credit_status()
        self._write_owned_tabs(links, call_scripts, notes)
        self._finish()
        return self.written

    # step 0: what collector put there last time goes first, so names come out the same every run

    def _remove_owned_tabs(self) -> None:
        owned = [s for s in self.workbook.sheets if s.name in OWNED_SHEETS]
        for sheet in owned:
            if sheet.part and not sheet.is_worksheet:
                raise Unsupported(f"'{sheet.name}' is not a worksheet")
            if sheet.part:
                self._remove_closure(sheet.part)
        local = {self.workbook.index(s.name) for s in owned}
        self.workbook.remove_names(lambda n: n.name == COMPUTED_NAME or
                                   (n.name.startswith("_xlnm.") and n.local in local))

    def _remove_closure(self, root: str) -> None:
        """Delete a part and every part only it refers to (drawings, charts, comments, their rels)."""
        closure, queue = [], [root]
        while queue:
            part = queue.pop(0)
            if part.lower() in {p.lower() for p in closure} or not self.package.exists(part):
                continue
            closure.append(self.package.name(part))
            queue += [r.part for r in self.package.relationships(part) if not r.external]
        inside = {p.lower() for p in closure}
        used_elsewhere = set()
        for part in self.package.parts():
            if not part.endswith(".rels"):
                continue
            source = _rels_source(part)
            if source.lower() in inside:
                continue
            used_elsewhere |= {r.part.lower() for r in relationships(self.package.text(part), source) if not r.external}
        for part in closure:
            if part.lower() in used_elsewhere and part.lower() != root.lower():
                continue
            self.package.delete(part)
            self.package.delete(rels_name(part))
            self.removed_parts.add(part)

    def _plan_notes(self) -> None:
        """Header notes go on a sheet with no comments yet, or replace collector's own notes there."""
        for layout in self._note_layouts():
            sheet = self.workbook.sheet(layout.name)
            if sheet is None or not sheet.part:
                continue
            rels = self.package.relationships(sheet.part)
            comments = [r for r in rels if r.type == COMMENTS_TYPE]
            vml = [r for r in rels if r.type == VML_TYPE]
            edit = self.edit(sheet)
            drawing = edit.legacy_drawing_id()
            if not comments and not drawing and not vml:
                self.notes_mode[sheet.name] = "new"
                continue
            if len(comments) == 1 and len(vml) == 1 and drawing == vml[0].id and \
                    _only_collector_notes(self.package, comments[0].part, vml[0].part):
                for rel in comments + vml:
                    self.package.delete(rel.part)
                    self.package.delete(rels_name(rel.part))
                    self.removed_parts.add(rel.part)
                rels_part = rels_name(sheet.part)
                self.package.write(rels_part, remove_relationships(self.package.text(rels_part),
                                                                   [r.id for r in comments + vml]))
                edit.set_legacy_drawing(None)
                self.notes_mode[sheet.name] = "new"
            elif len(comments) == 1 and len(vml) == 1 and drawing == vml[0].id and \
                    _mergeable(self.package, comments[0].part, vml[0].part):
                comments_xml, vml_xml = _without_collector_notes(self.package.text(comments[0].part),
                                                                 self.package.text(vml[0].part))
                self.package.write(comments[0].part, comments_xml)
                self.package.write(vml[0].part, vml_xml)
                self.notes_mode[sheet.name] = "merge"
                self.merge_into[sheet.name] = (comments[0].part, vml[0].part, _comment_refs(comments_xml))
            else:
                self.notes_mode[sheet.name] = _OWNER_COMMENT_SKIP

    def _note_layouts(self) -> list[SheetLayout]:
        layouts = list(self.book.layouts[:1])
        customers = self._customers_layout()
        if customers is not None:
            layouts.append(customers)
        return layouts

    def _customers_layout(self) -> Optional[SheetLayout]:
        return next((l for l in self.book.layouts[1:] if header.sheet_kind(l.name) == "customers"), None)

    def _note(self, sheet: str, row: int, column: int) -> None:
        reference = f"{column_letter(column)}{row}"
        mode = self.notes_mode.get(sheet)
        if mode == "new" or (mode == "merge" and reference not in self.merge_into[sheet][2]):
            self.notes.setdefault(sheet, {})[reference] = COMPUTED_NOTE

    # step 1: the computed columns right of the invoices

    def _write_invoice_columns(self) -> None:
        layout = self.book.layouts[0]
        sheet = self.workbook.sheet(layout.name)
        if sheet is None:
            raise Unsupported("the invoice sheet is not in the workbook")
        edit = self.edit(sheet)
        columns = writer.computed_columns(layout)
        start = self._computed_start(sheet.name, edit, layout)
        header_row = layout.header_row
        end = start + len(columns) - 1
        if start + len(columns) + 1 > 16384:
            raise Unsupported("the invoice sheet has no free columns left for collector's")
        edit.clear(header_row, start, start + len(columns) + 1)
        fill = self.fill(COMPUTED_COLOR)
        heading = self.xf(font=self.font(bold=True, italic=True), fill=fill, wrap=True)
        kinds = {"date": self.xf(self._owner_date_format(edit, layout), fill=fill),
                 "money": self.xf(self.styles.number_format(MONEY_FORMAT), fill=fill),
                 "int": self.xf(fill=fill), "text": self.xf(fill=fill, indent=True)}
        for offset, column in enumerate(columns):
            edit.set(header_row, start + offset, column.header, heading)
            self._note(sheet.name, header_row, start + offset)
        results = self.assessment.invoices
        values = writer.computed_column_values(results, columns)
        edit.set_widths(dict(enumerate(writer.computed_widths(columns, values), start=start)), widen=True)
        edit.set_columns([result.invoice.row for result in results],
                         [(start + offset, kinds[column.kind], column_values)
                          for offset, (column, column_values) in enumerate(zip(columns, values))])
        reference = (f"{quote_sheetname(sheet.name)}!${column_letter(start)}${header_row}:"
                     f"${column_letter(end)}${header_row}")
        self.workbook.add_name(COMPUTED_NAME, reference, hidden=True)
        self._grow_tables(sheet, header_row, start, end, columns)
        self._grow_filter(sheet, edit, header_row, start, end)
        self.written.computed_range = f"{sheet.name}!{column_letter(start)}:{column_letter(end)}"
        self.written.computed_columns = (start, max(end, start + len(columns) + 1))
        self.written.filter_end = end
        self.written.invoice_sheet = sheet.name

    def _computed_start(self, name: str, edit: SheetEdit, layout: SheetLayout) -> int:
        value = self.workbook.name_value(COMPUTED_NAME) or ""
        match = re.fullmatch(r"(?:'((?:[^']|'')+)'|([^!']+))!\$?([A-Z]{1,3})\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?",
                             value.strip())
        if match and (match.group(1) or "").replace("''", "'") + (match.group(2) or "") == name:
            return column_index(match.group(3))
        sheet = self.workbook.sheet(name)
        noted = set()
        for rel in self.package.relationships(sheet.part):
            if rel.type == COMMENTS_TYPE and self.package.exists(rel.part):
                noted |= _comment_refs(self.package.text(rel.part))
        return max(edit.max_column(noted), layout.width, 1) + 1

    def _owner_date_format(self, edit: SheetEdit, layout: SheetLayout) -> int:
        for field_name in ("invoice_date", "due_date"):
            column = layout.column(field_name)
            if column:
                row, index = layout.header_row + 1, column.index + 1
                style = edit.cell_style(row, index)
                if edit.cell_is_number(row, index) and self.styles.is_date_style(style):
                    xf = self.styles.cell_xf(style)
                    return int(xf.attr("numFmtId", "0"))
        return self.styles.number_format(DATE_FORMAT)

    def _grow_tables(self, sheet: _Sheet, header_row: int, start: int, end: int, columns) -> None:
        """An Excel Table over the invoice list grows to take in the computed columns."""
        for rel in self.package.relationships(sheet.part):
            if rel.type != TABLE_TYPE or rel.external or not self.package.exists(rel.part):
                continue
            xml = self.package.text(rel.part)
            grown = _grown_table(xml, header_row, start, end, [c.header for c in columns])
            if grown != xml:
                self.package.write(rel.part, grown)

    def _grow_filter(self, sheet: _Sheet, edit: SheetEdit, header_row: int, start: int, end: int) -> None:
        """The owner's AutoFilter over the invoices grows over the computed columns, and so does the
        hidden name Excel keeps beside it (_xlnm._FilterDatabase), when it names the same range."""
        before = edit.filter_reference()
        grown = writer.grown_filter(before or "", header_row, start, end)
        if grown is None:
            return
        edit.set_filter_reference(grown)
        local = self.workbook.index(sheet.name)
        for item in self.workbook.names:
            if item.name == FILTER_DATABASE and item.local == local:
                self.workbook.replace_name(item, _grown_name(item.text, before, grown))

    # step 2: the Contact Log

    def _write_contact_log(self, entries: Sequence[ContactEntry]) -> None:
        sheet = next((s for s in self.workbook.sheets if s.is_worksheet and header.sheet_kind(s.name) == "contact_log"),
                     None)
        if sheet is None:
            sheet = self._new_contact_log()
            grid = [list(LOG_HEADERS)]
        else:
            grid = self.grid(sheet.name)
        edit = self.edit(sheet)
        self.written.log_sheet = sheet.name
        header_row, columns = self._log_columns(sheet.name, edit, grid)
        as_of = self.assessment.as_of
        reusable = [r for r in range(header_row + 1, len(grid) + 1)
                    if by_collector(_value(grid, r, columns["by"])) and _day(_value(grid, r, columns["invoice_date"])) == as_of]
        next_row = _last_filled_row(grid, header_row) + 1
        fields = ("invoice_date", "customer", "invoice_no", "channel", "step", "notes", "by")
        # Rows the sheet has no <row> for yet (the new ones, usually all) go in column by column
        # (_set_new_log_rows); a row the sheet has keeps its cells' styles, so it goes cell by cell.
        present = ({r.number for r in edit.rows()} if len({columns[name] for name in fields}) == len(fields)
                   else None)
        rows, fresh = [], {}
        for entry in entries:
            row = reusable.pop(0) if reusable else next_row
            if row == next_row:
                next_row += 1
            values = (entry.date, entry.customer_key, ", ".join(entry.invoices), entry.channel, entry.step, entry.note,
                      COLLECTOR)
            if present is not None and row not in present:
                fresh[row] = values
            else:
                for name, value in zip(fields, values):
                    edit.set(row, columns[name], value)
            rows.append(row)
        for row in reusable:
            for column in columns.values():
                edit.set(row, column, None)
            rows.append(row)
        date_format = self._log_date_format(edit, grid, header_row, columns)
        dates = {row: entry.date for entry, row in zip(entries, rows)}
        date_styles = {}
        for row in rows:
            column = columns["invoice_date"]
            style = self.styles.derived_xf(edit.cell_style(row, column), numFmtId=str(date_format),
                                           applyNumberFormat="1")
            if row in fresh:
                date_styles[row] = style
            else:
                edit.set(row, column, dates.get(row), style)
        _set_new_log_rows(edit, [columns[name] for name in fields], fresh, date_styles)
        self.written.log_rows.extend(rows)

    def _log_date_format(self, edit: SheetEdit, grid, header_row: int, columns: dict[str, int]) -> int:
        """The owner's way of showing a date: their own log rows', else their invoices' (then ISO)."""
        column = columns["invoice_date"]
        for row in range(header_row + 1, min(len(grid), header_row + 50) + 1):
            style = edit.cell_style(row, column)
            if (not by_collector(_value(grid, row, columns["by"])) and edit.cell_is_number(row, column)
                    and self.styles.is_date_style(style)):
                return int(self.styles.cell_xf(style).attr("numFmtId", "0"))
        invoices = self.book.layouts[0]
        return self._owner_date_format(self.edit(self.workbook.sheet(invoices.name)), invoices)

    def _new_contact_log(self) -> _Sheet:
        self.written.log_created = True
        part = self.package.free_name("xl/worksheets/sheet{}.xml", self.taken)
        heading = self.xf(font=self.font(bold=True, color="FFFFFFFF"), fill=self.fill(HEADER_COLOR))
        widths = writer.LOG_WIDTHS
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        cells = "".join(f'<c r="{column_letter(i)}1" s="{heading}" t="inlineStr"><is><t>{escape_text(t)}</t></is></c>'
                        for i, t in enumerate(LOG_HEADERS, 1))
        xml = (XML_DECLARATION + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{RELATIONSHIPS_NS}">'
               f'<dimension ref="A1:{column_letter(len(LOG_HEADERS))}1"/><sheetViews><sheetView workbookViewId="0">'
               '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
               '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
               f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{cells}</row>'
               '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
               '</worksheet>')
        self.package.write(part, xml)
        self.overrides[part] = WORKSHEET_CONTENT
        return self.workbook.add_sheet(CONTACT_LOG, part)

    def _log_columns(self, name: str, edit: SheetEdit, grid) -> tuple[int, dict[str, int]]:
        best_row, best = 1, {}
        for r in range(1, min(len(grid), 60) + 1):
            found = {}
            for c, value in enumerate(grid[r - 1], start=1):
                if isinstance(value, str):
                    field_name, _ = header.field_for(value, "contact_log")
                    if field_name and field_name not in found:
                        found[field_name] = c
            if len(found) > len(best):
                best_row, best = r, found
        needed = {"invoice_date": "Date", "customer": "Customer", "invoice_no": "Invoice No", "channel": "Channel",
                  "step": "Step", "notes": "Note", "by": "By"}
        last_column = edit.max_column()
        bold = None
        for field_name, title in needed.items():
            if field_name not in best:
                column = last_column + 1 if best or len(grid) > 1 else len(best) + 1
                bold = bold if bold is not None else self.xf(font=self.font(bold=True))
                edit.set(best_row, column, title, bold)
                last_column = max(last_column, column)
                self.written.touch(name, f"{column_letter(column)}{best_row}")
                best[field_name] = column
        return best_row, best

    # step 3: Credit Status on the Customers sheet

    def _write_credit_status(self) -> None:
        layout = self._customers_layout()
        if layout is None:
            return
        sheet = self.workbook.sheet(layout.name)
        if sheet is None:
            return
        edit = self.edit(sheet)
        grid = self.grid(sheet.name)
        written = self.written
        last_column = [max(edit.max_column(), layout.width)]

        def add_header(title: str) -> int:
            column = last_column[0] + 1
            last_column[0] = column
            edit.set(layout.header_row, column, title, self.xf(font=self.font(bold=True)))
            edit.set_widths({column: max(14, len(title) + 4)})
            written.touch(sheet.name, f"{column_letter(column)}{layout.header_row}")
            return column

        status_column = layout.column("credit_status")
        column = status_column.index + 1 if status_column else add_header("Credit Status")
        found = [c for c, v in enumerate(grid[layout.header_row - 1] if len(grid) >= layout.header_row else [], 1)
                 if isinstance(v, str) and v.strip().casefold() == "credit reason"]
        reason_column = found[0] if found else add_header("Credit Reason")
        heading_style = (self.xf(font=self.font(bold=True)) if not found
                         else edit.cell_style(layout.header_row, reason_column))
        heading = self.styles.derived_xf(heading_style, fillId=str(self.fill(COMPUTED_COLOR)), applyFill="1")
        edit.set(layout.header_row, reason_column, KEEP_VALUE if found else "Credit Reason", heading)
        written.touch(sheet.name, f"{column_letter(reason_column)}{layout.header_row}")
        self._note(sheet.name, layout.header_row, reason_column)
        for account in self.assessment.accounts:
            row = account.customer.row
            if not row:
                continue
            status_ref, reason_ref = f"{column_letter(column)}{row}", f"{column_letter(reason_column)}{row}"
            written.touch(sheet.name, reason_ref)
            status, reason = _value(grid, row, column), _value(grid, row, reason_column)
            for target in (column, reason_column):
                if edit.has_shared_formula_master(row, target):
                    raise Unsupported("a credit cell holds a shared formula other cells rely on")
            if account.credit_status == CASH_ONLY:
                if str(status or "").strip().casefold() != CASH_ONLY.casefold():
                    edit.set(row, column, CASH_ONLY)
                    written.credit_cells.append(status_ref)
                    written.touch(sheet.name, status_ref)
                edit.set(row, reason_column, account.credit_reason)
            elif reason not in (None, ""):
                edit.set(row, column, None)
                edit.set(row, reason_column, None)
                written.credit_cells.append(status_ref)
                written.touch(sheet.name, status_ref)
        written.customers_sheet = sheet.name

    # step 4: collector's own tabs, built by writer.py in a scratch workbook and moved in whole

    def _write_owned_tabs(self, links, call_scripts, notes) -> None:
        scratch = openpyxl.Workbook()
        scratch.remove(scratch.active)
        if self.date1904:
            scratch.epoch = CALENDAR_MAC_1904
        tabs = {AGING: _TabSheet(scratch.create_sheet(AGING)), ACTIONS: _TabSheet(scratch.create_sheet(ACTIONS))}
        writer._fill_aging(tabs[AGING], self.book, self.assessment)
        writer._fill_actions(tabs[ACTIONS], self.assessment, links, call_scripts, notes)
        history = writer._history_rows(_HistoryView(self._history_grid()), self.assessment)
        tabs[HISTORY] = _TabSheet(scratch.create_sheet(HISTORY))
        writer._fill_history(tabs[HISTORY], history)
        note_sheets = {}
        for number, (name, cells) in enumerate(sorted(self.notes.items()), start=1):
            holder = scratch.create_sheet(f"Notes {number}")
            for reference, text in sorted(cells.items()):
                holder[reference].comment = Comment(text, COLLECTOR, width=260, height=90)
            note_sheets[name] = holder.title
        source = _Scratch(EditablePackage(_saved(scratch)))
        mapper = _StyleMapper(Styles(source.package.text(source.styles_part)), self.styles)
        for title in (AGING, ACTIONS, HISTORY):
            self._transplant_tab(source, title, tabs[title], mapper)
            self.written.sheets_replaced.append(title)
        for name, holder in note_sheets.items():
            if self.notes_mode.get(name) == "merge":
                self._merge_notes(source, holder, *self.merge_into[name][:2])
            else:
                self._transplant_notes(source, holder, self.workbook.sheet(name))

    def _history_grid(self) -> list[list[object]]:
        existing = self.workbook.sheet(HISTORY)
        return self.grid(HISTORY) if existing is not None else []

    def _transplant_tab(self, source: "_Scratch", title: str, sheet_object, mapper: "_StyleMapper") -> None:
        scratch_part = source.sheet_part(title)

        def adapt(xml: str) -> str:
            xml = mapper.sheet(xml)
            xml = re.sub(r'\stabSelected="1"', "", xml)
            cells, extent = sheet_object.render(self.styles, self.date1904)
            xml = re.sub(r'(<dimension ref=")[^"]*(")', rf"\g<1>{extent}\g<2>", xml, count=1)  # before the cells
            return re.sub(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", lambda m: cells, xml, count=1, flags=re.DOTALL)

        part = self._copy_closure(source.package, scratch_part, adapt)
        existing = self.workbook.sheet(title)
        if existing is not None:
            self.workbook.retarget(existing, part)
        else:
            self.workbook.add_sheet(title, part)
        local = self.workbook.index(title)
        scratch_index = source.index(title)
        for name in source.names:
            if name.local == scratch_index:
                values = attributes(name.text.split(">")[0])
                value = _unescape(re.sub(r"^<[^>]*>|</[^>]*>$", "", name.text))
                self.workbook.add_name(name.name, value, local, values.get("hidden") in ("1", "true"))

    def _copy_closure(self, scratch: EditablePackage, root: str, adapt_root: Callable[[str], str]) -> str:
        """Copy a scratch part and everything it refers to into the owner's package, under free names."""
        mapping: dict[str, str] = {}
        order, queue = [], [root]
        while queue:
            part = queue.pop(0)
            if part in mapping:
                continue
            mapping[part] = self.package.free_name(_name_pattern(part), self.taken)
            order.append(part)
            queue += [r.part for r in scratch.relationships(part) if not r.external]
        for part in order:
            new = mapping[part]
            if part == root:
                content: bytes | str = adapt_root(scratch.text(part))
            elif part.endswith(".vml"):
                content = self._renumber_vml(scratch.text(part))
            else:
                content = scratch.read(part)
            self.package.write(new, content)
            self.overrides[new] = scratch.content_type(part) or "application/xml"
            rels = scratch.relationships(part)
            if rels:
                xml = None
                for rel in rels:
                    target = rel.target if rel.external else "/" + mapping[rel.part]
                    xml = add_relationship(xml, rel.id, rel.type, target, rel.external)
                self.package.write(rels_name(new), xml)
        return mapping[root]

    def _renumber_vml(self, xml: str) -> str:
        """Give a VML drawing its own shape-id block so its ids clash with no other drawing's."""
        xml = _conventional_vml(xml)
        taken = set()
        for part in self.package.parts():
            if part.lower().endswith(".vml"):
                for found in re.findall(r'idmap\b[^>]*\bdata="([\d,\s]*)"', self.package.text(part)):
                    taken |= {int(n) for n in re.findall(r"\d+", found)}
        block = max(taken | {0}) + 1
        old = re.search(r'idmap\b[^>]*\bdata="(\d+)', xml)
        old_block = int(old.group(1)) if old else 1
        xml = re.sub(r'(idmap\b[^>]*\bdata=")[\d,\s]*(")', rf"\g<1>{block}\g<2>", xml)
        return re.sub(r"_x0000_s(\d+)", lambda m: f"_x0000_s{int(m.group(1)) - 1024 * old_block + 1024 * block}", xml)

    def _transplant_notes(self, source: "_Scratch", holder: str, sheet: Optional[_Sheet]) -> None:
        if sheet is None:
            return
        scratch_part = source.sheet_part(holder)
        rels = source.package.relationships(scratch_part)
        comments = next(r for r in rels if r.type == COMMENTS_TYPE)
        vml = next(r for r in rels if r.type == VML_TYPE)
        comments_part = self._copy_closure(source.package, comments.part, lambda xml: xml)
        vml_part = self._copy_closure(source.package, vml.part, self._renumber_vml)
        rels_part = rels_name(sheet.part)
        xml = self.package.text(rels_part) if self.package.exists(rels_part) else None
        comments_id = free_rel_id(xml)
        xml = add_relationship(xml, comments_id, COMMENTS_TYPE, "/" + comments_part)
        vml_id = free_rel_id(xml)
        xml = add_relationship(xml, vml_id, VML_TYPE, "/" + vml_part)
        self.package.write(rels_part, xml)
        self.edit(sheet).set_legacy_drawing(vml_id)

    def _merge_notes(self, source: "_Scratch", holder: str, comments_part: str, vml_part: str) -> None:
        """Add collector's notes after the owner's: author and comments last, shapes last in the drawing."""
        rels = source.package.relationships(source.sheet_part(holder))
        ours = source.package.text(next(r for r in rels if r.type == COMMENTS_TYPE).part)
        shapes = _VML_SHAPE.findall(_conventional_vml(source.package.text(next(r for r in rels if r.type == VML_TYPE).part)))
        comments = self.package.text(comments_part)
        prefix = prefix_for(comments, MAIN_NS) or ""
        authors = re.findall(r"<%s>(.*?)</%s>" % (qualified(prefix, "author"), qualified(prefix, "author")), comments)
        if COLLECTOR in authors:
            author = authors.index(COLLECTOR)
        else:
            author = len(authors)
            comments = insert_child(comments, find_element(comments, prefix, "authors"), prefix, "authors",
                                    f"<{qualified(prefix, 'author')}>{COLLECTOR}</{qualified(prefix, 'author')}>")
        added = "".join(
            f'<{qualified(prefix, "comment")} ref="{ref}" authorId="{author}" shapeId="0"><{qualified(prefix, "text")}>'
            f'<{qualified(prefix, "t")} xml:space="preserve">{text}</{qualified(prefix, "t")}></{qualified(prefix, "text")}>'
            f'</{qualified(prefix, "comment")}>'
            for ref, text in re.findall(r'<comment ref="([A-Z]+\d+)"[^>]*><text><t>(.*?)</t></text></comment>', ours,
                                        re.DOTALL))
        comments = insert_child(comments, find_element(comments, prefix, "commentList"), prefix, "commentList", added)
        vml = self.package.text(vml_part)
        taken = [int(n) for n in re.findall(r"_x0000_s(\d+)", vml)]
        block = re.search(r'idmap\b[^>]*\bdata="(\d+)', vml)
        next_id = max(taken + [int(block.group(1)) * 1024 if block else 1024]) + 1
        renumbered = []
        for offset, shape in enumerate(shapes):
            renumbered.append(re.sub(r'id="_x0000_s\d+"', f'id="_x0000_s{next_id + offset}"', shape, count=1))
        end = vml.rfind("</xml>")
        self.package.write(comments_part, comments)
        self.package.write(vml_part, vml[:end] + "".join(renumbered) + vml[end:])

    # step 5: the bookkeeping

    def _finish(self) -> None:
        for part in list(self.edits):
            edit = self.edits.pop(part)  # the sheet's text goes once it is written: big sheets are big
            if edit.changed():
                self.package.write_chunks(part, edit.chunks(), big=len(edit.xml) > 1_000_000)
        self.package.write(self.styles_part, self.styles.text())
        self.package.write(self.workbook.part, self.workbook.text())
        self.package.write(rels_name(self.workbook.part), self.workbook.rels_xml)
        self._trim_calc_chain()
        new_parts = {p: t for p, t in self.overrides.items() if self.package.exists(p)}
        gone = [p for p in self.removed_parts if not self.package.exists(p)]
        if new_parts or gone:
            self.package.set_overrides(new_parts, gone)
        self._app_properties()

    def _trim_calc_chain(self) -> None:
        """Formula cells of collector's replaced tabs leave calcChain, which must list only real formulas."""
        part = self.workbook.related(CALC_CHAIN_TYPE)
        owned = {s.sheet_id for s in self.workbook.sheets if s.name in OWNED_SHEETS and not s.new}
        if not part or not owned or not self.package.exists(part):
            return
        xml = self.package.text(part)
        prefix = prefix_for(xml, MAIN_NS) or ""
        tag = qualified(prefix, "c")
        entries = list(re.finditer(r"<%s(?=[\s/>])[^>]*?/>" % re.escape(tag), xml))
        kept, current, removed = [], 0, False
        for match in entries:
            values = attributes(match.group(0))
            current = int(values.get("i", current) or current)
            if current in owned:
                removed = True
                continue
            kept.append(set_attribute(match.group(0), "i", str(current)))
        if not removed:
            return
        if not kept:
            self.package.delete(part)
            self.removed_parts.add(part)
            self.package.set_overrides({}, [part])
            rel_id = next(r.id for r in self.workbook.rels.values() if r.type == CALC_CHAIN_TYPE)
            self.workbook.rels_xml = remove_relationships(self.workbook.rels_xml, [rel_id])
            self.package.write(rels_name(self.workbook.part), self.workbook.rels_xml)
            return
        first, last = entries[0].start(), entries[-1].end()
        self.package.write(part, xml[:first] + "".join(kept) + xml[last:])

    def _app_properties(self) -> None:
        """docProps/app.xml lists the sheet names; keep that list in step with workbook.xml."""
        part = next((r.part for r in self.package.relationships("") if r.type.endswith("/extended-properties")), None)
        if not part or not self.package.exists(part):
            return
        new_names = [s.name for s in self.workbook.sheets if s.is_worksheet]
        if new_names == self.old_sheet_names:
            return
        try:
            updated = _titles_of_parts(self.package.text(part), self.old_sheet_names, new_names)
        except (ValueError, IndexError):
            return
        if updated is not None:
            self.package.write(part, updated)


# --- pieces -------------------------------------------------------------------------------------


class _HistoryView:
    """The History tab's rows as writer._history_rows reads them from an openpyxl workbook."""

    def __init__(self, grid: list[list[object]]) -> None:
        self.grid = grid
        self.sheetnames = [HISTORY] if grid else []

    def __getitem__(self, name: str) -> "_HistoryView":
        return self

    def iter_rows(self, min_row: int = 1, values_only: bool = True):
        width = max(len(writer.HISTORY_TITLES), max((len(r) for r in self.grid), default=0))
        for row in self.grid[min_row - 1:]:  # padded like openpyxl's rows, so a re-run reads what it wrote
            yield tuple(None if value == "" else value for value in row) + (None,) * (width - len(row))


class _TabCell:
    """A cell of one of collector's tabs, with the attributes writer.py sets on openpyxl's cells."""

    # Defaults at class level: a big Actions tab has hundreds of thousands of cells, most left plain.
    _value = None
    data_type = "n"
    font = fill = border = alignment = style = None
    number_format = "General"

    def __init__(self, sheet: "_TabSheet", row: int, column: int) -> None:
        self.sheet, self.row, self.column = sheet, row, column

    @property
    def value(self) -> object:
        return self._value

    @value.setter
    def value(self, value: object) -> None:
        self._value = value
        if isinstance(value, str):
            self.data_type = "f" if value.startswith("=") and len(value) > 1 else "s"
        else:
            self.data_type = "n"

    @property
    def coordinate(self) -> str:
        return f"{column_letter(self.column)}{self.row}"

    @property
    def hyperlink(self):
        return self.sheet.real.cell(row=self.row, column=self.column).hyperlink

    @hyperlink.setter
    def hyperlink(self, target) -> None:
        self.sheet.real.cell(row=self.row, column=self.column).hyperlink = target

    @property
    def comment(self):
        return self.sheet.real.cell(row=self.row, column=self.column).comment

    @comment.setter
    def comment(self, comment) -> None:
        self.sheet.real.cell(row=self.row, column=self.column).comment = comment


class _TabSheet:
    """The part of openpyxl's Worksheet that writer.py's tab functions use, fast for big tabs.

    Cells are kept here and written as XML straight into the owner's styles; everything
    else (column widths, row heights, panes, filters, print setup, charts, validations,
    conditional formats, links, notes) goes to a real, empty openpyxl sheet whose saved
    part carries it into the package. openpyxl spends most of a big tab's time on
    cell styles, which is why the cells do not go through it.

    Most of a big tab comes as blocks of rows, column by column (writer._put_rows): they are
    kept whole and rendered a column at a time, each distinct value once.
    """

    _OWN = ("real", "cells", "blocks", "_in_blocks", "_styles", "_by_identity", "row_dimensions", "criteria")

    def __init__(self, real) -> None:
        object.__setattr__(self, "real", real)
        object.__setattr__(self, "cells", {})
        object.__setattr__(self, "blocks", [])
        object.__setattr__(self, "_in_blocks", {})  # column -> [(block, its column)]
        object.__setattr__(self, "_styles", {})
        object.__setattr__(self, "_by_identity", {})
        object.__setattr__(self, "row_dimensions", _RowHeights())  # only heights: openpyxl's are slow to make
        object.__setattr__(self, "criteria", {})  # SUMIF criteria already matched (_matching)

    def __getattr__(self, name: str):
        return getattr(self.real, name)

    def __setattr__(self, name: str, value) -> None:
        if name in self._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.real, name, value)

    def cell(self, row: int, column: int, value: object = None) -> _TabCell:
        cells = self.cells.get(row)
        if cells is None:
            cells = self.cells[row] = {}
        found = cells.get(column)
        if found is None:
            found = cells[column] = self._taken_from_block(row, column) or _TabCell(self, row, column)
        if value is not None:
            found.value = value
        return found

    def put_rows(self, first_row: int, columns: Sequence) -> None:
        """writer._put_rows: the block is kept as it is given, a list of values per column.

        Values are kept as writer._put stores them (a Decimal as a float). Blocks go where nothing
        was written yet, as writer.py puts them: a block over written cells would be asked to merge
        styles cell by cell, which is what blocks are here to avoid."""
        count = len(columns[0].values) if columns else 0
        if not count:
            return
        block = _Block(first_row, [_BlockColumn(self, first_row, column) for column in columns])
        indexes = {column.index for column in block.columns}
        if len(indexes) != len(block.columns) or any(len(c.values) != count for c in block.columns):
            raise ValueError("a block of rows needs one list of values per column, all as long")
        if any(first_row < other.end and other.first < block.end for other in self.blocks) or any(
                first_row <= row < block.end and not indexes.isdisjoint(cells) for row, cells in self.cells.items()):
            raise ValueError("a block of rows must go where nothing was written yet")
        self.blocks.append(block)
        for column in block.columns:
            self._in_blocks.setdefault(column.index, []).append((block, column))

    def put_heights(self, first_row: int, heights: Sequence[float]) -> None:
        """writer._put_heights: the rows' heights from first_row down, at once."""
        self.row_dimensions.heights.update(zip(range(first_row, first_row + len(heights)), heights))

    def _taken_from_block(self, row: int, column: int) -> Optional[_TabCell]:
        """A block's cell asked for on its own (to put a link in it): it leaves the block as a cell."""
        for block, in_block in self._in_blocks.get(column, ()):
            offset = row - block.first
            if 0 <= offset < block.count and in_block.values[offset] is not _TAKEN:
                cell = _TabCell(self, row, column)
                cell._value = in_block.values[offset]
                cell.data_type = "s" if isinstance(cell._value, str) else "n"  # as writer._put leaves it
                cell.number_format, cell.alignment = in_block.style.number_format, in_block.style.alignment
                in_block.values[offset] = _TAKEN
                in_block.taken = True
                return cell
        return None

    def __getitem__(self, reference: str) -> _TabCell:
        match = re.fullmatch(r"([A-Z]+)(\d+)", reference)
        return self.cell(int(match.group(2)), column_index(match.group(1)))

    def __setitem__(self, reference: str, value: object) -> None:
        self[reference].value = value

    @property
    def max_row(self) -> int:
        return max(list(self.cells) + [block.end - 1 for block in self.blocks] + [1])

    def value(self, row: int, column: int) -> object:
        """A cell's value; reads many cells without the cost of cell(), and makes a missing one as it does."""
        cells = self.cells.get(row)
        found = cells.get(column) if cells is not None else None
        if found is None:
            for block, in_block in self._in_blocks.get(column, ()):
                if block.first <= row < block.end and in_block.values[row - block.first] is not _TAKEN:
                    return in_block.values[row - block.first]
            found = self.cell(row, column)
        return found._value

    def block_values(self, column: int, first: int, last: int) -> Optional[list]:
        """Rows first..last of a column when one block holds them all (value() of each, at once); else None."""
        for block, in_block in self._in_blocks.get(column, ()):
            if block.first <= first and last < block.end:
                values = in_block.values[first - block.first:last - block.first + 1]
                return None if in_block.taken and _TAKEN in values else values
        return None

    def render(self, styles: Styles, date1904: bool) -> tuple[str, str]:
        """The tab's <sheetData> and its used range, with styles appended to the owner's styles.xml."""
        edit = SheetEdit(f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>', date1904)
        self._add_styles(styles)
        made: dict[float, str] = {}  # a height's attributes, made once for each height (few are different)
        heights = {row: made.get(height) or made.setdefault(height, f' ht="{number_text(height)}" customHeight="1"')
                   for row, height in self.row_dimensions.heights.items() if height is not None}
        texts = self._cell_texts(edit, styles)  # row -> [(column, cell text)] of the cells put one by one
        rows: dict[int, str] = {}  # a row's XML by its number; or a whole block's, by its first row
        spans: list[range] = []  # the rows of each block rendered whole
        for block in self.blocks:
            pieces, whole, slots = self._block_pieces(block, edit, styles, heights)
            if any(block.first <= row < block.end for row in texts) or all(whole):
                rows.update(self._block_rows(block, pieces, whole, slots, heights, texts))
            else:  # every row holds a cell, and only the block's: the block's rows in one go
                rows[block.first] = _interleaved(pieces, block.count)
                spans.append(range(block.first, block.end))
        for row, cells in texts.items():
            if cells:
                rows[row] = f'<row r="{row}"{heights.get(row, "")}>' + "".join(text for _, text in sorted(cells)) + "</row>"
        for row in set(heights).difference(*spans):
            rows.setdefault(row, f'<row r="{row}"{heights[row]}></row>')
        columns = [max(cells) for cells in self.cells.values() if cells]
        columns += [block.columns[-1].index for block in self.blocks]
        extent = f"A1:{column_letter(max(columns or [1]))}{max(list(rows) + [span[-1] for span in spans] + [1])}"
        return "<sheetData>" + "".join([rows[row] for row in sorted(rows)]) + "</sheetData>", extent

    def _add_styles(self, styles: Styles) -> None:
        """Every cell format the tab needs, added to the owner's in the order its cells come (row by row,
        left to right), as when each cell was rendered on its own: new formats come out numbered alike."""
        first_uses = [(row, column, cell) for row, cells in self.cells.items() for column, cell in cells.items()]
        for block in self.blocks:
            for column in block.columns:
                offset = next((i for i, value in enumerate(column.values) if value is not _TAKEN), None)
                if offset is not None:
                    first_uses.append((block.first + offset, column.index, column.style))
        for _, _, cell in sorted(first_uses, key=lambda use: use[:2]):
            self._xf(cell, styles)

    def _cell_texts(self, edit: SheetEdit, styles: Styles) -> dict[int, list[tuple[int, str]]]:
        """The cells put one by one, as XML by row; formulas get their cached results."""
        texts: dict[int, list[tuple[int, str]]] = {}
        rests: dict[tuple, str] = {}  # (style, type, value) -> the cell's text after its reference
        for row, cells in sorted(self.cells.items()):
            number = str(row)
            found = texts[row] = []
            for column in sorted(cells):
                cell = cells[column]
                style = self._xf(cell, styles)
                if cell.data_type == "f":
                    result = _evaluate(cell.value[1:], self)
                    cached = f"<v>{number_text(result)}</v>" if result is not None else ""
                    found.append((column, f'<c r="{cell.coordinate}"{f" s={chr(34)}{style}{chr(34)}" if style else ""}>'
                                          f"<f>{escape_text(cell.value[1:])}</f>{cached}</c>"))
                    continue
                value = cell._value
                if cell.data_type == "s" and value is not None and not isinstance(value, str):
                    value = str(value)
                key = (style, type(value), value)
                try:
                    rest = rests.get(key)
                    if rest is None:
                        rest = rests[key] = edit._cell_rest(value, style)
                except TypeError:  # a value that cannot be a key
                    rest = edit._cell_rest(value, style)
                if rest:
                    found.append((column, f'<c r="{column_letter(column)}{number}{rest}'))
        return texts

    def _block_pieces(self, block: "_Block", edit: SheetEdit, styles: Styles,
                      heights: dict[int, str]) -> tuple[list, list[bool], list[list[str]]]:
        """A block's rows as pieces taken across the columns, each a text for every row or one text for all:
        the row tag, then each cell's reference and its text after the reference (in a column where some
        cells are not written at all, each whole cell or nothing). Also, by column, whether it is written
        whole so, and each row's text in it."""
        rows = range(block.first, block.end)
        numbers = list(map(str, rows))
        pieces: list = ['<row r="', numbers, '"', [heights.get(row, "") for row in rows], ">"]
        slots, whole = [], []
        for column in block.columns:
            style = self._xf(column.style, styles)
            rests = (_column_rests if column.taken else column_rests)(column.values, style, edit._cell_rest)
            whole.append("" in rests)
            if not any(rests):  # no cell written at all (an empty column without a style)
                rests = [""] * len(rests)
            elif whole[-1]:
                rests = [f'<c r="{column.letter}{number}{rest}' if rest else "" for number, rest in zip(numbers, rests)]
                pieces.append(rests)
            else:
                pieces += [f'<c r="{column.letter}', numbers, rests]
            slots.append(rests)
        pieces.append("</row>")
        return pieces, whole, slots

    def _block_rows(self, block: "_Block", pieces: list, whole: list[bool], slots: list[list[str]],
                    heights: dict[int, str], texts: dict[int, list[tuple[int, str]]]) -> dict[int, str]:
        """A block's rows as XML, by row, each joined from its pieces (_block_pieces). Rows that also
        hold cells put one by one join those."""
        rows = range(block.first, block.end)
        made = dict(zip(rows, map("".join, zip(*[repeat(piece) if isinstance(piece, str) else piece
                                                 for piece in pieces]))))
        if all(whole):  # every column may be empty: so may a row, which is then no row at all
            for row, cells in zip(rows, zip(*slots)):
                if not any(cells) and row not in heights:
                    del made[row]
        for row in [row for row in texts if block.first <= row < block.end]:  # rows also holding cells put one by one
            offset = row - block.first
            made.pop(row, None)
            for column, is_whole, slot in zip(block.columns, whole, slots):
                if slot[offset]:
                    texts[row].append((column.index, slot[offset] if is_whole else f'<c r="{column.letter}{row}{slot[offset]}'))
        return made

    def _xf(self, cell: _TabCell, styles: Styles) -> int:
        # writer.py shares its style objects, so most cells are found by the objects' identity (they all
        # live until the tab is rendered); equal alignments made apart still share one cell format.
        identity = (id(cell.font), id(cell.fill), id(cell.border), id(cell.alignment), cell.number_format, cell.style)
        found = self._by_identity.get(identity)
        if found is None:
            key = (id(cell.font), id(cell.fill), id(cell.border), _alignment_key(cell.alignment), cell.number_format,
                   cell.style)
            found = self._styles.get(key)
            if found is None:
                found = self._styles[key] = _tab_xf(cell, styles)
            self._by_identity[identity] = found
        return found


class _Taken:
    """In a block's values: a cell taken out of the block (it is among the sheet's cells now)."""

    def __repr__(self) -> str:
        return "<taken>"


_TAKEN = _Taken()


class _BlockColumn:
    """One column of a block: its values, and a cell standing for all of them in the style they share."""

    __slots__ = ("index", "letter", "values", "style", "taken")

    def __init__(self, sheet: _TabSheet, first_row: int, column) -> None:
        self.index, self.letter = column.index, column_letter(column.index)
        values = list(column.values)
        if any(issubclass(kind, Decimal) for kind in set(map(type, values))):  # as writer._put stores them
            values = [float(value) if isinstance(value, Decimal) else value for value in values]
        self.values = values
        self.taken = False  # whether a cell was taken out of it (_TAKEN among the values)
        self.style = _TabCell(sheet, first_row, column.index)
        if column.number_format is not None:
            self.style.number_format = column.number_format
        if column.alignment is not None:
            self.style.alignment = column.alignment


class _Block:
    """Rows first..end-1 of a tab, given column by column (writer._put_rows), left to right."""

    __slots__ = ("first", "end", "count", "columns")

    def __init__(self, first: int, columns: list[_BlockColumn]) -> None:
        self.first, self.count = first, len(columns[0].values)
        self.end = first + self.count
        self.columns = sorted(columns, key=lambda column: column.index)


def _column_rests(values: list, style: int, cell_rest: Callable[[object, int], str]) -> list[str]:
    """sheet_xml.column_rests over a block's column, where a cell taken out of the block is no cell here."""
    if _TAKEN not in values:
        return column_rests(values, style, cell_rest)
    rests = column_rests([None if value is _TAKEN else value for value in values], style, cell_rest)
    return ["" if value is _TAKEN else rest for value, rest in zip(values, rests)]


def _interleaved(pieces: list, count: int) -> str:
    """Rows of a block in one text: each piece's first row's text (a piece of one text: that text), then
    each piece's second, and so on (the per-row joins of _block_rows, at once)."""
    flat = [""] * (count * len(pieces))
    for index, piece in enumerate(pieces):
        flat[index::len(pieces)] = [piece] * count if isinstance(piece, str) else piece
    return "".join(flat)


class _RowHeight:
    """One row's height in a _RowHeights."""

    __slots__ = ("heights", "row")

    def __init__(self, heights: dict[int, Optional[float]], row: int) -> None:
        self.heights, self.row = heights, row

    @property
    def height(self) -> Optional[float]:
        return self.heights.get(self.row)

    @height.setter
    def height(self, value: Optional[float]) -> None:
        self.heights[self.row] = value


class _RowHeights:
    """sheet.row_dimensions[row].height, as writer.py sets it, kept as row -> height (None: not set)
    without openpyxl's RowDimension objects; writer._put_heights sets a block of rows at once."""

    def __init__(self) -> None:
        self.heights: dict[int, Optional[float]] = {}

    def __getitem__(self, row: int) -> _RowHeight:
        return _RowHeight(self.heights, row)


def _alignment_key(alignment) -> Optional[tuple]:
    if alignment is None:
        return None
    return (alignment.horizontal, alignment.vertical, alignment.wrap_text, alignment.shrink_to_fit, alignment.indent,
            alignment.text_rotation, alignment.relativeIndent, alignment.justifyLastLine, alignment.readingOrder)


def _tab_xf(cell: _TabCell, styles: Styles) -> int:
    """The owner's cell format for a tab cell's font, fill, border, alignment and number format."""
    from openpyxl.styles.builtins import styles as named_styles
    from openpyxl.xml.functions import fromstring as parse_xml, tostring

    font = cell.font
    if cell.style and font is None and cell.style in named_styles:
        font = named_styles[cell.style].font
    if not any((font, cell.fill, cell.border, cell.alignment)) and cell.number_format == "General":
        return 0

    def added(item, add) -> int:
        return add(_node(parse_xml(tostring(item.to_tree())))) if item is not None else 0

    attrs = [("numFmtId", str(styles.number_format(cell.number_format))), ("fontId", str(added(font, styles.add_font))),
             ("fillId", str(added(cell.fill, styles.add_fill))), ("borderId", str(added(cell.border, styles.add_border))),
             ("xfId", "0")]
    attrs += [(f"apply{name}", "1") for name, value in (("NumberFormat", attrs[0][1] != "0"), ("Font", font),
                                                        ("Fill", cell.fill), ("Border", cell.border),
                                                        ("Alignment", cell.alignment)) if value]
    children = ()
    if cell.alignment is not None:
        children = (_node(parse_xml(tostring(cell.alignment.to_tree()))),)
    return styles.add_cell_xf(Node("xf", tuple(attrs), children))


def _node(element) -> Node:
    from collector.style_xml import node

    return node(element)


def _saved(workbook: openpyxl.Workbook) -> bytes:
    """The scratch workbook as xlsx bytes, its zip closed whatever happens.

    openpyxl leaves its zip open when a save fails (a full disk under its temporary files); the
    garbage collector then closes the zip after its buffer and prints a traceback to the owner's
    terminal. Closing it here, with the failure on its way up, leaves nothing for later.
    """
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        ExcelWriter(workbook, archive).save()
    except BaseException:
        try:
            archive.close()
        except (OSError, ValueError):
            pass  # the save's own failure is the one to report
        raise
    return buffer.getvalue()


class _Scratch:
    """The scratch workbook collector's tabs were built in."""

    def __init__(self, package: EditablePackage) -> None:
        self.package = package
        self.workbook = _Workbook(package)
        self.styles_part = self.workbook.related(STYLES_TYPE)
        self.names = self.workbook.names

    def sheet_part(self, title: str) -> str:
        return self.workbook.sheet(title).part

    def index(self, title: str) -> int:
        return self.workbook.index(title)


class _StyleMapper:
    """Scratch style indices -> the owner's, appending what the owner's styles.xml lacks."""

    def __init__(self, scratch: Styles, owner: Styles) -> None:
        self.scratch = scratch
        self.owner = owner
        self.xfs: dict[int, int] = {}
        self.dxfs: dict[int, int] = {}

    def cell(self, index: int) -> int:
        if index not in self.xfs:
            xf = self.scratch.cell_xf(index)
            if xf is None:
                self.xfs[index] = 0
                return 0
            font = self.owner.add_font(self.scratch.existing["fonts"][int(xf.attr("fontId", "0"))])
            fill_id = int(xf.attr("fillId", "0"))
            fill = fill_id if fill_id < 2 else self.owner.add_fill(self.scratch.existing["fills"][fill_id])
            border = self.owner.add_border(self.scratch.existing["borders"][int(xf.attr("borderId", "0"))])
            number = int(xf.attr("numFmtId", "0"))
            if number >= 164:
                number = self.owner.number_format(self.scratch.format_code(number))
            mapped = xf.with_attrs(numFmtId=str(number), fontId=str(font), fillId=str(fill), borderId=str(border),
                                   xfId="0")
            mapped = Node(mapped.tag, mapped.attrs, tuple(c for c in mapped.children
                                                          if c.tag in ("alignment", "protection")))
            self.xfs[index] = self.owner.add_cell_xf(mapped)
        return self.xfs[index]

    def dxf(self, index: int) -> int:
        if index not in self.dxfs:
            self.dxfs[index] = self.owner.add_dxf(self.scratch.existing["dxfs"][index])
        return self.dxfs[index]

    def sheet(self, xml: str) -> str:
        """A scratch sheet's XML (openpyxl's, so no prefixes) with every style index mapped."""
        xml = _CELL_STYLE.sub(lambda m: f"{m.group(1)}{self.cell(int(m.group(2)))}", xml)
        xml = _COLUMN_STYLE.sub(lambda m: f"{m.group(1)}{self.cell(int(m.group(2)))}", xml)
        return _RULE_STYLE.sub(lambda m: f"{m.group(1)}{self.dxf(int(m.group(2)))}", xml)


_CELL_STYLE = re.compile(r'(<(?:c|row)\s[^>]*?\ss=")(\d+)')
_COLUMN_STYLE = re.compile(r'(<col\s[^>]*?\sstyle=")(\d+)')
_RULE_STYLE = re.compile(r'(<cfRule\s[^>]*?\sdxfId=")(\d+)')


_SUMIF = re.compile(r"SUMIF\(\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+),\$?([A-Z]+)\$?(\d+),\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)\)")


def _evaluate(formula: str, sheet) -> Optional[float]:
    """The result of the two formula shapes writer.py writes: SUMIF(range, cell, range) and 0."""
    if formula.strip() == "0":
        return 0.0
    match = _SUMIF.fullmatch(formula.strip())
    if not match:
        return None
    criteria_column, first, last = column_index(match.group(1)), int(match.group(2)), int(match.group(4))
    wanted = sheet.value(int(match.group(6)), column_index(match.group(5)))
    sum_column, sum_first = column_index(match.group(7)), int(match.group(8))
    offsets = _matching(sheet, criteria_column, first, last, wanted)
    column = sheet.block_values(sum_column, sum_first, sum_first + last - first)
    if column is None:
        values = [sheet.value(sum_first + offset, sum_column) for offset in offsets]
    else:
        values = column if len(offsets) == len(column) else [column[offset] for offset in offsets]
    if set(map(type, values)) <= {float, type(None)}:  # a money column: a zero adds nothing to the sum
        numbers = list(filter(None, values))
    else:
        numbers = [value for value in values if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)]
    return float(sum(map(Decimal, map(repr, map(float, numbers))), Decimal(0)))


def _matching(sheet, column: int, first: int, last: int, wanted: object) -> list[int]:
    """The offsets in rows first..last whose cell in column meets the criterion; each bucket's total
    of a currency asks the same question, so the answer is kept on the sheet."""
    try:
        key = (column, first, last, type(wanted), wanted)
        found = sheet.criteria.get(key)
    except TypeError:  # a criterion that cannot be a key
        key, found = None, None
    if found is None:
        values = sheet.block_values(column, first, last)
        if values is None:
            values = [sheet.value(first + offset, column) for offset in range(last - first + 1)]
        if isinstance(wanted, str) and set(map(type, values)) == {str}:  # _same_criterion on a column of text
            found = list(compress(range(len(values)), map(wanted.casefold().__eq__, map(str.casefold, values))))
        else:
            found = [offset for offset, value in enumerate(values) if _same_criterion(value, wanted)]
        if key is not None:
            sheet.criteria[key] = found
    return found


def _same_criterion(value: object, wanted: object) -> bool:
    if isinstance(wanted, str) or isinstance(value, str):
        return str(value or "").casefold() == str(wanted or "").casefold()
    return value == wanted


def _grown_table(xml: str, header_row: int, start: int, end: int, headers: Sequence[str]) -> str:
    prefix = prefix_for(xml, MAIN_NS)
    if prefix is None:
        return xml
    root = re.search(r"<%s(?=[\s/>])[^>]*>" % re.escape(qualified(prefix, "table")), xml)
    if root is None:
        return xml
    reference = attributes(root.group(0)).get("ref", "")
    found = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", reference)
    if not found:
        return xml
    min_col, min_row = column_index(found.group(1)), int(found.group(2))
    max_col, max_row = column_index(found.group(3)), int(found.group(4))
    if min_row != header_row or not (min_col <= start <= max_col + 1 or max_col >= start):
        return xml
    columns_place = find_element(xml, prefix, "tableColumns")
    if columns_place is None:
        return xml
    column_tag = qualified(prefix, "tableColumn")
    inner = xml[columns_place[1]:columns_place[2]]
    items = list(re.finditer(r"<%s(?=[\s/>])[^>]*?(?:/>|>.*?</%s>)" % (re.escape(column_tag), re.escape(column_tag)),
                             inner, re.DOTALL))
    texts = [m.group(0) for m in items]
    ids = [int(attributes(t.split(">")[0]).get("id", "0") or 0) for t in texts]
    outside = {attributes(t.split(">")[0]).get("name", "").casefold() for i, t in enumerate(texts)
               if not 0 <= i - (start - min_col) < len(headers)}
    if any(title.casefold() in outside for title in headers):
        return xml  # a column of the owner's has the same name: Excel would have to repair the table
    for offset, title in enumerate(headers):
        position = start + offset - min_col
        if position < len(texts):
            opening_end = texts[position].find(">") + 1
            texts[position] = set_attribute(texts[position][:opening_end], "name", title) + texts[position][opening_end:]
        else:
            new_id = max(ids + [0]) + 1
            ids.append(new_id)
            texts.append(f'<{column_tag} id="{new_id}" name="{escape_attribute(title)}"/>')
    new_max = max(max_col, end)
    new_reference = f"{column_letter(min_col)}{min_row}:{column_letter(new_max)}{max_row}"
    closing = f"</{qualified(prefix, 'tableColumns')}>"
    if items:
        body = inner[:items[0].start()] + "".join(texts) + inner[items[-1].end():]
    else:
        body = "".join(texts) + closing
    opening = set_attribute(xml[columns_place[0]:columns_place[1]], "count", str(len(texts)))
    xml = xml[:columns_place[0]] + opening + body + xml[columns_place[2]:]
    root = re.search(r"<%s(?=[\s/>])[^>]*>" % re.escape(qualified(prefix, "table")), xml)
    xml = xml[:root.start()] + set_attribute(root.group(0), "ref", new_reference) + xml[root.end():]
    auto_filter = re.search(r"<%s(?=[\s/>])[^>]*>" % re.escape(qualified(prefix, "autoFilter")), xml)
    if auto_filter is not None:
        xml = xml[:auto_filter.start()] + set_attribute(auto_filter.group(0), "ref", new_reference) + xml[auto_filter.end():]
    return xml


def _only_collector_notes(package: EditablePackage, comments_part: str, vml_part: str) -> bool:
    """A comments part that holds nothing but collector's own header notes (collector may replace it)."""
    if not package.exists(comments_part) or not package.exists(vml_part):
        return False
    comments = package.text(comments_part)
    authors = re.findall(r"<(?:[\w.-]+:)?author>([^<]*)</(?:[\w.-]+:)?author>", comments)
    used = {int(a) for a in re.findall(r'authorId="(\d+)"', comments)}
    if not authors or any(i >= len(authors) or authors[i] != COLLECTOR for i in used):
        return False
    vml = package.text(vml_part)
    kinds = set(re.findall(r'ObjectType="(\w+)"', vml))
    return kinds <= {"Note"} and not package.relationships(comments_part)


_VML_SHAPE = re.compile(r"<v:shape\b[^>]*>.*?</v:shape>", re.DOTALL)
_VML_PREFIXES = {"urn:schemas-microsoft-com:vml": "v", "urn:schemas-microsoft-com:office:office": "o",
                 "urn:schemas-microsoft-com:office:excel": "x"}


def _conventional_vml(xml: str) -> str:
    """openpyxl's VML (ns0:, ns1:, ...) with the v:, o: and x: prefixes Excel itself writes and expects."""
    for prefix, uri in re.findall(r'xmlns:(\w+)="([^"]+)"', xml):
        wanted = _VML_PREFIXES.get(uri)
        if wanted and prefix != wanted:
            xml = re.sub(r'(</?|\s)%s:' % re.escape(prefix), rf"\g<1>{wanted}:", xml)
            xml = xml.replace(f'xmlns:{prefix}="{uri}"', f'xmlns:{wanted}="{uri}"')
    return xml


def _mergeable(package: EditablePackage, comments_part: str, vml_part: str) -> bool:
    """An owner's notes part collector can add its own notes to: plain comments, a VML note drawing."""
    if not package.exists(comments_part) or not package.exists(vml_part) or package.relationships(comments_part):
        return False
    vml = package.text(vml_part)
    return ('xmlns:v="urn:schemas-microsoft-com:vml"' in vml and 'xmlns:x="urn:schemas-microsoft-com:office:excel"'
            in vml and 'id="_x0000_t202"' in vml and vml.rstrip().endswith("</xml>")
            and prefix_for(package.text(comments_part), MAIN_NS) is not None)


def _comment_refs(comments: str) -> set[str]:
    return set(re.findall(r'<(?:[\w.-]+:)?comment\b[^>]*?\bref="([A-Z]+\d+)"', comments))


def _without_collector_notes(comments: str, vml: str) -> tuple[str, str]:
    """The owner's notes parts with the notes collector added last time taken out again."""
    prefix = prefix_for(comments, MAIN_NS) or ""
    author_tag = qualified(prefix, "author")
    authors = re.findall(r"<%s>(.*?)</%s>" % (author_tag, author_tag), comments)
    if COLLECTOR not in authors:
        return comments, vml
    author = authors.index(COLLECTOR)
    comment_tag = qualified(prefix, "comment")
    pattern = re.compile(r'<%s\b[^>]*?\bauthorId="%d"[^>]*>.*?</%s>' % (comment_tag, author, comment_tag), re.DOTALL)
    refs = [re.search(r'\bref="([A-Z]+\d+)"', m.group(0)).group(1) for m in pattern.finditer(comments)]
    comments = pattern.sub("", comments)
    if author == len(authors) - 1:
        comments = comments.replace(f"<{author_tag}>{COLLECTOR}</{author_tag}>", "", 1)
    cells = set()
    for ref in refs:
        letters = re.match(r"[A-Z]+", ref).group(0)
        cells.add((int(ref[len(letters):]) - 1, column_index(letters) - 1))

    def ours(shape: str) -> bool:
        row = re.search(r"<x:Row>(\d+)</x:Row>", shape)
        column = re.search(r"<x:Column>(\d+)</x:Column>", shape)
        return bool(row and column and 'ObjectType="Note"' in shape and
                    (int(row.group(1)), int(column.group(1))) in cells)

    return comments, _VML_SHAPE.sub(lambda m: "" if ours(m.group(0)) else m.group(0), vml)


def _titles_of_parts(xml: str, old: list[str], new: list[str]) -> Optional[str]:
    """app.xml with the worksheet group of TitlesOfParts (and its count in HeadingPairs) replaced."""
    pairs = re.search(r"(<(?:[\w.-]+:)?HeadingPairs>\s*<([\w.-]+:)?vector\b[^>]*>)(.*?)(</\2?vector>)", xml, re.DOTALL)
    titles = re.search(r"(<(?:[\w.-]+:)?TitlesOfParts>\s*<([\w.-]+:)?vector\b[^>]*>)(.*?)(</\2?vector>)", xml, re.DOTALL)
    if not pairs or not titles:
        return None
    vt = titles.group(2) or ""
    variants = re.findall(r"<%svariant>(.*?)</%svariant>" % (re.escape(vt), re.escape(vt)), pairs.group(3), re.DOTALL)
    counts = [int(re.search(r">(\d+)<", v).group(1)) for v in variants[1::2]]
    names = [_unescape(t) for t in re.findall(r"<%slpstr>(.*?)</%slpstr>" % (re.escape(vt), re.escape(vt)),
                                                titles.group(3), re.DOTALL)]
    if sum(counts) != len(names):
        return None
    position = 0
    for group, count in enumerate(counts):
        if names[position:position + count] == old:
            names[position:position + count] = new
            counts[group] = len(new)
            break
        position += count
    else:
        return None
    new_variants = list(variants)
    for group, count in enumerate(counts):
        new_variants[group * 2 + 1] = re.sub(r">\d+<", f">{count}<", variants[group * 2 + 1], count=1)
    pairs_body = "".join(f"<{vt}variant>{v}</{vt}variant>" for v in new_variants)
    titles_body = "".join(f"<{vt}lpstr>{escape_text(n)}</{vt}lpstr>" for n in names)
    titles_open = re.sub(r'size="\d+"', f'size="{len(names)}"', titles.group(1))
    xml = xml[:titles.start()] + titles_open + titles_body + titles.group(4) + xml[titles.end():]
    pairs = re.search(r"(<(?:[\w.-]+:)?HeadingPairs>\s*<([\w.-]+:)?vector\b[^>]*>)(.*?)(</\2?vector>)", xml, re.DOTALL)
    return xml[:pairs.start()] + pairs.group(1) + pairs_body + pairs.group(4) + xml[pairs.end():]


def _rels_source(rels_part: str) -> str:
    folder, base = rels_part.rsplit("/", 1) if "/" in rels_part else ("", rels_part)
    folder = folder[:-len("_rels")].rstrip("/") if folder.endswith("_rels") else folder
    source = base[:-len(".rels")]
    return f"{folder}/{source}" if folder else source


def _name_pattern(part: str) -> str:
    folder, _, base = part.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    stem = re.sub(r"\d+$", "", stem)
    return f"{folder}/{stem}{{}}{dot}{extension}" if folder else f"{stem}{{}}{dot}{extension}"


def _set_new_log_rows(edit: SheetEdit, columns: list[int], rows: dict[int, tuple], date_styles: dict[int, int]) -> None:
    """New Contact Log rows (where the sheet has no row yet) as SheetEdit.set writes them, but column by column:
    with no cell there a kept style is no style, so every column but the date (columns[0]) has style 0."""
    if not rows:
        return
    numbers = list(rows)
    if len(set(date_styles.values())) != 1:  # never seen: dates in several formats, so row by row
        for row in numbers:
            for column, value in zip(columns, rows[row]):
                edit.set(row, column, value)
            edit.set(row, columns[0], rows[row][0], date_styles[row])
        return
    date_style = date_styles[numbers[0]]
    edit.set_columns(numbers, [(column, date_style if index == 0 else 0, [rows[row][index] for row in numbers])
                               for index, column in enumerate(columns)])


def _value(grid: list[list[object]], row: int, column: int) -> object:
    if row - 1 < len(grid) and column - 1 < len(grid[row - 1]):
        value = grid[row - 1][column - 1]
        return None if value == "" else value
    return None


def _day(value: object) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _last_filled_row(grid: list[list[object]], header_row: int) -> int:
    for row in range(len(grid), header_row, -1):
        if any(v not in (None, "") for v in grid[row - 1]):
            return row
    return header_row
