"""The parts of an .xlsx/.xlsm package: found by name, by relationship, by sheet.

Reading the zip directly lets collector see what openpyxl and calamine do not
show: formula text without results, drawings, extensions, defined names.
Every part is size-checked before it is inflated.
"""
from __future__ import annotations

import posixpath
import zipfile
from typing import IO, Optional
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import parse as parse_xml

MAX_PART_BYTES = 500 * 1024 * 1024


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def attribute(element: Element, name: str) -> Optional[str]:
    """An attribute by its local name, whatever its namespace (r:id in both OOXML dialects)."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return value
    return None


def _size(count: int) -> str:
    return f"{count / 1024 ** 2:,.0f} MB" if count >= 1024 ** 2 else f"{count:,} bytes"


class Package:
    """The zip members of a workbook, found by name whatever their case."""

    def __init__(self, archive: zipfile.ZipFile, path: str) -> None:
        self.archive = archive
        self.path = path
        self.members = {info.filename.replace("\\", "/").lstrip("/").lower(): info for info in archive.infolist()}

    def open(self, name: str) -> IO[bytes]:
        info = self.members.get(name.lstrip("/").lower())
        if info is None:
            raise ValueError(f"{self.path} is not a workbook collector can read: it has no part {name}.")
        if info.file_size > MAX_PART_BYTES:
            raise ValueError(
                f"{self.path} is not a workbook collector will read: its part {name} unpacks to "
                f"{_size(info.file_size)}, more than the {_size(MAX_PART_BYTES)} collector allows."
            )
        return self.archive.open(info)

    def related(self, part: str, wanted: str) -> Optional[str]:
        """The part that part's relationship wanted (an Id, or "type:<last word of the Type>") names."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name.lower() not in self.members:
            return None
        with self.open(rels_name) as stream:
            root = parse_xml(stream).getroot()
        for rel in root.iter():
            kind = "type:" + rel.get("Type", "").rpartition("/")[2]
            if local(rel.tag) == "Relationship" and wanted in (rel.get("Id"), kind):
                if rel.get("TargetMode") == "External":
                    return None
                target = rel.get("Target", "")
                name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                return posixpath.normpath(name)
        return None

    def sheets(self) -> list[tuple[str, Optional[str]]]:
        """Every sheet's name and part (None when its relationship is missing), in tab order."""
        workbook = self.related("", "type:officeDocument") or "xl/workbook.xml"
        with self.open(workbook) as stream:
            root = parse_xml(stream).getroot()
        return [(s.get("name", ""), self.related(workbook, attribute(s, "id") or ""))
                for s in root.iter() if local(s.tag) == "sheet"]

    def sheet_part(self, sheet_name: str) -> str:
        sheets = self.sheets()
        wanted = [part for name, part in sheets if name == sheet_name] or [
            part for name, part in sheets if name.casefold() == sheet_name.casefold()
        ]
        if not wanted:
            raise ValueError(f'{self.path} has no sheet named "{sheet_name}".')
        part = wanted[0]
        if part is None:
            raise ValueError(f'{self.path} is damaged: the sheet "{sheet_name}" has no part in the package.')
        return part


def open_package(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(
            f"{path} is not an .xlsx workbook collector can open (it may be password-protected or damaged)."
        ) from None
