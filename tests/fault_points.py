"""Run `collector` with every file operation numbered, and kill it or fail it at the Nth.

    python -m tests.fault_points JOBS.json

JOBS.json is a list of jobs: ``{"argv": [...], "disk": DIR, "mode": MODE, "at": N, "output": FILE}``.
Only operations on paths inside ``disk`` are numbered (the workbook's folder and the temp folder
the error log goes to live there). The modes:

- ``count``: run to the end and record every operation, so a test knows how many there are;
- ``kill``: SIGKILL the process just before operation N, as a power cut or `kill -9` would;
- ``enospc``: from operation N on, every write and fsync fails with "No space left on device";
- ``eacces``: every change under ``disk/<at>`` (a folder, relative) fails with "Permission denied",
  as in a read-only folder (permission bits mean nothing to root, so they are not used).

This process imports collector and WeasyPrint once, then forks one child per job (two at a time),
so each job is a real `collector` command started fresh from a warm interpreter. PDFs are rendered
in the child itself, one after another, so the operations come in the same order every time.
The result, a JSON list with each job's exit code (negative: killed by that signal), operation
count and, in count mode, the operations themselves, goes to stdout.
"""
from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
import signal
import sys
import zipfile

WRITES = {"write", "fsync", "sendfile", "truncate"}  # what a full disk refuses
_CHANGES = {"open-write", "os-open", "mkdir", "replace", "rename", "remove", "rmdir", "chmod", "utime",
            "copyfile"} | WRITES


class Faults:
    def __init__(self, disk: str, mode: str, at: object) -> None:
        self.disk = os.path.realpath(disk) + os.sep
        self.mode = mode
        self.at = at
        self.denied = os.path.realpath(os.path.join(disk, str(at))) + os.sep if mode == "eacces" else ""
        self.count = 0
        self.events: list[tuple[str, str]] = []
        self.active = True

    def relative(self, path: object) -> str | None:
        if isinstance(path, int):
            try:
                path = os.readlink(f"/proc/self/fd/{path}")
            except OSError:
                return None
        try:
            full = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return None
        return full[len(self.disk):] if full.startswith(self.disk) else None

    def event(self, kind: str, path: object) -> None:
        if not self.active:
            return
        relative = self.relative(path)
        if relative is None:
            return
        self.count += 1
        if self.mode == "count":
            self.events.append((kind, relative))
        elif self.mode == "kill" and self.count == self.at:
            os.kill(os.getpid(), signal.SIGKILL)
        elif self.mode == "enospc" and self.count >= self.at and kind in WRITES:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fsdecode(path) if not isinstance(path, int) else None)
        elif self.mode == "eacces" and kind in _CHANGES and (os.path.join(self.disk, relative) + os.sep).startswith(self.denied):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.path.join(self.disk, relative))


class _Tracked:
    """A file opened for writing whose every write is an operation."""

    def __init__(self, handle, path, faults: Faults) -> None:
        self._handle, self._path, self._faults = handle, path, faults

    def write(self, data):
        self._faults.event("write", self._path)
        return self._handle.write(data)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def truncate(self, *args):
        self._faults.event("truncate", self._path)
        return self._handle.truncate(*args)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        self._handle.__enter__()
        return self

    def __exit__(self, *exc):
        return self._handle.__exit__(*exc)

    def __iter__(self):
        return iter(self._handle)


def install(faults: Faults) -> None:
    real_open = io.open

    def tracked_open(file, mode="r", *args, **kwargs):
        writing = any(flag in mode for flag in "wax+")
        if writing and not isinstance(file, int):
            faults.event("open-write", file)
        handle = real_open(file, mode, *args, **kwargs)
        return _Tracked(handle, file, faults) if writing and not isinstance(file, int) else handle

    builtins.open = io.open = tracked_open

    def before(kind, function, path_argument=0, when=lambda *a, **k: True):
        def hooked(*args, **kwargs):
            if when(*args, **kwargs):
                faults.event(kind, args[path_argument] if len(args) > path_argument else kwargs.get("path"))
            return function(*args, **kwargs)
        return hooked

    creating = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    os.open = before("os-open", os.open, when=lambda path, flags, *a, **k: bool(flags & creating))
    os.write = before("write", os.write)
    os.fsync = before("fsync", os.fsync)
    os.sendfile = before("sendfile", os.sendfile)
    os.mkdir = before("mkdir", os.mkdir)
    os.rmdir = before("rmdir", os.rmdir)
    os.chmod = before("chmod", os.chmod)
    os.utime = before("utime", os.utime)
    os.remove = before("remove", os.remove)
    os.unlink = before("remove", os.unlink)
    # A rename counts for the folder it lands in: that is where a file appears under its final name.
    os.replace = before("replace", os.replace, path_argument=1)
    os.rename = before("rename", os.rename, path_argument=1)
    shutil.copyfile = before("copyfile", shutil.copyfile, path_argument=1)
    real_writestr = zipfile.ZipFile.writestr

    def writestr(self, *args, **kwargs):
        faults.event("zip-member", self.filename or "")
        return real_writestr(self, *args, **kwargs)

    zipfile.ZipFile.writestr = writestr


def _serial_pdfs() -> None:
    import collector.pdf

    collector.pdf.worker_count = lambda workers, jobs: 1


def _child(job: dict) -> None:
    output = job["output"]
    with open(output + ".out", "wb") as out, open(output + ".err", "wb") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
    faults = Faults(job["disk"], job["mode"], job.get("at"))
    os.environ["TMPDIR"] = job.get("tmpdir", os.environ.get("TMPDIR", "/tmp"))
    import tempfile

    tempfile.tempdir = None
    code = 0
    install(faults)
    sys.argv = ["collector", *job["argv"]]
    try:
        from collector.cli import main

        main(end=sys.exit)  # the command as installed, but back here to record what it did
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:  # a traceback the owner would see: record it, fail the job
        faults.active = False
        import traceback

        with open(output + ".err", "a") as handle:
            handle.write("Traceback (most recent call last):\n" + traceback.format_exc())
        code = 99
    faults.active = False
    sys.stdout.flush()
    sys.stderr.flush()
    with open(output, "w") as handle:
        json.dump({"count": faults.count, "events": faults.events}, handle)
    os._exit(code)


def _warm_up() -> None:
    import collector.cli  # noqa: F401
    import collector.documents  # noqa: F401
    import collector.weekly  # noqa: F401
    import openpyxl  # noqa: F401
    import python_calamine  # noqa: F401
    import weasyprint  # noqa: F401
    from collector import pdf
    from collector.render import Templates

    _serial_pdfs()
    # Lay out one page here, so each child starts with WeasyPrint's fonts and the built-in stylesheet
    # loaded (a run with its own templates folder makes its own).
    templates = Templates(None)
    pdf._worker_setup(templates.source("style.css"), templates.base_url)
    pdf._renderer.weasyprint.HTML(string="<p>Warm</p>").render(stylesheets=[pdf._renderer.css],
                                                               font_config=pdf._renderer.fonts).write_pdf()


def run_jobs(jobs: list[dict], parallel: int = 2) -> list[dict]:
    _warm_up()
    running: dict[int, int] = {}
    results: list[dict] = [{} for _ in jobs]
    pending = list(enumerate(jobs))
    while pending or running:
        while pending and len(running) < parallel:
            index, job = pending.pop(0)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                try:
                    _child(job)
                finally:
                    os._exit(98)
            running[pid] = index
        pid, status = os.wait()
        index = running.pop(pid)
        job = jobs[index]
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        result = {"code": code, "count": None, "events": []}
        if code != -signal.SIGKILL and os.path.exists(job["output"]):
            with open(job["output"]) as handle:
                result.update(json.load(handle))
        for stream in ("out", "err"):
            with open(job["output"] + "." + stream, encoding="utf-8", errors="replace") as handle:
                result[stream] = handle.read()
        results[index] = result
    return results


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        jobs = json.load(handle)
    print(json.dumps(run_jobs(jobs)))
