"""HTML to PDF with WeasyPrint, across the machine's cores.

Workers receive plain HTML strings and a path, never Jinja objects, and keep
one stylesheet and font configuration for their whole life: parsing the CSS
and loading fonts once per process instead of once per letter.

A job with several HTML parts (the week's print file) lays out each part on
its own, so every letter keeps its own page numbers, then writes all the pages
as one PDF. Since it lays the letters out anyway, it also writes a share of
the letters' own files from those layouts; the other workers write the rest.
Every file is written to a temporary name and renamed, so a crash never leaves
a half-written PDF that looks complete.
"""
from __future__ import annotations

import io
import logging
import multiprocessing
import os
import sys
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pickle import PicklingError
from typing import Callable, Optional, Sequence

from collector.output_folder import write_atomically
from collector.render import DocumentError

SERIAL_BELOW = 6  # fewer PDFs than this render in-process: starting workers costs more
# Laying a letter out costs about as much as writing its PDF (with lean fonts, see below).
_LAYOUT_COST = 1.0


@dataclass(frozen=True)
class PdfJob:
    path: str  # where the PDF goes
    parts: tuple[str, ...]  # HTML documents; several make one file, each starting on a new page
    title: str = ""  # shown in a message if the job fails
    singles: tuple[tuple[int, str], ...] = ()  # (part, path): parts also written as files of their own


class PdfError(Exception):
    pass


class _Renderer:
    """One process's WeasyPrint setup: the fonts and the parsed stylesheet, made once."""

    def __init__(self, stylesheet: str, base_url: str) -> None:
        # WeasyPrint warns that it would rather subset fonts with HarfBuzz-Subset; its
        # fallback works, and the owner can do nothing about it.
        warnings.filterwarnings("ignore", message=".*HarfBuzz.*", category=DeprecationWarning)
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        _lean_font_subsetting()
        self.weasyprint = weasyprint
        self.fonts = FontConfiguration()
        self.base_url = base_url
        self.css = weasyprint.CSS(string=stylesheet, base_url=base_url, font_config=self.fonts)

    def write(self, job: PdfJob) -> dict[str, int]:
        """Write the job's file (and its singles); return the page count of each file written."""
        documents = [
            self.weasyprint.HTML(string=html, base_url=self.base_url).render(
                stylesheets=[self.css], font_config=self.fonts)
            for html in job.parts
        ]
        written = {}
        for index, path in job.singles:
            single = documents[index]
            write_atomically(path, lambda temporary: single.write_pdf(temporary))
            written[path] = len(single.pages)
        pages = [page for document in documents for page in document.pages]
        document = documents[0] if len(documents) == 1 else documents[0].copy(pages)
        write_atomically(job.path, lambda temporary: document.write_pdf(temporary))
        written[job.path] = len(pages)
        return written


_lean_fonts: dict[tuple[int, int], bytes] = {}


def _lean_font_subsetting() -> None:
    """Subset each PDF's fonts from a copy without the GSUB and GPOS tables, made once per process.

    Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which parses
    the font's large GSUB and GPOS tables for every PDF only to drop them from the
    subset. Text is shaped during layout, before this, so the PDF is the same; it
    just takes a third of the time. Nothing changes if WeasyPrint subsets otherwise.
    """
    try:
        from weasyprint.pdf import fonts
    except ImportError:
        return
    original = getattr(fonts.Font, "_fonttools_subset", None)
    if original is None or getattr(original, "collector_lean", False):
        return

    def subset(font, to_unicode, hinting):
        if font.index == 0 and font.file_content[:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO"):
            font.file_content = _lean(font.file_content)
        return original(font, to_unicode, hinting)

    subset.collector_lean = True
    fonts.Font._fonttools_subset = subset


def _lean(data: bytes) -> bytes:
    key = (hash(data), len(data))
    if key not in _lean_fonts:
        from fontTools.ttLib import TTFont

        try:
            font = TTFont(io.BytesIO(data), lazy=True)
            if "fvar" in font:  # variable fonts are instanced from the full file: leave them be
                _lean_fonts[key] = data
                return data
            for tag in ("GSUB", "GPOS"):
                if tag in font:
                    del font[tag]
            lean = io.BytesIO()
            font.save(lean)
            _lean_fonts[key] = lean.getvalue()
        except Exception:  # an odd font: subset it the usual way
            _lean_fonts[key] = data
    return _lean_fonts[key]


_renderer: Optional[_Renderer] = None
_renderer_key: tuple[str, str] = ("", "")


def _worker_setup(stylesheet: str, base_url: str) -> None:
    global _renderer, _renderer_key
    if _renderer is None or _renderer_key != (stylesheet, base_url):
        _renderer = _Renderer(stylesheet, base_url)
        _renderer_key = (stylesheet, base_url)


def _worker_write(job: PdfJob) -> dict[str, int]:
    assert _renderer is not None
    try:
        return _renderer.write(job)
    except OSError:
        raise
    except Exception as error:  # WeasyPrint's own errors may not pickle: send back a sentence
        raise PdfError(f"{type(error).__name__}: {error}") from None


def render_pdfs(
    jobs: Sequence[PdfJob], stylesheet: str, base_url: str, workers: Optional[int] = None,
    progress: Optional[Callable[[str], None]] = None,
) -> dict[str, int]:
    """Write every job's PDF; return the page count of each file by path.

    ``workers`` None means one per core; 1 (or a small batch) renders here,
    serially. ``progress(path)`` is called as each file is finished.
    """
    count = worker_count(workers, len(jobs))
    planned = share_layouts(jobs, count)
    if count <= 1:
        return _render_serially(planned, stylesheet, base_url, progress)
    pages: dict[str, int] = {}
    try:
        _render_in_parallel(planned, stylesheet, base_url, count, progress, pages)
    except (BrokenProcessPool, PicklingError):
        # Workers could not start (a script without a __main__ guard, a locked-down
        # machine): do the rest here rather than fail the run.
        pending = [job for job in planned if job.path not in pages]
        pages.update(_render_serially(pending, stylesheet, base_url, progress))
    return pages


def worker_count(workers: Optional[int], jobs: int) -> int:
    if workers is None:
        if jobs < SERIAL_BELOW:
            return 1
        workers = os.cpu_count() or 1
    return max(1, min(workers, jobs))


def share_layouts(jobs: Sequence[PdfJob], workers: int) -> list[PdfJob]:
    """Hand some single-part jobs to a multi-part job that lays out the same HTML anyway.

    Working alone, it takes them all; with other workers, about its fair share,
    less the time it spends laying out the rest.
    """
    waiting: dict[str, list[PdfJob]] = {}
    for job in jobs:
        if len(job.parts) == 1 and not job.singles:
            waiting.setdefault(job.parts[0], []).append(job)
    taken: set[str] = set()
    planned = []
    for job in jobs:
        if len(job.parts) > 1:
            budget = _fair_share(len(job.parts), workers)
            singles = []
            for index, html in enumerate(job.parts):
                if len(singles) >= budget:
                    break
                if waiting.get(html):
                    single = waiting[html].pop()
                    taken.add(single.path)
                    singles.append((index, single.path))
            job = replace(job, singles=job.singles + tuple(singles))
        planned.append(job)
    return [job for job in planned if job.path not in taken]


def _fair_share(parts: int, workers: int) -> int:
    """How many letters the print-file worker writes too, so it finishes with the others.

    It lays out every letter (``parts`` × layout); each other worker lays out and
    writes its share of the rest.
    """
    if workers <= 1:
        return parts
    r = _LAYOUT_COST
    share = parts * (1 + r - (workers - 1) * r) / (workers + r)
    return max(0, min(parts, int(share)))


def _render_serially(jobs, stylesheet, base_url, progress) -> dict[str, int]:
    _worker_setup(stylesheet, base_url)
    pages: dict[str, int] = {}
    for job in jobs:
        _done(job, _checked(job, lambda: _worker_write(job)), pages, progress)
    return pages


def _process_context() -> multiprocessing.context.BaseContext:
    """Fork on Linux while this process has not loaded Pango (fast, no re-import); spawn otherwise."""
    if sys.platform.startswith("linux") and "weasyprint" not in sys.modules:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _render_in_parallel(jobs, stylesheet, base_url, count, progress, pages: dict[str, int]) -> None:
    # Big jobs first so the print file does not start last and finish alone.
    ordered = sorted(jobs, key=lambda job: -(len(job.parts) + len(job.singles)))
    with ProcessPoolExecutor(count, mp_context=_process_context(), initializer=_worker_setup,
                             initargs=(stylesheet, base_url)) as pool:
        futures: dict[Future, PdfJob] = {pool.submit(_worker_write, job): job for job in ordered}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = futures[future]
                    _done(job, _checked(job, future.result), pages, progress)
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _done(job: PdfJob, written: dict[str, int], pages: dict[str, int], progress) -> None:
    pages.update(written)
    if progress:
        for path in written:
            progress(path)


def _checked(job: PdfJob, result: Callable[[], dict[str, int]]) -> dict[str, int]:
    try:
        return result()
    except (PdfError, OSError) as error:
        name = os.path.basename(job.path)
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise DocumentError(f"Could not write {name}: {reason}.") from None
