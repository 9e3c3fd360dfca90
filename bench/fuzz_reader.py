"""Fuzz collector's reader for as long as you like.

Two ways, both asserting what tests/test_fuzz.py asserts: read_book returns a Book or raises
WorkbookError (a plain sentence), nothing else.

    python bench/fuzz_reader.py --mutations 100000 --seed 1
        The seeded mutation loop of tests/test_fuzz.py (flipped bytes, truncation, splicing,
        damaged XML zipped again), needing nothing but the test dependencies. Run it under
        `ulimit -v 3000000` so a runaway allocation ends the run instead of the machine; the
        mutant being read is always in --keep (default ./fuzz-findings/current.*), and every
        mutant that raised something else is saved there with its traceback.

    python bench/fuzz_reader.py --atheris -max_total_time=36000 -rss_limit_mb=3000 -timeout=10
        Coverage-guided fuzzing with atheris (pip install atheris); arguments after --atheris go
        to libFuzzer. The first byte picks the file's extension, the rest is the file.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collector.reader import read_book  # noqa: E402
from collector.source import WorkbookError  # noqa: E402

SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls", ".csv")


def read_once(path: str) -> None:
    """The property: a Book or a WorkbookError with a sentence in it."""
    try:
        read_book(path, locale="en_GB")
    except WorkbookError as error:
        if not str(error).strip() or "Traceback" in str(error):
            raise AssertionError(f"not a sentence: {error!r}") from None


def mutation_loop(count: int, seed: int, keep: Path) -> int:
    from tests import hostile
    from tests.test_fuzz import seed_files

    keep.mkdir(parents=True, exist_ok=True)
    found = 0
    for label, name, data in hostile.mutants(seed_files(), count, seed):
        current = keep / f"current{Path(name).suffix}"
        current.write_bytes(data)
        try:
            read_once(str(current))
        except Exception:  # noqa: BLE001 - a finding
            found += 1
            stem = label.replace(":", "_").replace("/", "_")
            (keep / f"{stem}{Path(name).suffix}").write_bytes(data)
            (keep / f"{stem}.txt").write_text(traceback.format_exc(), encoding="utf-8")
            print(f"FOUND {label}: {traceback.format_exc().splitlines()[-1]}", flush=True)
        if label.split(":")[0].endswith("000"):
            print(f"{label.split(':')[0]} mutants read, {found} findings", flush=True)
    print(f"done: {count} mutants, {found} findings (in {keep})")
    return 1 if found else 0


def atheris_main(arguments: list[str]) -> None:
    try:
        import atheris
    except ImportError:
        sys.exit("atheris is not installed: run `pip install atheris` (it needs clang's libFuzzer), "
                 "or use --mutations N, which needs nothing more.")
    folder = tempfile.mkdtemp(prefix="collector-fuzz-")

    def one_input(data: bytes) -> None:
        if not data:
            return
        path = os.path.join(folder, "input" + SUFFIXES[data[0] % len(SUFFIXES)])
        with open(path, "wb") as handle:
            handle.write(data[1:])
        read_once(path)

    atheris.instrument_all()
    atheris.Setup([sys.argv[0], *arguments], one_input)
    atheris.Fuzz()


def main() -> None:
    if "--atheris" in sys.argv:
        at = sys.argv.index("--atheris")
        atheris_main(sys.argv[at + 1:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=10_000, help="how many mutants to read")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=Path("fuzz-findings"), help="where findings are saved")
    options = parser.parse_args()
    sys.exit(mutation_loop(options.mutations, options.seed, options.keep))


if __name__ == "__main__":
    main()
