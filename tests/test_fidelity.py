"""The proof of a lossless write as it runs on a big sheet: rows compared in pieces, half of them forked.

On a 100,000-invoice sheet the owner's rows are cut into pieces that start at the same row in both
parts, and the later pieces are compared in a forked copy of the process. The workbooks here are
small, so the tests make the pieces small and fork on any size: a change of the owner's anywhere,
on either side of a cut or of the fork, must still fail the proof, and nothing else may.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from collector import fidelity
from collector.weekly import _ownership
from tests.test_lossless import _original, _rewritten, write_once

COLLECTORS = (11, 17)  # K..Q, as on the benchmark's invoice sheet
OWNERSHIP = fidelity.Ownership(sheets=frozenset(), columns={"S": COLLECTORS})


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """Pieces of a few rows, and the later half of them compared in a forked process; how often it forked."""
    monkeypatch.setattr(fidelity, "_PIECE", 300)
    monkeypatch.setattr(fidelity, "_FORK_ABOVE", 0)
    forks: list[int] = []
    both = fidelity._both_hold
    monkeypatch.setattr(fidelity, "_both_hold", lambda here, there: forks.append(1) or both(here, there))
    return forks


def _sheet(rows: int, collectors: bool, spans: bool = False) -> bytes:
    body = []
    for r in range(1, rows + 1):
        span = ' spans="1:17"' if spans and collectors else ' spans="1:10"' if spans else ""
        cells = (f'<c r="A{r}" t="inlineStr"><is><t>Customer {r:05d}</t></is></c><c r="C{r}" s="1"><v>{46000 + r}</v></c>'
                 f'<c r="F{r}"><v>{r * 7}.25</v></c><c r="J{r}" t="inlineStr"/>')
        if collectors:
            cells += (f'<c r="K{r}" s="4"><v>{r}.5</v></c><c r="L{r}" s="5"/><c r="M{r}" s="5" t="inlineStr"><is>'
                      f'<t xml:space="preserve">1\u201330</t></is></c><c r="Q{r}" s="3"><v>46350</v></c>')
        body.append(f'<row r="{r}"{span}>{cells}</row>')
    return (f'<worksheet xmlns="m"><dimension ref="A1:J{rows}"/><sheetData>{"".join(body)}</sheetData>'
            '<pageMargins left="0.7"/></worksheet>').encode()


OLD, NEW = _sheet(120, collectors=False), _sheet(120, collectors=True)


def test_the_rows_are_cut_where_the_same_row_starts_in_both_parts(forked):
    old_rows, new_rows = fidelity._rows_span(OLD), fidelity._rows_span(NEW)
    pieces = fidelity._pieces(OLD, old_rows, NEW, new_rows)
    assert len(pieces) > 10
    assert (pieces[0][0], pieces[0][2]) == (old_rows[0], new_rows[0])
    assert (pieces[-1][1], pieces[-1][3]) == (old_rows[1], new_rows[1])
    for before, after in zip(pieces, pieces[1:]):
        assert (before[1], before[3]) == (after[0], after[2])
        assert re.match(rb'<row r="\d+"', OLD[after[0]:]).group() == re.match(rb'<row r="\d+"', NEW[after[2]:]).group()


def test_collectors_cells_in_every_piece_leave_the_proof_standing(forked):
    assert fidelity._same_owner_cells("S", OLD, NEW, OWNERSHIP) and forked == [1]
    changed = NEW.replace(b'<v>60.5</v>', b'<v>61</v>').replace(b'<c r="L119" s="5"/>', b'<c r="L119" s="6"/>')
    assert fidelity._same_owner_cells("S", NEW, changed, OWNERSHIP)
    with_spans = _sheet(120, collectors=True, spans=True)
    assert fidelity._same_owner_cells("S", _sheet(120, collectors=False, spans=True), with_spans, OWNERSHIP)


@pytest.mark.parametrize("row", [1, 2, 30, 60, 61, 95, 119, 120])
@pytest.mark.parametrize("change", ["value", "style", "row", "formula", "gone", "moved", "added"])
def test_a_change_of_the_owners_in_any_piece_fails_the_proof(forked, row, change):
    cell = f'<c r="C{row}" s="1"><v>{46000 + row}</v></c>'.encode()
    assert cell in NEW
    changed = {
        "value": cell.replace(b"<v>", b"<v>1"),
        "style": cell.replace(b's="1"', b's="2"'),
        "row": None,
        "formula": cell.replace(b"<v>", b"<f>B1</f><v>"),
        "gone": b"",
        "moved": cell.replace(f'r="C{row}"'.encode(), f'r="D{row}"'.encode()),
        "added": cell + f'<c r="T{row}"><v>1</v></c>'.encode(),
    }[change]
    if changed is None:
        target = NEW.replace(f'<row r="{row}">'.encode(), f'<row r="{row}" ht="30" customHeight="1">'.encode())
    else:
        target = NEW.replace(cell, changed)
    assert target != NEW
    assert not fidelity._same_owner_cells("S", OLD, target, OWNERSHIP)
    assert forked == [1]


def test_a_row_collector_dropped_or_added_fails_the_proof(forked):
    dropped = re.sub(rb'<row r="77">.*?</row>', b"", NEW, flags=re.DOTALL)
    assert not fidelity._same_owner_cells("S", OLD, dropped, OWNERSHIP)
    added = NEW.replace(b"</sheetData>", b'<row r="121"><c r="B121"><v>1</v></c></row></sheetData>')
    assert not fidelity._same_owner_cells("S", OLD, added, OWNERSHIP)


def test_the_forked_half_answers_no_when_it_finds_a_difference_or_fails():
    assert fidelity._both_hold(lambda: True, lambda: True)
    assert not fidelity._both_hold(lambda: True, lambda: False)
    assert not fidelity._both_hold(lambda: False, lambda: True)
    assert not fidelity._both_hold(lambda: True, lambda: 1 / 0)


@pytest.mark.parametrize("name", ["shared-strings", "kitchen-sink"])
def test_the_proof_in_forked_pieces_passes_a_good_write_and_catches_a_changed_owner_value(forked, name, tmp_path,
                                                                                         monkeypatch):
    original = _original(name, tmp_path)
    first = tmp_path / f"first{original.suffix}"
    _, _, written, _ = write_once(original, first)
    asked = []
    by_value = fidelity._owner_values
    monkeypatch.setattr(fidelity, "_owner_values", lambda *args: asked.append(args[-1]) or by_value(*args))

    def proof(target: Path) -> list[str]:
        return fidelity.package_losses(str(original), str(target), written.owned_parts, _ownership(written),
                                       written.owner_sheet_parts, written.owner_notes)

    assert proof(first) == [] and asked == [[]] and forked
    invoices = written.owner_sheet_parts[written.invoice_sheet]
    last_row = max(int(n) for n in re.findall(rb'<row r="(\d+)"', zipfile.ZipFile(first).read(invoices)))
    for row in (2, last_row):
        target = _rewritten(first, tmp_path / f"changed-{row}.xlsx", invoices,
                            lambda d: re.sub(rb'<c r="A%d"[^>]*?(/>|>.*?</c>)' % row, b"", d, count=1))
        assert f"the value of '{written.invoice_sheet}'!A{row} would change" in proof(target)
