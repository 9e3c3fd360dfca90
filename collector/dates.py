"""Dates as the owner typed them, read the same way for a whole column.

Excel keeps dates as serial numbers in one of two date systems; text dates come
in many local shapes and languages. Day-first versus month-first is never
guessed per cell: ``decide_date_order`` settles it once per column and
``parse_date_text`` applies it strictly. Pure: standard library only.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Iterable

DAY_FIRST = "DMY"
MONTH_FIRST = "MDY"

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)
_EPOCH_1900 = dt.date(1899, 12, 30)  # serial 0 once Excel's phantom 1900-02-29 is skipped
_EPOCH_1904 = dt.date(1904, 1, 1)
_PHANTOM_LEAP_DAY = 60  # Excel's 1900-02-29, a day that never existed
_LAST_SERIAL = 2958465  # 9999-12-31 in the 1900 system
_SYSTEM_GAP = 1462  # days between the two systems' serial 0

_TIME = (  # an optional time of day, dropped: "10:30", "T10:30:00Z", " 4:05 pm"
    r"(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO = re.compile(rf"(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}", re.IGNORECASE)
_NUMERIC = re.compile(
    rf"(\d{{1,2}})\s*([-/.])\s*(\d{{1,2}})\s*\2\s*(\d{{4}}|\d{{2}}){_TIME}", re.IGNORECASE
)
_WORD_SPLIT = re.compile(r"[\s,./\-'\u2019()]+")
_CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:am|pm)?")
_DAY_OR_YEAR = re.compile(r"(\d{1,4})(?:st|nd|rd|th|er|eme|e|º|ª|°)?")

def _fold(text: str) -> str:
    """Lower case without accents, so "Μαρτίου", "MARS" and "março" match the tables."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Full month names, nominative and genitive; prefixes of 3+ letters are read too.
_MONTH_WORDS = {
    1: "january janvier enero janeiro ianuarie ιανουαριος ιανουαριου januari januar janner gennaio",
    2: "february fevrier febrero fevereiro februarie φεβρουαριος φεβρουαριου februari "
       "pebruari pebrero februar febbraio",
    3: "march mars marzo marco martie μαρτιος μαρτιου maret marso marz maerz",
    4: "april avril abril aprilie απριλιος απριλιου aprile",
    5: "may mai mayo maio μαιος μαιου μαης mei maggio",
    6: "june juin junio junho iunie ιουνιος ιουνιου juni hunyo giugno",
    7: "july juillet julio julho iulie ιουλιος ιουλιου juli hulyo luglio",
    8: "august aout agosto αυγουστος αυγουστου agustus",
    9: "september septembre septiembre setiembre setembro septembrie σεπτεμβριος "
       "σεπτεμβριου setyembre settembre",
    10: "october octobre octubre outubro octombrie οκτωβριος οκτωβριου oktober oktubre ottobre",
    11: "november novembre noviembre novembro noiembrie νοεμβριος νοεμβριου nopember "
        "nobyembre",
    12: "december decembre diciembre dezembro decembrie δεκεμβριος δεκεμβριου desember "
        "disyembre dezember dicembre",
}
_WEEKDAYS = frozenset(_fold(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur "
    "thurs fri sat sun lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes "
    "miercoles jueves viernes sabado domingo segunda terca quarta quinta sexta feira "
    "luni marti miercuri joi vineri sambata duminica δευτερα τριτη τεταρτη πεμπτη "
    "παρασκευη σαββατο κυριακη senin selasa rabu kamis jumat sabtu minggu miyerkules "
    "huwebes biyernes linggo montag dienstag mittwoch donnerstag freitag samstag "
    "sonnabend sonntag lunedi martedi mercoledi giovedi venerdi domenica").split()
)
# Small words around dates: "4 de marzo de 2026", "ika-4 ng Marso", "le 4 mars", "am 4. März".
_FILLERS = frozenset("de del do da di ng ika sa the of on le la el am pm den".split())


class DateError(ValueError):
    """A value that cannot be read as a date."""


def from_serial(serial: float | int, date1904: bool = False) -> dt.date:
    """The date of an Excel serial number; the time of day is dropped."""
    day = _whole_days(serial)
    first, last = (0, _LAST_SERIAL - _SYSTEM_GAP) if date1904 else (1, _LAST_SERIAL)
    if not first <= day <= last:
        raise DateError(f"{serial} is outside the range of dates Excel can hold")
    if date1904:
        return _EPOCH_1904 + dt.timedelta(days=day)
    if day == _PHANTOM_LEAP_DAY:
        raise DateError("Excel's 29 February 1900 never existed; please type the date again")
    # Serials before the phantom leap day are one day ahead of the real calendar.
    return _EPOCH_1900 + dt.timedelta(days=day + (day < _PHANTOM_LEAP_DAY))


def _whole_days(serial: object) -> int:
    if isinstance(serial, bool) or not isinstance(serial, (int, float, Decimal)):
        raise DateError("this is not a date")
    if isinstance(serial, (float, Decimal)) and not math.isfinite(serial):
        raise DateError("this is not a date")
    return math.floor(serial)


def to_serial(d: dt.date, date1904: bool = False) -> int:
    """The Excel serial number of a date, the inverse of ``from_serial``."""
    d = _as_date(d)
    epoch = _EPOCH_1904 if date1904 else dt.date(1900, 1, 1)
    if d < epoch:
        raise DateError(f"Excel cannot hold a date before {epoch.isoformat()}")
    if date1904:
        return (d - _EPOCH_1904).days
    serial = (d - _EPOCH_1900).days
    return serial - 1 if d < dt.date(1900, 3, 1) else serial


def parse_date_text(text: str, order: str = DAY_FIRST) -> dt.date:
    """Read a date typed as text, numeric dates strictly in ``order`` ("DMY" or "MDY")."""
    if order not in (DAY_FIRST, MONTH_FIRST):
        raise ValueError(f"date order must be {DAY_FIRST!r} or {MONTH_FIRST!r}, not {order!r}")
    if not isinstance(text, str) or not text.strip():
        raise DateError("there is no date here")
    text = text.strip()
    if match := _ISO.fullmatch(text):
        return _make_date(int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC.fullmatch(text):
        return _read_numeric(match, order)
    return _read_words(text)


def _read_numeric(match: re.Match, order: str) -> dt.date:
    first, second = int(match[1]), int(match[3])
    day, month = (first, second) if order == DAY_FIRST else (second, first)
    if month > 12:
        reading = "day" if order == DAY_FIRST else "month"
        raise DateError(
            f"there is no month {month} (dates in this column are read {reading} first)"
        )
    return _make_date(_full_year(match[4]), month, day)


def _full_year(digits: str) -> int:
    """Two-digit years: 00-68 are 20xx, 69-99 are 19xx."""
    year = int(digits)
    if len(digits) > 2:
        return year
    return year + (2000 if year <= 68 else 1900)


def _read_words(text: str) -> dt.date:
    """Dates with a month name: "4 Mar 2026", "March 4, 2026", "4 de marzo de 2026"..."""
    words = [w for w in _WORD_SPLIT.split(_fold(text)) if w and w not in _FILLERS]
    words = [w for w in words if not _CLOCK.fullmatch(w)]
    months = [w for w in words if w in _MONTHS]
    if len(months) > 1:  # "marți, 4 martie": drop weekdays that look like months
        months = [w for w in months if w not in _WEEKDAYS]
    if len(months) != 1:
        raise DateError("this is not a date")
    numbers = [_DAY_OR_YEAR.fullmatch(w) for w in words if w != months[0] and w not in _WEEKDAYS]
    if len(numbers) != 2 or not all(numbers):
        raise DateError("this is not a date")
    day, year = numbers[0][1], numbers[1][1]
    if len(day) > 2:  # year first: "2026 March 4"
        day, year = year, day
    if len(day) > 2 or len(year) not in (2, 4):
        raise DateError("this is not a date")
    return _make_date(_full_year(year), _MONTHS[months[0]], int(day))


def _month_table() -> dict[str, int]:
    """Every full month name and every 3+ letter prefix that names only one month."""
    candidates: dict[str, set[int]] = {}
    for month, names in _MONTH_WORDS.items():
        for name in _fold(names).split():  # casefold turns a final "ς" into "σ"
            for end in range(3, len(name) + 1):
                candidates.setdefault(name[:end], set()).add(month)
    return {word: months.pop() for word, months in candidates.items() if len(months) == 1}


_MONTHS = _month_table()


def _make_date(year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise DateError(f"there is no month {month}")
    if not 1 <= year <= 9999:
        raise DateError(f"{year} is not a year a date can have")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise DateError(f"{_MONTH_NAMES[month - 1]} {year} has no day {day}")
    return dt.date(year, month, day)


def numeric_date_parts(text: str) -> tuple[int, int, int] | None:
    """The three numbers of an "a/b/yyyy"-style text as typed, else None (ISO included)."""
    if not isinstance(text, str):
        return None
    match = _NUMERIC.fullmatch(text.strip())
    return (int(match[1]), int(match[3]), int(match[4])) if match else None


def decide_date_order(texts: Iterable[str], locale_order: str = "") -> tuple[str, str]:
    """Day-first or month-first for a whole column, and how that was decided.

    The second item is "data", "conflict" (both kinds seen; the majority wins),
    "locale" (numeric dates that settle nothing) or "none" (no numeric dates).
    """
    day_first = month_first = seen = 0
    known: dict[str, tuple[int, int, int] | None] = {}  # a column repeats its texts: each is read once
    for text in texts:
        if isinstance(text, str):
            parts = known[text] if text in known else known.setdefault(text, numeric_date_parts(text))
        else:
            parts = numeric_date_parts(text)
        if parts is None:
            continue
        seen += 1
        first, second = parts[0], parts[1]
        day_first += first > 12 >= second
        month_first += second > 12 >= first
    fallback = locale_order or DAY_FIRST
    if day_first and month_first:
        if day_first == month_first:
            return fallback, "conflict"
        return (DAY_FIRST if day_first > month_first else MONTH_FIRST), "conflict"
    if day_first or month_first:
        return (DAY_FIRST if day_first else MONTH_FIRST), "data"
    return fallback, ("locale" if seen else "none")


def locale_date_order(locale: str) -> str:
    """"MDY" where short dates are written month first (US, Philippines), else "DMY"."""
    parts = re.split(r"[-_.@]", (locale or "").strip().lower())
    language, region = parts[0], (parts[1] if len(parts) > 1 else "")
    if language in ("fil", "tl") or region in ("us", "ph"):
        return MONTH_FIRST
    return DAY_FIRST


def add_months(d: dt.date, n: int) -> dt.date:
    """The same day ``n`` months later (or earlier), kept inside shorter months."""
    d = _as_date(d)
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    if not 1 <= year <= 9999:
        raise DateError(f"{year} is not a year a date can have")
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(d.day, last_day))


def end_of_month(d: dt.date) -> dt.date:
    d = _as_date(d)
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def days_between(a: dt.date, b: dt.date) -> int:
    """Days from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    return (_as_date(b) - _as_date(a)).days


def _as_date(value: object) -> dt.date:
    if type(value) is dt.date:  # the usual case, tested first
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise DateError("this is not a date")
