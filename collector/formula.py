"""Work out an Excel formula whose result the workbook did not save.

Some programs write formulas without the result Excel would have stored beside them, so
reading such a cell gives nothing. This module evaluates the small part of Excel's formula
language that receivables trackers use (arithmetic, IF, SUM, SUMIF, dates, text) with
Excel's own rules, and refuses everything else with a sentence that says why. It never
follows links to other files. Standard library only.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation, localcontext
from typing import Callable, Iterator, NamedTuple, Optional

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_RANGE_CELLS = 1_000_000
MAX_NESTING = 100

Lookup = Callable[[Optional[str], int, int], object]
SheetSize = Callable[[Optional[str]], "tuple[int, int]"]

ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
     "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)
_ERROR_MESSAGES = {
    "#DIV/0!": "divides by zero",
    "#VALUE!": "mixes text and numbers in a way Excel rejects (#VALUE!)",
    "#N/A": "finds no value (#N/A)",
    "#REF!": "refers to a cell that no longer exists (#REF!)",
    "#NAME?": "uses a name Excel does not know (#NAME?)",
    "#NUM!": "gives a number Excel cannot hold (#NUM!)",
    "#NULL!": "refers to two ranges that do not meet (#NULL!)",
}
_VOLATILE = frozenset({"TODAY", "NOW", "RAND", "RANDBETWEEN", "RANDARRAY"})


class FormulaError(ValueError):
    """A formula collector cannot work out; the message says why in plain words.

    Messages are written to follow "the formula in Invoices!H2 ...", e.g. "divides by zero".
    """


class CellError(FormulaError):
    """An error value Excel itself would show (#DIV/0!, #VALUE!, ...); IFERROR catches it."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(message or _ERROR_MESSAGES.get(code, f"gives the error {code}"))
        self.code = code


class _Blank:
    """An empty cell: 0 in arithmetic, "" next to text, FALSE next to TRUE/FALSE."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BLANK"


BLANK = _Blank()


# ---------------------------------------------------------------- references

def col_index(letters: str) -> int:
    """0-based column number of column letters: "A" -> 0, "AB" -> 27."""
    if not letters.isascii() or not letters.isalpha():
        raise FormulaError(f'"{letters}" is not a column')
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def col_letter(index: int) -> str:
    """Column letters of a 0-based column number: 0 -> "A", 27 -> "AB"."""
    if index < 0:
        raise FormulaError(f"{index} is not a column number")
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Area(NamedTuple):
    """A rectangle of cells, 0-based and inclusive; None for the open end of A:A or 1:1."""

    sheet: Optional[str]
    top: int
    left: int
    bottom: Optional[int]
    right: Optional[int]


_CELL = r"\$?[A-Za-z]{1,3}\$?[0-9]{1,7}"
_REF_RE = re.compile(
    r"(?:'(?P<qsheet>(?:[^']|'')+)'!|(?P<sheet>\[[^\]]*\][\w.]*|[\w.]+(?::[\w.]+)?)!)?"
    rf"(?P<body>{_CELL}(?::{_CELL})?"
    r"|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}"
    r"|\$?[0-9]{1,7}:\$?[0-9]{1,7}"
    r"|#REF!)"
    r"(?![\w.(\[!])"
)
_PART_RE = re.compile(r"(\$?)([A-Za-z]*)(\$?)([0-9]*)")


def _split_part(part: str) -> tuple[bool, Optional[int], bool, Optional[int]]:
    """"$B7" -> (col absolute, col, row absolute, row), 0-based, None where absent."""
    col_abs, letters, row_abs, digits = _PART_RE.fullmatch(part).groups()
    if not letters:
        col_abs, row_abs = "", col_abs or row_abs
    col = col_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    return bool(col_abs), col, bool(row_abs), row


def _area(sheet: Optional[str], body: str) -> Optional[Area]:
    """The Area of a reference body ("A1", "A1:B3", "A:A", "1:3"), or None if out of bounds."""
    if body.upper() == "#REF!":
        return None
    parts = [_split_part(part) for part in body.split(":")]
    cols = [p[1] for p in parts]
    rows = [p[3] for p in parts]
    if any(c is not None and c >= MAX_COLS for c in cols) or any(
        r is not None and not 0 <= r < MAX_ROWS for r in rows
    ):
        return None
    if len(parts) == 1:
        return Area(sheet, rows[0], cols[0], rows[0], cols[0])
    if cols[0] is None:  # 1:3
        return Area(sheet, min(rows), 0, max(rows), None)
    if rows[0] is None:  # A:C
        return Area(sheet, 0, min(cols), None, max(cols))
    return Area(sheet, min(rows), min(cols), max(rows), max(cols))


def _sheet_of(match: re.Match) -> Optional[str]:
    if match.group("qsheet") is not None:
        return match.group("qsheet").replace("''", "'")
    return match.group("sheet")


def parse_ref(text: str) -> tuple[Optional[str], int, int]:
    """("Sheet2!$B$3" | "'My Sheet'!B3" | "B3") -> (sheet or None, row, col), 0-based."""
    match = _REF_RE.fullmatch(text.strip())
    area = _area(_sheet_of(match), match.group("body")) if match else None
    if area is None or area.top != area.bottom or area.left != area.right:
        raise FormulaError(f'"{text}" is not a cell reference')
    return area.sheet, area.top, area.left


# ---------------------------------------------------------------- tokens

class Token(NamedTuple):
    kind: str  # ws str err ref func name table num op ( ) , bad
    text: str


_SPACE_RE = re.compile(r"\s+")
_STRING_RE = re.compile(r'"(?:[^"]|"")*"')
_ERROR_RE = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!)",
    re.IGNORECASE,
)
_NUMBER_RE = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_IDENT_RE = re.compile(r"[^\W\d][\w.\\]*|\\[\w.\\]*")
_QUOTED_NAME_RE = re.compile(r"'(?:[^']|'')+'![^\W\d][\w.]*")
_BRACKETS_RE = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]")
_OPERATORS = ("<>", "<=", ">=", "+", "-", "*", "/", "^", "&", "=", "<", ">", "%", ":", ";", "{", "}", "|", "!")


def _next_token(formula: str, pos: int) -> Token:
    char = formula[pos]
    for kind, pattern in (("ws", _SPACE_RE), ("str", _STRING_RE), ("err", _ERROR_RE)):
        match = pattern.match(formula, pos)
        if match:
            return Token(kind, match.group())
    if char == '"':
        return Token("bad", formula[pos:])
    match = _REF_RE.match(formula, pos)
    if match and (match.group("body").upper() == "#REF!" or _area(None, match.group("body"))):
        return Token("ref", match.group())
    match = _NUMBER_RE.match(formula, pos) or _QUOTED_NAME_RE.match(formula, pos)
    if match:
        return Token("num" if char != "'" else "name", match.group())
    match = _IDENT_RE.match(formula, pos)
    if match:
        return _ident_token(formula, match)
    match = _BRACKETS_RE.match(formula, pos)
    if match:
        return Token("table", match.group())
    if char in "(),":
        return Token(char, char)
    for op in _OPERATORS:
        if formula.startswith(op, pos):
            return Token("op", op)
    return Token("bad", char)


def _ident_token(formula: str, match: re.Match) -> Token:
    end = match.end()
    following = formula[end:end + 1]
    if following == "(":
        return Token("func", match.group())
    if following == "[":
        brackets = _BRACKETS_RE.match(formula, end)
        if brackets:
            return Token("table", formula[match.start():brackets.end()])
    if following == "!":
        name = _IDENT_RE.match(formula, end + 1)
        if name:
            return Token("name", formula[match.start():name.end()])
    return Token("name", match.group())


@functools.lru_cache(maxsize=1024)
def _tokenize(formula: str) -> tuple[Token, ...]:
    """Tokens whose texts, joined, give back the formula exactly."""
    tokens, pos = [], 0
    while pos < len(formula):
        token = _next_token(formula, pos)
        tokens.append(token)
        pos += len(token.text)
    return tuple(tokens)


# ---------------------------------------------------------------- shifting

def _shift_part(part: str, drow: int, dcol: int) -> Optional[str]:
    col_abs, col, row_abs, row = _split_part(part)
    text = ""
    if col is not None:
        col = col if col_abs else col + dcol
        if not 0 <= col < MAX_COLS:
            return None
        text += ("$" if col_abs else "") + col_letter(col)
    if row is not None:
        row = row if row_abs else row + drow
        if not 0 <= row < MAX_ROWS:
            return None
        text += ("$" if row_abs else "") + str(row + 1)
    return text


def _shift_ref(text: str, drow: int, dcol: int) -> str:
    match = _REF_RE.fullmatch(text)
    body = match.group("body")
    prefix = text[: match.start("body")]
    if body.upper() == "#REF!":
        return text
    parts = [_shift_part(part, drow, dcol) for part in body.split(":")]
    if any(part is None for part in parts):
        return prefix + "#REF!"
    return prefix + ":".join(parts)


def shift_formula(formula: str, drow: int, dcol: int) -> str:
    """The formula as Excel would write it drow rows down and dcol columns right.

    Relative references move, $-anchored parts stay; text in quotes is never touched.
    A reference pushed off the sheet becomes #REF!, as in Excel.
    """
    return "".join(
        _shift_ref(token.text, drow, dcol) if token.kind == "ref" else token.text
        for token in _tokenize(formula)
    )


# ---------------------------------------------------------------- parsing

_BINARY_PRECEDENCE = {
    "=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1,
    "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5,
}
# [1]Sheet1!A1, [1]!Name, 'C:\dir\[book.xlsx]Sheet'!A1, and DDE links such as cmd|'x'!A0
_EXTERNAL_RE = re.compile(r"\[[^\[\]]*\][\w.]*!|'(?:[^']|'')*\[(?:[^']|'')*'!|\|")


def _refers_to_another_file(tokens: tuple[Token, ...]) -> bool:
    code = "".join(token.text for token in tokens if token.kind != "str")
    return bool(_EXTERNAL_RE.search(code))


class _Parser:
    """Recursive descent with precedence climbing, to tuples ("kind", ...)."""

    def __init__(self, formula: str) -> None:
        tokens = _tokenize(formula)
        if _refers_to_another_file(tokens):
            raise FormulaError("refers to another file, which collector never opens")
        bad = next((t for t in tokens if t.kind == "bad"), None)
        if bad is not None:
            raise FormulaError(f"cannot be read by collector (it stops at {bad.text[:20]!r})")
        self.tokens = [t for t in tokens if t.kind != "ws"]
        self.pos = 0
        self.depth = 0

    def peek(self) -> Optional[Token]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise FormulaError("cannot be read by collector (it ends too early)")
        self.pos += 1
        return token

    def expect(self, kind: str) -> None:
        token = self.take()
        if token.kind != kind:
            raise FormulaError(f"cannot be read by collector (unexpected {token.text!r})")

    def parse(self) -> tuple:
        tree = self.expression(0)
        token = self.peek()
        if token is not None:
            raise FormulaError(f"cannot be read by collector (unexpected {token.text!r})")
        return tree

    def expression(self, min_precedence: int) -> tuple:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormulaError("is nested too deeply for collector to work out")
        left = self.unary()
        while True:
            token = self.peek()
            precedence = _BINARY_PRECEDENCE.get(token.text) if token and token.kind == "op" else None
            if precedence is None or precedence < min_precedence:
                break
            self.take()
            left = ("bin", token.text, left, self.expression(precedence + 1))
        self.depth -= 1
        return left

    def unary(self) -> tuple:
        token = self.peek()
        if token and token.kind == "op" and token.text in "+-":
            self.take()
            operand = self.unary()
            return ("neg", operand) if token.text == "-" else operand
        node = self.primary()
        while (token := self.peek()) and token.kind == "op" and token.text == "%":
            self.take()
            node = ("pct", node)
        return node

    def primary(self) -> tuple:
        token = self.take()
        if token.kind == "num":
            return ("num", float(token.text))
        if token.kind == "str":
            return ("str", token.text[1:-1].replace('""', '"'))
        if token.kind == "err":
            return ("err", token.text.upper())
        if token.kind == "ref":
            return self.reference(token.text)
        if token.kind == "func":
            return self.call(token.text)
        if token.kind == "(":
            node = self.expression(0)
            self.expect(")")
            return node
        if token.kind == "name":
            upper = token.text.upper()
            if upper in ("TRUE", "FALSE"):
                return ("bool", upper == "TRUE")
            return ("fail", f'uses the name "{token.text}", which collector cannot work out')
        if token.kind == "table":
            return ("fail", f"uses the table reference {token.text}, which collector cannot work out")
        if token.text == "{":
            raise FormulaError("uses a list of values in braces {...}, which collector cannot work out")
        raise FormulaError(f"cannot be read by collector (unexpected {token.text!r})")

    def reference(self, text: str) -> tuple:
        match = _REF_RE.fullmatch(text)
        sheet = _sheet_of(match)
        if sheet is not None and ":" in sheet:
            return ("fail", f"refers to several sheets at once ({text}), which collector cannot work out")
        area = _area(sheet, match.group("body"))
        return ("ref", area) if area else ("err", "#REF!")

    def call(self, name: str) -> tuple:
        self.expect("(")
        args = []
        if self.peek() and self.peek().kind == ")":
            self.take()
            return ("call", _function_name(name), tuple(args))
        while True:
            token = self.peek()
            args.append(("blank",) if token and token.kind in (",", ")") else self.expression(0))
            token = self.take()
            if token.kind == ")":
                return ("call", _function_name(name), tuple(args))
            if token.kind != ",":
                raise FormulaError(f"cannot be read by collector (unexpected {token.text!r})")


def _function_name(name: str) -> str:
    upper = name.upper()
    for prefix in ("_XLFN.", "_XLWS."):  # how newer functions (CONCAT, IFS...) are stored
        if upper.startswith(prefix):
            upper = upper[len(prefix):]
    return upper


@functools.lru_cache(maxsize=4096)
def _parse(formula: str) -> tuple:
    text = formula.strip()
    if text.startswith("="):
        text = text[1:]
    if not text.strip():
        raise FormulaError("has no formula text collector can read")
    return _Parser(text).parse()


# ---------------------------------------------------------------- values

_EPOCH_1900 = dt.date(1899, 12, 30)
_EPOCH_1904 = dt.date(1904, 1, 1)


def _date_serial(day: dt.date, date1904: bool) -> int:
    if date1904:
        return (day - _EPOCH_1904).days
    serial = (day - _EPOCH_1900).days
    return serial - 1 if serial < 61 else serial  # Excel's phantom 29 Feb 1900


def _serial_date(serial: float, date1904: bool) -> dt.date:
    whole = math.floor(serial)
    try:
        if date1904:
            day = _EPOCH_1904 + dt.timedelta(days=whole)
        else:
            day = _EPOCH_1900 + dt.timedelta(days=whole if whole >= 61 else whole + 1)
    except OverflowError:
        raise CellError("#NUM!", "uses a date Excel cannot hold") from None
    if whole < 0 or day.year > 9999:
        raise CellError("#NUM!", "uses a date Excel cannot hold")
    return day


def _from_cell(value: object, date1904: bool) -> object:
    """A value from lookup as Excel holds it: float, str, bool or BLANK."""
    if value is None or isinstance(value, str) and value == "":
        return BLANK
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return _finite(float(value))
    if isinstance(value, dt.datetime):
        return _date_serial(value.date(), date1904) + _day_fraction(value.time())
    if isinstance(value, dt.date):
        return float(_date_serial(value, date1904))
    if isinstance(value, dt.time):
        return _day_fraction(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, str):
        if value.upper() in ERROR_CODES:
            raise CellError(value.upper(), f"refers to a cell that shows {value.upper()}")
        return value
    raise FormulaError(f"refers to a cell holding {value!r}, which collector cannot read")


def _day_fraction(time: dt.time) -> float:
    return (time.hour * 3600 + time.minute * 60 + time.second + time.microsecond / 1e6) / 86400


def _finite(number: float) -> float:
    if math.isnan(number) or math.isinf(number):
        raise CellError("#NUM!")
    return number


_NUMBER_TEXT_RE = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")
_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def _text_to_number(text: str, date1904: bool = False) -> Optional[float]:
    """What Excel makes of text used as a number ("1,234.50", "$5", "(12)", "6%", "2026-03-04")."""
    body = text.strip()
    negative = body.startswith("(") and body.endswith(")")
    body = body[1:-1].strip() if negative else body
    percent = body.endswith("%")
    body = body[:-1].strip() if percent else body
    body = body.replace("$", "", 1) if body.lstrip("+-").startswith("$") else body
    if body and any(ch.isdigit() for ch in body) and _NUMBER_TEXT_RE.fullmatch(body):
        number = float(body.replace(",", ""))
        number = number / 100 if percent else number
        return -number if negative else number
    iso = _ISO_DATE_RE.fullmatch(text.strip())
    if iso:
        try:
            return float(_date_serial(dt.date(*map(int, iso.groups())), date1904))
        except ValueError:
            return None
    return None


def _number_text(number: float) -> str:
    """A number as Excel writes it into text: up to 15 significant digits, no trailing zeros."""
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    if abs(number) >= 1e15 or abs(number) < 1e-9:
        return f"{number:.15g}".upper()
    return format(Decimal(f"{number:.15g}").normalize(), "f")


def _same_number(a: float, b: float) -> bool:
    return float(f"{a:.15g}") == float(f"{b:.15g}")


# ---------------------------------------------------------------- ranges

class _Range:
    """Cells referred to by a formula; values are read through lookup when needed."""

    def __init__(self, evaluation: "_Evaluation", area: Area) -> None:
        bottom, right = area.bottom, area.right
        if bottom is None or right is None:
            rows, cols = evaluation.sheet_extent(area.sheet)
            bottom = max(rows - 1, area.top - 1) if bottom is None else bottom
            right = max(cols - 1, area.left - 1) if right is None else right
        self.evaluation = evaluation
        self.sheet, self.top, self.left = area.sheet, area.top, area.left
        self.rows, self.cols = bottom - area.top + 1, right - area.left + 1
        if self.rows * self.cols > MAX_RANGE_CELLS:
            raise FormulaError("uses a range of more than a million cells, which collector will not add up")

    def cell(self, row: int, col: int) -> object:
        return self.evaluation.read(self.sheet, self.top + row, self.left + col)

    def values(self) -> Iterator[object]:
        for row in range(self.rows):
            for col in range(self.cols):
                yield self.cell(row, col)

    def resized(self, rows: int, cols: int) -> "_Range":
        return _Range(self.evaluation, Area(self.sheet, self.top, self.left, self.top + rows - 1, self.left + cols - 1))


# ---------------------------------------------------------------- evaluation

class _Evaluation:
    def __init__(self, lookup: Lookup, date1904: bool, sheet_size: Optional[SheetSize]) -> None:
        self.lookup = lookup
        self.date1904 = date1904
        self.sheet_size = sheet_size

    def read(self, sheet: Optional[str], row: int, col: int) -> object:
        return _from_cell(self.lookup(sheet, row, col), self.date1904)

    def sheet_extent(self, sheet: Optional[str]) -> tuple[int, int]:
        if self.sheet_size is None:
            raise FormulaError("uses whole columns or rows (like A:A), which collector cannot work out here")
        return self.sheet_size(sheet)

    def value(self, node: tuple) -> object:
        """A scalar, or a _Range for a reference (functions decide what to do with ranges)."""
        kind = node[0]
        if kind in ("num", "str", "bool"):
            return node[1]
        if kind == "ref":
            return _Range(self, node[1])
        if kind == "blank":
            return BLANK
        if kind == "err":
            raise CellError(node[1], f"contains the error {node[1]}")
        if kind == "fail":
            raise FormulaError(node[1])
        if kind == "neg":
            return _finite(-self.number(node[1]))
        if kind == "pct":
            return self.number(node[1]) / 100
        if kind == "bin":
            return self.binary(node[1], node[2], node[3])
        return self.call(node[1], node[2])

    def scalar(self, node: tuple) -> object:
        return self.single(self.value(node))

    def single(self, value: object) -> object:
        if not isinstance(value, _Range):
            return value
        if value.rows == 1 and value.cols == 1:
            return value.cell(0, 0)
        raise FormulaError("uses a range of cells where one value is needed, which collector cannot work out")

    def number(self, node: tuple) -> float:
        return self.to_number(self.scalar(node))

    def to_number(self, value: object) -> float:
        if value is BLANK:
            return 0.0
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, float):
            return value
        number = _text_to_number(value, self.date1904)
        if number is None:
            raise CellError("#VALUE!", f'uses the text "{value}" where a number is needed')
        return number

    def binary(self, op: str, left_node: tuple, right_node: tuple) -> object:
        if op in ("=", "<>", "<", ">", "<=", ">="):
            order = _compare(self.scalar(left_node), self.scalar(right_node))
            return {"=": order == 0, "<>": order != 0, "<": order < 0,
                    ">": order > 0, "<=": order <= 0, ">=": order >= 0}[op]
        if op == "&":
            return _text(self.scalar(left_node)) + _text(self.scalar(right_node))
        left, right = self.number(left_node), self.number(right_node)
        if op == "+":
            return _finite(left + right)
        if op == "-":
            return _finite(left - right)
        if op == "*":
            return _finite(left * right)
        if op == "/":
            if right == 0:
                raise CellError("#DIV/0!")
            return _finite(left / right)
        return _power(left, right)

    def call(self, name: str, args: tuple) -> object:
        if name in _LAZY_FUNCTIONS:
            return _LAZY_FUNCTIONS[name](self, args)
        if name in _VOLATILE:
            raise FormulaError(f"uses {name}(), whose result changes every time the workbook is opened")
        if name not in _FUNCTIONS:
            raise FormulaError(f"uses {name}, which collector cannot work out")
        function, least, most = _FUNCTIONS[name]
        if not least <= len(args) <= most:
            raise FormulaError(f"gives {name} the wrong number of values")
        return function(self, [self.value(arg) for arg in args])

    def numbers(self, args: list) -> list[float]:
        """Numbers for SUM-like functions: in ranges only real numbers count, typed values are converted."""
        found = []
        for arg in args:
            if isinstance(arg, _Range):
                found.extend(v for v in arg.values() if isinstance(v, float))
            elif arg is not BLANK:
                found.append(self.to_number(arg))
        return found


def _power(base: float, exponent: float) -> float:
    if base == 0 and exponent == 0:
        raise CellError("#NUM!")
    if base == 0 and exponent < 0:
        raise CellError("#DIV/0!")
    try:
        result = base ** exponent
    except OverflowError:
        raise CellError("#NUM!") from None
    if isinstance(result, complex):
        raise CellError("#NUM!")
    return _finite(result)


def _text(value: object) -> str:
    if value is BLANK:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    return value


def _truth(value: object) -> bool:
    if value is BLANK:
        return False
    if isinstance(value, (bool, float)):
        return bool(value)
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    raise CellError("#VALUE!", f'uses the text "{value}" where TRUE or FALSE is needed')


def _type_rank(value: object) -> int:
    return 2 if isinstance(value, bool) else 1 if isinstance(value, str) else 0


def _blank_like(other: object) -> object:
    return False if isinstance(other, bool) else 0.0 if isinstance(other, float) else ""


def _compare(left: object, right: object) -> int:
    """Excel's order: numbers < text < TRUE/FALSE; text ignores case; blanks take the other side's type."""
    left = _blank_like(right) if left is BLANK else left
    right = _blank_like(left) if right is BLANK else right
    if _type_rank(left) != _type_rank(right):
        return -1 if _type_rank(left) < _type_rank(right) else 1
    if isinstance(left, str):
        left, right = left.casefold(), right.casefold()
    elif isinstance(left, float) and _same_number(left, right):
        return 0
    return (left > right) - (left < right)


# ---------------------------------------------------------------- functions

def _range_arg(arg: object, name: str) -> _Range:
    if not isinstance(arg, _Range):
        raise FormulaError(f"gives {name} a value where it needs a range of cells")
    return arg


def _if(ev: _Evaluation, args: tuple) -> object:
    if not 2 <= len(args) <= 3:
        raise FormulaError("gives IF the wrong number of values")
    if _truth(ev.scalar(args[0])):
        return ev.value(args[1])
    return ev.value(args[2]) if len(args) == 3 else False


def _iferror(ev: _Evaluation, args: tuple) -> object:
    if len(args) != 2:
        raise FormulaError("gives IFERROR the wrong number of values")
    try:
        return ev.scalar(args[0])
    except CellError:
        return ev.value(args[1])


def _sum(ev: _Evaluation, args: list) -> float:
    return math.fsum(ev.numbers(args))


def _average(ev: _Evaluation, args: list) -> float:
    numbers = ev.numbers(args)
    if not numbers:
        raise CellError("#DIV/0!", "takes the average of no numbers")
    return math.fsum(numbers) / len(numbers)


def _min(ev: _Evaluation, args: list) -> float:
    return min(ev.numbers(args), default=0.0)


def _max(ev: _Evaluation, args: list) -> float:
    return max(ev.numbers(args), default=0.0)


def _count(ev: _Evaluation, args: list) -> float:
    total = 0
    for arg in args:
        if isinstance(arg, _Range):
            total += sum(1 for v in arg.values() if isinstance(v, float))
        elif isinstance(arg, (bool, float)) or isinstance(arg, str) and _text_to_number(arg) is not None:
            total += 1
    return float(total)


def _counta(ev: _Evaluation, args: list) -> float:
    total = 0
    for arg in args:
        values = arg.values() if isinstance(arg, _Range) else [arg]
        total += sum(1 for v in values if v is not BLANK)
    return float(total)


def _rounder(mode: str) -> Callable[[_Evaluation, list], float]:
    def round_(ev: _Evaluation, args: list) -> float:
        return _round(ev.to_number(ev.single(args[0])), ev.to_number(ev.single(args[1])), mode)
    return round_


def _round(number: float, digits: float, mode: str) -> float:
    """Round as Excel does: on the 15-digit decimal it shows, halves away from zero."""
    places = int(digits)
    if places > 15:
        return number
    if places < -308:
        return 0.0
    with localcontext() as context:
        context.prec = 60
        try:
            exact = Decimal(f"{number:.15g}").quantize(Decimal(1).scaleb(-places), rounding=mode)
        except InvalidOperation:
            return number
    return float(exact) + 0.0  # + 0.0 turns -0.0 into 0.0


def _abs(ev: _Evaluation, args: list) -> float:
    return abs(ev.to_number(ev.single(args[0])))


def _int(ev: _Evaluation, args: list) -> float:
    return float(math.floor(ev.to_number(ev.single(args[0]))))


def _mod(ev: _Evaluation, args: list) -> float:
    number, divisor = (ev.to_number(ev.single(arg)) for arg in args)
    if divisor == 0:
        raise CellError("#DIV/0!")
    return number - divisor * math.floor(number / divisor)


def _logical(ev: _Evaluation, args: list, name: str) -> list[bool]:
    found = []
    for arg in args:
        if isinstance(arg, _Range):
            found.extend(bool(v) for v in arg.values() if isinstance(v, (bool, float)))
        elif arg is not BLANK:
            found.append(_truth(arg))
    if not found:
        raise CellError("#VALUE!", f"gives {name} no TRUE or FALSE values")
    return found


def _and(ev: _Evaluation, args: list) -> bool:
    return all(_logical(ev, args, "AND"))


def _or(ev: _Evaluation, args: list) -> bool:
    return any(_logical(ev, args, "OR"))


def _not(ev: _Evaluation, args: list) -> bool:
    return not _truth(ev.single(args[0]))


_CRITERION_RE = re.compile(r"(<=|>=|<>|<|>|=)?(.*)", re.DOTALL)


def _wildcard(pattern: str) -> re.Pattern:
    parts, pos = [], 0
    while pos < len(pattern):
        char = pattern[pos]
        if char == "~" and pos + 1 < len(pattern) and pattern[pos + 1] in "*?~":
            parts.append(re.escape(pattern[pos + 1]))
            pos += 2
            continue
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
        pos += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _ordered(op: str, order: int) -> bool:
    return {"=": order == 0, "<>": order != 0, "<": order < 0, ">": order > 0,
            "<=": order <= 0, ">=": order >= 0}[op]


def _criterion(criterion: object, date1904: bool) -> Callable[[object], bool]:
    """The test a SUMIF/COUNTIF criterion ("Paid", "<>", ">0", 5, "p*") applies to a cell."""
    if isinstance(criterion, (bool, float)):
        return lambda v: type(v) is type(criterion) and _compare(v, criterion) == 0
    op, operand = _CRITERION_RE.fullmatch(_text(criterion)).groups()
    op = op or "="
    if operand == "":
        if op in ("=", "<>"):
            return lambda v: (v is BLANK) == (op == "=")
        return lambda v: False
    number = _text_to_number(operand, date1904)
    if number is not None:
        def numeric(v: object) -> bool:
            if isinstance(v, str) and op == "=":
                v = _text_to_number(v, date1904)
            matches = isinstance(v, float) and not isinstance(v, bool)
            if op == "<>":
                return not (matches and _same_number(v, number))
            return matches and _ordered(op, _compare(v, number))
        return numeric
    if operand.upper() in ("TRUE", "FALSE"):
        flag = operand.upper() == "TRUE"
        return lambda v: (v is flag) == (op == "=") if op in ("=", "<>") else isinstance(v, bool) and _ordered(op, _compare(v, flag))
    if op in ("=", "<>"):
        pattern = _wildcard(operand)
        return lambda v: (isinstance(v, str) and pattern.fullmatch(v) is not None) == (op == "=")
    return lambda v: isinstance(v, str) and _ordered(op, _compare(v, operand))


def _matching(ev: _Evaluation, pairs: list, name: str) -> list[tuple[int, int]]:
    """Positions (row, col) where every (range, criterion) pair matches."""
    ranges = [_range_arg(pairs[i], name) for i in range(0, len(pairs), 2)]
    tests = [_criterion(ev.single(pairs[i]), ev.date1904) for i in range(1, len(pairs), 2)]
    first = ranges[0]
    if any((r.rows, r.cols) != (first.rows, first.cols) for r in ranges):
        raise CellError("#VALUE!", f"gives {name} ranges of different sizes")
    return [
        (row, col)
        for row in range(first.rows)
        for col in range(first.cols)
        if all(test(r.cell(row, col)) for r, test in zip(ranges, tests))
    ]


def _sum_at(amounts: _Range, positions: list[tuple[int, int]]) -> float:
    values = (amounts.cell(row, col) for row, col in positions)
    return math.fsum(v for v in values if isinstance(v, float))


def _sumif(ev: _Evaluation, args: list) -> float:
    where = _range_arg(args[0], "SUMIF")
    amounts = _range_arg(args[2], "SUMIF").resized(where.rows, where.cols) if len(args) == 3 else where
    return _sum_at(amounts, _matching(ev, args[:2], "SUMIF"))


def _sumifs(ev: _Evaluation, args: list) -> float:
    if len(args) % 2 == 0:
        raise FormulaError("gives SUMIFS the wrong number of values")
    amounts = _range_arg(args[0], "SUMIFS")
    positions = _matching(ev, args[1:], "SUMIFS")
    if (amounts.rows, amounts.cols) != (args[1].rows, args[1].cols):
        raise CellError("#VALUE!", "gives SUMIFS ranges of different sizes")
    return _sum_at(amounts, positions)


def _countif(ev: _Evaluation, args: list) -> float:
    return float(len(_matching(ev, args, "COUNTIF")))


def _countifs(ev: _Evaluation, args: list) -> float:
    if len(args) % 2:
        raise FormulaError("gives COUNTIFS the wrong number of values")
    return float(len(_matching(ev, args, "COUNTIFS")))


def _whole(ev: _Evaluation, arg: object) -> int:
    return int(ev.to_number(ev.single(arg)))  # Excel truncates toward zero


def _date(ev: _Evaluation, args: list) -> float:
    year, month, day = (_whole(ev, arg) for arg in args)
    year = year + 1900 if 0 <= year < 1900 else year
    if not 1900 <= year <= 9999:
        raise CellError("#NUM!", "uses a year Excel cannot hold")
    first_year, month0 = divmod(year * 12 + month - 1, 12)
    try:
        when = dt.date(first_year, month0 + 1, 1) + dt.timedelta(days=day - 1)
    except (ValueError, OverflowError):
        raise CellError("#NUM!", "uses a date Excel cannot hold") from None
    serial = _date_serial(when, ev.date1904)
    if serial < 0:
        raise CellError("#NUM!", "uses a date Excel cannot hold")
    return float(serial)


def _add_months(day: dt.date, months: int) -> tuple[int, int]:
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise CellError("#NUM!", "uses a date Excel cannot hold")
    return year, month0 + 1


def _edate(ev: _Evaluation, args: list) -> float:
    start = _serial_date(ev.to_number(ev.single(args[0])), ev.date1904)
    year, month = _add_months(start, _whole(ev, args[1]))
    day = min(start.day, calendar.monthrange(year, month)[1])
    return float(_date_serial(dt.date(year, month, day), ev.date1904))


def _eomonth(ev: _Evaluation, args: list) -> float:
    start = _serial_date(ev.to_number(ev.single(args[0])), ev.date1904)
    year, month = _add_months(start, _whole(ev, args[1]))
    return float(_date_serial(dt.date(year, month, calendar.monthrange(year, month)[1]), ev.date1904))


def _days(ev: _Evaluation, args: list) -> float:
    end, start = (math.floor(ev.to_number(ev.single(arg))) for arg in args)
    return float(end - start)


def _date_part(part: str) -> Callable[[_Evaluation, list], float]:
    def date_part(ev: _Evaluation, args: list) -> float:
        return float(getattr(_serial_date(ev.to_number(ev.single(args[0])), ev.date1904), part))
    return date_part


def _n(ev: _Evaluation, args: list) -> float:
    value = args[0].cell(0, 0) if isinstance(args[0], _Range) else args[0]
    return float(value) if isinstance(value, (bool, float)) else 0.0


def _value(ev: _Evaluation, args: list) -> float:
    value = ev.single(args[0])
    if isinstance(value, bool):
        raise CellError("#VALUE!", "gives VALUE a TRUE or FALSE instead of text")
    return ev.to_number(value)


def _concat(ev: _Evaluation, args: list) -> str:
    return "".join(
        "".join(_text(v) for v in arg.values()) if isinstance(arg, _Range) else _text(arg) for arg in args
    )


def _concatenate(ev: _Evaluation, args: list) -> str:
    return "".join(_text(ev.single(arg)) for arg in args)


def _count_arg(ev: _Evaluation, args: list, index: int, default: int, name: str) -> int:
    count = _whole(ev, args[index]) if len(args) > index else default
    if count < 0:
        raise CellError("#VALUE!", f"gives {name} a negative number of characters")
    return count


def _left(ev: _Evaluation, args: list) -> str:
    return _text(ev.single(args[0]))[: _count_arg(ev, args, 1, 1, "LEFT")]


def _right(ev: _Evaluation, args: list) -> str:
    count = _count_arg(ev, args, 1, 1, "RIGHT")
    return _text(ev.single(args[0]))[-count:] if count else ""


def _mid(ev: _Evaluation, args: list) -> str:
    start = _whole(ev, args[1])
    if start < 1:
        raise CellError("#VALUE!", "gives MID a start before the first character")
    return _text(ev.single(args[0]))[start - 1: start - 1 + _count_arg(ev, args, 2, 0, "MID")]


def _text_function(transform: Callable[[str], object]) -> Callable[[_Evaluation, list], object]:
    def text_function(ev: _Evaluation, args: list) -> object:
        return transform(_text(ev.single(args[0])))
    return text_function


def _isblank(ev: _Evaluation, args: list) -> bool:
    return isinstance(args[0], _Range) and ev.single(args[0]) is BLANK


_LAZY_FUNCTIONS = {"IF": _if, "IFERROR": _iferror}

# name: (function, fewest values, most values)
_FUNCTIONS: dict[str, tuple[Callable[[_Evaluation, list], object], int, int]] = {
    "SUM": (_sum, 1, 255),
    "MIN": (_min, 1, 255),
    "MAX": (_max, 1, 255),
    "AVERAGE": (_average, 1, 255),
    "COUNT": (_count, 1, 255),
    "COUNTA": (_counta, 1, 255),
    "ROUND": (_rounder(ROUND_HALF_UP), 2, 2),
    "ROUNDUP": (_rounder(ROUND_UP), 2, 2),
    "ROUNDDOWN": (_rounder(ROUND_DOWN), 2, 2),
    "ABS": (_abs, 1, 1),
    "INT": (_int, 1, 1),
    "MOD": (_mod, 2, 2),
    "AND": (_and, 1, 255),
    "OR": (_or, 1, 255),
    "NOT": (_not, 1, 1),
    "TRUE": (lambda ev, args: True, 0, 0),
    "FALSE": (lambda ev, args: False, 0, 0),
    "SUMIF": (_sumif, 2, 3),
    "SUMIFS": (_sumifs, 3, 255),
    "COUNTIF": (_countif, 2, 2),
    "COUNTIFS": (_countifs, 2, 255),
    "DATE": (_date, 3, 3),
    "EDATE": (_edate, 2, 2),
    "EOMONTH": (_eomonth, 2, 2),
    "DAYS": (_days, 2, 2),
    "YEAR": (_date_part("year"), 1, 1),
    "MONTH": (_date_part("month"), 1, 1),
    "DAY": (_date_part("day"), 1, 1),
    "N": (_n, 1, 1),
    "VALUE": (_value, 1, 1),
    "CONCAT": (_concat, 1, 255),
    "CONCATENATE": (_concatenate, 1, 255),
    "LEFT": (_left, 1, 2),
    "RIGHT": (_right, 1, 2),
    "MID": (_mid, 3, 3),
    "LEN": (_text_function(lambda text: float(len(text))), 1, 1),
    "TRIM": (_text_function(lambda text: re.sub(" +", " ", text.strip(" "))), 1, 1),
    "UPPER": (_text_function(str.upper), 1, 1),
    "LOWER": (_text_function(str.lower), 1, 1),
    "ISBLANK": (_isblank, 1, 1),
}


def evaluate(
    formula: str,
    lookup: Lookup,
    *,
    date1904: bool = False,
    sheet_size: Optional[SheetSize] = None,
) -> object:
    """The value Excel would show for formula (text with or without the leading "=").

    lookup(sheet or None, row, col) gives another cell's value (0-based; "" when blank, also
    for cells beyond the sheet's data). sheet_size(sheet or None) -> (rows, cols) is needed
    only for whole-column or whole-row references such as SUM(A:A).
    Returns a float, str or bool; raises FormulaError saying why it cannot.
    """
    evaluation = _Evaluation(lookup, date1904, sheet_size)
    result = evaluation.single(evaluation.value(_parse(formula)))
    return 0.0 if result is BLANK else result
