"""Paper sizes and where the address goes so it shows through a window envelope.

All lengths in millimetres from the top-left corner of the sheet.

A4 follows DIN 5008 form B, the layout of DL and C5/6 window envelopes used in
the UK and the EU: the window is 20 mm from the left edge and 45 mm from the
top, 90 × 45 mm; its first 5 mm carry the sender's one-line return address,
the recipient's address sits below it. Folded in three, the sheet folds at
105 and 210 mm; a punch mark sits at the middle of the sheet.

US Letter follows the #10 window envelope: the window is 7/8" from the left
and 1 15/16" from the top of the sheet, 4 1/2" × 1 1/8"; the sheet folds in
thirds at 3 2/3" and 7 1/3".
"""
from __future__ import annotations

from dataclasses import dataclass

INCH = 25.4


@dataclass(frozen=True)
class Paper:
    name: str  # "A4" or "Letter": the CSS page size
    width: float
    height: float
    margin_top: float
    margin_right: float
    margin_bottom: float
    margin_left: float
    window_left: float  # the envelope window
    window_top: float
    window_width: float
    window_height: float
    return_line: float  # height of the return-address line at the top of the window (0: none)
    address_inset: float  # gap between the window's edges and the printed address
    info_left: float  # the date / reference block beside the window
    info_width: float
    subject_top: float  # where the subject line starts on the first page
    folds: tuple[float, ...]
    punch: float  # 0 for none

    @property
    def address_box(self) -> tuple[float, float, float, float]:
        """Left, top, width and height of the recipient's address, inside the window."""
        left = self.window_left + self.address_inset
        top = self.window_top + self.return_line + self.address_inset / 2
        width = self.window_width - 2 * self.address_inset
        height = self.window_height - self.return_line - self.address_inset
        return left, top, width, height


A4 = Paper(
    name="A4", width=210.0, height=297.0,
    margin_top=18.0, margin_right=20.0, margin_bottom=16.0, margin_left=25.0,
    window_left=20.0, window_top=45.0, window_width=90.0, window_height=45.0,
    return_line=5.0, address_inset=5.0,
    info_left=120.0, info_width=70.0, subject_top=98.5,
    folds=(105.0, 210.0), punch=148.5,
)

LETTER = Paper(
    name="Letter", width=8.5 * INCH, height=11 * INCH,
    margin_top=0.6 * INCH, margin_right=0.75 * INCH, margin_bottom=0.75 * INCH, margin_left=1.0 * INCH,
    window_left=0.875 * INCH, window_top=(1 + 15 / 16) * INCH,
    window_width=4.5 * INCH, window_height=1.125 * INCH,
    return_line=0.0, address_inset=0.12 * INCH,
    info_left=5.5 * INCH, info_width=2.25 * INCH, subject_top=3.6 * INCH,
    folds=(11 / 3 * INCH, 22 / 3 * INCH), punch=0.0,
)


def address_font_size(lines: list[str], paper: Paper, sizes=(10.0, 9.0, 8.0, 7.0)) -> float:
    """The largest font size (pt) at which the address lines fit the window, wrapping included."""
    left, top, width, height = paper.address_box
    for size in sizes:
        em = size * INCH / 72  # mm
        per_line = max(1, int(width / (em * 0.56)))  # a generous average glyph width for sans-serif
        needed = sum(max(1, -(-len(line) // per_line)) for line in lines)
        if needed * em * 1.2 <= height:
            return size
    return sizes[-1]


def paper_named(name: str) -> Paper:
    return LETTER if name == "Letter" else A4
