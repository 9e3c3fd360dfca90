"""Rendering PDFs: the work split between processes, and whole files or none."""
from __future__ import annotations

import os

import pytest

from collector.output_folder import clear_previous, save_manifest, write_atomically
from collector.pdf import PdfJob, share_layouts, worker_count


def letters(count: int) -> list[PdfJob]:
    return [PdfJob(f"{i:02d} letter.pdf", (f"<p>letter {i % 3}</p>",)) for i in range(count)]


def test_working_alone_the_print_file_writes_every_letter_from_its_own_layouts():
    singles = letters(9)
    combined = PdfJob("print.pdf", tuple(job.parts[0] for job in singles))
    planned = share_layouts(singles + [combined], workers=1)
    assert [job.path for job in planned] == ["print.pdf"]
    assert sorted(path for _, path in planned[0].singles) == sorted(job.path for job in singles)


def test_with_other_workers_the_print_file_takes_a_fair_share_and_nothing_is_lost():
    singles = letters(30)
    combined = PdfJob("print.pdf", tuple(job.parts[0] for job in singles))
    planned = share_layouts(singles + [combined], workers=2)
    (print_job,) = [job for job in planned if job.path == "print.pdf"]
    assert 5 <= len(print_job.singles) <= 15
    written = [job.path for job in planned if job is not print_job] + [p for _, p in print_job.singles]
    assert sorted(written) == sorted(job.path for job in singles)
    for index, path in print_job.singles:  # each single is written from a part with the same HTML
        assert print_job.parts[index] == next(job.parts[0] for job in singles if job.path == path)


def test_small_batches_render_in_process_and_big_ones_use_every_core():
    assert worker_count(None, 3) == 1
    assert worker_count(1, 100) == 1
    assert worker_count(None, 100) == min(100, os.cpu_count() or 1)
    assert worker_count(8, 2) == 2


def test_a_failed_write_leaves_no_file_and_no_temporary(tmp_path):
    target = tmp_path / "letter.pdf"

    def fail(temporary: str) -> None:
        with open(temporary, "wb") as handle:
            handle.write(b"%PDF-half")
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        write_atomically(str(target), fail)
    assert list(tmp_path.iterdir()) == []


def test_clearing_removes_only_the_files_the_manifest_lists(tmp_path):
    (tmp_path / "ours.pdf").write_bytes(b"x")
    (tmp_path / "theirs.docx").write_bytes(b"y")
    (tmp_path / ".collector-abc.tmp").write_bytes(b"z")
    save_manifest(str(tmp_path), ["ours.pdf", "../outside.txt"])
    (tmp_path.parent / "outside.txt").write_text("keep")
    assert clear_previous(str(tmp_path)) == ["ours.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".collector-files.json", "theirs.docx"]
    assert (tmp_path.parent / "outside.txt").exists()
