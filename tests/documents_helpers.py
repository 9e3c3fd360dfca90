"""Shared helpers for the document tests: reading PDFs and emails the way a person would."""
from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

MM_PER_POINT = 25.4 / 72


def pdf_text(path: Path | bytes) -> str:
    reader = PdfReader(BytesIO(path) if isinstance(path, bytes) else str(path))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def text_positions(path: Path, page: int = 0) -> list[tuple[float, float, float, str]]:
    """(x mm from the left edge, y mm from the top edge to the baseline, font size pt, text) per text run."""
    sheet = PdfReader(str(path)).pages[page]
    height = float(sheet.mediabox.height)
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b, c, d, e, f = cm
            x = tm[4] * a + tm[5] * c + e
            y = tm[4] * b + tm[5] * d + f
            found.append((x * MM_PER_POINT, (height - y) * MM_PER_POINT, size * abs(d), text.strip()))

    sheet.extract_text(visitor_text=visit)
    return found


def page_size_mm(path: Path) -> tuple[float, float]:
    box = PdfReader(str(path)).pages[0].mediabox
    return round(float(box.width) * MM_PER_POINT, 1), round(float(box.height) * MM_PER_POINT, 1)


def read_eml(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def flat(text: str) -> str:
    """Text with every kind of space made one plain space, as a reader sees it."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def visible_text(html: str) -> str:
    """What a reader sees of an HTML document: one line per block, table cells apart by a tab."""
    reader = _VisibleText()
    reader.feed(html)
    lines = (re.sub(r" *\t[ \t]*", "\t", re.sub(r" {2,}", " ", line)) for line in "".join(reader.parts).split("\n"))
    return "\n".join(line.strip("\t ") for line in lines if line.strip("\t "))


class _VisibleText(HTMLParser):
    _HIDDEN = {"head", "style", "title", "script"}
    _BLOCKS = {"p", "div", "br", "tr", "li", "ul", "table", "h1", "h2", "h3", "section"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden -= 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"[\t\r\n]", " ", data))
