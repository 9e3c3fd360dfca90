"""The weekly run without documents, against a bare python-calamine read of the same workbook.

    python bench/bench_run.py              # 1k, 10k and 100k invoices
    python bench/bench_run.py 1000 5000    # chosen sizes

This is issue 6's target: `collector run --no-documents` on the 100,000-invoice
workbook within 3x a bare calamine read, peak memory under 1 GiB. The workbooks
are bench_engine.make_workbook's (cached in bench/out/). For each size, on a fresh
copy, each measurement runs in its own process so peak memory is the run's own:

- bare: python-calamine reads every sheet to Python values (best of 3);
- run: collector.weekly.run_week (read, decide, write in place with the lossless
  writer, prove nothing else changed, back up, replace), timed inside the process,
  with its phases;
- cli: the whole `collector run --no-documents` command, start-up included (with the package's
  bytecode compiled, as pip leaves an installed package);
- next week: the same run a week later on the workbook the first run wrote (collector's columns,
  tabs and log rows already in it), against a bare read of that workbook: the owner's usual case.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from bench_engine import AS_OF, make_workbook  # noqa: E402

BARE = """
import json, resource, sys, time
import python_calamine
best = None
for _ in range(3):
    start = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
    for name in workbook.sheet_names:
        workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    seconds = time.perf_counter() - start
    best = seconds if best is None else min(best, seconds)
print(json.dumps({"seconds": best, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

RUN = """
import datetime as dt, json, resource, sys, time
from collector import fidelity, lossless, weekly
phases = {}
def timed(owner, name, label):
    function = getattr(owner, name)
    def wrapper(*args, **options):
        start = time.perf_counter()
        try:
            return function(*args, **options)
        finally:
            phases[label] = phases.get(label, 0.0) + time.perf_counter() - start
    setattr(owner, name, wrapper)
timed(weekly, "open_source", "read"); timed(weekly, "read_source", "read"); timed(weekly, "assess", "decide")
timed(weekly, "write_results", "write"); timed(fidelity, "package_losses", "prove")
start = time.perf_counter()
result = weekly.run_week(sys.argv[1], dt.date.fromisoformat(sys.argv[2]))
seconds = time.perf_counter() - start
assert result.replaced_original and result.written.lossless, result.losses
print(json.dumps({"seconds": seconds, "phases": phases, "actions": len(result.assessment.actions),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


# As the owner runs it: pip compiles an installed package's bytecode once, at install. A shell that
# forbids bytecode caches (PYTHONDONTWRITEBYTECODE) would add the compiling of every module to each run.
OWNER_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def compile_package() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "collector")], check=True,
                   env=OWNER_ENV)


def child(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT,
                          env=OWNER_ENV)
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def measure(size: int) -> None:
    source = make_workbook(size)
    with tempfile.TemporaryDirectory() as folder:
        bare = child(BARE, source)
        target = os.path.join(folder, "run.xlsx")
        shutil.copyfile(source, target)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "collector", "run", target, "--as-of", AS_OF.isoformat(),
                        "--no-documents"], check=True, capture_output=True, cwd=folder, env=OWNER_ENV)
        cli = time.perf_counter() - start
        shutil.copyfile(source, target)
        run = child(RUN, target, AS_OF.isoformat())
        later_bare = child(BARE, target)
        later = child(RUN, target, (AS_OF + dt.timedelta(days=7)).isoformat())
    print(f"{size:>7,} invoices  calamine {bare['seconds']:6.2f}s  run {run['seconds']:6.2f}s "
          f"(ratio {run['seconds'] / bare['seconds']:5.1f}x; {_phases(run)})  "
          f"cli {cli:6.2f}s (ratio {cli / bare['seconds']:5.1f}x)  actions {run['actions']:,}  "
          f"peak memory {run['peak']:,.0f} MiB", flush=True)
    print(f"{'':>7}  next week: calamine {later_bare['seconds']:6.2f}s  run {later['seconds']:6.2f}s "
          f"(ratio {later['seconds'] / later_bare['seconds']:5.1f}x; {_phases(later)})  "
          f"peak memory {later['peak']:,.0f} MiB", flush=True)


def _phases(run: dict) -> str:
    return "  ".join(f"{name} {seconds:5.2f}s" for name, seconds in run["phases"].items())


def main(sizes: list[int]) -> None:
    compile_package()
    for size in sizes:
        measure(size)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000])
