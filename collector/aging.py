"""How much each invoice still owes, how late it is, and the book-wide totals.

This is where an invoice row becomes an ``InvoiceResult``: its state (open,
paid, disputed...), due date, open balance, days overdue, aging bucket, late
interest and any early-payment discount still open. ``BucketScheme`` is the
one place that decides bucket edges and labels.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, Optional, Sequence

from collector.assessment import (
    CASH_ONLY, CREDIT, DISPUTED, DRAFT, ON_HOLD, OPEN, OPEN_STATES, PAID, WRITTEN_OFF,
    Account, InvoiceResult, Totals,
)
from collector.dates import days_between
from collector.model import ContactEntry, Customer, Invoice, Settings
from collector.money import sum_cents, sum_money, to_cents
from collector.terms import (
    Terms, choose_terms, discount_amount, discount_deadline, due_date, fold,
)

ZERO = Decimal("0.00")
CURRENT = "Current"
CREDITS = "Credits"  # beside the buckets: open credit notes, in a customer's total but never aged
DSO_WINDOW_DAYS = 90


@dataclass(frozen=True)
class BucketScheme:
    """Aging buckets from their upper edges: (30, 60, 90) gives Current, 1–30 ... 90+."""

    edges: tuple[int, ...] = (30, 60, 90)

    def __post_init__(self) -> None:
        _check_edges(tuple(self.edges))

    @property
    def labels(self) -> tuple[str, ...]:
        return _labels(tuple(self.edges))

    def bucket_for(self, days_overdue: int) -> str:
        if days_overdue <= 0:
            return CURRENT
        labels = _labels(tuple(self.edges))
        for label, edge in zip(labels[1:], self.edges):
            if days_overdue <= edge:
                return label
        return labels[-1]


@functools.lru_cache(maxsize=64)
def _labels(edges: tuple[int, ...]) -> tuple[str, ...]:
    lower = [1] + [edge + 1 for edge in edges[:-1]]
    ranges = [f"{low}\u2013{edge}" for low, edge in zip(lower, edges)]
    return (CURRENT, *ranges, f"{edges[-1]}+")


@functools.lru_cache(maxsize=64)
def _scheme(edges: tuple[int, ...]) -> BucketScheme:
    """The scheme of a Settings' buckets, checked once rather than for every invoice."""
    return BucketScheme(edges)


@functools.lru_cache(maxsize=4096)
def _bucket(edges: tuple[int, ...], days_overdue: int) -> str:
    """The bucket label of a number of days: a book has a few hundred distinct ones."""
    return _scheme(edges).bucket_for(days_overdue)


def _check_edges(edges: tuple[int, ...]) -> None:
    increasing = all(a < b for a, b in zip(edges, edges[1:]))
    whole = all(isinstance(edge, int) and not isinstance(edge, bool) for edge in edges)
    if not edges or not whole or not increasing or edges[0] <= 0:
        raise ValueError(
            "Aging buckets must be whole numbers of days that go up, like 30, 60, 90."
        )


def parse_bucket_edges(text: str) -> tuple[int, ...]:
    """Upper bucket edges from Settings text: "30, 60, 90", "30/60/90", "0-30,31-60,90+"."""
    cleaned = re.sub(r"\s*[\u2012-\u2015\u2212-]\s*", "-", str(text or "").strip())
    edges: list[int] = []
    for part in re.split(r"[,;/\s]+", cleaned):
        edge = _part_edge(part)
        if edge is not None and not (part.endswith("+") and edges and edges[-1] == edge):
            edges.append(edge)
    try:
        _check_edges(tuple(edges))
    except ValueError:
        raise ValueError(
            f"The aging buckets {text!r} are not understood; write the days where each bucket "
            "ends, going up, like 30, 60, 90."
        ) from None
    return tuple(edges)


# Words that may sit among the numbers of the Aging Buckets setting.
_BUCKET_WORDS = frozenset(fold(word) for word in (
    "current curent courant actuel actual kasalukuyan lancar τρεχοντα τρέχοντα "
    "days day d zile jours j ημερες ημέρες hari araw dias días"
).split())


def _part_edge(part: str) -> Optional[int]:
    """The upper edge one piece names: "30" and "0-30" give 30, "90+" gives 90."""
    if not part or fold(part) in _BUCKET_WORDS:
        return None
    match = re.fullmatch(r"(?:\d+-)?(\d+)\+?(?:[^\W\d_]+)?", part)
    if match is None:
        raise ValueError(
            f"The aging buckets piece {part!r} is not a number of days; write them like 30, 60, 90."
        )
    return int(match[1])


# ---- invoice state -------------------------------------------------------

def _phrases(*groups: str) -> frozenset[str]:
    return frozenset(fold(p.strip()) for group in groups for p in group.split("|"))


_PAID = _phrases(
    "paid|paid in full|fully paid|paid off|settled|closed|received|payment received|collected"
    "|cleared|applied|payé|payée|paye|réglé|réglée|soldé|soldée|encaissé|encaissée",
    "plătit|plătită|achitat|achitată|încasat|încasată|închis",
    "εξοφλήθηκε|εξοφλημένο|εξοφλημένη|πληρώθηκε|πληρωμένο|εισπράχθηκε",
    "lunas|dibayar|sudah dibayar|terbayar|sudah lunas",
    "bayad|bayad na|nabayaran|binayaran",
    "pagado|pagada|pago|cobrado|cobrada|liquidado|liquidada|cancelado|cancelada|abonado|abonada",
    "saldado|saldada|paga|quitado|quitada",
)
_DRAFT = _phrases(
    "draft|cancelled|canceled|void|voided|not sent|brouillon|annulé|annulée|annule",
    "ciornă|anulat|anulată|stornat|stornată",
    "προσχέδιο|πρόχειρο|ακυρώθηκε|ακυρωμένο",
    "draf|dibatalkan|batal|kinansela|nakansela|borrador|anulado|anulada",
)
_WRITTEN_OFF = _phrases(
    "written off|write off|writeoff|bad debt|irrecoverable|uncollectible|uncollectable",
    "créance irrécouvrable|irrécouvrable|passé en perte|perte",
    "creanță irecuperabilă|irecuperabil|irecuperabilă|casat|casată|scos din evidență",
    "διαγράφηκε|επισφαλής|ανεπίδεκτη είσπραξης",
    "hapus buku|dihapusbukukan|piutang tak tertagih|tak tertagih",
    "hindi na makokolekta|incobrable|castigado|castigada",
)
_DISPUTED = _phrases(
    "disputed|dispute|in dispute|under dispute|queried|contested",
    "contesté|contestée|litige|en litige|contestat|contestată|în litigiu|disputat",
    "αμφισβητείται|αμφισβητούμενο|σε διαφορά|sengketa|disengketakan|dalam sengketa",
    "pinagtatalunan|en disputa|disputa|disputada|disputado|impugnada|reclamada",
)
_ON_HOLD = _phrases(
    "on hold|hold|held|paused|en attente|suspendu|suspendue|bloqué|bloquée",
    "în așteptare|suspendat|suspendată|blocat|blocată",
    "σε αναμονή|σε αναστολή|ditahan|ditangguhkan|tertunda",
    "naka hold|nakahold|en espera|retenida|retenido|suspendida|suspendido",
)
_STATUS_WORDS = (
    (_WRITTEN_OFF, WRITTEN_OFF), (_DRAFT, DRAFT), (_DISPUTED, DISPUTED),
    (_ON_HOLD, ON_HOLD), (_PAID, PAID),
)
# Phrases that decide the state even with more words after them ("Disputed wrong qty");
# the others must stand alone, since "paid partially" or "en attente de paiement" are open.
_LEADING = _phrases(
    "written off|write off|bad debt|disputed|in dispute|under dispute|litige|en litige"
    "|contestat|în litigiu|sengketa|en disputa|on hold"
)
_LEADING_LONGEST_FIRST = tuple(sorted(_LEADING, key=lambda p: (-len(p), p)))
_RESOLVED = _phrases("resolved|dispute resolved|résolu|rezolvat|επιλύθηκε|selesai|nalutas|resuelto|resuelta")


def _status_text(text: str) -> str:
    folded = fold(text)
    folded = re.sub(r"(?<=[^\W\d_])[-_](?=[^\W\d_])", " ", folded)
    return re.sub(r"\s+", " ", folded).strip()


@functools.lru_cache(maxsize=4096)  # a tracker repeats a handful of texts thousands of times
def status_word(text: str) -> str:
    """The state a Status text names (PAID, DISPUTED...), "" when the numbers must decide."""
    folded = _status_text(text)
    head_match = re.match(r"[^\W\d_]+(?: [^\W\d_]+)*", folded)
    head = head_match.group() if head_match else ""
    for phrases, state in _STATUS_WORDS:
        if folded in phrases or head in phrases:
            return state
    for phrase in _LEADING_LONGEST_FIRST:
        if head.startswith(phrase + " "):
            return _state_of_phrase(phrase)
    return ""


def _state_of_phrase(phrase: str) -> str:
    return next(state for phrases, state in _STATUS_WORDS if phrase in phrases)


def invoice_state(invoice: Invoice, disputed_numbers: Iterable[str] = frozenset()) -> str:
    """The state the Status words, the sign of the amount and the Contact Log give.

    The numbers still have the last word: ``assess_invoice`` turns a "Paid"
    invoice whose Paid or Balance column shows money still owed back to OPEN.
    """
    return _state(status_word(invoice.status), invoice, disputed_numbers)


_WORDS_THAT_DECIDE = (PAID, WRITTEN_OFF, DRAFT)  # the Status words that give the state alone


def _state(word: str, invoice: Invoice, disputed_numbers: Iterable[str]) -> str:
    """``invoice_state`` once the Status text's word is known."""
    if word in _WORDS_THAT_DECIDE:
        return word
    if _signed_amount(invoice) < 0:
        return CREDIT
    if word:
        return word
    if isinstance(disputed_numbers, (frozenset, set, tuple, list)) and not disputed_numbers:
        return OPEN  # the usual case: nothing in the Contact Log disputes this customer's invoices
    disputed = {number_key(number) for number in disputed_numbers}
    return DISPUTED if number_key(invoice.number) in disputed else OPEN


def number_key(number: str) -> str:
    """An invoice number as compared: " INV-7 " and "inv-7" are the same invoice."""
    return (number if type(number) is str else str(number)).strip().casefold()  # (no str() call for what is text already)


def _signed_amount(invoice: Invoice) -> Decimal:
    if invoice.amount is not None:
        return invoice.amount
    return invoice.balance if invoice.balance is not None else ZERO


def disputed_invoice_numbers(entries: Iterable[ContactEntry], invoices: Iterable[Invoice]) -> frozenset[str]:
    """Invoices under dispute in one customer's Contact Log.

    An entry whose channel (or step) says "dispute" disputes the invoices it
    lists (all the customer's invoices issued by then when it lists none) until
    a later entry says "resolved".
    """
    invoices = tuple(invoices)
    latest: dict[str, tuple[tuple[dt.date, int], bool]] = {}
    for entry in entries:
        disputes = DISPUTED in (status_word(entry.channel), status_word(entry.step))
        if not disputes and not _resolves(entry):
            continue
        for number in _numbers_covered(entry, invoices):
            when = (entry.date, entry.row)
            if number not in latest or latest[number][0] <= when:
                latest[number] = (when, disputes)
    return frozenset(number for number, (_, disputed) in latest.items() if disputed)


def _resolves(entry: ContactEntry) -> bool:
    return _says_resolved(entry.channel) or _says_resolved(entry.step)


@functools.lru_cache(maxsize=4096)  # a Contact Log repeats a handful of channel and step texts
def _says_resolved(text: str) -> bool:
    return _status_text(text) in _RESOLVED


def _numbers_covered(entry: ContactEntry, invoices: Sequence[Invoice]) -> tuple[str, ...]:
    if entry.invoices:
        listed = {number_key(number) for number in entry.invoices}
        return tuple(inv.number for inv in invoices if number_key(inv.number) in listed)
    return tuple(
        inv.number for inv in invoices if inv.invoice_date is None or inv.invoice_date <= entry.date
    )


# ---- one invoice ---------------------------------------------------------

def assess_invoice(
    invoice: Invoice,
    customer: Optional[Customer],
    settings: Settings,
    as_of: dt.date,
    disputed_numbers: Iterable[str] = frozenset(),
    currency: str = "",
) -> InvoiceResult:
    """Due date, open balance, days overdue, bucket, interest and open discount of one invoice."""
    return run_of(settings, as_of).assess(invoice, customer.terms if customer else "", disputed_numbers, currency)


class Run:
    """One run's settings and date, with what a book repeats worked out once.

    A book of 100,000 invoices has a few Status and terms texts and a few hundred invoice and due
    dates: the state word, terms and due date depend on nothing else, the days overdue and bucket
    on the due date alone and whether it is a sale of the DSO window on the invoice date, so each
    distinct combination is worked out once, by the same functions, and looked up after."""

    def __init__(self, settings: Settings, as_of: dt.date) -> None:
        self.settings = settings
        self.as_of = as_of
        edges = settings.aging_buckets
        self.edges = edges if type(edges) is tuple else tuple(edges)
        self.shapes: dict[tuple, tuple[str, Terms, Optional[dt.date], int, str, bool]] = {}
        self.ages: dict[Optional[dt.date], tuple[int, str]] = {}
        self.sales_after = _sales_after(as_of)

    def assess(
        self, invoice: Invoice, customer_terms: str, disputed_numbers: Iterable[str] = frozenset(), currency: str = "",
    ) -> InvoiceResult:
        """``assess_invoice`` of an invoice whose customer's terms are ``customer_terms``."""
        return self.assess_each((invoice,), customer_terms, disputed_numbers, currency)[0][0]

    def assess_each(
        self, invoices: Iterable[Invoice], customer_terms: str, disputed_numbers: Iterable[str] = frozenset(),
        currency: str = "",
    ) -> tuple[list[InvoiceResult], "Position"]:
        """``assess`` of each of one customer's invoices, and what the results add up to (``gather``
        of them), in one loop with the run's lookups at hand: a book has 100,000 invoices, and a
        call per invoice for each step cost more than the steps."""
        settings, as_of, shapes, make = self.settings, self.as_of, self.shapes, InvoiceResult.of
        grace, rate = settings.grace_days, settings.late_interest
        position = Position()
        by_currency, days_to_pay, owed, oldest = position.by_currency, position.days_to_pay, position.owed, None
        results = []
        for invoice in invoices:
            key = (invoice.status, invoice.terms, customer_terms, invoice.invoice_date, invoice.due_date)
            shape = shapes.get(key)
            if shape is None:
                shape = shapes[key] = self._shape(*key)
            word, terms, due, days, bucket, sale = shape
            currency_of = currency or invoice.currency or settings.currency
            state = word if word in _WORDS_THAT_DECIDE else _state(word, invoice, disputed_numbers)
            if state == DRAFT:
                results.append(make(invoice, currency_of, state, due, ZERO, 0, ""))
                continue  # neither a sale nor owed
            amounts = by_currency.get(currency_of)
            if amounts is None:
                amounts = by_currency[currency_of] = _Gathered()
            if sale:
                amounts.sales.append(_signed_amount(invoice))
            if state == WRITTEN_OFF:
                results.append(make(invoice, currency_of, state, due, ZERO, 0, ""))
                continue
            balance = open_balance(invoice, terms, state)
            state = _settled_state(state, balance)
            if state == PAID:
                paid_on, issued, amount = invoice.paid_date, invoice.invoice_date, invoice.amount
                if paid_on and issued and (amount is None or amount > 0):
                    days_to_pay.append((paid_on - issued).days)
                results.append(make(invoice, currency_of, state, due, balance, 0, ""))
                continue
            amounts.owed.append(balance)  # open, disputed, on hold or credit
            if state == CREDIT:  # (its balance is below zero: neither overdue nor aged)
                amounts.credits.append(balance)
                results.append(make(invoice, currency_of, state, due, balance, 0, ""))
                continue
            in_bucket = amounts.by_label.get(bucket)
            if in_bucket is None:
                in_bucket = amounts.by_label[bucket] = []
            in_bucket.append(balance)
            if days > 0:
                amounts.overdue.append(balance)
            if oldest is None or days > oldest:
                oldest = days
            if state != OPEN:
                results.append(make(invoice, currency_of, state, due, balance, days, bucket))
                continue
            chargeable = days > grace and rate > 0
            interest = late_interest(balance, days, settings) if chargeable else ZERO  # (ZERO at no rate, spared the call)
            deadline, discount = _open_discount(invoice, terms, balance, as_of)
            result = make(invoice, currency_of, state, due, balance, days, bucket, interest, deadline, discount)
            results.append(result)
            owed.append(result)
        position.oldest = oldest
        return results, position

    def _shape(
        self, status: str, invoice_terms: str, customer_terms: str, issued: Optional[dt.date], due: Optional[dt.date],
    ) -> tuple[str, Terms, Optional[dt.date], int, str, bool]:
        """The Status word, the terms that apply, the due date (as typed, else from the terms), the
        days overdue and bucket if still owed, and whether it is a sale of the DSO window."""
        terms, _ = choose_terms(invoice_terms, customer_terms, self.settings.default_terms)
        due = due or (due_date(issued, terms) if issued else None)
        days, bucket = self.aging(due)
        sale = bool(issued) and self.sales_after < issued <= self.as_of
        return status_word(status), terms, due, days, bucket, sale

    def aging(self, due: Optional[dt.date]) -> tuple[int, str]:
        """Days overdue as of the run date and their bucket, for an invoice due on ``due``."""
        found = self.ages.get(due)
        if found is None:
            days = max(0, days_between(due, self.as_of)) if due else 0
            found = self.ages[due] = (days, _bucket(self.edges, days))
        return found


_LAST_RUN: list[Run] = []


def run_of(settings: Settings, as_of: dt.date) -> Run:
    """The run of the last call when it is the same run (the engine's case), else a new one."""
    last = _LAST_RUN[0] if _LAST_RUN else None
    if last is not None and last.settings is settings and last.as_of == as_of:
        return last
    run = Run(settings, as_of)
    _LAST_RUN[:] = [run]
    return run


def open_balance(invoice: Invoice, terms: Terms, state: str = OPEN) -> Decimal:
    """What is still owed: the Balance column, else Amount − Paid.

    A "Paid" status with no Paid or Balance figure, or a Paid Date with no Paid
    figure, means paid in full; a payment short by exactly the early-payment
    discount, made inside its window, is paid in full too.
    """
    paid, amount = invoice.paid, invoice.amount
    if invoice.balance is not None:
        balance = invoice.balance
    elif paid is None and (state == PAID or invoice.paid_date is not None) or amount is None:
        return ZERO
    else:
        balance = amount - (paid or ZERO)
    if not balance:
        return ZERO  # what to_cents gives for any zero, without rounding: most invoices are paid in full
    if balance > 0 and invoice.paid_date is not None and _discount_taken(invoice, terms, balance):
        return ZERO  # (_discount_taken makes the first two tests too: here they spare most invoices a call)
    return to_cents(balance)


def _discount_taken(invoice: Invoice, terms: Terms, balance: Decimal) -> bool:
    if invoice.amount is None or invoice.amount <= 0 or balance <= 0:
        return False
    if invoice.invoice_date is None or invoice.paid_date is None:
        return False
    deadline = discount_deadline(invoice.invoice_date, terms)
    return (
        deadline is not None
        and invoice.paid_date <= deadline
        and to_cents(balance) == discount_amount(invoice.amount, terms)
    )


def _settled_state(state: str, balance: Decimal) -> str:
    """The numbers win over the words: nothing owed is paid, a negative balance is credit."""
    if balance == 0:
        return PAID
    if balance < 0:
        return CREDIT
    return OPEN if state in (PAID, CREDIT) else state


def late_interest(balance: Decimal, days_overdue: int, settings: Settings) -> Decimal:
    """Simple interest: balance × rate% × days past the grace days ÷ 30, rounded once."""
    chargeable = max(0, days_overdue - settings.grace_days)
    if settings.late_interest <= 0 or balance <= 0 or chargeable == 0:
        return ZERO
    rate = Decimal(str(settings.late_interest))  # str: a float rate must not bring binary noise
    return to_cents(balance * rate * chargeable / Decimal(3000))


def _open_discount(
    invoice: Invoice, terms: Terms, balance: Decimal, as_of: dt.date
) -> tuple[Optional[dt.date], Optional[Decimal]]:
    """The discount deadline and amount while nothing is paid and the window is open."""
    if invoice.invoice_date is None or invoice.amount is None or balance != invoice.amount:
        return None, None
    deadline = discount_deadline(invoice.invoice_date, terms)
    if deadline is None or as_of > deadline:
        return None, None
    return deadline, discount_amount(invoice.amount, terms)


# ---- what results add up to ----------------------------------------------

def _sales_after(as_of: dt.date) -> dt.date:
    """The DSO window's sales are dated after this day, up to and including as_of."""
    return as_of - dt.timedelta(days=DSO_WINDOW_DAYS)


class _Gathered:
    """One currency's amounts, in the order their results were made, before they are summed."""

    __slots__ = ("owed", "overdue", "credits", "by_label", "sales")

    def __init__(self) -> None:
        self.owed: list[Decimal] = []  # every open balance (credits included)
        self.overdue: list[Decimal] = []
        self.credits: list[Decimal] = []
        self.by_label: dict[str, list[Decimal]] = {}  # the open balances by aging bucket, credits left out
        self.sales: list[Decimal] = []  # for the DSO


class Position:
    """What one customer's results add up to, gathered one result at a time: a book has 100,000.

    ``by_currency`` holds the amounts of each currency with a result that is not a draft (the
    book totals add them up); ``open_by`` and ``overdue_by`` the open and overdue balances by
    currency (credits count as open); ``oldest`` the most days overdue of an open invoice still
    owed (None for none); ``days_to_pay`` the days each paid invoice took; ``owed`` the results
    still chased. ``Run.assess_each`` gathers it as it makes the results, ``gather`` from results
    made elsewhere."""

    __slots__ = ("by_currency", "days_to_pay", "owed", "oldest")

    def __init__(self) -> None:
        self.by_currency: dict[str, _Gathered] = {}
        self.days_to_pay: list[int] = []
        self.owed: list[InvoiceResult] = []
        self.oldest: Optional[int] = None

    @property
    def open_by(self) -> dict[str, list[Decimal]]:
        return {currency: amounts.owed for currency, amounts in self.by_currency.items() if amounts.owed}

    @property
    def overdue_by(self) -> dict[str, list[Decimal]]:
        return {currency: amounts.overdue for currency, amounts in self.by_currency.items() if amounts.overdue}


class AgedBalance:
    """One customer's open balance in one currency, split so the parts add up to the cent: what its
    invoices still owe by aging bucket, plus its open credits (credit notes not yet used, zero or
    below, never aged), make its total. ``oldest`` is the most days overdue of an invoice in a
    bucket; ``first`` the first open result, for the customer's name when there is no account."""

    __slots__ = ("buckets", "credits", "total", "oldest", "first")

    def __init__(self, first: InvoiceResult) -> None:
        self.buckets: dict[str, Decimal] = {}
        self.credits = ZERO
        self.total = ZERO
        self.oldest = 0
        self.first = first


def aged_balances(results: Iterable[InvoiceResult]) -> dict[tuple[str, str], AgedBalance]:
    """Each customer's ``AgedBalance`` by (customer key, currency), in the order they first appear.

    The Aging tab, the statement and ``collector report`` all show these, so their rows add up."""
    balances: dict[tuple[str, str], AgedBalance] = {}
    get = balances.get
    for result in results:
        if result.state not in OPEN_STATES:  # InvoiceResult.is_open, without a call per invoice
            continue
        key = (result.invoice.customer_key, result.currency)
        line = get(key)
        if line is None:
            line = balances[key] = AgedBalance(result)
        balance = result.open_balance
        line.total += balance
        bucket = result.bucket
        if bucket:
            sums = line.buckets
            sums[bucket] = sums.get(bucket, ZERO) + balance
            if result.days_overdue > line.oldest:
                line.oldest = result.days_overdue
        else:  # a credit note: shown as credit, never aged
            line.credits += balance
    return balances


def gather(results: Iterable[InvoiceResult], as_of: Optional[dt.date] = None) -> Position:
    """The ``Position`` of results made elsewhere, with the DSO window's sales when ``as_of`` is given.

    What ``Run.assess_each`` gathers as it makes its results; a test holds the two together."""
    position = Position()
    by_currency, days_to_pay, owed, oldest = position.by_currency, position.days_to_pay, position.owed, None
    sales_after = _sales_after(as_of) if as_of is not None else None
    for r in results:
        state = r.state
        if state == DRAFT:
            continue  # neither a sale nor owed
        amounts = by_currency.get(r.currency)
        if amounts is None:
            amounts = by_currency[r.currency] = _Gathered()
        invoice = r.invoice
        issued = invoice.invoice_date
        if sales_after is not None and issued and sales_after < issued <= as_of:  # a sale of the DSO window
            amounts.sales.append(_signed_amount(invoice))
        if state == PAID:
            paid_on, amount = invoice.paid_date, invoice.amount
            if paid_on and issued and (amount is None or amount > 0):
                days_to_pay.append((paid_on - issued).days)
            continue
        if state not in OPEN_STATES:
            continue
        balance = r.open_balance
        amounts.owed.append(balance)
        if balance > 0:
            if state == OPEN:
                owed.append(r)
            days = r.days_overdue
            if days > 0:
                amounts.overdue.append(balance)
            if oldest is None or days > oldest:
                oldest = days
        if state == CREDIT:
            amounts.credits.append(balance)
        else:
            amounts.by_label.setdefault(r.bucket, []).append(balance)
    position.oldest = oldest
    return position


def totals(
    results: Sequence[InvoiceResult],
    accounts: Sequence[Account],
    as_of: dt.date,
    scheme: BucketScheme = BucketScheme(),
) -> tuple[Totals, ...]:
    """Book-wide figures, one ``Totals`` per currency (sorted by currency code)."""
    tally = Tally(as_of, scheme)
    tally.add(gather(results, as_of))
    return tally.totals(accounts)


class Tally:
    """The book-wide amounts gathered customer by customer, summed once at the end.

    The engine adds each customer's ``Position`` the moment its results are made, rather than
    walking 100,000 results (and their invoices) again. The order does not change a total: every
    amount is a whole number of cents, and Decimal adds those exactly (below 10^26, where rounding
    them to the cent would fail anyway)."""

    __slots__ = ("gathered", "labels", "as_of")

    def __init__(self, as_of: dt.date, scheme: BucketScheme = BucketScheme()) -> None:
        self.gathered: dict[str, _Gathered] = {}
        self.labels = scheme.labels
        self.as_of = as_of

    def add(self, position: Position) -> None:
        """Add one customer's amounts (gathered as of this tally's date)."""
        for currency, amounts in position.by_currency.items():
            into = self.gathered.get(currency)
            if into is None:
                into = self.gathered[currency] = _Gathered()
                into.by_label = {label: [] for label in self.labels}
            into.owed += amounts.owed
            into.overdue += amounts.overdue
            into.credits += amounts.credits
            into.sales += amounts.sales
            for label, balances in amounts.by_label.items():
                bucket = into.by_label.get(label)
                if bucket is not None:
                    bucket += balances

    def totals(self, accounts: Sequence[Account]) -> tuple[Totals, ...]:
        """One ``Totals`` per currency of what was added, sorted by currency code."""
        gathered = self.gathered
        return tuple(_currency_totals(gathered[currency], accounts, currency) for currency in sorted(gathered))


def _currency_totals(into: _Gathered, accounts: Sequence[Account], currency: str) -> Totals:
    """One currency's figures from its gathered amounts."""
    receivables = sum_cents(into.owed)
    overdue_total = sum_cents(into.overdue)
    credit_total = sum_cents(into.credits)
    buckets = tuple((label, sum_cents(amounts)) for label, amounts in into.by_label.items())
    on_hold = sum(
        1 for a in accounts
        if a.credit_status == CASH_ONLY and a.open_total.get(currency, ZERO) > 0
    )
    # The share is of what customers owe before open credit notes are netted off, so it never passes 100%.
    return Totals(
        currency, receivables, overdue_total, _percent(overdue_total, receivables - credit_total), buckets,
        credit_total, _dso(receivables, sum_money(into.sales)), on_hold,
    )


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return ZERO
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _dso(receivables: Decimal, sales: Decimal) -> Optional[Decimal]:
    """DSO = receivables ÷ sales of the last 90 days × 90, to one decimal.

    Sales are the amounts of every invoice (credit notes net them down; drafts and cancelled
    invoices left out) dated after as_of − 90 days and up to and including as_of (Tally.add).
    None when those sales are nothing.
    """
    if sales <= 0:
        return None
    dso = receivables / sales * DSO_WINDOW_DAYS
    return dso.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
