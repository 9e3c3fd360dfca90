"""What no writer of these results can avoid, measured piece by piece, beside the 3x target.

    python bench/bench_floor.py           # 100,000 invoices
    python bench/bench_floor.py 10000

Issue 6 asks for `collector run` within 3x a bare python-calamine read. This prints the work any
implementation in Python must do on the same workbook, each piece timed alone (best of 3): the read
itself, inflating the invoice sheet (the far-cell guard must look at it before calamine allocates
its grid), deflating the parts a run writes and inflating them again (the proof reads what was
written), and the least Python that puts seven computed cells into every row: one fixed cell text
per row, spliced after each row's last cell, with no value worked out. Set beside the run's own
phases (bench_run.py), it shows how much of the budget is left for reading, deciding and proving.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import python_calamine  # noqa: E402

from bench_engine import AS_OF, make_workbook  # noqa: E402
from collector import weekly  # noqa: E402

SEVEN_CELLS = (
    '<c r="K{0}" s="3"><v>46300</v></c><c r="L{0}" s="4"><v>1234.5</v></c><c r="M{0}" s="5"><v>12</v></c>'
    '<c r="N{0}" s="5" t="inlineStr"><is><t>1-30</t></is></c><c r="O{0}" s="4"><v>0</v></c>'
    '<c r="P{0}" s="5" t="inlineStr"><is><t>Overdue</t></is></c>'
    '<c r="Q{0}" s="5" t="inlineStr"><is><t>Reminder</t></is></c>'
)


def best(work) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(size: int) -> None:
    source = make_workbook(size)
    with tempfile.TemporaryDirectory() as folder:
        written = os.path.join(folder, "run.xlsx")
        shutil.copyfile(source, written)
        weekly.run_week(written, AS_OF)
        with zipfile.ZipFile(source) as before, zipfile.ZipFile(written) as after:
            sheet = before.read("xl/worksheets/sheet1.xml")
            big = [info for info in after.infolist() if info.file_size > 1_000_000]
            parts = [after.read(info) for info in big]
            rows = [
                ("calamine: every sheet to Python values", best(lambda: _bare_read(source))),
                (f"inflate the invoice sheet ({len(sheet) / 1e6:.0f} MB)",
                 best(lambda: before.read("xl/worksheets/sheet1.xml"))),
                (f"deflate the {len(parts)} big parts written ({sum(map(len, parts)) / 1e6:.0f} MB, level 1)",
                 best(lambda: [_deflate(part) for part in parts])),
                ("inflate them again, as the proof reads them", best(lambda: [after.read(info) for info in big])),
                ("Python: seven fixed cells spliced into each row, encoded", best(lambda: _splice(sheet.decode()))),
            ]
    budget = rows[0][1] * 3
    print(f"{size:,} invoices: the 3x budget is {budget:.2f} s")
    for label, seconds in rows:
        print(f"  {label:62s} {seconds:6.2f} s")
    print(f"  {'all of these, one after another':62s} {sum(s for _, s in rows):6.2f} s")


def _bare_read(path: str) -> None:
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _splice(text: str) -> bytes:
    ends = [match.start() for match in re.finditer("</row>", text)]
    starts = [0] + ends[:-1]
    owners = map(text.__getitem__, map(slice, starts, ends))
    cells = (SEVEN_CELLS.format(number) for number in range(1, len(ends) + 1))
    return "".join(piece for pair in zip(owners, cells) for piece in pair).encode()


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [100_000]:
        measure(size)
