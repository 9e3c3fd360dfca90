"""How fast collector reads a tracker and decides the week, against a bare python-calamine read.

    python bench/bench_engine.py              # 1k, 10k and 100k invoices
    python bench/bench_engine.py 1000 5000    # chosen sizes

For each size it writes a workbook of N invoices (once, cached in bench/out/),
then times: a bare calamine read of every sheet, collector's reader
(read_book), and the engine (assess). It prints seconds and the ratio of
reader + engine to the bare read, and the peak memory of the whole process.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time

import python_calamine
from openpyxl import Workbook

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from collector.engine import assess  # noqa: E402
from collector.reader import read_book  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
AS_OF = dt.date(2026, 11, 23)
HEADERS = ["Customer", "Invoice No", "Invoice Date", "Due Date", "Terms", "Amount", "Paid", "Paid Date",
           "Status", "Notes"]


def make_workbook(size: int) -> str:
    path = os.path.join(OUT, f"invoices-{size}.xlsx")
    if os.path.exists(path):
        return path
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(size)
    customers = [f"Customer {i:05d} Ltd" for i in range(max(10, size // 8))]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Invoices")
    sheet.append(HEADERS)
    for number in range(size):
        issued = AS_OF - dt.timedelta(days=rng.randint(0, 240))
        terms = rng.choice(["Net 30", "Net 14", "2/10 Net 30", "Net 60"])
        amount = round(rng.uniform(50, 9000), 2)
        paid_fully = rng.random() < 0.6
        paid = amount if paid_fully else round(amount * rng.choice([0, 0, 0.5]), 2)
        paid_date = issued + dt.timedelta(days=rng.randint(5, 60)) if paid else None
        sheet.append([rng.choice(customers), f"INV-{100000 + number}", issued, None, terms, amount, paid,
                      paid_date, "Paid" if paid_fully else "Open", ""])
    workbook.save(path)
    return path


def bare_read(path: str) -> float:
    start = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(path)
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return time.perf_counter() - start


def measure(size: int) -> None:
    path = make_workbook(size)
    bare = min(bare_read(path) for _ in range(3))
    start = time.perf_counter()
    book = read_book(path)
    read = time.perf_counter() - start
    start = time.perf_counter()
    assessment = assess(book, AS_OF)
    engine = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{size:>7,} invoices  calamine {bare:6.2f}s  read_book {read:6.2f}s  assess {engine:6.2f}s  "
          f"read+assess {read + engine:6.2f}s  ratio {(read + engine) / bare:5.1f}x  "
          f"actions {len(assessment.actions):,}  peak memory {peak:,.0f} MiB")


def main(sizes: list[int]) -> None:
    for size in sizes:
        measure(size)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
