"""A run killed, out of disk space or shut out of its folder at any point leaves the owner's workbook whole.

Each scenario is the real `collector run` in a child process (tests/fault_points.py) that numbers
every file operation in the workbook's folder and the temp folder: creating, writing, fsyncing,
renaming, removing. A first run counts them; then the run is repeated and SIGKILLed just before
operation N, for N across the whole run, or the disk "fills up" at operation N, or every change in a
folder is refused. After each, the test looks at what the owner would find: the workbook, the
backups, the week's documents, and what the next ordinary run makes of it.
"""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Callable, Optional

import openpyxl
import pytest
import python_calamine
from pypdf import PdfReader

from tests.workbooks import CORPUS, ROOT, write_xlsx

D = dt.date
AS_OF = "2026-11-23"
SHOP = ROOT / "sample_workbooks" / "shop.xlsx"
LUCAS = CORPUS / "lucastrg2-cpu__invoice-tracker.xlsx"
LARGE = CORPUS / "EzCode312__CRM_AR_List_UK_Large.xlsx"
OUTPUT = Path("collector-output") / AS_OF
WORKBOOK_TEMPORARY = re.compile(r"\.collector-\d+-[a-z0-9_]{8}\.xlsx")
BACKUP_TEMPORARY = re.compile(r"\.collector-\d+-[a-z0-9_]{8}\.tmp")
DOCUMENT_TEMPORARY = re.compile(r"\.collector-[a-z0-9_]{8}\.tmp")
MANIFEST = ".collector-files.json"
DISK_FULL = ("Error: The disk is full, so collector could not write w.xlsx and left it as it was. "
             "Free some space and run collector again.")
DOCUMENT_DISK_FULL = re.compile(r"Error: Could not (write .+\.(pdf|eml)|prepare the output folder .+): "
                                r"No space left on device\.")


def small_tracker(path: Path) -> Path:
    """Five customers, one of each kind of paperwork: referral pack, letters, an email, a call."""
    return write_xlsx(path, {
        "Invoices": [["Invoice No", "Invoice Date", "Customer", "Terms", "Amount", "Paid", "Currency"],
                     ["INV-1", D(2026, 8, 3), "Acme Ltd", "Net 30", 1200, None, "EUR"],
                     ["INV-2", D(2026, 9, 14), "Bolt Ltd", "Net 30", 450.5, None, "EUR"],
                     ["INV-3", D(2026, 10, 17), "Cog Ltd", "Net 30", 300, None, "EUR"],
                     ["INV-4", D(2026, 10, 15), "Dart Ltd", "Net 30", 99, None, "EUR"],
                     ["INV-5", D(2026, 10, 31), "Echo Ltd", "Net 30", 75, None, "EUR"]],
        "Customers": [["Customer", "Email", "Phone", "Address", "Sales Rep", "Sales Rep Email"],
                      ["Acme Ltd", "ap@acme.test", "+44 20 7946 0000", "1 High St, London", None, None],
                      ["Bolt Ltd", None, None, "2 Low Rd, Leeds", None, None],
                      ["Cog Ltd", "cog@cog.test", None, None, None, None],
                      ["Dart Ltd", "pay@dart.test", "+44 113 496 0000", None, "Sam Rep", "sam@shop.test"],
                      ["Echo Ltd", None, None, "5 Echo Lane, York", None, None]],
        "Settings": [["Setting", "Value"], ["Company Name", "Shop Ltd"], ["Email", "owner@shop.test"]],
    })


@dataclass(frozen=True)
class Scenario:
    name: str
    source: "Path | Callable[[Path], Path]"
    options: tuple[str, ...] = ()
    limit: Optional[int] = None  # at most this many kill points, spread over the run
    extra: int = 0  # kill points spread over the documents, beyond the first of each kind
    reruns: int = 1  # rerun after every n-th kill

    @property
    def documents(self) -> bool:
        return "--no-documents" not in self.options


# Rendering PDFs is what takes time, so the scenarios with documents kill the run at fewer points
# (the workbook is written the same way with or without them), and shop.xlsx with its 68 PDFs is
# left to the long run: COLLECTOR_FAULT_POINTS=all kills every scenario at every point and reruns
# after each kill (about 15 minutes on two cores).
EVERY_POINT = os.environ.get("COLLECTOR_FAULT_POINTS") == "all"
SCENARIOS = [
    Scenario("shop.xlsx, workbook only", SHOP, ("--no-documents",)),
    Scenario("corpus 1,000-row list, workbook only", LARGE, ("--no-documents",), limit=6, reruns=3),
    Scenario("small tracker, with documents", small_tracker, extra=2, reruns=4),
    Scenario("corpus invoice tracker, with documents", LUCAS, limit=5, reruns=3),
] + ([Scenario("shop.xlsx, with documents", SHOP)] if EVERY_POINT else [])


# --- running collector in a child that can be killed --------------------------------------------


def prepare(disk: Path, source: Path) -> Path:
    """disk/book/w.xlsx (a writable copy of ``source``) and disk/tmp, the temp folder of the run."""
    shutil.rmtree(disk, ignore_errors=True)
    (disk / "book").mkdir(parents=True)
    (disk / "tmp").mkdir()
    workbook = disk / "book" / "w.xlsx"
    shutil.copyfile(source, workbook)
    return workbook


def job(disk: Path, scenario: Scenario, mode: str, at: object = None) -> dict:
    return {"argv": ["run", str(disk / "book" / "w.xlsx"), "--as-of", AS_OF, *scenario.options],
            "disk": str(disk), "mode": mode, "at": at, "output": str(disk.parent / f"{disk.name}.result"),
            "tmpdir": str(disk / "tmp")}


def run_jobs(jobs: list[dict], folder: Path) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "jobs.json"
    listing.write_text(json.dumps(jobs))
    done = subprocess.run([sys.executable, "-m", "tests.fault_points", str(listing)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def kill_points(events: list[list[str]], scenario: Scenario) -> list[int]:
    """Before which operations (1-based) to kill the run.

    Writing the workbook: before every operation in its folder, but of a run of writes to one file
    only the first, middle and last (the ones between leave the same files behind), and three points
    in the temp folder, where the new sheets are made. Writing the documents, each one the same way
    (temporary file, write, rename): every point of the first file of each kind (the manifest, a PDF,
    an email draft, the print file), and ``scenario.extra`` more spread over the rest; then just before
    and just after the workbook is replaced. ``scenario.limit`` keeps that many points, spread over
    the run, always with the moment just before the workbook is replaced (the documents written, the
    backup made, the new workbook whole beside the original).
    """
    start = next(n for n, (_, path) in enumerate(events, 1) if WORKBOOK_TEMPORARY.fullmatch(path[5:]))
    replaced = replacement(events)
    chosen = set(_distinct_points(events, start, len(events) + 1))
    chosen.add(len(events) + 1)  # after the last operation: the run is complete but has not exited
    temp = [n for n in range(start, len(events) + 1) if events[n - 1][1].startswith("tmp")]
    chosen |= set(temp[:: max(1, len(temp) // 2)][:3])
    if EVERY_POINT:
        return sorted(chosen | set(_distinct_points(events, 1, start)))
    if scenario.documents:
        chosen = {replaced, replaced + 1}
        seen = set()
        documents = _distinct_points(events, 1, start)
        for first, last in _documents(events, start):
            kind = _document_kind(events[last - 1][1])
            if kind not in seen:
                seen.add(kind)
                writes = [n for n in range(first, last) if events[n - 1][0] == "write"]
                chosen |= {first, writes[0], writes[-1], last}  # no temporary, empty, half written, whole
        rest = [n for n in documents if n not in chosen]
        chosen |= set(_spread(rest, scenario.extra))
    if scenario.limit:
        chosen = set(_spread(sorted(chosen - {replaced}), scenario.limit - 1)) | {replaced}
    return sorted(chosen)


def _spread(points: list[int], count: int) -> list[int]:
    if count <= 0 or not points:
        return []
    step = max(1, len(points) // count)
    return points[step // 2:: step][:count]


def _distinct_points(events: list[list[str]], first: int, end: int) -> list[int]:
    """Operations in the workbook's folder from ``first`` up to ``end``, the inside of a run of writes left out."""
    points = []
    n = first
    while n < end:
        kind, path = events[n - 1]
        last = n
        while last < end - 1 and kind == "write" and events[last] == [kind, path]:
            last += 1
        if path.startswith("book"):
            points += sorted({n, (n + last) // 2, last})
        n = last + 1
    return points


def _documents(events: list[list[str]], end: int) -> list[tuple[int, int]]:
    """(first, last) operation of each document: from creating its temporary file to renaming it."""
    spans, first = [], None
    for n, (kind, path) in enumerate(events[: end - 1], 1):
        if kind == "os-open" and DOCUMENT_TEMPORARY.fullmatch(os.path.basename(path)):
            first = n
        elif kind == "replace" and first is not None:
            spans.append((first, n))
            first = None
    return spans


def _document_kind(path: str) -> str:
    """The manifest, a PDF, an email draft, or the print file (written after the letters it holds)."""
    name = os.path.basename(path)
    return name if name in (MANIFEST, "00 All letters to print.pdf") else os.path.splitext(name)[1]


def replacement(events: list[list[str]]) -> int:
    """The operation that puts the new workbook in place of the original."""
    return max(n for n, event in enumerate(events, 1) if event == ["replace", "book/w.xlsx"])


# --- what the owner finds ------------------------------------------------------------------------


def sheets(path: Path) -> dict[str, list[list[object]]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}
    finally:
        workbook.close()


def opens(path: Path) -> None:
    openpyxl.load_workbook(path, read_only=True).close()
    sheets(path)


def document_problem(path: Path, reference: Path) -> Optional[str]:
    """Why ``path`` is not a complete document like the one a whole run writes, or None."""
    if not reference.exists():
        return f"{path.name} is not a document collector writes"
    data = path.read_bytes()
    if path.suffix == ".pdf":
        try:
            pages = len(PdfReader(BytesIO(data), strict=True).pages)
        except Exception as error:  # noqa: BLE001 - any reason it does not open is the finding
            return f"{path.name} does not open: {error}"
        expected = len(PdfReader(str(reference)).pages)
        return None if pages == expected else f"{path.name} has {pages} pages, not {expected}"
    if path.suffix == ".eml":
        message = email.message_from_bytes(data, policy=email.policy.default)
        whole = email.message_from_bytes(reference.read_bytes(), policy=email.policy.default)
        if message["Subject"] != whole["Subject"] or message["To"] != whole["To"]:
            return f"{path.name} has other headers than a whole draft"
        parts = [part.get_content_type() for part in message.walk()]
        if parts != [part.get_content_type() for part in whole.walk()]:
            return f"{path.name} has parts {parts}"
        for part in message.iter_attachments():
            problem = document_problem_bytes(part.get_content(), part.get_filename())
            if problem:
                return f"{path.name}: {problem}"
        return None
    return None


def document_problem_bytes(data: bytes, name: str) -> Optional[str]:
    try:
        PdfReader(BytesIO(data), strict=True)
    except Exception as error:  # noqa: BLE001
        return f"attachment {name} does not open: {error}"
    return None


def leftovers_problems(book: Path, original: bytes, reference_output: Path) -> list[str]:
    """What in the workbook's folder could mislead the owner after a run that stopped anywhere."""
    problems = []
    for entry in sorted(book.iterdir()):
        if entry.name in ("w.xlsx", "backups", "collector-output"):
            continue
        if not WORKBOOK_TEMPORARY.fullmatch(entry.name):
            problems.append(f"stray {entry.name} beside the workbook")
    backups = book / "backups"
    for entry in sorted(backups.iterdir()) if backups.exists() else []:
        if BACKUP_TEMPORARY.fullmatch(entry.name):
            continue
        if entry.name.startswith(".") or entry.read_bytes() != original:
            problems.append(f"backups/{entry.name} is not a whole copy of the original")
    output = book / OUTPUT
    for entry in sorted(output.iterdir()) if output.exists() else []:
        if entry.name == MANIFEST:
            try:
                json.loads(entry.read_text(encoding="utf-8"))
            except ValueError:
                problems.append("the manifest is half written")
        elif entry.name.startswith("."):
            if not DOCUMENT_TEMPORARY.fullmatch(entry.name):
                problems.append(f"stray {entry.name} among the documents")
        else:
            problem = document_problem(entry, reference_output / entry.name)
            if problem:
                problems.append(problem)
    return problems


def temporaries(book: Path) -> list[str]:
    return sorted(str(p.relative_to(book)) for p in book.rglob(".collector-*") if p.name != MANIFEST)


# --- the runs, once for the whole module ---------------------------------------------------------


@dataclass
class Kill:
    scenario: Scenario
    at: int
    replaced: int  # the operation that replaces the workbook
    disk: Path
    result: dict
    rerun: Optional[dict] = None
    after: Optional[dict] = None  # what the folder held right after the kill, before the rerun


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """The workbook each scenario starts from, built once (openpyxl stamps the time into a new file)."""
    base = tmp_path_factory.mktemp("sources")
    built = {}
    for index, scenario in enumerate(SCENARIOS):
        source = scenario.source
        built[scenario.name] = source if isinstance(source, Path) else source(base / f"s{index}.xlsx")
    return built


@pytest.fixture(scope="module")
def counted(sources, tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """One whole run of every scenario, counting its operations; its files are the reference."""
    base = tmp_path_factory.mktemp("counted")
    disks = {s.name: base / f"s{i}" for i, s in enumerate(SCENARIOS)}
    for scenario in SCENARIOS:
        prepare(disks[scenario.name], sources[scenario.name])
    results = run_jobs([job(disks[s.name], s, "count") for s in SCENARIOS], base)
    for scenario, result in zip(SCENARIOS, results):
        assert result["code"] == 0, (scenario.name, result["err"])
    return {s.name: (disks[s.name], r) for s, r in zip(SCENARIOS, results)}


@pytest.fixture(scope="module")
def kills(sources, counted, tmp_path_factory) -> dict[str, list[Kill]]:
    """Every scenario killed at each of its points, then (every ``reruns``-th) run again normally."""
    base = tmp_path_factory.mktemp("killed")
    planned: list[Kill] = []
    for index, scenario in enumerate(SCENARIOS):
        events = counted[scenario.name][1]["events"]
        for at in kill_points(events, scenario):
            disk = base / f"s{index}-{at}"
            prepare(disk, sources[scenario.name])
            planned.append(Kill(scenario, at, replacement(events), disk, {}))
    for kill, result in zip(planned, run_jobs([job(k.disk, k.scenario, "kill", k.at) for k in planned], base)):
        book = kill.disk / "book"
        reference = counted[kill.scenario.name][0] / "book" / OUTPUT
        kill.result = result
        kill.after = {"workbook": (book / "w.xlsx").read_bytes(),
                      "problems": leftovers_problems(book, sources[kill.scenario.name].read_bytes(), reference),
                      "temporaries": temporaries(book)}
    again = [k for k in planned if _rerun_wanted(k, planned)]
    for kill, result in zip(again, run_jobs([job(k.disk, k.scenario, "count") for k in again], base / "again")):
        kill.rerun = result
    by_scenario: dict[str, list[Kill]] = {}
    for kill in planned:
        by_scenario.setdefault(kill.scenario.name, []).append(kill)
    return by_scenario


def _rerun_wanted(kill: Kill, planned: list[Kill]) -> bool:
    """Every ``reruns``-th kill, and always the kill just before the workbook is replaced."""
    mine = [k for k in planned if k.scenario is kill.scenario]
    return EVERY_POINT or mine.index(kill) % kill.scenario.reruns == 0 or kill.at == kill.replaced


# --- 1. killed at any point ----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_killed_at_any_point_the_workbook_is_the_original_or_the_whole_new_one(scenario, sources, counted, kills):
    original = sources[scenario.name].read_bytes()
    events = counted[scenario.name][1]["events"]
    replaced = replacement(events)
    failures = []
    for kill in kills[scenario.name]:
        where = f"killed before operation {kill.at} of {len(events)} {events[kill.at - 1] if kill.at <= len(events) else '(end)'}"
        expected_code = -9 if kill.at <= len(events) else 0
        if kill.result["code"] != expected_code:
            failures.append(f"{where}: exit {kill.result['code']}, {kill.result['err'][-300:]}")
        workbook = kill.after["workbook"]
        if kill.at <= replaced and workbook != original:
            failures.append(f"{where}: the workbook changed before it was replaced")
        if kill.at > replaced:
            if workbook == original:
                failures.append(f"{where}: the workbook was not replaced")
            else:
                try:
                    opens(kill.disk / "book" / "w.xlsx")
                except Exception as error:  # noqa: BLE001
                    failures.append(f"{where}: the new workbook does not open: {error}")
                if not any(p.read_bytes() == original for p in (kill.disk / "book" / "backups").glob("w *.xlsx")):
                    failures.append(f"{where}: no backup of the original")
        failures += [f"{where}: {problem}" for problem in kill.after["problems"]]
    assert failures == []
    assert len(kills[scenario.name]) >= (scenario.limit or 10)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_after_a_kill_the_next_run_succeeds_cleans_up_and_gives_the_same_results(scenario, sources, counted, kills):
    original = sources[scenario.name].read_bytes()
    reference_disk = counted[scenario.name][0]
    expected_sheets = sheets(reference_disk / "book" / "w.xlsx")
    expected_documents = sorted(p.name for p in (reference_disk / "book" / OUTPUT).glob("[!.]*"))
    failures = []
    rerun = [kill for kill in kills[scenario.name] if kill.rerun is not None]
    for kill in rerun:
        where = f"rerun after a kill before operation {kill.at}"
        book = kill.disk / "book"
        if kill.rerun["code"] != 0 or "Updated w.xlsx" not in kill.rerun["out"]:
            failures.append(f"{where}: exit {kill.rerun['code']}: {kill.rerun['err'][-300:]}")
            continue
        if temporaries(book):
            failures.append(f"{where}: left {temporaries(book)}")
        if sheets(book / "w.xlsx") != expected_sheets:
            failures.append(f"{where}: the workbook differs from a run that was never killed")
        if scenario.documents and sorted(p.name for p in (book / OUTPUT).glob("[!.]*")) != expected_documents:
            failures.append(f"{where}: documents differ from a run that was never killed")
        if not any(p.read_bytes() == original for p in (book / "backups").glob("w *.xlsx")):
            failures.append(f"{where}: no backup of the original")
    assert failures == []
    assert len(rerun) >= 2


# --- 2. the disk fills up -------------------------------------------------------------------------


def full_disk_points(events: list[list[str]]) -> list[int]:
    """The first and last write to every file, and every fsync: from there on, the disk is full."""
    points = []
    for n in _distinct_points([[k, "book" + p[3:]] if p.startswith("tmp") else [k, p] for k, p in events],
                              1, len(events) + 1):
        if events[n - 1][0] in ("write", "fsync", "sendfile"):
            points.append(n)
    return sorted(set(points))


FULL_DISK = [s for s in SCENARIOS if s.name in ("shop.xlsx, workbook only", "small tracker, with documents")]


@pytest.fixture(scope="module")
def full_disks(sources, counted, tmp_path_factory) -> list[tuple[Scenario, int, int, Path, dict]]:
    base = tmp_path_factory.mktemp("full")
    planned = []
    for index, scenario in enumerate(FULL_DISK):
        events = counted[scenario.name][1]["events"]
        points = full_disk_points(events)
        if scenario.documents:  # documents are written alike: the first of each kind, then the workbook's first two
            start = next(n for n, (_, p) in enumerate(events, 1) if WORKBOOK_TEMPORARY.fullmatch(p[5:]))
            firsts = {}
            for first, last in _documents(events, start):
                firsts.setdefault(_document_kind(events[last - 1][1]), next(
                    n for n in range(first, last) if events[n - 1][0] == "write"))
            workbook = [n for n in points if n >= start and events[n - 1][1].startswith("book")]
            points = sorted(set(firsts.values()) | set(workbook[:2]))
        for at in points:
            disk = base / f"s{index}-{at}"
            prepare(disk, sources[scenario.name])
            planned.append((scenario, at, replacement(events), disk))
    results = run_jobs([job(disk, scenario, "enospc", at) for scenario, at, _, disk in planned], base)
    return [(*plan, result) for plan, result in zip(planned, results)]


def test_a_full_disk_at_any_write_stops_with_one_plain_sentence_and_leaves_everything_as_it_was(
        sources, counted, full_disks):
    failures = []
    for scenario, at, replaced, disk, result in full_disks:
        where = f"{scenario.name}, disk full from operation {at} {counted[scenario.name][1]['events'][at - 1]}"
        book = disk / "book"
        original = sources[scenario.name].read_bytes()
        errors = result["err"].strip().splitlines()
        if at > replaced:  # only the folder's fsync is left, and a failed one changes nothing
            if result["code"] != 0:
                failures.append(f"{where}: exit {result['code']}")
            continue
        if "Traceback" in result["err"] or result["code"] != 1 or result["out"]:
            failures.append(f"{where}: exit {result['code']}, {result['out']!r}, {result['err'][-400:]!r}")
        elif not (errors[-1] == DISK_FULL or DOCUMENT_DISK_FULL.fullmatch(errors[-1])):
            failures.append(f"{where}: said {errors[-1]!r}")
        if (book / "w.xlsx").read_bytes() != original:
            failures.append(f"{where}: the workbook changed")
        if temporaries(book):
            failures.append(f"{where}: left {temporaries(book)}")
        reference = counted[scenario.name][0] / "book" / OUTPUT
        failures += [f"{where}: {problem}" for problem in leftovers_problems(book, original, reference)]
    assert failures == []
    assert len(full_disks) >= 20


# --- 3. a folder collector may not write in --------------------------------------------------------

READ_ONLY = "Error: collector could not write in the folder that holds w.xlsx ({why}), so it left the workbook as " \
            "it was. Work on a copy in a folder you can change, and run collector again."
NO_BACKUP = "Error: collector could not keep a backup of w.xlsx in the backups folder beside it (you may not " \
            "change files there), so it left the workbook as it was. Make that folder writable and run collector again."


@pytest.mark.parametrize("folder,documents,said", [
    ("book", False, READ_ONLY.format(why="you may not change files there")),
    ("book", True, "Error: Could not prepare the output folder {book}/collector-output/2026-11-23: Permission denied."),
    ("book/backups", False, NO_BACKUP),
    ("book/collector-output", True, "Error: Could not prepare the output folder {book}/collector-output/2026-11-23: "
                                    "Permission denied."),
], ids=["workbook folder", "workbook folder, with documents", "backups folder", "documents folder"])
def test_a_folder_collector_may_not_write_in_stops_it_with_one_plain_sentence(
        tmp_path, sources, folder, documents, said):
    scenario = SCENARIOS[0] if not documents else next(s for s in SCENARIOS if s.source is small_tracker)
    disk = tmp_path / "disk"
    workbook = prepare(disk, sources[scenario.name])
    (disk / "book" / "backups").mkdir()
    (disk / "book" / "backups" / "w 2026-11-16 090000.xlsx").write_bytes(b"last week's")
    before = sorted(p.relative_to(disk) for p in disk.rglob("*"))
    (result,) = run_jobs([job(disk, scenario, "eacces", folder)], tmp_path)
    assert (result["code"], result["out"]) == (1, "")
    assert "Traceback" not in result["err"]
    assert result["err"].splitlines()[-1] == said.format(book=disk / "book")
    assert workbook.read_bytes() == sources[scenario.name].read_bytes()
    assert sorted(p.relative_to(disk) for p in disk.rglob("*") if not p.is_relative_to(disk / "tmp")) == \
        [p for p in before if not p.is_relative_to(Path("tmp"))]


# --- real file systems: a full tmpfs and a read-only mount (root, in a mount namespace of its own) ---


def _in_private_mount(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare to mount a file system of its own")
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            f"mount -t tmpfs -o size=64k tmpfs {tmp_path}"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot mount here: " + probe.stderr.decode(errors="replace").strip())
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-ec", script],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("size", ["64k", "112k"], ids=["no room for the new workbook", "no room for the backup"])
def test_a_really_full_disk_stops_the_run_and_leaves_the_workbook_as_it_was(tmp_path, size):
    book, seen = tmp_path / "book", tmp_path / "seen"
    book.mkdir()
    seen.mkdir()
    done = _in_private_mount(f"""
        mount -t tmpfs -o size={size} tmpfs "{book}"
        cp "{SHOP}" "{book}/w.xlsx"
        set +e
        {sys.executable} -m collector run "{book}/w.xlsx" --as-of {AS_OF} --no-documents >"{tmp_path}/out" 2>"{tmp_path}/err"
        echo $? >"{tmp_path}/code"
        set -e
        cp -a "{book}/." "{seen}/"
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "code").read_text().strip() == "1"
    assert (tmp_path / "out").read_text() == ""
    assert (tmp_path / "err").read_text().splitlines()[-1] == DISK_FULL
    assert (seen / "w.xlsx").read_bytes() == SHOP.read_bytes()
    assert sorted(str(p.relative_to(seen)) for p in seen.rglob("*")) in (["w.xlsx"], ["backups", "w.xlsx"])


def test_a_folder_on_a_read_only_disk_is_left_alone_with_a_plain_sentence(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    shutil.copyfile(SHOP, book / "w.xlsx")
    done = _in_private_mount(f"""
        mount --bind "{book}" "{book}"
        mount -o remount,bind,ro "{book}"
        set +e
        {sys.executable} -m collector run "{book}/w.xlsx" --as-of {AS_OF} >"{tmp_path}/out" 2>"{tmp_path}/err"
        echo $? >"{tmp_path}/code"
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "code").read_text().strip() == "1"
    assert (tmp_path / "err").read_text().splitlines()[-1] == (
        f"Error: Could not prepare the output folder {book}/collector-output/2026-11-23: Read-only file system.")
    assert (book / "w.xlsx").read_bytes() == SHOP.read_bytes()
    assert sorted(p.name for p in book.iterdir()) == ["w.xlsx"]


# --- 4. the owner saves the workbook while collector works (in place, through run_week) ----------


def _owner_saves_while_documents_are_rendered(workbook: Path, save) -> None:
    from collector.safety import UnsafeToWrite
    from collector.weekly import run_week

    def render(book, assessment):
        save(workbook)
        return None

    with pytest.raises(UnsafeToWrite, match=r"^w\.xlsx was changed by someone else while collector was working, "
                                            r"so collector did not overwrite it\. Run collector again\.$"):
        run_week(str(workbook), D(2026, 11, 23), render=render)


def test_a_workbook_grown_meanwhile_with_its_time_put_back_is_not_overwritten(tmp_path):
    workbook = prepare(tmp_path / "disk", SHOP)
    owners = {}

    def save(path: Path) -> None:  # a sync tool that keeps modification times: only the size tells
        status = path.stat()
        path.write_bytes(path.read_bytes() + b"\0" * 64)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        owners["bytes"] = path.read_bytes()

    _owner_saves_while_documents_are_rendered(workbook, save)
    assert workbook.read_bytes() == owners["bytes"]
    assert sorted(p.name for p in workbook.parent.iterdir()) == ["w.xlsx"]


def test_a_workbook_saved_meanwhile_with_the_same_size_is_not_overwritten(tmp_path):
    workbook = prepare(tmp_path / "disk", SHOP)

    def save(path: Path) -> None:  # Excel's autosave of an unchanged file: only the time tells
        later = path.stat().st_mtime_ns + 2 * 10**9
        os.utime(path, ns=(later, later))

    _owner_saves_while_documents_are_rendered(workbook, save)
    assert workbook.read_bytes() == SHOP.read_bytes()
    assert sorted(p.name for p in workbook.parent.iterdir()) == ["w.xlsx"]


def test_a_stale_temporary_file_of_a_killed_run_is_removed_but_not_that_of_a_run_going_on(tmp_path):
    from collector import safety

    folder = tmp_path / "book"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = folder / f".collector-{dead.stdout.strip()}-abcd1234.xlsx"
    running = folder / f".collector-{os.getppid()}-abcd1234.xlsx"
    older = folder / ".collector-abcd1234.tmp"  # before temporaries carried the run's pid
    mine = folder / ".collector-files.json"
    for path in (stale, running, older, mine):
        path.write_bytes(b"PK")
        os.utime(path, (safety._STARTED - 60, safety._STARTED - 60))
    assert sorted(safety.remove_stale_temporaries(str(folder))) == sorted([older.name, stale.name])
    assert sorted(p.name for p in folder.iterdir()) == sorted([mine.name, running.name])
