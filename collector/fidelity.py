"""Proving that a written workbook kept everything the owner made.

Before the new file replaces the original, the two packages are compared:
the parts each owner sheet relies on (drawings, shapes, comments, threaded
comments, sparklines and other extensions, slicers, pivot tables, images,
charts), the workbook-level parts (macros, custom XML, external links,
connections), formulas and their saved results, and the value of every cell
collector does not own. Anything lost or changed is returned as a sentence;
the caller then refuses to overwrite.
"""
from __future__ import annotations

import gc
import os
import re
import signal
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple, Optional

import python_calamine
from defusedxml.ElementTree import parse as parse_xml

from collector.package import Package, attribute, local, open_package
from collector.xlsx_edit import rels_name, resolve

# Relationship types (last word) that carry something the owner made, and how to name it.
OWNER_PARTS = {
    "drawing": "a drawing layer (pictures, charts, shapes)",
    "vmlDrawing": "legacy drawings (comments, buttons)",
    "comments": "cell comments",
    "threadedComment": "threaded comments",
    "threadedComments": "threaded comments",
    "slicer": "slicers",
    "timeline": "timelines",
    "pivotTable": "pivot tables",
    "table": "Excel tables",
    "printerSettings": "printer settings",
    "ctrlProp": "form controls",
    "control": "ActiveX controls",
    "chart": "charts",
    "image": "pictures",
    "oleObject": "embedded objects",
    "package": "embedded files",
    "queryTable": "query tables",
    "chartsheet": "chart sheets",
}
WORKBOOK_PARTS = {
    "vbaProject": "the macros (VBA project)",
    "customXml": "custom XML data",
    "externalLink": "links to other workbooks",
    "connections": "data connections",
    "pivotCacheDefinition": "pivot table caches",
    "slicerCache": "slicer caches",
    "timelineCache": "timeline caches",
    "person": "the people of threaded comments",
    "custom-properties": "custom document properties",
    "webextension": "add-ins",
}
SHAPE_TAGS = ("sp", "grpSp", "cxnSp", "graphicFrame", "pic")
_CELL = re.compile(r"([A-Z]+)(\d+)")


@dataclass
class SheetFacts:
    parts: Counter = field(default_factory=Counter)
    shapes: Counter = field(default_factory=Counter)
    extensions: set[str] = field(default_factory=set)
    cached_formulas: dict[str, str] = field(default_factory=dict)  # cell -> saved result text
    formulas: set[str] = field(default_factory=set)


@dataclass
class PackageFacts:
    sheets: dict[str, SheetFacts]
    workbook_parts: Counter
    defined_names: set[str]
    hidden: dict[str, str]


@dataclass(frozen=True)
class Ownership:
    """What collector may change: its own sheets entirely, and cells elsewhere by sheet."""

    sheets: frozenset[str]
    columns: dict[str, tuple[int, int]] = field(default_factory=dict)  # sheet -> (first, last) 1-based
    rows: dict[str, frozenset[int]] = field(default_factory=dict)  # sheet -> 1-based rows collector wrote
    cells: dict[str, frozenset[str]] = field(default_factory=dict)  # sheet -> A1 cells
    names: frozenset[str] = frozenset()
    filters: dict[str, tuple[int, int]] = field(default_factory=dict)  # sheet -> collector's columns a filter may grow over

    def owns(self, sheet: str, row: int, column: int, coordinate: str) -> bool:
        if sheet in self.sheets or row in self.rows.get(sheet, ()) or coordinate in self.cells.get(sheet, ()):
            return True
        span = self.columns.get(sheet)
        return bool(span) and span[0] <= column <= span[1]


def inspect(path: str) -> PackageFacts:
    """What an .xlsx/.xlsm package holds, per sheet and for the whole workbook."""
    with open_package(path) as archive:
        package = Package(archive, path)
        workbook = package.related("", "type:officeDocument") or "xl/workbook.xml"
        with package.open(workbook) as stream:
            root = parse_xml(stream).getroot()
        sheets: dict[str, SheetFacts] = {}
        hidden: dict[str, str] = {}
        for element in root.iter():
            if local(element.tag) == "sheet":
                name, rid = element.get("name", ""), attribute(element, "id") or ""
                hidden[name] = element.get("state", "visible")
                part = package.related(workbook, rid)
                if part and part.lower() in package.members:
                    sheets[name] = _sheet_facts(package, part)
        names = {f"{e.get('name')}@{e.get('localSheetId', '')}" for e in root.iter() if local(e.tag) == "definedName"}
        parts = Counter(_relation_kinds(package, workbook))
        parts.update(_relation_kinds(package, ""))
        parts.update(Counter("customXml" for n in package.members if n.startswith("customxml/item") and
                             not n.endswith(".rels") and "props" not in n))
        return PackageFacts(sheets, parts, names, hidden)


def _relations(package: Package, part: str) -> list[tuple[str, str]]:
    rels = rels_name(part)
    if rels.lower() not in package.members:
        return []
    with package.open(rels) as stream:
        root = parse_xml(stream).getroot()
    found = []
    for rel in root.iter():
        if local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        name = resolve(part, target)
        found.append((rel.get("Type", "").rpartition("/")[2], name))
    return found


def _relation_kinds(package: Package, part: str) -> Iterable[str]:
    return [kind for kind, _ in _relations(package, part) if kind in WORKBOOK_PARTS]


def _sheet_facts(package: Package, part: str) -> SheetFacts:
    facts = SheetFacts()
    _count_parts(package, part, facts, depth=0)
    with package.open(part) as stream:
        for element in parse_xml(stream).getroot().iter():
            tag = local(element.tag)
            if tag == "ext" and element.get("uri"):
                facts.extensions.add(element.get("uri"))
            elif tag == "c":
                _note_formula(element, facts)
    return facts


def _count_parts(package: Package, part: str, facts: SheetFacts, depth: int) -> None:
    for kind, target in _relations(package, part):
        if kind in OWNER_PARTS:
            facts.parts[kind] += 1
        if kind == "drawing" and target.lower() in package.members:
            with package.open(target) as stream:
                for element in parse_xml(stream).getroot().iter():
                    if local(element.tag) in SHAPE_TAGS:
                        facts.shapes[local(element.tag)] += 1
        if depth < 2 and target.lower() in package.members and kind in ("drawing", "chart"):
            _count_parts(package, target, facts, depth + 1)


def _note_formula(cell, facts: SheetFacts) -> None:
    formula = value = None
    for child in cell:
        if local(child.tag) == "f":
            formula = child
        elif local(child.tag) == "v":
            value = child.text
    if formula is not None:
        reference = cell.get("r", "")
        facts.formulas.add(reference)
        if value not in (None, ""):
            facts.cached_formulas[reference] = value


def losses(original: str, written: str, ownership: Ownership) -> list[str]:
    """Everything the owner made that the written file lost or changed, as plain sentences."""
    before, after = inspect(original), inspect(written)
    found: list[str] = []
    for name, facts in before.sheets.items():
        if name in ownership.sheets:
            continue
        now = after.sheets.get(name)
        if now is None:
            found.append(f"the sheet '{name}' would disappear")
            continue
        found += _sheet_losses(name, facts, now)
        if after.hidden.get(name) != before.hidden.get(name):
            found.append(f"the sheet '{name}' would change from {before.hidden[name]} to {after.hidden.get(name)}")
    for kind, count in before.workbook_parts.items():
        if after.workbook_parts.get(kind, 0) < count:
            found.append(f"{WORKBOOK_PARTS[kind]} would be lost")
    lost_names = {n for n in before.defined_names - after.defined_names
                  if n.split("@")[0] not in ownership.names and not n.startswith("_xlnm._FilterDatabase")}
    if lost_names:
        found.append("defined names would be lost: " + ", ".join(sorted(n.split("@")[0] for n in lost_names)))
    found += _value_changes(original, written, ownership, before)
    return found


def _sheet_losses(name: str, before: SheetFacts, after: SheetFacts) -> list[str]:
    found = []
    for kind, count in before.parts.items():
        if after.parts.get(kind, 0) < count:
            found.append(f"{OWNER_PARTS[kind]} on '{name}' would be lost")
    if sum(after.shapes.values()) < sum(before.shapes.values()):
        found.append(f"shapes or text boxes on '{name}' would be lost")
    for uri in sorted(before.extensions - after.extensions):
        found.append(f"an Excel feature on '{name}' that collector's writer does not keep (extension {uri}) "
                     "would be lost: sparklines, newer data validations or conditional formats, or slicers")
    dropped = [c for c, v in before.cached_formulas.items() if after.cached_formulas.get(c) != v and c in after.formulas]
    gone = [c for c in before.formulas if c not in after.formulas]
    if dropped:
        found.append(f"the saved results of {len(dropped)} formula{'s' if len(dropped) > 1 else ''} on '{name}' "
                     f"(e.g. {sorted(dropped, key=_cell_order)[0]}) would be wiped until Excel recalculates")
    if gone:
        found.append(f"{len(gone)} formula{'s' if len(gone) > 1 else ''} on '{name}' "
                     f"(e.g. {sorted(gone, key=_cell_order)[0]}) would be lost")
    return found


def _cell_order(reference: str) -> tuple[int, int, str]:
    match = _CELL.fullmatch(reference)
    return (int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, reference)


def _value_changes(original: str, written: str, ownership: Ownership, before: PackageFacts) -> list[str]:
    """Cell values of the owner's sheets, compared the way any reader sees them."""
    old, new = _grids(original), _grids(written)
    found = []
    for name, grid in old.items():
        if name in ownership.sheets or name not in new:
            continue
        formulas = before.sheets.get(name, SheetFacts()).formulas
        changed = _first_difference(name, grid, new[name], ownership, formulas)
        if changed:
            found.append(f"the value of '{name}'!{changed} would change")
    return found


def _grids(path: str) -> dict[str, list[list[object]]]:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}


def _first_difference(name: str, old: list[list[object]], new: list[list[object]], ownership: Ownership,
                      formulas: set[str]) -> Optional[str]:
    from collector.formula import col_letter

    span = ownership.columns.get(name)
    for r in range(max(len(old), len(new))):
        old_row = old[r] if r < len(old) else []
        new_row = new[r] if r < len(new) else []
        if old_row == new_row:
            continue
        if span and old_row[:span[0] - 1] == new_row[:span[0] - 1] and old_row[span[1]:] == new_row[span[1]:]:
            continue  # the same outside collector's columns: a whole row compared at C speed
        for c in range(max(len(old_row), len(new_row))):
            before = old_row[c] if c < len(old_row) else ""
            after = new_row[c] if c < len(new_row) else ""
            if before == after or (before in ("", None) and after in ("", None)):
                continue
            coordinate = f"{col_letter(c)}{r + 1}"
            if ownership.owns(name, r + 1, c + 1, coordinate) or coordinate in formulas:
                continue
            return coordinate
    return None


# --- the proof for a lossless write -------------------------------------------------------------------

_ROOT = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")
_EXTENSION = re.compile(rb"<(?:[\w.-]+:)?ext\b[^>]*\buri=\"([^\"]+)\"")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")


def package_losses(original: str, written: str, owned_parts: frozenset[str], ownership: Ownership,
                   owner_sheets: dict[str, str], owner_notes: Optional[dict[str, tuple[bytes, ...]]] = None
                   ) -> list[str]:
    """What a lossless write changed outside what collector owns, as plain sentences.

    Every part of the original collector does not own must be in the written package byte for
    byte. The parts it does own on the owner's sheets (``owner_sheets``: sheet name -> part) are
    held to their promise too: no formula, extension (sparklines, x14 validations, data bars) or
    relationship of the original may go, the owner's notes stay word for word, the owner's cell
    formats stay, every filter and defined name stays (but for the invoice filter grown over
    collector's columns), and every cell outside collector's cells stays: byte for byte where it can be
    shown so, else as any reader sees its value, saved formula results included.
    """
    import zipfile

    found: list[str] = []
    unproven: list[str] = []
    with zipfile.ZipFile(original) as before, zipfile.ZipFile(written) as after:
        present = {info.filename: info for info in after.infolist()}
        owned = {name.lower() for name in owned_parts}
        for info in before.infolist():
            if info.filename.endswith("/") or info.filename.lower() in owned:
                continue
            now = present.get(info.filename)
            if now is None:
                found.append(f"the part {info.filename} would be lost")
            elif (now.CRC, now.file_size) != (info.CRC, info.file_size) or \
                    before.read(info) != after.read(now):
                found.append(f"the part {info.filename} would change")
        old_package, new_package = Package(before, original), Package(after, written)
        found += _name_losses(_defined_names(old_package), _defined_names(new_package), ownership)
        same_places = _same_places(old_package, new_package, owner_sheets)
        if not _formats_kept(_styles(old_package), _styles(new_package)):
            found.append("the formats of the owner's cells (fonts, fills, number formats) would change")
            same_places = False
        for name, part in owner_sheets.items():
            if part not in present:
                found.append(f"the sheet '{name}' would disappear")
                continue
            # zlib inflates without holding the interpreter: the written part inflates while the
            # original's facts are gathered.
            with ThreadPoolExecutor(max_workers=1) as pool:
                reading = pool.submit(after.read, part)
                old = before.read(part)
                facts = _original_sheet(old)
                new = reading.result()
            found += _sheet_part_losses(name, part, facts, new, before, after, present, owned, ownership)
            if not (same_places and _same_owner_cells(name, old, new, ownership)):
                unproven.append(name)
            # Each sheet's bytes go as soon as they are compared: for a 100,000-invoice sheet the
            # proof is the run's peak of memory.
            old = new = facts = None
        for part, notes in (owner_notes or {}).items():
            text = after.read(part) if part in present else b""
            if any(note not in text for note in notes):
                found.append(f"a note the owner wrote would change or be lost ({part})")
    found += _owner_values(original, written, ownership, unproven)
    return found


class _Original(NamedTuple):
    """What the proof needs of an original sheet part besides its rows."""

    formulas: int
    outside: bytes  # the part without its rows, or all of it when its rows hold extensions
    rows_extended: bool


def _original_sheet(sheet: bytes) -> _Original:
    formulas = _formula_count(sheet) if _formula_count(sheet, upper_bound=True) else 0
    outside = _outside_cells(sheet)
    return _Original(formulas, outside, outside is sheet)


def _sheet_part_losses(name: str, part: str, old: _Original, new: bytes, before, after, present: dict,
                       owned: set[str], ownership: Ownership) -> list[str]:
    """Formulas, extensions, relationships and filters of an owner's sheet that the written part lost or changed."""
    found = []
    if old.formulas and _formula_count(new) < old.formulas:
        found.append(f"formulas on '{name}' would be lost")
    new_outside = new if old.rows_extended else _outside_cells(new, look_inside=False)
    if not _same_filters(old.outside, new_outside, ownership.filters.get(name)):
        found.append(f"the filter on '{name}' would change")
    lost = Counter(_EXTENSION.findall(old.outside)) - Counter(_EXTENSION.findall(new_outside))
    for uri in sorted(lost):
        found.append(f"an Excel feature on '{name}' (extension {uri.decode()}) would be lost")
    rels = rels_name(part)
    if rels in {i.filename for i in before.infolist()}:
        kept = set(_RELATIONSHIP.findall(after.read(rels))) if rels in present else set()
        for tag in _RELATIONSHIP.findall(before.read(rels)):
            target = re.search(rb'\bTarget="([^"]*)"', tag)
            resolved = resolve(part, target.group(1).decode("utf-8", "replace") if target else "")
            if tag not in kept and (b'TargetMode="External"' in tag or resolved.lower() not in owned):
                found.append(f"a link from '{name}' to its notes, tables or drawings would be lost")
                break
    return found


# --- the owner's filters and defined names ---------------------------------------------------------
#
# collector may change exactly one thing about them: a sheet's AutoFilter over the invoice list, and
# the hidden _xlnm._FilterDatabase name Excel keeps of its range, grow to the right over collector's
# columns (collector.writer.grown_filter). The proof holds every other filter and name to its text.

_FILTER = re.compile(rb"<(?:[\w.-]+:)?autoFilter\b[^>]*?(?:/>|>.*?</(?:[\w.-]+:)?autoFilter>)", re.DOTALL)
_REF = re.compile(rb'(\sref\s*=\s*")([^"]*)(")')
_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)")


def _same_filters(old: bytes, new: bytes, span: Optional[tuple[int, int]]) -> bool:
    """The AutoFilters after a sheet's rows (its own and its custom views') are as they were, but for
    the sheet's own grown over collector's columns (span)."""
    before = _FILTER.findall(old, max(old.rfind(b"sheetData"), 0))
    after = _FILTER.findall(new, max(new.rfind(b"sheetData"), 0))
    if before == after:
        return True
    if len(before) != len(after) or before[1:] != after[1:] or span is None:
        return False
    old_ref, new_ref = _REF.search(before[0]), _REF.search(after[0])
    return (old_ref is not None and new_ref is not None and
            _REF.sub(lambda m: m.group(1) + old_ref.group(2) + m.group(3), after[0], count=1) == before[0] and
            _grown_over(old_ref.group(2).decode(), new_ref.group(2).decode(), span))


def _grown_over(old: str, new: str, span: tuple[int, int]) -> bool:
    """Whether the range new is old grown to the right over collector's columns (span), to their last."""
    from collector.formula import col_index

    before, after = _RANGE.fullmatch(old), _RANGE.fullmatch(new)
    if before is None or after is None or before.group(1, 2, 4) != after.group(1, 2, 4):
        return False
    first, old_last, new_last = (col_index(before.group(1)) + 1, col_index(before.group(3)) + 1,
                                 col_index(after.group(3)) + 1)
    return first < span[0] and span[0] - 1 <= old_last < new_last == span[1]


def _defined_names(package: Package) -> dict[tuple[str, str], tuple]:
    """Each defined name by (name, the sheet it belongs to or ""): its other attributes and its text."""
    workbook = package.related("", "type:officeDocument") or "xl/workbook.xml"
    with package.open(workbook) as stream:
        root = parse_xml(stream).getroot()
    sheets = [e.get("name", "") for e in root.iter() if local(e.tag) == "sheet"]
    names = {}
    for element in root.iter():
        if local(element.tag) != "definedName":
            continue
        scope = element.get("localSheetId")
        sheet = sheets[int(scope)] if scope and scope.isdigit() and int(scope) < len(sheets) else scope or ""
        attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if k not in ("name", "localSheetId")))
        names[(element.get("name", ""), sheet)] = (attributes, element.text or "")
    return names


def _name_losses(before: dict, after: dict, ownership: Ownership) -> list[str]:
    """The owner's defined names the written workbook lost or changed (collector's own and those of its tabs aside)."""
    found = []
    for (name, sheet), (attributes, text) in sorted(before.items()):
        if name in _COLLECTOR_NAMES or sheet in ownership.sheets:
            continue
        now = after.get((name, sheet))
        if now == (attributes, text):
            continue
        span = ownership.filters.get(sheet)
        if name == "_xlnm._FilterDatabase" and now is not None and now[0] == attributes and span is not None:
            old_place, _, old_range = text.rpartition("!")
            new_place, _, new_range = now[1].rpartition("!")
            if old_place == new_place and _grown_over(old_range, new_range, span):
                continue
        found.append(f"the defined name {name}{f' of {sheet!r}' if sheet else ''} would change or be lost")
    return found


_COLLECTOR_NAMES = ("_collector_computed",)


def _formula_count(sheet: bytes, upper_bound: bool = False) -> int:
    """How many formula elements a sheet part holds, counted at C speed (a 100k-row sheet is 70 MB).

    With upper_bound, one pass that may count other elements starting with f too: zero means none.
    """
    root = _ROOT.search(sheet, 0, 4096)
    tag = b"<" + (root.group(1) or b"" if root else b"") + b"f"
    if upper_bound:
        return sheet.count(tag)
    return sum(sheet.count(tag + end) for end in (b">", b" ", b"/", b"\t", b"\n", b"\r"))


def _outside_cells(sheet: bytes, look_inside: bool = True) -> bytes:
    """A sheet part without its rows: where its extensions (sparklines, x14 validations, data bars) live.

    Without look_inside the rows are dropped unread (the original's had no extensions of their own).
    """
    start, end = sheet.find(b"sheetData"), sheet.rfind(b"sheetData")
    if start < 0 or start == end or (look_inside and sheet.find(b"uri=", start, end) >= 0):  # rows with extensions
        return sheet
    return sheet[:start] + sheet[end:]


# --- the owner's cells, byte for byte -----------------------------------------------------------------
#
# When collector's editor has done what it promises, every cell of the owner's sheets outside
# collector's cells is in the written part exactly as it was in the original: same bytes, so same
# value, saved formula result, style index and shared-string index. With the shared strings part
# unchanged (it is not collector's: compared above), the owner's formats kept (_formats_kept) and
# each sheet name still on the same part, equal bytes prove equal cells. Anything this cannot show
# (a namespace prefix, cells without a reference, rewritten bytes) is left to the slower comparison
# of values as calamine reads them, so it only ever decides "proven", never "lost".

_STYLE_LISTS = (b"numFmts", b"fonts", b"fills", b"borders", b"cellStyleXfs", b"cellXfs", b"dxfs")
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_UNREFERENCED = re.compile(rb'<c(?! r=")')
_EMPTY_ROW = re.compile(rb"<row\b[^>]*/>")
_SPANS = re.compile(rb'(<row r="\d+") spans="[^"]*"')  # which columns a row uses: a reader's hint, no content


def _same_places(original: Package, written: Package, owner_sheets: dict[str, str]) -> bool:
    """Each owner sheet is the same part in both packages, and dates count from the same day."""
    facts = []
    for package in (original, written):
        workbook = package.related("", "type:officeDocument") or "xl/workbook.xml"
        with package.open(workbook) as stream:
            root = parse_xml(stream).getroot()
        date1904 = [e.get("date1904", "") for e in root.iter() if local(e.tag) == "workbookPr"]
        try:
            places = {name: package.sheet_part(name).lower() for name in owner_sheets}
        except ValueError:
            return False
        facts.append((date1904, places))
    wanted = {name: part.lower() for name, part in owner_sheets.items()}
    return facts[0] == facts[1] and facts[0][1] == wanted


def _styles(package: Package) -> Optional[bytes]:
    """The styles part the workbook names, whatever it is called; None when there is none."""
    workbook = package.related("", "type:officeDocument") or "xl/workbook.xml"
    part = package.related(workbook, "type:styles")
    if part is None or part.lower() not in package.members:
        return None
    with package.open(part) as stream:
        return stream.read()


def _formats_kept(old: Optional[bytes], new: Optional[bytes]) -> bool:
    """Every font, fill, border, number format and cell format of the original is where it was.

    collector appends the formats it needs, so each list of the original styles part must begin
    the same list of the written one, and the owner's cells keep their look and their dates.
    """
    if old is None:
        return True
    if new is None:
        return False
    if old == new:
        return True
    if not (_is_plain_styles(old) and _is_plain_styles(new)):
        return False
    for tag in _STYLE_LISTS:
        items = _list_items(old, tag)
        if items and not (_list_items(new, tag) or b"").startswith(items):
            return False
    return True


def _is_plain_styles(xml: bytes) -> bool:
    """A styles part whose elements carry no namespace prefix, the way Excel writes it."""
    return re.search(rb"<styleSheet[\s>]", xml[:1024]) is not None


def _list_items(xml: bytes, tag: bytes) -> Optional[bytes]:
    """The children of one list of a styles part, as written; b"" when it is absent or empty."""
    start = re.search(rb"<" + tag + rb"(?:\s[^>]*)?(/?)>", xml)
    if start is None or start.group(1):
        return b""
    end = xml.find(b"</" + tag + b">", start.end())
    return xml[start.end():end] if end >= 0 else None


def _same_owner_cells(name: str, old: bytes, new: bytes, ownership: Ownership) -> bool:
    """Whether every cell on the sheet outside collector's cells is byte for byte the same.

    The rows are compared piece by piece, each piece starting at the same row in both parts. On a
    big sheet the later pieces are compared in a forked copy of this process, on another core:
    the pattern that finds collector's cells holds the interpreter, so a thread would not help.
    """
    old_rows, new_rows = _rows_span(old), _rows_span(new)
    if old_rows is None or new_rows is None:
        return False
    pieces = _pieces(old, old_rows, new, new_rows)

    def same(chosen: list[tuple[int, int, int, int]]) -> bool:
        return all(_same_piece(name, old, new, piece, ownership) for piece in chosen)

    size = (old_rows[1] - old_rows[0]) + (new_rows[1] - new_rows[0])
    if len(pieces) < 2 or size < _FORK_ABOVE or not _can_fork():
        return same(pieces)
    half = len(pieces) // 2
    return _both_hold(lambda: same(pieces[:half]), lambda: same(pieces[half:]))


_PIECE = 4 << 20  # bytes of the original's rows compared at a time: each piece is copied without collector's cells
_NEAR = 64 << 10  # how far from where a row is expected it is looked for first
_FORK_ABOVE = 16 << 20  # rows of both parts together worth a second process (a fork costs ~10 ms at 100,000 rows)


def _rows_span(sheet: bytes) -> Optional[tuple[int, int]]:
    """Where a sheet part's rows are (from <sheetData on); None when it has none to compare."""
    start = sheet.find(b"<sheetData")
    if start < 0:
        return None
    end = sheet.rfind(b"</sheetData>")
    if end < 0:
        close = sheet.find(b">", start)
        return (start, start) if close > 0 and sheet[close - 1:close] == b"/" else None
    return start, end


def _pieces(old: bytes, old_rows: tuple[int, int], new: bytes, new_rows: tuple[int, int]
            ) -> list[tuple[int, int, int, int]]:
    """The rows of both parts cut into pieces of about _PIECE bytes, each cut where the same row starts in both.

    A cut that cannot be found in both parts is not made: a piece may then be the whole rest.
    """
    (old_at, old_end), (new_at, new_end) = old_rows, new_rows
    pieces = []
    while old_end - old_at > 2 * _PIECE:
        cut = old.find(b'<row r="', old_at + _PIECE, old_end)
        close = old.find(b'"', cut + 8, cut + 24) if cut > 0 else -1
        if close < 0:
            break
        row = old[cut:close + 1]  # <row r="123"
        # where the rest of the new rows are as long as the rest of the old ones would put it
        guess = new_at + (cut - old_at) * (new_end - new_at) // (old_end - old_at)
        new_cut = new.find(row, max(new_at, guess - _NEAR), guess + _NEAR)
        if new_cut < 0:
            new_cut = new.find(row, new_at, new_end)
        if new_cut < 0:
            break
        pieces.append((old_at, cut, new_at, new_cut))
        old_at, new_at = cut, new_cut
    pieces.append((old_at, old_end, new_at, new_end))
    return pieces


def _same_piece(name: str, old: bytes, new: bytes, piece: tuple[int, int, int, int], ownership: Ownership) -> bool:
    old_start, old_end, new_start, new_end = piece
    # Excel gives every row its spans and collector's writer only updates the ones there are, so
    # the piece's first rows tell; rows that would not are not proven the same, never wrongly so.
    spans = any(part.find(b' spans="', start, min(end, start + _NEAR)) >= 0
                for part, start, end in ((old, old_start, old_end), (new, new_start, new_end)))
    kept = _owner_cells(name, old, old_start, old_end, ownership, True, spans)
    return kept is not None and kept == _owner_cells(name, new, new_start, new_end, ownership, False, spans)


def _owner_cells(name: str, sheet: bytes, start: int, end: int, ownership: Ownership, check_references: bool,
                 spans: bool) -> Optional[bytes]:
    """Rows of a sheet (sheet[start:end]) less collector's rows, columns and cells: what a write must leave as it was.

    None when bytes cannot show it. A cell without its reference takes the column after the cell
    before it, so a removed cell could move it: the original (check_references) must have none; the
    written one then has none outside collector's cells either, or the two would differ. With spans,
    a row's spans (the hint of which columns it uses) is left out: it grows with collector's columns.
    """
    rows = memoryview(sheet)[start:end]  # a view: the rows are not copied whole
    if check_references and _UNREFERENCED.search(rows):
        return None
    if spans:
        rows = _SPANS.sub(_row_start, rows)
    span = ownership.columns.get(name)
    columns = _column_cells(span[0], span[1]) if span else None
    owned_rows = ownership.rows.get(name, frozenset())
    cells = ownership.cells.get(name, frozenset())
    if owned_rows or cells:
        return _owner_rows(bytes(rows), columns, owned_rows, cells)
    if columns is not None:
        return columns.sub(b"", rows)
    return bytes(rows)


def _row_start(match: re.Match) -> bytes:
    return match.group(1)  # (a template cannot expand into a view)


def _can_fork() -> bool:
    """A copy of this process can do part of the work: on Linux, with no other thread of Python's running.

    The copy only runs patterns over bytes and exits; threads a library keeps waiting (numpy's) hold
    nothing it uses.
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def _both_hold(here: Callable[[], bool], there: Callable[[], bool]) -> bool:
    """Whether both checks hold, ``there`` checked in a forked copy of this process meanwhile.

    The copy answers by its exit status; if it fails in any way, the answer is no (not proven).
    """
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            # The copy shares the parent's pages until it writes to them: a cycle collection would
            # walk (and so copy) every object of the run. It makes no cycles in its short life.
            gc.disable()
            status = 0 if there() else 1
        finally:
            os._exit(status)
    answer = False
    try:
        answer = here()
    finally:
        if not answer:
            os.kill(pid, signal.SIGKILL)  # its answer no longer matters
        try:
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:  # reaped by someone else (children ignored): its answer is lost
            status = 1
    return answer and status == 0


def _column_cells(first: int, last: int) -> re.Pattern:
    """A pattern for every cell in the columns first..last (1-based), with its content."""
    from collector.formula import col_letter

    letters = b"|".join(col_letter(c - 1).encode() for c in range(first, last + 1))
    # A cell's content up to its first </c>, as runs of text between tags: a tenth faster than a
    # lazy .*? on a sheet with 700,000 of collector's cells. Side by side cells go in one match (a
    # fifth faster again: fewer pieces to join).
    cell = rb'<c r="(?:' + letters + rb')\d+"(?:[^>]*/>|[^>]*>[^<]*(?:<(?!/c>)[^<]*)*</c>)'
    return re.compile(cell + rb"(?:" + cell + rb")*")


def _owner_rows(rows: bytes, columns: Optional[re.Pattern], owned_rows: frozenset[int],
                owned_cells: frozenset[str]) -> Optional[bytes]:
    """The rows without collector's rows, columns and cells, row by row (sheets with owned rows or cells)."""
    if _EMPTY_ROW.search(rows):
        return None  # <row r="5"/> would hide inside the next row's piece
    by_row: dict[int, list[str]] = {}
    for coordinate in owned_cells:
        match = _CELL.fullmatch(coordinate)
        if match is None:
            return None
        by_row.setdefault(int(match.group(2)), []).append(coordinate)
    kept = []
    for piece in rows.split(b"</row>"):
        found = _ROW_NUMBER.search(piece)
        if found is None:
            if b"<row" in piece:
                return None  # a row without its number
            kept.append(piece)
            continue
        number = int(found.group(1))
        if number in owned_rows:
            continue
        if columns is not None:
            piece = columns.sub(b"", piece)
        for coordinate in by_row.get(number, ()):
            piece = re.sub(rb'<c r="' + coordinate.encode() + rb'"(?:[^>]*/>|[^>]*>.*?</c>)', b"", piece,
                           flags=re.DOTALL)
        kept.append(piece)
    return b"</row>".join(kept)


def _owner_values(original: str, written: str, ownership: Ownership, names: list[str]) -> list[str]:
    """The cells of the owner's sheets the byte comparison could not prove, as any reader sees them."""
    if not names:
        return []
    found = []
    before = python_calamine.CalamineWorkbook.from_path(original)
    after = python_calamine.CalamineWorkbook.from_path(written)
    # calamine parses without holding the interpreter, so the two files are read side by side
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name in names:
            if name not in after.sheet_names:
                continue
            reading = [pool.submit(lambda book=book, name=name: book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                       for book in (before, after)]
            old, new = (r.result() for r in reading)
            changed = _first_difference(name, old, new, ownership, set())
            if changed:
                found.append(f"the value of '{name}'!{changed} would change")
    return found
