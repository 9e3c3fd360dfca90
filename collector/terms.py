"""Payment terms as owners write them, and the dates and discounts they imply.

Terms arrive as free text in many shapes and languages ("Net 30", "2/10 N30",
"30 jours fin de mois", "Due on receipt", "COD"). ``parse_terms`` reads them
into a ``Terms`` value once, so every due date and discount is worked out by
the same rule.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Optional

from collector.dates import end_of_month
from collector.money import to_cents

_MAX_NET_DAYS = 3650


@dataclass(frozen=True)
class Terms:
    """Net days from the invoice date (or from the end of its month), and any discount."""

    net_days: int = 30
    end_of_month: bool = False
    discount_percent: Decimal = Decimal(0)
    discount_days: int = 0
    text: str = ""

    @property
    def on_receipt(self) -> bool:
        return self.net_days == 0 and not self.end_of_month


NET_30 = Terms(net_days=30, text="Net 30")


class TermsError(ValueError):
    """Payment terms that cannot be read."""


def fold(text: str) -> str:
    """Lower case without accents, so "Réglé", "REGLE" and "réglé" compare equal."""
    decomposed = unicodedata.normalize("NFD", str(text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _folded_set(phrases: str) -> frozenset[str]:
    return frozenset(fold(phrase.strip()) for phrase in phrases.split("|"))


# Whole texts meaning "pay now"; compared after folding, punctuation dropped.
_ON_RECEIPT = _folded_set(
    "due on receipt|due upon receipt|upon receipt|on receipt|receipt|payable on receipt"
    "|payable upon receipt|due immediately|immediate|immediately|cod|cash on delivery|cash"
    "|cia|cash in advance|cwo|cash with order|prepaid|prepayment|payment in advance"
    "|advance payment|a reception|des reception|a la reception|paiement a reception"
    "|a reception de facture|reception|comptant|au comptant|paiement comptant|paiement immediat"
    "|la primire|la primirea facturii|la receptie|numerar|imediat|plata imediata"
    "|με την παραλαβη|τοις μετρητοις|μετρητα|αμεσα|αμεση εξοφληση|με την παραδοση"
    "|tunai|saat diterima|segera|bayar tunai|pagkatanggap|sa pagtanggap|bayad agad"
    "|contado|al contado|de contado|contra entrega|a la entrega|contra reembolso"
    "|inmediato|pago inmediato|pago de contado"
)
# Words around the number that say nothing more than "net N days".
_FILLER = _folded_set(
    "net|nett|netto|n|days|day|d|dys|jours|jour|j|zile|zi|de|ημερες|ημερων|ημερα|μερες|μερων"
    "|hari|araw|na|dias|dia|within|in|payable|due|after|invoice|date|from|of|the|a|la|sa"
    "|loob|ng|dalam|en|au|pago|paiement|plata|plazo|termen|pe|σε|εντος|pagkatapos|dentro|del"
    "|terms|term|net terms|conditions|echeance"
)
_END_OF_MONTH = re.compile(
    r"(?<![^\W\d_])(?:eom|end of (?:the )?month|fin de mois|fdm|sfarsitul lunii"
    r"|sfarsit de luna|τελοσ (?:του )?μηνα|akhir bulan|katapusan ng buwan|fin de mes"
    r"|fim do mes)(?![^\W\d_])"
)
_DISCOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%\s*/?|/)\s*(\d+)")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")


@functools.lru_cache(maxsize=4096)  # a tracker repeats a handful of texts thousands of times
def parse_terms(text: str) -> Terms:
    """Read terms such as "Net 30", "2/10 Net 30", "Net 30 EOM" or "Due on receipt"."""
    original = str(text or "").strip()
    cleaned = _clean(original)
    if not cleaned.strip():
        raise TermsError("No payment terms are given.")
    cleaned, eom = _take_end_of_month(cleaned)
    cleaned, discount = _take_discount(cleaned, original)
    tokens = _TOKEN.findall(cleaned)
    numbers = [token for token in tokens if token[0].isdigit()]
    words = [token for token in tokens if not token[0].isdigit()]
    net_days = _net_days(numbers, words, eom, original)
    percent, discount_days = discount or (Decimal(0), 0)
    return Terms(net_days, eom, percent, discount_days, original)


def _clean(text: str) -> str:
    """Folded text with a decimal comma made a point and every other dot dropped."""
    folded = fold(text)
    folded = re.sub(r"(?<=\d),(?=\d)", ".", folded)
    return re.sub(r"(?<!\d)\.|\.(?!\d)", "", folded)


def _take_end_of_month(text: str) -> tuple[str, bool]:
    remaining, count = _END_OF_MONTH.subn(" ", text)
    return remaining, count > 0


def _take_discount(text: str, original: str) -> tuple[str, Optional[tuple[Decimal, int]]]:
    match = _DISCOUNT.search(text)
    if match is None:
        return text, None
    percent = Decimal(match[1])
    if not 0 < percent < 100:
        raise TermsError(f"The early-payment discount in the terms {original!r} must be between 0 and 100 percent.")
    return text[: match.start()] + " " + text[match.end():], (percent, int(match[2]))


def _net_days(numbers: list[str], words: list[str], eom: bool, original: str) -> int:
    meaningful = [word for word in words if word not in _FILLER]
    if not numbers and (" ".join(words) in _ON_RECEIPT or (eom and not meaningful)):
        return 0
    if len(numbers) == 1 and not meaningful:
        return _whole_days(numbers[0], original)
    raise TermsError(
        f"The payment terms {original!r} are not understood; write them like "
        '"Net 30", "2/10 Net 30", "Net 30 EOM" or "Due on receipt".'
    )


def _whole_days(number: str, original: str) -> int:
    try:
        days = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the token pattern only lets digits through
        raise TermsError(f"The payment terms {original!r} do not give a number of days.") from None
    if days != days.to_integral_value() or days > _MAX_NET_DAYS:
        raise TermsError(f"The payment terms {original!r} do not give a whole number of days up to {_MAX_NET_DAYS}.")
    return int(days)


def due_date(invoice_date: dt.date, terms: Terms) -> dt.date:
    """Net days after the invoice date, or after the end of its month for EOM terms."""
    start = end_of_month(invoice_date) if terms.end_of_month else invoice_date
    return start + days_delta(terms.net_days)


@functools.lru_cache(maxsize=1024)
def days_delta(count: int) -> dt.timedelta:
    """A timedelta of whole days, made once: making one costs more than the date arithmetic it serves."""
    return dt.timedelta(days=count)


def discount_deadline(invoice_date: dt.date, terms: Terms) -> Optional[dt.date]:
    """Last day the early-payment discount may be taken; None when the terms give none.

    Counted like the net days: from the invoice date, or from the end of its
    month for EOM terms ("2/10 EOM" is 2% if paid by the 10th of next month).
    """
    if terms.discount_percent <= 0:
        return None
    start = end_of_month(invoice_date) if terms.end_of_month else invoice_date
    return start + days_delta(terms.discount_days)


def discount_amount(amount: Decimal, terms: Terms) -> Decimal:
    """The early-payment discount on ``amount``, to the cent."""
    return to_cents(Decimal(amount) * terms.discount_percent / 100)


@functools.lru_cache(maxsize=4096)  # once per invoice, but a book has a handful of combinations
def choose_terms(invoice_terms: str, customer_terms: str, default_terms: str) -> tuple[Terms, str]:
    """The invoice's terms, else the customer's, else the default, else Net 30.

    Unreadable terms are passed over for the next source; the reader reports them.
    """
    for text in (invoice_terms, customer_terms, default_terms):
        if not str(text or "").strip():
            continue
        try:
            return parse_terms(text), str(text).strip()
        except TermsError:
            continue
    return NET_30, NET_30.text
