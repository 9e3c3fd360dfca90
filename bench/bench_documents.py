"""How long collector takes to render a week of letters, against WeasyPrint on its own.

Run:  python bench/bench_documents.py [COUNT ...]   (default: 100 1000)

The letters are the sample shop's letters (final demands and conversation
letters in English, French, Greek and Indonesian), repeated to COUNT. For each
count it prints:
  collector   render_pdfs: one PDF per letter across all cores, plus the week's
              print file of every letter;
  bare        the same HTML through weasyprint.HTML(...).write_pdf(...), one letter
              after another, the stylesheet parsed for each letter (no print file);
  ratio       collector / bare in wall-clock seconds (below 1 is faster);
  cpu         processor seconds used (all processes), which other work on the
              machine does not inflate the way it does wall-clock time.
"""
from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collector.documents import LETTER, PRINT_FILE, prepare_documents  # noqa: E402
from collector.engine import assess  # noqa: E402
from collector.pdf import PdfJob, render_pdfs  # noqa: E402
from collector.reader import read_book  # noqa: E402
from collector.render import Templates  # noqa: E402


def letter_jobs(count: int) -> tuple[list[str], str, str]:
    """``count`` letters' HTML, the stylesheet and the base URL."""
    book = read_book(str(ROOT / "sample_workbooks" / "shop.xlsx"))
    assessment = assess(book, dt.date(2026, 11, 23))
    paperwork = prepare_documents(book, assessment)
    letter_paths = {d.path for r in paperwork.results for d in r.documents if d.kind == LETTER}
    letters = [job.parts[0] for job in paperwork.jobs if job.path in letter_paths]
    html = [letters[i % len(letters)] for i in range(count)]
    templates = Templates()
    return html, templates.source("style.css"), templates.base_url


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def time_collector(html: list[str], css: str, base_url: str, folder: str) -> tuple[float, float]:
    jobs = [PdfJob(os.path.join(folder, f"{i:04d} letter.pdf"), (h,)) for i, h in enumerate(html)]
    jobs.append(PdfJob(os.path.join(folder, PRINT_FILE), tuple(html)))
    start, cpu = time.perf_counter(), cpu_seconds()
    render_pdfs(jobs, css, base_url)
    return time.perf_counter() - start, cpu_seconds() - cpu


def time_bare(html: list[str], css: str, base_url: str, folder: str) -> tuple[float, float]:
    import weasyprint

    start, cpu = time.perf_counter(), cpu_seconds()
    for i, h in enumerate(html):
        weasyprint.HTML(string=h, base_url=base_url).write_pdf(
            os.path.join(folder, f"{i:04d} bare.pdf"), stylesheets=[weasyprint.CSS(string=css)])
    return time.perf_counter() - start, cpu_seconds() - cpu


def main(counts: list[int]) -> None:
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before starting")
    print(f"{'letters':>8}  {'collector s':>11}  {'bare s':>8}  {'ratio':>6}  {'per letter ms':>13}"
          f"  {'collector cpu s':>15}  {'bare cpu s':>10}")
    for count in counts:
        html, css, base_url = letter_jobs(count)
        folder = tempfile.mkdtemp(prefix="collector-bench-")
        try:
            ours, ours_cpu = time_collector(html, css, base_url, folder)  # first: Pango not loaded here yet
            bare, bare_cpu = time_bare(html, css, base_url, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"{count:>8}  {ours:>11.1f}  {bare:>8.1f}  {ours / bare:>6.2f}  {1000 * ours / count:>13.0f}"
              f"  {ours_cpu:>15.1f}  {bare_cpu:>10.1f}", flush=True)


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000])
