"""Keeping the owner's workbook safe while collector writes it.

Before a write: refuse a workbook that Excel or LibreOffice has open, and keep
a backup. The write itself goes to a temporary file in the same folder, is
checked by reopening it, and only then replaces the original in one atomic
step. Whatever fails on the way, the original stays byte for byte as it was
and no stray file is left behind; a full disk or a folder collector may not
write in is said in a plain sentence. If the run itself is killed (a power cut,
`kill -9`), what it leaves is only hidden ``.collector-<pid>-*`` temporary files,
and the next run removes them.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import re
import shutil
import stat
import tempfile
import time
from typing import Callable, Optional

BACKUP_FOLDER = "backups"
BACKUPS_KEPT = 20
TEMPORARY_PREFIX = ".collector-"
# .collector-<pid of the run>-<8 random characters><suffix>; the pid is missing on older temporaries.
_TEMPORARY = re.compile(re.escape(TEMPORARY_PREFIX) + r"(?:(\d+)-)?[a-z0-9_]{8}\.(?:xlsx|xlsm|tmp)")
_STARTED = time.time()
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}


class UnsafeToWrite(Exception):
    """collector will not write the workbook; the message says why and what to do."""


def lock_files(path: str) -> list[str]:
    """Lock files Excel (~$Name.xlsx) or LibreOffice (.~lock.Name.xlsx#) leave while the file is open."""
    folder, name = os.path.split(os.path.abspath(path))
    candidates = [f"~${name}", f"~${name[2:]}" if len(name) > 2 else "", f".~lock.{name}#"]
    return [os.path.join(folder, c) for c in candidates if c and os.path.exists(os.path.join(folder, c))]


def refuse_if_open(path: str, force: bool = False) -> None:
    locks = lock_files(path)
    if locks and not force:
        name = os.path.basename(path)
        raise UnsafeToWrite(
            f"{name} is open in Excel or LibreOffice (found {os.path.basename(locks[0])}). Close it and "
            "run collector again. If it is not open anywhere, the lock file is left over from a crash: "
            "run again with --force."
        )


def fingerprint(path: str) -> tuple[int, int]:
    """Size and modification time, to notice the owner saving the file while collector works."""
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def backup(path: str, stamp: Optional[dt.datetime] = None, kept: int = BACKUPS_KEPT) -> str:
    """Copy the workbook into backups/ beside it, keeping the newest ``kept`` copies of it."""
    folder, name = os.path.split(os.path.abspath(path))
    target_folder = os.path.join(folder, BACKUP_FOLDER)
    created = not os.path.isdir(target_folder)
    try:
        os.makedirs(target_folder, exist_ok=True)
    except OSError as error:
        raise _no_backup(error, name) from None
    remove_stale_temporaries(target_folder)
    stem, extension = os.path.splitext(name)
    stamp = stamp or dt.datetime.now()
    target = os.path.join(target_folder, f"{stem} {stamp:%Y-%m-%d %H%M%S}{extension}")
    counter = 1
    while os.path.exists(target):
        counter += 1
        target = os.path.join(target_folder, f"{stem} {stamp:%Y-%m-%d %H%M%S} ({counter}){extension}")
    try:
        _copy_atomically(path, target)
    except BaseException as error:
        if created:
            _remove_empty_folder(target_folder)
        if isinstance(error, OSError):
            raise _no_backup(error, name) from None
        raise
    _prune(target_folder, stem, extension, kept)
    return target


def _temporary_file(folder: str, suffix: str) -> str:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", suffix=suffix)
    os.close(handle)
    return temporary


def remove_stale_temporaries(folder: str) -> list[str]:
    """Remove the temporary files a collector run that was killed half way left in ``folder``.

    A temporary file is stale when it is older than this run and the run that made it is no longer
    running, so a run going on beside this one keeps its own. Returns the names removed.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if not match or (match.group(1) and _running(int(match.group(1)))):
            continue
        path = os.path.join(folder, name)
        try:
            if os.stat(path).st_mtime < _STARTED and os.path.isfile(path):
                os.remove(path)
                removed.append(name)
        except OSError:
            pass
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # os.kill would end the process on Windows: age alone decides there
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


def _copy_atomically(source: str, target: str) -> None:
    temporary = _temporary_file(os.path.dirname(target), ".tmp")
    try:
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        _remove_quietly(temporary)
        raise


def _backup_name(stem: str, extension: str) -> re.Pattern:
    return re.compile(re.escape(stem) + r" (\d{4}-\d{2}-\d{2} \d{6})(?: \((\d+)\))?" + re.escape(extension) + "$")


def _prune(folder: str, stem: str, extension: str, kept: int) -> None:
    """Delete all but the newest ``kept`` backups of this workbook, newest by the time in their names."""
    pattern = _backup_name(stem, extension)
    mine = []
    for name in os.listdir(folder):
        match = pattern.fullmatch(name)
        if match:
            mine.append(((match.group(1), int(match.group(2) or 1)), name))
    mine.sort()
    for _, old in mine[:-kept] if kept > 0 else mine:
        _remove_quietly(os.path.join(folder, old))


def _remove_empty_folder(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:
        pass


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def write_atomically(target: str, write: Callable[[str], None], verify: Callable[[str], None],
                     expected: Optional[tuple[int, int]] = None) -> None:
    """Write to a temporary file beside ``target``, verify it, then atomically replace ``target``.

    ``write(temp_path)`` produces the new file; ``verify(temp_path)`` raises when it is not right.
    ``expected`` is the target's fingerprint when it was read: if the owner saved it meanwhile,
    nothing is replaced.
    """
    folder = os.path.dirname(os.path.abspath(target))
    remove_stale_temporaries(folder)
    try:
        temporary = _temporary_file(folder, os.path.splitext(target)[1])
    except OSError as error:
        raise _plain(error, target) from None
    try:
        write(temporary)
        _refuse_if_changed(target, expected)  # before comparing: the owner's own edit is no "loss"
        verify(temporary)
        _refuse_if_changed(target, expected)
        _fsync(temporary)
        if os.path.exists(target):
            shutil.copymode(target, temporary)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.replace(temporary, target)
        except PermissionError:
            raise UnsafeToWrite(
                f"collector could not replace {os.path.basename(target)}: another program is using it, or "
                "you may not change files in that folder. Close it everywhere and run collector again."
            ) from None
        _fsync_folder(folder)
    except OSError as error:
        _remove_quietly(temporary)
        if error.errno in _FULL:
            raise _plain(error, target) from None
        raise
    except BaseException:
        _remove_quietly(temporary)
        raise


def _no_backup(error: OSError, name: str) -> Exception:
    if error.errno in _FULL:
        return _plain(error, name)
    if error.errno in _NOT_ALLOWED:
        why = "the disk is read-only" if error.errno == errno.EROFS else "you may not change files there"
        return UnsafeToWrite(f"collector could not keep a backup of {name} in the {BACKUP_FOLDER} folder beside it "
                             f"({why}), so it left the workbook as it was. Make that folder writable and run "
                             "collector again.")
    return error


def _plain(error: OSError, target: str) -> Exception:
    """A full disk or a folder collector may not write in, said the way the owner can act on it."""
    name = os.path.basename(target)
    if error.errno in _FULL:
        return UnsafeToWrite(f"The disk is full, so collector could not write {name} and left it as it was. "
                             "Free some space and run collector again.")
    if error.errno in _NOT_ALLOWED:
        why = "the disk is read-only" if error.errno == errno.EROFS else "you may not change files there"
        return UnsafeToWrite(f"collector could not write in the folder that holds {name} ({why}), so it left "
                             "the workbook as it was. Work on a copy in a folder you can change, and run collector again.")
    return error


def _refuse_if_changed(target: str, expected: Optional[tuple[int, int]]) -> None:
    if expected is not None and os.path.exists(target) and fingerprint(target) != expected:
        raise UnsafeToWrite(
            f"{os.path.basename(target)} was changed by someone else while collector was working, "
            "so collector did not overwrite it. Run collector again."
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_if_read_only(path: str) -> None:
    """A workbook the owner marked read-only is not collector's to change."""
    if os.path.exists(path) and not os.stat(path).st_mode & stat.S_IWUSR:
        raise UnsafeToWrite(
            f"{os.path.basename(path)} is read-only, so collector did not change it. Make it writable "
            "(in its file properties) or work on a copy, and run collector again."
        )


def _fsync(path: str) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: str) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
