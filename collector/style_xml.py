"""Adding cell styles to a workbook's styles.xml without renumbering the owner's.

Every cell in the workbook points at a style by its index, so the owner's
fonts, fills, borders, number formats and cell formats must keep theirs: new
ones are only appended (an identical one already there is reused, which also
makes a second run add nothing). The part is edited as text; the owner's XML
is never re-serialized.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from collector.xlsx_edit import (MAIN_NS, Unsupported, escape_attribute, find_element, insert_child,
                                 insert_in_order, prefix_for, qualified)

SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
            "tableStyles", "colors", "extLst")
_BOOLEAN_PROPERTIES = {"b", "i", "strike", "condense", "extend", "outline", "shadow"}
_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf",
          "dxfs": "dxf", "cellStyleXfs": "xf"}
# Built-in number formats every spreadsheet program knows by id.
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
DATE_FORMAT_IDS = set(range(14, 23)) | {27, 30, 36, 45, 46, 47, 50, 57}


@dataclass(frozen=True)
class Node:
    """A style element as plain data: local name, attributes in order, children in order."""

    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple["Node", ...] = ()

    def key(self) -> tuple:
        """What makes two elements the same style, whatever their attribute or child order."""
        attrs = dict(self.attrs)
        if self.tag in _BOOLEAN_PROPERTIES and attrs.get("val") in ("1", "true"):
            attrs.pop("val")
        return self.tag, tuple(sorted(attrs.items())), tuple(sorted(c.key() for c in self.children))

    def xml(self, prefix: str) -> str:
        tag = qualified(prefix, self.tag)
        attrs = "".join(f' {name}="{escape_attribute(value)}"' for name, value in self.attrs)
        if not self.children:
            return f"<{tag}{attrs}/>"
        return f"<{tag}{attrs}>" + "".join(c.xml(prefix) for c in self.children) + f"</{tag}>"

    def attr(self, name: str, default: str = "") -> str:
        return dict(self.attrs).get(name, default)

    def with_attrs(self, **values: Optional[str]) -> "Node":
        attrs = dict(self.attrs)
        for name, value in values.items():
            if value is None:
                attrs.pop(name, None)
            else:
                attrs[name] = value
        return Node(self.tag, tuple(attrs.items()), self.children)


def node(element: Element) -> Node:
    attrs = tuple((name.rpartition("}")[2], value) for name, value in element.attrib.items()
                  if "}" not in name or name.startswith("{" + MAIN_NS))
    return Node(element.tag.rpartition("}")[2], attrs, tuple(node(child) for child in element))


class Styles:
    """The owner's styles.xml, with styles appended on request."""

    def __init__(self, xml: str) -> None:
        self.original = xml
        self.prefix = prefix_for(xml, MAIN_NS)
        if self.prefix is None:
            raise Unsupported("styles.xml is not SpreadsheetML (strict OOXML?)")
        root = fromstring(xml.encode("utf-8"))
        self.existing: dict[str, list[Node]] = {name: [] for name in _CHILD}
        for section in root:
            name = section.tag.rpartition("}")[2]
            if name in _CHILD:
                self.existing[name] = [node(child) for child in section
                                       if child.tag.rpartition("}")[2] == _CHILD[name]]
        self.added: dict[str, list[Node]] = {name: [] for name in _CHILD}
        self._derived: dict[tuple, int] = {}
        self._index: dict[str, dict[tuple, int]] = {}
        for name, nodes in self.existing.items():
            index: dict[tuple, int] = {}
            for position, item in enumerate(nodes):
                index.setdefault(self._key(name, item), position)
            self._index[name] = index

    @staticmethod
    def _key(section: str, item: Node) -> tuple:
        if section == "numFmts":
            return (item.attr("formatCode"),)
        return item.key()

    def _add(self, section: str, item: Node) -> int:
        key = self._key(section, item)
        found = self._index[section].get(key)
        if found is not None:
            return found
        position = len(self.existing[section]) + len(self.added[section])
        self.added[section].append(item)
        self._index[section][key] = position
        return position

    # reading the owner's styles

    def cell_xf(self, index: int) -> Optional[Node]:
        xfs = self.existing["cellXfs"] + self.added["cellXfs"]
        return xfs[index] if 0 <= index < len(xfs) else None

    def font(self, index: int) -> Optional[Node]:
        fonts = self.existing["fonts"] + self.added["fonts"]
        return fonts[index] if 0 <= index < len(fonts) else None

    def format_code(self, number_format_id: int) -> str:
        for item in self.existing["numFmts"] + self.added["numFmts"]:
            if item.attr("numFmtId") == str(number_format_id):
                return item.attr("formatCode")
        return BUILTIN_FORMATS.get(number_format_id, "General")

    def is_date_style(self, xf_index: int) -> bool:
        from openpyxl.styles.numbers import is_date_format

        xf = self.cell_xf(xf_index)
        if xf is None:
            return False
        number_format_id = int(xf.attr("numFmtId", "0") or 0)
        return number_format_id in DATE_FORMAT_IDS or (number_format_id >= 164 and
                                                       is_date_format(self.format_code(number_format_id)))

    # adding

    def number_format(self, code: str) -> int:
        for number, builtin in BUILTIN_FORMATS.items():
            if builtin == code:
                return number
        for item in self.existing["numFmts"] + self.added["numFmts"]:
            if item.attr("formatCode") == code:
                return int(item.attr("numFmtId"))
        taken = [int(i.attr("numFmtId")) for i in self.existing["numFmts"] + self.added["numFmts"]
                 if i.attr("numFmtId").isdigit()]
        number = max([163] + taken) + 1
        self._add("numFmts", Node("numFmt", (("numFmtId", str(number)), ("formatCode", code))))
        return number

    def add_font(self, item: Node) -> int:
        return self._add("fonts", item)

    def add_fill(self, item: Node) -> int:
        return self._add("fills", item)

    def add_border(self, item: Node) -> int:
        return self._add("borders", item)

    def add_dxf(self, item: Node) -> int:
        return self._add("dxfs", item)

    def add_cell_xf(self, item: Node) -> int:
        return self._add("cellXfs", item)

    def derived_xf(self, index: int, **changes: Optional[str]) -> int:
        """A cell format like the one at index with some attributes changed (index itself if nothing changes).

        Remembered for a format that exists (formats are only ever appended): the Contact Log asks the
        same question for each of thousands of new rows.
        """
        key = (index, tuple(sorted(changes.items())))
        found = self._derived.get(key)
        if found is None:
            exists = self.cell_xf(index) is not None
            found = self._derive(index, **changes)
            if exists:
                self._derived[key] = found
        return found

    def _derive(self, index: int, **changes: Optional[str]) -> int:
        base = self.cell_xf(index) or Node("xf", (("numFmtId", "0"), ("fontId", "0"), ("fillId", "0"),
                                                  ("borderId", "0"), ("xfId", "0")))
        stripped = Node(base.tag, base.attrs, tuple(c for c in base.children if c.tag in ("alignment", "protection")))
        derived = stripped.with_attrs(**changes)
        if derived.key() == stripped.key() and self.cell_xf(index) is not None:
            return index
        return self.add_cell_xf(derived)

    def changed(self) -> bool:
        return any(self.added.values())

    def text(self) -> str:
        """styles.xml with every added style appended to its section and the counts put right."""
        if not self.changed():
            return self.original
        xml = self.original
        for section in SECTIONS:
            if section not in _CHILD or not self.added[section]:
                continue
            fragment = "".join(item.xml(self.prefix) for item in self.added[section])
            count = len(self.existing[section]) + len(self.added[section])
            place = find_element(xml, self.prefix, section)
            if place is None:
                following = SECTIONS[SECTIONS.index(section) + 1:]
                element = f'<{qualified(self.prefix, section)} count="{count}">{fragment}</{qualified(self.prefix, section)}>'
                xml = insert_in_order(xml, self.prefix, element, following, "styleSheet")
                continue
            xml = insert_child(xml, place, self.prefix, section, fragment)
            start, open_end, _ = find_element(xml, self.prefix, section)
            opening = xml[start:open_end]
            fixed = re.sub(r'(\scount\s*=\s*)(["\'])\d*\2', rf'\g<1>"{count}"', opening)
            xml = xml[:start] + fixed + xml[open_end:]
        return xml
