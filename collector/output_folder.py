"""The week's output folder: files written whole or not at all, and only ours replaced.

A re-run for the same date rewrites the folder: the files collector wrote
there last time (listed in a small manifest) are removed, and nothing else is
touched, so a note the owner saved beside the letters survives.
"""
from __future__ import annotations

import json
import os
import tempfile
from typing import Callable, Iterable

MANIFEST = ".collector-files.json"
_TEMPORARY_PREFIX = ".collector-"


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """Call ``write(temporary_path)`` then rename the result to ``path`` in one step."""
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=_TEMPORARY_PREFIX, suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, _file_mode())  # mkstemp makes it private; the owner's files are not
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def _file_mode() -> int:
    global _MODE
    if _MODE is None:
        mask = os.umask(0o022)
        os.umask(mask)
        _MODE = 0o666 & ~mask
    return _MODE


_MODE: int | None = None


def write_bytes(path: str, data: bytes) -> None:
    def write(temporary: str) -> None:
        with open(temporary, "wb") as handle:
            handle.write(data)

    write_atomically(path, write)


def clear_previous(folder: str) -> list[str]:
    """Remove the files a previous run listed in the manifest (and stray temporaries); return them."""
    removed = []
    for name in previous_files(folder):
        path = os.path.join(folder, name)
        if _inside(folder, path) and os.path.isfile(path):
            os.remove(path)
            removed.append(name)
    for name in os.listdir(folder):
        if name.startswith(_TEMPORARY_PREFIX) and name.endswith(".tmp"):
            os.remove(os.path.join(folder, name))
    return removed


def previous_files(folder: str) -> list[str]:
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as handle:
            names = json.load(handle).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [name for name in names if isinstance(name, str)]


def save_manifest(folder: str, names: Iterable[str]) -> None:
    text = json.dumps({"written by": "collector", "files": sorted(names)}, ensure_ascii=False, indent=1)
    write_bytes(os.path.join(folder, MANIFEST), text.encode("utf-8"))


def _inside(folder: str, path: str) -> bool:
    folder = os.path.realpath(folder)
    return os.path.realpath(path).startswith(folder + os.sep)
