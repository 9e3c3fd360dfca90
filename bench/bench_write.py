"""How fast the week's results are written back: openpyxl's writer against the lossless package editor.

    python bench/bench_write.py              # 1k, 10k and 100k invoices
    python bench/bench_write.py 1000 5000    # chosen sizes
    python bench/bench_write.py --lossless-only 100000

The workbooks are bench_engine.make_workbook's (cached in bench/out/). For each size
it reads and assesses once, then times collector.writer.write_results (load the whole
workbook into openpyxl, save a new file) and collector.lossless.write_results_lossless
(edit the package), and says how much of the lossless time went into building
collector's own tabs with openpyxl in the scratch workbook.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_engine import AS_OF, make_workbook  # noqa: E402

from collector import lossless, writer  # noqa: E402
from collector.engine import assess, contact_entries  # noqa: E402
from collector.reader import read_book  # noqa: E402


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def measure(size: int, lossless_only: bool) -> None:
    path = make_workbook(size)
    book = read_book(path)
    assessment = assess(book, AS_OF)
    entries = contact_entries(assessment)
    with tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "written.xlsx")
        tabs = {"seconds": 0.0}
        build_tabs = lossless._Editor._write_owned_tabs

        def counted(self, *args):
            start = time.perf_counter()
            try:
                return build_tabs(self, *args)
            finally:
                tabs["seconds"] += time.perf_counter() - start

        lossless._Editor._write_owned_tabs = counted
        try:
            editor = timed(lossless.write_results_lossless, path, target, book, assessment, entries)
        finally:
            lossless._Editor._write_owned_tabs = build_tabs
        again = timed(lossless.write_results_lossless, target, os.path.join(folder, "again.xlsx"), book,
                      assessment, entries)
        line = (f"{size:>7,} invoices  lossless {editor:6.2f}s (own tabs {tabs['seconds']:5.2f}s, "
                f"re-run {again:6.2f}s)")
        if not lossless_only:
            baseline = timed(writer.write_results, path, os.path.join(folder, "openpyxl.xlsx"), book, assessment,
                             entries)
            line += f"  openpyxl writer {baseline:6.2f}s  speed-up {baseline / editor:4.1f}x"
        print(f"{line}  actions {len(assessment.actions):,}", flush=True)


def main(arguments: list[str]) -> None:
    lossless_only = "--lossless-only" in arguments
    sizes = [int(a) for a in arguments if a.isdigit()] or [1_000, 10_000, 100_000]
    for size in sizes:
        measure(size, lossless_only)


if __name__ == "__main__":
    main(sys.argv[1:])
