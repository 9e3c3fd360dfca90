"""Money as the owner typed it, made exact to the cent.

Amounts arrive as Excel numbers (with binary float noise) or as text in many
local shapes. Everything becomes a ``Decimal`` quantized by ``to_cents``, the
one place the project rounds money. Pure: standard library only.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

CENT = Decimal("0.01")

NOT_MONEY = "this is not an amount of money"

# Symbols and local abbreviations; "$" alone is read as US dollars.
_SYMBOLS = {
    "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
    "S$": "SGD", "NZ$": "NZD", "HK$": "HKD", "R$": "BRL", "$": "USD",
    "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₱": "PHP", "₫": "VND",
    "฿": "THB", "₩": "KRW", "₺": "TRY", "₪": "ILS", "₦": "NGN", "₽": "RUB",
    "₴": "UAH", "zł": "PLN", "Kč": "CZK", "RM": "MYR", "Rp": "IDR",
    "Rs.": "INR", "Rs": "INR", "lei": "RON", "Lei": "RON", "LEI": "RON",
}
# Common ISO codes that are not also ordinary upper-case words (no TRY, PEN, ALL...).
_ISO_CODES = frozenset(
    "USD EUR GBP JPY CNY INR IDR MYR PHP RON VND THB SGD AUD CAD NZD HKD CHF "
    "SEK NOK DKK PLN CZK HUF BGN ZAR BRL MXN COP CLP ARS KRW TWD AED SAR ILS "
    "EGP NGN KES PKR BDT LKR RUB UAH".split()
)
_SYMBOLS_FOLDED = {symbol.casefold(): code for symbol, code in _SYMBOLS.items()}

_LETTER_BEFORE = r"(?<![^\W\d_])"
_LETTER_AFTER = r"(?![^\W\d_])"
_CURRENCY_TOKENS = "|".join(
    re.escape(token) for token in sorted([*_SYMBOLS, *_ISO_CODES], key=len, reverse=True)
)
_CURRENCY_BODY = rf"{_LETTER_BEFORE}(?:{_CURRENCY_TOKENS}){_LETTER_AFTER}"
_CURRENCY = re.compile(_CURRENCY_BODY)
# Around an amount the context is narrow enough to accept "usd" or "LEI" too.
_AFFIX = re.compile(
    r"\s*(?:(?P<sign>[-+\u2212\u2013()])"
    rf"|(?P<credit>{_LETTER_BEFORE}(?:CR|DR){_LETTER_AFTER})"
    rf"|(?P<currency>{_CURRENCY_BODY}))",
    re.IGNORECASE,
)
_CORE = re.compile(r"\d(?:[\d.,'\u2019\s]*\d)?|[.,]\d+")
_MINUSES = "-\u2212\u2013"


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def to_cents(value: Decimal | int | float | str) -> Decimal:
    """Round to the cent, half up: the one rounding rule of collector."""
    # The engine calls this hundreds of thousands of times with finite Decimals: test for them inline.
    number = value if type(value) is Decimal and value.is_finite() else _as_decimal(value)
    try:
        cents = number.quantize(CENT, ROUND_HALF_UP)
    except InvalidOperation:
        raise MoneyError("this amount is too large to be an amount of money") from None
    return cents if cents else abs(cents)  # never show "-0.00"


def _as_decimal(value: object) -> Decimal:
    """Exact Decimal of a number; floats go through repr to drop Excel's float noise."""
    if type(value) is Decimal and value.is_finite():  # the common case: the engine sums Decimals all day
        return value
    if type(value) is float:  # the reader's common case: an amount Excel stored as a number
        number = Decimal(repr(value))
        if not number.is_finite():
            raise MoneyError(NOT_MONEY)
        return number
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise MoneyError(NOT_MONEY)
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise MoneyError(NOT_MONEY) from None
    if not number.is_finite():
        raise MoneyError(NOT_MONEY)
    return number


def parse_money(value: Decimal | int | float | str, decimal_comma: bool | None = None) -> Decimal:
    """Read an amount typed as a number or as text ("$1,234.50", "1.234,50 €", "(120)").

    ``decimal_comma`` settles "1,234" and "1.234": True means the comma is the
    decimal mark; None reads a lone separator before three digits as grouping.
    """
    if not isinstance(value, str):
        return to_cents(value)
    return _amount_of(*_split_amount(value), decimal_comma)


def _amount_of(pre: list[tuple[str, str]], core: str, post: list[tuple[str, str]],
               decimal_comma: bool | None) -> Decimal:
    negative = _is_negative(pre, post)
    _check_currencies(pre + post)
    number = Decimal(_plain_number(core, decimal_comma))
    return to_cents(-number if negative else number)


def _split_amount(text: str) -> tuple[list[tuple[str, str]], str, list[tuple[str, str]]]:
    """Split text into the tokens before the digits, the digits, and the tokens after."""
    text = text.strip()
    if not text:
        raise MoneyError("this cell is empty, not an amount of money")
    start, pre = _eat_affixes(text, 0)
    while start < len(text) and text[start].isspace():
        start += 1
    core = _CORE.match(text, start)
    if core is None:
        raise MoneyError(NOT_MONEY)
    end, post = _eat_affixes(text, core.end())
    if end != len(text):
        raise MoneyError(NOT_MONEY)
    return pre, core.group(), post


def _eat_affixes(text: str, pos: int) -> tuple[int, list[tuple[str, str]]]:
    tokens = []
    while (match := _AFFIX.match(text, pos)) and match.end() > pos:
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return pos, tokens


def _is_negative(pre: list[tuple[str, str]], post: list[tuple[str, str]]) -> bool:
    before = [text for kind, text in pre if kind == "sign"]
    after = [text for kind, text in post if kind == "sign"]
    signs = before + after
    paired = before.count("(") == after.count(")") <= 1
    if not paired or ")" in before or "(" in after:
        raise MoneyError("the brackets around this amount do not match")
    minuses = sum(sign in _MINUSES for sign in signs)
    if minuses + signs.count("+") > 1:
        raise MoneyError("this amount has more than one sign")
    credit = any(kind == "credit" and text.upper() == "CR" for kind, text in pre + post)
    return minuses > 0 or "(" in signs or credit


def _check_currencies(tokens: list[tuple[str, str]]) -> None:
    codes = {_currency_code(text) for kind, text in tokens if kind == "currency"}
    if len(codes) > 1:
        raise MoneyError("this amount shows two different currencies")


def _plain_number(core: str, decimal_comma: bool | None) -> str:
    """The digits as a plain Decimal string: group separators gone, "." as decimal mark."""
    mark = _decimal_mark(core, decimal_comma)
    whole, fraction = core.rsplit(mark, 1) if mark else (core, "")
    if fraction and not fraction.isdigit():
        raise MoneyError(NOT_MONEY)
    groups = re.split(r"\D", whole)
    separators = {_separator_kind(char) for char in re.findall(r"\D", whole)}
    if len(separators) > 1 or mark in separators or (separators and not _well_grouped(groups)):
        raise MoneyError("the digits of this amount are not grouped the usual way")
    return "".join(groups) + "." + (fraction or "0")


def _separator_kind(char: str) -> str:
    if char.isspace():
        return " "
    return "'" if char in "'\u2019" else char


def _well_grouped(groups: list[str]) -> bool:
    """Thousands (1,234,567) or Indian lakh/crore (12,34,567) grouping."""
    first, rest = groups[0], groups[1:]
    western = 1 <= len(first) <= 3 and all(len(group) == 3 for group in rest)
    indian = (
        len(rest) >= 2
        and 1 <= len(first) <= 2
        and all(len(group) == 2 for group in rest[:-1])
        and len(rest[-1]) == 3
    )
    return western or indian


def _decimal_mark(core: str, decimal_comma: bool | None) -> str:
    """"." or "," for the decimal mark of ``core``; "" when it has none."""
    mark = _unambiguous_mark(core)
    if mark is not None:
        return mark
    separator = "," if "," in core else "."
    if decimal_comma is None:
        return ""
    return separator if (separator == ",") == decimal_comma else ""


def _unambiguous_mark(core: str) -> str | None:
    """The decimal mark the digits themselves show; None for "1,234" and "1.234"."""
    points, commas = core.count("."), core.count(",")
    if points and commas:
        return "." if core.rfind(".") > core.rfind(",") else ","
    if points + commas != 1:
        return ""  # none, or one mark repeated as a group separator
    separator = "." if points else ","
    lead, _, after = core.partition(separator)
    lead_group = re.split(r"\D", lead)[-1]
    # "0,125" or "1234,567" cannot be grouping; only "d,ddd" with up to 3 leading digits can.
    if len(after) != 3 or not lead_group.strip("0") or len(lead_group) > 3:
        return separator
    return None


def currency_in_text(text: str) -> str:
    """The ISO code a header or value hints at ("Total (RM)" -> "MYR"), "" if none."""
    for match in _CURRENCY.finditer(text or ""):
        code = _currency_code(match.group())
        if code:
            return code
    return ""


def _currency_code(token: str) -> str:
    code = _SYMBOLS_FOLDED.get(token.casefold(), "")
    if code:
        return code
    return token.upper() if token.upper() in _ISO_CODES else ""


def decide_decimal_comma(texts: Iterable[str]) -> bool | None:
    """Whether a column writes the decimal mark as a comma, decided from all its texts."""
    comma = point = 0
    shown: dict[str, str | None] = {}  # a column repeats its texts: each is read once
    for text in texts:
        if isinstance(text, str):
            mark = shown[text] if text in shown else shown.setdefault(text, _mark_shown(text))
        else:
            mark = _mark_shown(text)
        comma += mark == ","
        point += mark == "."
    if not comma and not point:
        return None
    return comma > point


def _mark_shown(text: object) -> str | None:
    """The decimal mark one text proves: "," or "."; None when it proves nothing."""
    if not isinstance(text, str):
        return None
    try:
        pre, core, post = _split_amount(text)
        _amount_of(pre, core, post, None)  # only an amount that reads can prove anything
    except MoneyError:
        return None
    mark = _unambiguous_mark(core)
    if mark:
        return mark
    if mark == "" and "," in core:
        return "."  # "1,234,567": commas group, so the point is the decimal mark
    if mark == "" and "." in core:
        return ","
    return None


def split_evenly(amount: Decimal | int | str, parts: int) -> list[Decimal]:
    """Split to the cent so the parts add up exactly; spare cents go to the first parts."""
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise MoneyError("an amount can only be split into one or more parts")
    cents = int(to_cents(amount).scaleb(2))
    share, spare = divmod(abs(cents), parts)
    sign = -1 if cents < 0 else 1
    return [to_cents(Decimal(sign * (share + (i < spare))).scaleb(-2)) for i in range(parts)]


def sum_money(values: Iterable[Decimal | int | float | str]) -> Decimal:
    """Exact sum, rounded to the cent once at the end."""
    total = Decimal(0)
    for value in values:
        total += value if type(value) is Decimal and value.is_finite() else _as_decimal(value)
    return to_cents(total)


def sum_cents(amounts: Iterable[Decimal]) -> Decimal:
    """``sum_money`` of amounts collector already made exact to the cent (results' balances and
    interest): the same additions by the builtin sum, without checking each amount again."""
    return to_cents(sum(amounts, Decimal(0)))
