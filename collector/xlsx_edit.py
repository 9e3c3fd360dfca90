"""Editing an .xlsx/.xlsm package in place: the parts collector changes, and nothing else.

openpyxl rebuilds the whole file when it saves, so everything it does not
model (shapes, sparklines, slicers, threaded comments, custom XML, cached
formula results) is lost. This module instead treats the workbook as what it
is, a zip of XML parts: parts collector does not touch are copied as their
original compressed bytes, and the few it does change (one sheet's cells, the
workbook's sheet list, styles) are edited as text, so namespace prefixes,
mc:Ignorable declarations and unknown extensions survive untouched.
"""
from __future__ import annotations

import html
import posixpath
import re
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Optional, Union

RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORKSHEET_TYPE = REL + "worksheet"
WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so two runs give the same file

Content = Union[bytes, Iterable[bytes]]


class Unsupported(Exception):
    """The package holds something the editor does not handle; the caller falls back."""


# --- small XML text helpers -------------------------------------------------------------------

_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def attributes(tag: str) -> dict[str, str]:
    """The attributes of one start tag's text, unescaped, by their name as written (prefix included)."""
    return {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTRIBUTE.finditer(tag)}


def local_attribute(tag: str, name: str) -> Optional[str]:
    for key, value in attributes(tag).items():
        if key.rpartition(":")[2] == name:
            return value
    return None


def set_attribute(tag: str, name: str, value: Optional[str]) -> str:
    """A start tag with one attribute replaced, added (before the closing bracket) or removed (None)."""
    pattern = re.compile(r"""(\s)%s\s*=\s*(?:"[^"]*"|'[^']*')""" % re.escape(name))
    if pattern.search(tag):
        if value is None:
            return pattern.sub("", tag, count=1)
        return pattern.sub(lambda m: f'{m.group(1)}{name}="{escape_attribute(value)}"', tag, count=1)
    if value is None:
        return tag
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f'{tag[:end].rstrip()} {name}="{escape_attribute(value)}"{tag[end:]}'


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text: str) -> str:
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text that XML can hold: control characters (other than tab and line breaks) removed."""
    if not text or (min(text) >= " " and "\ufffe" not in text and "\uffff" not in text):
        return text
    return _ILLEGAL.sub("", text)


def prefix_for(xml: str, namespace: str) -> Optional[str]:
    """The prefix the root element binds to namespace: "" for the default namespace, None if unbound."""
    root = root_tag(xml)
    for name, value in attributes(root).items():
        if value == namespace and (name == "xmlns" or name.startswith("xmlns:")):
            return name.partition(":")[2]
    return None


def root_tag(xml: str) -> str:
    for match in re.finditer(r"<([^?!/][^>]*)>", xml):
        return match.group(0)
    raise Unsupported("a part has no root element")


def qualified(prefix: str, name: str) -> str:
    return f"{prefix}:{name}" if prefix else name


def find_element(xml: str, prefix: str, name: str, start: int = 0) -> Optional[tuple[int, int, int]]:
    """(start, end of start tag, end of element) of the first element named name, or None."""
    tag = qualified(prefix, name)
    match = re.compile(r"<%s(?=[\s/>])[^>]*>" % re.escape(tag)).search(xml, start)
    if match is None:
        return None
    if match.group(0).endswith("/>"):
        return match.start(), match.end(), match.end()
    close = xml.find(f"</{tag}>", match.end())
    if close < 0:
        raise Unsupported(f"the element {tag} is not closed")
    return match.start(), match.end(), close + len(tag) + 3


def insert_child(xml: str, parent: tuple[int, int, int], prefix: str, name: str, child: str) -> str:
    """xml with child appended inside the parent element (expanding <parent/> when empty)."""
    start, open_end, end = parent
    if open_end == end and xml[start:end].endswith("/>"):
        opening = xml[start:end - 2].rstrip() + ">"
        return xml[:start] + opening + child + f"</{qualified(prefix, name)}>" + xml[end:]
    close = end - len(qualified(prefix, name)) - 3
    return xml[:close] + child + xml[close:]


_TAG = re.compile(r"<(/?)([\w.:-]+)[^>]*?(/?)>|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)


def top_level(xml: str, prefix: str, names: Iterable[str], depth: int = 1) -> Optional[int]:
    """Where the first element named one of names starts as a child of the element open at depth.

    Only children count: an <extLst> inside a <cfRule> is not the worksheet's <extLst>.
    """
    wanted = {qualified(prefix, name) for name in names}
    level = depth
    for match in _TAG.finditer(xml):
        closing, name, empty = match.group(1), match.group(2), match.group(3)
        if name is None:
            continue
        if closing:
            level -= 1
            if level < depth:
                return None
            continue
        if level == depth and name in wanted:
            return match.start()
        if not empty:
            level += 1
    return None


def insert_in_order(xml: str, prefix: str, fragment: str, following: Iterable[str], root: str,
                    depth: int = 1) -> str:
    """Insert fragment before the first of the following child elements, else before the root's end.

    xml is the whole part (depth 1 are the root's children once its start tag is passed) or a tail
    of it that begins inside the root (pass depth=1 and no root start tag in it).
    """
    body_start = 0
    root_open = re.search(r"<%s(?=[\s/>])[^>]*>" % re.escape(qualified(prefix, root)), xml)
    if root_open is not None:
        body_start = root_open.end()
    position = top_level(xml[body_start:], prefix, following, depth)
    if position is not None:
        position += body_start
    else:
        position = xml.rfind(f"</{qualified(prefix, root)}>")
    if position < 0:
        raise Unsupported(f"the part has no </{root}>")
    return xml[:position] + fragment + xml[position:]


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Unsupported("a part is stored as UTF-16")
    return data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")


# --- relationships and content types ------------------------------------------------------------


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    target: str  # as written
    external: bool
    part: str  # resolved part name for internal targets, "" for external ones


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    folder = posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(folder, target))


_RELATIONSHIP = re.compile(r"<(?:[\w.-]+:)?Relationship(?=[\s/>])[^>]*?/?>(?:\s*</(?:[\w.-]+:)?Relationship>)?")


def relationships(xml: str, source_part: str) -> list[Relationship]:
    found = []
    for match in _RELATIONSHIP.finditer(xml):
        values = attributes(match.group(0).split(">")[0])
        external = values.get("TargetMode") == "External"
        target = values.get("Target", "")
        found.append(Relationship(values.get("Id", ""), values.get("Type", ""), target, external,
                                  "" if external else resolve(source_part, target)))
    return found


def add_relationship(xml: Optional[str], rel_id: str, rel_type: str, target: str, external: bool = False) -> str:
    if xml is None:
        xml = (XML_DECLARATION + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
               'relationships"></Relationships>')
    mode = ' TargetMode="External"' if external else ""
    prefix = _root_prefix(xml)
    element = (f'<{qualified(prefix, "Relationship")} Id="{escape_attribute(rel_id)}" Type="{rel_type}" '
               f'Target="{escape_attribute(target)}"{mode}/>')
    end = xml.rfind(f"</{qualified(prefix, 'Relationships')}>")
    if end < 0:
        self_closed = re.search(r"<(?:[\w.-]+:)?Relationships\b[^>]*/>", xml)
        if not self_closed:
            raise Unsupported("a relationships part has no end")
        opening = self_closed.group(0)[:-2].rstrip() + ">"
        return (xml[:self_closed.start()] + opening + element + f"</{qualified(prefix, 'Relationships')}>"
                + xml[self_closed.end():])
    return xml[:end] + element + xml[end:]


def remove_relationships(xml: str, ids: Iterable[str]) -> str:
    wanted = set(ids)
    return _RELATIONSHIP.sub(lambda m: "" if attributes(m.group(0).split(">")[0]).get("Id") in wanted
                             else m.group(0), xml)


def free_rel_id(xml: Optional[str], taken: Iterable[str] = ()) -> str:
    used = {r.id for r in relationships(xml, "")} if xml else set()
    used |= set(taken)
    number = 1
    while f"rId{number}" in used:
        number += 1
    return f"rId{number}"


def _root_prefix(xml: str) -> str:
    name = root_tag(xml)[1:].split()[0].rstrip("/>")
    return name.partition(":")[0] if ":" in name else ""


# --- the zip ------------------------------------------------------------------------------------

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass
class _Entry:
    name: str
    raw: Optional[bytes] = None  # the original local header + data (+ descriptor), copied verbatim
    info: object = None  # zipfile.ZipInfo of an original entry
    data: Optional[bytes] = None  # new uncompressed content
    deflated: Optional[tuple[bytes, int, int]] = None  # new content already compressed: (raw deflate, crc, size)


class EditablePackage:
    """A workbook package held in memory: untouched parts keep their original compressed bytes."""

    def __init__(self, data: bytes) -> None:
        import io
        import zipfile

        self._data = data
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise Unsupported("the file is not a zip package") from None
        self._archive = archive
        self._entries: dict[str, _Entry] = {}
        self._order: list[str] = []
        self._lower: dict[str, str] = {}
        for info in archive.infolist():
            if info.flag_bits & 0x1:
                raise Unsupported("the package is encrypted")
            if max(info.header_offset, info.compress_size, info.file_size) >= 0xFFFFFFFF:
                raise Unsupported("the package needs ZIP64")
            name = info.filename
            if name.endswith("/"):
                continue
            self._entries[name] = _Entry(name, info=info)
            self._order.append(name)
            self._lower[name.lower()] = name

    # reading

    def name(self, part: str) -> Optional[str]:
        """The part's name as stored (OPC names are case-insensitive), or None."""
        return self._lower.get(part.lstrip("/").lower())

    def exists(self, part: str) -> bool:
        return self.name(part) is not None

    def parts(self) -> list[str]:
        return list(self._order)

    def size(self, part: str) -> int:
        """How big the part is, uncompressed, as the package says (0 for a part made here)."""
        entry = self._entries.get(self.name(part) or "")
        return entry.info.file_size if entry is not None and entry.info is not None else 0

    def read(self, part: str) -> bytes:
        name = self.name(part)
        if name is None:
            raise KeyError(part)
        entry = self._entries[name]
        if entry.data is not None:
            return entry.data
        if entry.deflated is not None:
            return zlib.decompress(entry.deflated[0], -15)
        return self._archive.read(entry.info)

    def text(self, part: str) -> str:
        return decode(self.read(part))

    def changed(self, part: str) -> bool:
        name = self.name(part)
        return name is not None and (self._entries[name].data is not None or self._entries[name].deflated is not None)

    # changing

    def write(self, part: str, content: Union[bytes, str]) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        entry, created = self._entry(part)
        if not created and entry.info is not None and self.read(entry.name) == data:
            entry.data = entry.deflated = None
            return  # same bytes: keep the original entry as it was
        entry.data, entry.deflated = data, None

    def _entry(self, part: str) -> tuple[_Entry, bool]:
        """The part's entry, made (and listed last) when the package has no such part yet."""
        name = self.name(part) or part.lstrip("/")
        if name in self._entries:
            return self._entries[name], False
        self._entries[name] = _Entry(name)
        self._order.append(name)
        self._lower[name.lower()] = name
        return self._entries[name], True

    def write_chunks(self, part: str, chunks: Iterable[str], big: bool = False) -> None:
        """New content for a part, given in pieces and compressed as it comes: a big sheet's text is
        never held whole, nor encoded whole, nor compared with the original (it changed).

        A big part deflates at level 1: four times faster than level 6, a little larger."""
        deflated = _deflated(map(str.encode, chunks), 1 if big else 6)
        entry, _ = self._entry(part)
        info = entry.info
        if info is not None and (info.CRC, info.file_size) == deflated[1:] and entry.data is None \
                and entry.deflated is None and self._archive.read(info) == zlib.decompress(deflated[0], -15):
            return  # the same content: keep the original entry, bytes and all
        entry.data, entry.deflated = None, deflated

    def delete(self, part: str) -> None:
        name = self.name(part)
        if name is None:
            return
        del self._entries[name]
        self._order.remove(name)
        del self._lower[name.lower()]

    # relationships and content types

    def relationships(self, part: str) -> list[Relationship]:
        name = rels_name(part)
        return relationships(self.text(name), part) if self.exists(name) else []

    def content_type(self, part: str) -> Optional[str]:
        xml = self.text("[Content_Types].xml")
        wanted = "/" + part.lstrip("/").lower()
        for match in re.finditer(r"<(?:[\w.-]+:)?Override\b[^>]*>", xml):
            values = attributes(match.group(0))
            if values.get("PartName", "").lower() == wanted:
                return values.get("ContentType")
        extension = part.rpartition(".")[2].lower()
        for match in re.finditer(r"<(?:[\w.-]+:)?Default\b[^>]*>", xml):
            values = attributes(match.group(0))
            if values.get("Extension", "").lower() == extension:
                return values.get("ContentType")
        return None

    def set_overrides(self, add: dict[str, str], remove: Iterable[str] = ()) -> None:
        """Content type Overrides: remove those of deleted parts, append those of new ones."""
        xml = self.text("[Content_Types].xml")
        gone = {"/" + p.lstrip("/").lower() for p in remove} | {"/" + p.lstrip("/").lower() for p in add}

        def keep(match: re.Match) -> str:
            return "" if attributes(match.group(0)).get("PartName", "").lower() in gone else match.group(0)

        xml = re.sub(r"<(?:[\w.-]+:)?Override\b[^>]*?/>|<(?:[\w.-]+:)?Override\b[^>]*?>\s*</(?:[\w.-]+:)?Override>",
                     keep, xml)
        prefix = _root_prefix(xml)
        added = "".join(f'<{qualified(prefix, "Override")} PartName="/{escape_attribute(p.lstrip("/"))}" '
                        f'ContentType="{escape_attribute(t)}"/>' for p, t in add.items())
        end = xml.rfind(f"</{qualified(prefix, 'Types')}>")
        if end < 0:
            raise Unsupported("[Content_Types].xml has no end")
        self.write("[Content_Types].xml", xml[:end] + added + xml[end:])

    def free_name(self, pattern: str, taken: set[str]) -> str:
        """The first name pattern.format(n), n = 1, 2, ..., that no part and nothing in taken uses."""
        number = 1
        while True:
            name = pattern.format(number)
            if not self.exists(name) and name.lower() not in taken:
                taken.add(name.lower())
                return name
            number += 1

    # saving

    def save(self, path: str) -> None:
        with open(path, "wb") as stream:
            for chunk in self._zip_chunks():
                stream.write(chunk)

    def _zip_chunks(self) -> Iterable[bytes]:
        offset = 0
        central = []
        for name in self._order:
            entry = self._entries[name]
            if entry.data is None and entry.deflated is None:
                local, record = self._copied(entry, offset)
            else:
                local, record = _new_entry(entry, offset)
            yield local
            offset += len(local)
            central.append(record)
        directory = b"".join(central)
        if len(central) >= 0xFFFF or offset >= 0xFFFFFFFF:
            raise Unsupported("the package would need ZIP64")
        yield directory
        yield _END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)

    def _copied(self, entry: _Entry, offset: int) -> tuple[bytes, bytes]:
        info = entry.info
        start = info.header_offset
        header = _LOCAL.unpack_from(self._data, start)
        if header[0] != b"PK\x03\x04":
            raise Unsupported("a zip entry has a damaged header")
        name_length, extra_length = header[9], header[10]
        data_start = start + _LOCAL.size + name_length + extra_length
        end = data_start + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows the data
            end += 16 if self._data[end:end + 4] == b"PK\x07\x08" else 12
        local = self._data[start:end]
        record = _central(info.create_version, info.create_system, info.extract_version, info.flag_bits,
                          info.compress_type, info.date_time, info.CRC, info.compress_size, info.file_size,
                          _encoded_name(info), info.extra, info.comment, info.internal_attr, info.external_attr,
                          offset)
        return local, record


# --- deflating big parts on both cores ----------------------------------------------------------

_BLOCK = 1 << 20  # the text is deflated a megabyte or more at a time
_WINDOW = 32768  # how far back deflate looks: the history each block is primed with
_WAITING = 6  # blocks held at most, compressed or waiting to be (a few megabytes)


def _deflated(pieces: Iterable[bytes], level: int) -> tuple[bytes, int, int]:
    """(raw deflate, crc, size) of the pieces joined, deflated block by block in two threads.

    zlib works without holding the interpreter, so the blocks deflate while the caller makes the
    next pieces, and two blocks at a time once it is done. Each block is a deflate stream of its own
    primed with the 32 KB of text before it (as pigz does): it ends on a byte boundary (a sync
    flush), the last one with the final block, and their concatenation is one valid stream whose
    matches may reach back into the block before, as a single compressor's would. The checksum
    goes block after block in a third thread, in order."""
    blocks: list = []  # futures of the compressed blocks, in order
    crc: list = []  # the future of the running checksum, after the last block handed over
    size = 0
    history = b""
    with ThreadPoolExecutor(max_workers=2) as deflaters, ThreadPoolExecutor(max_workers=1) as checksum:
        def hand_over(data: bytes, last: bool) -> None:
            nonlocal history, size
            before = crc.pop() if crc else None
            crc.append(checksum.submit(_crc_after, data, before))
            blocks.append(deflaters.submit(_deflate_block, data, history, level, last))
            size += len(data)
            history = data[-_WINDOW:] if len(data) >= _WINDOW else (history + data)[-_WINDOW:]
            if len(blocks) >= _WAITING:
                blocks[-_WAITING].result()  # never more than a few megabytes waiting

        pending, held = [], 0
        for piece in pieces:
            pending.append(piece)
            held += len(piece)
            if held >= _BLOCK:
                hand_over(b"".join(pending), False)
                pending, held = [], 0
        hand_over(b"".join(pending), True)
        compressed = b"".join([block.result() for block in blocks])
        return compressed, crc[0].result() & 0xFFFFFFFF, size


def _crc_after(data: bytes, before) -> int:
    return zlib.crc32(data, before.result() if before is not None else 0)


def _deflate_block(data: bytes, history: bytes, level: int, last: bool) -> bytes:
    """One block of a stream made by _deflated: raw deflate, primed with the history before it."""
    if history:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=history)
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _encoded_name(info) -> bytes:
    if info.flag_bits & 0x800:
        return info.filename.encode("utf-8")
    try:
        return info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.orig_filename.encode("utf-8")


def _dos_time(date_time) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _central(create_version, create_system, extract_version, flags, method, date_time, crc, compressed, size,
             name: bytes, extra: bytes, comment: bytes, internal, external, offset) -> bytes:
    time, date = _dos_time(date_time)
    return _CENTRAL.pack(b"PK\x01\x02", create_version | (create_system << 8), extract_version, flags, method,
                         time, date, crc, compressed, size, len(name), len(extra), len(comment), 0, internal,
                         external, offset) + name + extra + comment


def _new_entry(entry: _Entry, offset: int) -> tuple[bytes, bytes]:
    info = entry.info
    if entry.deflated is not None:
        compressed, crc, size = entry.deflated
    else:
        data = entry.data
        # Big parts (a 100,000-row sheet is ~70 MB of XML, its tabs ~10 MB each) deflate at level 1: four times
        # faster, a little larger. The small parts (styles, relationships) stay at level 6.
        compressor = zlib.compressobj(6 if len(data) < 1_000_000 else 1, zlib.DEFLATED, -15)
        compressed = compressor.compress(data) + compressor.flush()
        crc, size = zlib.crc32(data) & 0xFFFFFFFF, len(data)
    if len(compressed) >= 0xFFFFFFFF or size >= 0xFFFFFFFF:
        raise Unsupported("a part would need ZIP64")
    name = entry.name.encode("utf-8")
    flags = 0x800 if not entry.name.isascii() else 0
    date_time = info.date_time if info is not None else NEW_PART_TIME
    external = info.external_attr if info is not None else 0o600 << 16
    time, date = _dos_time(date_time)
    local = _LOCAL.pack(b"PK\x03\x04", 20, flags, 8, time, date, crc, len(compressed), size, len(name), 0)
    record = _central(20, 0, 20, flags, 8, date_time, crc, len(compressed), size, name, b"", b"", 0,
                      external, offset)
    return local + name + compressed, record
