"""File names made from customer names, safe on Windows, macOS and Linux.

A customer called ``A/B: "Best" Ltd.`` or ``CON`` must still get a file the
owner can open, and two customers whose names differ only in case or accents
("Café Rio" and "Cafe Rio") must never overwrite each other's letters on a
file system that ignores case or normalises accents.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Mapping

from collector.terms import fold

MAX_LENGTH = 80
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u0080-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\ufeff]')
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{n}" for n in "123456789¹²³"] + [f"LPT{n}" for n in "123456789¹²³"]
)


def safe_file_name(text: str, limit: int = MAX_LENGTH, fallback: str = "unnamed") -> str:
    """``text`` as one path component: no separators, reserved names or edge dots, at most ``limit`` chars
    (and ``2 * limit`` UTF-8 bytes)."""
    name = unicodedata.normalize("NFC", str(text))
    name = _FORBIDDEN.sub(" ", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)
    if len(name) > limit or len(name.encode("utf-8")) > 2 * limit:
        name = _cap(name, limit)
    if not name:
        name = fallback
    if name.split(".")[0].strip().upper() in _RESERVED:
        name = f"_{name}"
    return name


def _cap(name: str, limit: int) -> str:
    """At most ``limit`` characters and twice as many UTF-8 bytes: file systems count bytes (255 at
    most), and the action number and step still go around the name."""
    name = name[:limit]
    while len(name.encode("utf-8")) > 2 * limit:
        name = name[:-1]
    return name.rstrip(" .")


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def customer_file_names(customers: Mapping[str, str], limit: int = 60) -> dict[str, str]:
    """A safe, distinct file-name part for each customer key, from ``{key: name}``.

    Names that would clash once case and accents are ignored get a short stable
    hash of the customer key appended, so every one of them stays distinct and
    keeps its name from one run to the next.
    """
    base = {key: safe_file_name(name or key, limit) for key, name in customers.items()}
    groups: dict[str, list[str]] = {}
    for key, name in base.items():
        groups.setdefault(_clash_key(name), []).append(key)
    names = dict(base)
    for keys in groups.values():
        if len(keys) > 1:
            for key in keys:
                names[key] = f"{base[key][: limit - 7].rstrip(' .')} {short_hash(key)}"
    return names


def _clash_key(name: str) -> str:
    return fold(unicodedata.normalize("NFKC", name))

