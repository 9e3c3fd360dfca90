"""The escalation policy: the ladder of collection steps and this week's choice.

``DEFAULT_POLICY`` is the one table of the seed practice (SPEC §3); a Policy
sheet replaces it through ``steps_from_table``. ``plan_customer`` decides, for
one customer, the single next step of this run from the invoice results and
the Contact Log, so a weekly run never misses a step, never repeats one and
never goes backwards. The ladder counts per invoice but the customer hears one
voice: ``_keep_tone`` and ``_with_overdue`` keep an account's tone from going
back when a newer invoice is at a milder step.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Mapping, NamedTuple, Optional, Sequence

from collector.account import (
    Schedule, entry_covers, find_promise, instalment_schedule, main_currency, open_totals,
)
from collector.aging import number_key, status_word
from collector.assessment import (
    CASH_ONLY, DISPUTED, GOOD_STANDING, OPEN_STATES, Action, InvoiceResult, Promise,
)
from collector.model import ContactEntry, Customer, Instalment, PolicyStep, Problem, Settings
from collector.money import sum_cents
from collector.terms import days_delta, fold

INVOICE_DATE = "invoice date"
DUE_DATE = "due date"
PROMISED_DATE = "promised date"
INSTALMENT_DATE = "instalment date"
LADDER_STARTS = (INVOICE_DATE, DUE_DATE)

CUSTOMER = "customer"
SALES_REP = "sales rep"
MANAGER = "manager"
OWNER = "owner"

POLICY_CHANNELS = ("email", "letter", "call", "task", "visit")
# Log channels that reach the customer and so count for the minimum gap between contacts.
CONTACT_CHANNELS = frozenset({"email", "letter", "call", "visit", "message"})

FINAL_DEMAND = "final-demand"
COLLECTIONS_REFERRAL = "collections-referral"
COLLECTOR = "collector"  # the By of the Contact Log rows collector writes
ZERO = Decimal("0.00")
_FINAL_DEMAND_PAY_DAYS = 7
_PAY_DAYS = 10


def _step(name: str, days: int, start: str, channel: str, to: tuple[str, ...] = (CUSTOMER,),
          before_due: bool = False) -> PolicyStep:
    return PolicyStep(name, days, start, channel, name, to, before_due)


DEFAULT_POLICY: tuple[PolicyStep, ...] = (
    _step("receipt-check", 5, INVOICE_DATE, "email", before_due=True),
    _step("courtesy-reminder", -7, DUE_DATE, "email", before_due=True),
    _step("overdue-notice", 5, DUE_DATE, "email"),
    _step("first-call", 8, DUE_DATE, "call", (CUSTOMER, SALES_REP)),
    _step("conversation-letter", 10, DUE_DATE, "letter"),
    _step("second-notice", 20, DUE_DATE, "call"),
    _step("manager-escalation", 30, DUE_DATE, "task", (MANAGER, OWNER)),
    _step("final-demand", 40, DUE_DATE, "letter"),
    _step("collections-referral", 60, DUE_DATE, "task", (OWNER,)),
    _step("broken-promise", 2, PROMISED_DATE, "call"),
    _step("instalment-missed", 5, INSTALMENT_DATE, "email"),
)
_BEFORE_DUE_NAMES = frozenset({"receipt-check", "courtesy-reminder"})


# ---- the ladder ----------------------------------------------------------

@lru_cache(maxsize=4096)
def step_key(name: str) -> str:
    """A step name as compared: "Overdue Notice" and "overdue-notice" are one step."""
    return re.sub(r"[\W_]+", "-", fold(name or "")).strip("-")


def is_customer_facing(step: PolicyStep) -> bool:
    return CUSTOMER in step.to


def ladder_of(policy: Sequence[PolicyStep]) -> tuple[PolicyStep, ...]:
    """The steps counted from the invoice or due date, in table order (least to most severe)."""
    return tuple(step for step in policy if step.start in LADDER_STARTS)


def step_starting(policy: Sequence[PolicyStep], start: str) -> Optional[PolicyStep]:
    return next((step for step in policy if step.start == start), None)


def ladder_index(name: str, ladder: Sequence[PolicyStep]) -> int:
    key = step_key(name)
    return next((i for i, step in enumerate(ladder) if step_key(step.name) == key), -1)


def special_rank(ladder: Sequence[PolicyStep]) -> int:
    """Where broken promises and missed instalments rank: like second-notice."""
    index = ladder_index("second-notice", ladder)
    return index if index >= 0 else len(ladder) // 2


def step_date(step: PolicyStep, result: InvoiceResult) -> Optional[dt.date]:
    """The day a ladder step falls due for an invoice; None without the date it counts from."""
    start = result.invoice.invoice_date if step.start == INVOICE_DATE else result.due_date
    return start + dt.timedelta(days=step.days) if start else None


def due_step(result: InvoiceResult, ladder: Sequence[PolicyStep], as_of: dt.date) -> int:
    """Index of the highest ladder step whose day has come (-1 for none).

    Steps meant only before the due date stop counting once it has passed.
    """
    for index in range(len(ladder) - 1, -1, -1):  # the highest first: most invoices are past several
        step = ladder[index]
        day = step_date(step, result)
        if day is None or day > as_of:
            continue
        if step.only_before_due and (result.due_date is None or as_of > result.due_date):
            continue
        return index
    return -1


def logged_stage(result: InvoiceResult, entries: Iterable[ContactEntry], ladder: Sequence[PolicyStep]) -> int:
    """Index of the highest ladder step the Contact Log shows for an invoice (-1 for none)."""
    best = -1
    for entry in entries:
        index = ladder_index(entry.step, ladder)
        if index > best and entry_covers(entry, result):
            best = index
    return best


# ---- channels and recipients ---------------------------------------------

def _synonyms(table: Mapping[str, str]) -> dict[str, str]:
    return {_words(word): kind for kind, words in table.items() for word in words.split("|")}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(text or "")))


_CHANNELS = _synonyms({
    "email": "email|e mail|mail|courriel|emailed|e mel",
    "letter": "letter|post|posted|courier|courrier|lettre|scrisoare|posta|επιστολη|γραμμα"
              "|surat|sulat|carta",
    "call": "call|phone|phone call|telephone|tel|called|appel|apel|telefon|τηλεφωνο|κληση"
            "|telepon|telpon|tawag|llamada|call script",
    "visit": "visit|visited|meeting|visite|vizita|επισκεψη|kunjungan|bisita|visita",
    "task": "task|todo|to do|tache|sarcina|εργασια|tugas|gawain|tarea",
    "message": "sms|text|text message|whatsapp|message|mesaj|μηνυμα|pesan|mensahe|mensaje",
    "note": "note|notes|nota|σημειωση|catatan|tala|remarque",
})
_RECIPIENTS = _synonyms({
    CUSTOMER: "customer|client|debtor|buyer|pelanggan|klien|kliyente|cliente|πελατης|debitor",
    SALES_REP: "sales rep|salesrep|sales|rep|sales representative|salesperson|account executive"
               "|commercial|agent|agent de vanzari|πωλητης|tenaga penjualan|vendedor",
    MANAGER: "manager|account manager|credit manager|responsable|gestionnaire|manajer|gerente"
             "|διευθυντης|tagapamahala",
    OWNER: "owner|me|boss|director|proprietaire|patron|proprietar|ιδιοκτητης|pemilik|may ari"
           "|dueno|propietario",
})
_STARTS = _synonyms({
    INVOICE_DATE: "invoice date|invoice|date of invoice|issue date|issued|invoiced|date de facture"
                  "|facture|data facturii|factura|fecha de factura|tanggal faktur|faktur"
                  "|ημερομηνια τιμολογιου|τιμολογιο|petsa ng invoice",
    DUE_DATE: "due date|due|date due|echeance|date d echeance|scadenta|data scadenta|scadenta"
              "|vencimiento|fecha de vencimiento|jatuh tempo|tanggal jatuh tempo|ληξη"
              "|ημερομηνια ληξης|takdang petsa",
    PROMISED_DATE: "promised date|promise|promised|promise date|date promised",
    INSTALMENT_DATE: "instalment date|installment date|instalment|installment|payment plan",
})
_AND = re.compile(r"\s*(?:[,;+&/]|\band\b|\bet\b|\bsi\b|\bκαι\b|\bdan\b|\bat\b|\by\b)\s*")


@lru_cache(maxsize=4096)  # a Contact Log repeats a handful of channel texts thousands of times
def channel_kind(text: str) -> str:
    """email, letter, call, visit, task, message, note or dispute; "" when not recognised."""
    words = _words(text)
    if words in _CHANNELS:
        return _CHANNELS[words]
    if status_word(text) == DISPUTED:
        return "dispute"
    first = _AND.split(fold(text or "").strip())[0]
    return _CHANNELS.get(_words(first), "")


# ---- the Policy sheet ----------------------------------------------------

DEFAULT_LETTERS = {"step": "A", "days": "B", "from": "C", "channel": "D", "template": "E", "to": "F"}


def steps_from_table(
    rows: Sequence[tuple[int, Mapping[str, str]]],
    sheet: str = "Policy",
    letters: Optional[Mapping[str, str]] = None,
) -> tuple[tuple[PolicyStep, ...], tuple[Problem, ...]]:
    """Policy steps from the Policy sheet's rows, and a Problem for every bad cell.

    ``rows`` are (sheet row number, {"step", "days", "from", "channel",
    "template", "to": text}); ``letters`` says which column holds each field.
    A row with a bad cell is left out; blank rows are skipped.
    """
    where = {**DEFAULT_LETTERS, **(letters or {})}
    steps: list[PolicyStep] = []
    problems: list[Problem] = []
    for row, cells in rows:
        if not any(str(value or "").strip() for value in cells.values()):
            continue
        step, row_problems = _step_from_row(row, cells, sheet, where)
        if step is not None and any(step_key(s.name) == step_key(step.name) for s in steps):
            row_problems.append(Problem(
                sheet, f"{where['step']}{row}", str(cells.get("step", "")),
                f"The step {step.name!r} appears twice", "Give each step its own name",
            ))
        if row_problems:
            problems.extend(row_problems)
        elif step is not None:
            steps.append(step)
    return tuple(steps), tuple(problems)


def _step_from_row(
    row: int, cells: Mapping[str, str], sheet: str, where: Mapping[str, str]
) -> tuple[Optional[PolicyStep], list[Problem]]:
    values, problems = {}, []
    for field, read in _FIELD_READERS.items():
        raw = str(cells.get(field, "") or "").strip()
        value, complaint = read(raw)
        if complaint:
            problems.append(Problem(sheet, f"{where[field]}{row}", raw, *complaint))
        values[field] = value
    if problems:
        return None, problems
    name = values["step"]
    before_due = name in _BEFORE_DUE_NAMES or (values["days"] < 0 and values["from"] == DUE_DATE)
    template = values["template"] or name
    return PolicyStep(name, values["days"], values["from"], values["channel"], template,
                      values["to"], before_due, row), []


Complaint = Optional[tuple[str, str]]  # (message, fix)


def _read_name(raw: str) -> tuple[str, Complaint]:
    if not step_key(raw):
        return "", ("Each policy step needs a name", "Type a short name such as overdue-notice")
    return step_key(raw), None


def _read_days(raw: str) -> tuple[int, Complaint]:
    match = re.fullmatch(r"([+\-\u2212]?)\s*(\d+)(?:\.0+)?(?:\s*[^\W\d_]+)?", raw)
    if match is None:
        return 0, ("The days must be a whole number", "Type a number of days such as 5, or -7 for before the date")
    days = int(match[2])
    return (-days if match[1] in ("-", "\u2212") else days), None


def _read_start(raw: str) -> tuple[str, Complaint]:
    if not raw:
        return DUE_DATE, None
    start = _STARTS.get(_words(raw))
    if start is None:
        return "", ("The From column must say which date the days count from",
                    "Type invoice date, due date, promised date or instalment date")
    return start, None


def _read_channel(raw: str) -> tuple[str, Complaint]:
    channel = channel_kind(raw)
    if channel not in POLICY_CHANNELS:
        return "", ("The channel is not one collector can use", "Type email, letter, call, task or visit")
    return channel, None


def _read_template(raw: str) -> tuple[str, Complaint]:
    return raw, None


def _read_recipients(raw: str) -> tuple[tuple[str, ...], Complaint]:
    if not raw:
        return (CUSTOMER,), None
    parts = [_words(part) for part in _AND.split(fold(raw)) if _words(part)]
    found = [_RECIPIENTS.get(part) for part in parts]
    if not found or None in found:
        return (), ("The To column names someone collector does not know",
                    "Type customer, sales rep, manager or owner, separated by commas")
    return tuple(dict.fromkeys(found)), None


_FIELD_READERS = {
    "step": _read_name, "days": _read_days, "from": _read_start,
    "channel": _read_channel, "template": _read_template, "to": _read_recipients,
}


# ---- the policy worked out once ------------------------------------------

class _Rules:
    """What a policy table says, worked out once: a run decides thousands of customers on one table.

    ``index`` is ``ladder_index`` as a lookup; ``offsets`` are the ladder steps' days as timedeltas
    (None for a step whose days no date can be moved by, so ``step_date`` raises as it always did).
    """

    def __init__(self, policy: tuple[PolicyStep, ...]) -> None:
        self.policy = policy
        self.ladder = ladder_of(policy)
        self.keys: dict[str, int] = {}
        for index, step in enumerate(self.ladder):
            self.keys.setdefault(step_key(step.name), index)
        self.facing = tuple(is_customer_facing(step) for step in self.ladder)
        self.offsets = tuple(_offset(step.days) for step in self.ladder)
        self.promise_rule = step_starting(policy, PROMISED_DATE)
        self.plan_rule = step_starting(policy, INSTALMENT_DATE)
        self.special_rank = special_rank(self.ladder)
        self.facing_keys = frozenset(step_key(s.name) for s in policy if is_customer_facing(s))
        finals = [s for s in policy if _is_final_demand(s)]
        self.final_keys = frozenset(step_key(s.name) for s in finals)
        self.final_names = frozenset(s.name for s in finals)
        referrals = [s for s in policy if _is_referral(s)]
        self.referral_keys = frozenset(step_key(s.name) for s in referrals)
        self.referral_names = frozenset(s.name for s in referrals)
        self.names = {step_key(s.name): s.name for s in policy}

    def index(self, name: str) -> int:
        """``ladder_index(name, self.ladder)``."""
        return self.keys.get(step_key(name), -1)


def _offset(days: int) -> Optional[dt.timedelta]:
    try:
        return dt.timedelta(days=days)
    except OverflowError:
        return None


_RULES: dict[int, _Rules] = {}


def _rules_of(policy: tuple[PolicyStep, ...]) -> _Rules:
    """The worked-out rules of a policy tuple, kept by identity (a dataclass hash would cost more
    than the work it saves); the entry keeps its tuple alive, so an id is never reused under it."""
    rules = _RULES.get(id(policy))
    if rules is None or rules.policy is not policy:
        if len(_RULES) >= 32:
            _RULES.clear()
        rules = _RULES[id(policy)] = _Rules(policy)
    return rules


class _Run:
    """One run's rules, settings and date, with the due step of each (invoice date, due date) met.

    ``due_step`` reads nothing of an invoice but those two dates, and a book repeats them.
    """

    def __init__(self, policy: tuple[PolicyStep, ...], settings: Settings, as_of: dt.date) -> None:
        self.rules = _rules_of(policy)
        self.settings = settings
        self.as_of = as_of
        self.due: dict[tuple[Optional[dt.date], Optional[dt.date]], int] = {}
        self.next_steps: dict[tuple, tuple[str, str, Optional[dt.date]]] = {}

    def due_steps(self, results: Iterable[InvoiceResult]) -> list[int]:
        """``due_step`` of each result."""
        found, ladder, as_of, steps = self.due, self.rules.ladder, self.as_of, []
        for result in results:
            key = (result.invoice.invoice_date, result.due_date)
            index = found.get(key)
            if index is None:
                index = found[key] = due_step(result, ladder, as_of)
            steps.append(index)
        return steps

    def next_step(
        self, result: InvoiceResult, stage: int, due: int, floors: tuple[dt.date, dt.date], polite: bool = True
    ) -> tuple[str, str, Optional[dt.date]]:
        """``_next_step`` of a chased result: a book repeats its (invoice date, due date) pairs."""
        issued, due_date = result.invoice.invoice_date, result.due_date
        key = (issued, due_date, stage, due, floors, polite)
        steps = self.next_steps.get(key)
        if steps is None:
            steps = self.next_steps[key] = _next_step(self.rules, issued, due_date, stage, due, floors, polite)
        return steps


_LAST_RUN: list[_Run] = []


def _run_of(policy: tuple[PolicyStep, ...], settings: Settings, as_of: dt.date) -> _Run:
    """The run of the last call when it is the same run (the engine's case), else a new one."""
    last = _LAST_RUN[0] if _LAST_RUN else None
    if last is not None and last.rules.policy is policy and last.settings is settings and last.as_of == as_of:
        return last
    run = _Run(policy, settings, as_of)
    _LAST_RUN[:] = [run]
    return run


# ---- this week's decision for one customer -------------------------------

@dataclass(frozen=True)
class CustomerPlan:
    """What ``plan_customer`` decided for one customer."""

    action: Optional[Action]
    invoices: tuple[InvoiceResult, ...]  # the customer's results with stage and next step
    stage: str
    promise: Optional[Promise]
    schedule: Schedule
    credit_status: str
    credit_reason: str
    waiting_until: Optional[dt.date] = None


class _Candidate(NamedTuple):
    step: PolicyStep
    results: tuple[InvoiceResult, ...]
    rank: int
    precedence: int  # 0 broken promise, 1 missed instalment, 2 ladder
    carried: tuple[InvoiceResult, ...] = ()  # of ``results``, those whose own due step is milder


class _Tone(NamedTuple):
    """How firm the account already is, and what that kept back this week (see ``_keep_tone``)."""

    rank: int  # the firmest ladder step logged on an unpaid overdue invoice (-1 for none)
    polite_off: bool  # whether reminders meant before the due date are left out
    dropped: tuple[InvoiceResult, ...] = ()  # invoices whose polite reminder was left out


_NO_TONE = _Tone(-1, False)


@dataclass(eq=False)
class _Situation:
    """Everything about one customer the decision reads, worked out once."""

    customer: Customer
    results: tuple[InvoiceResult, ...]
    entries: tuple[ContactEntry, ...]
    rules: _Rules
    settings: Settings
    as_of: dt.date
    currency: str
    logged: Sequence[int]  # the highest ladder step logged for each result (-1 for none)
    chased_at: list[int]  # where the chased results are among ``results``
    due: list[int]  # the due ladder step of each chased result
    promise: Optional[Promise]
    schedule: Schedule
    chased: tuple[InvoiceResult, ...]
    run: _Run
    owned: bool  # whether the results are the caller's to set steps on (see plan_customer)

    @property
    def policy(self) -> tuple[PolicyStep, ...]:
        return self.rules.policy

    @property
    def ladder(self) -> tuple[PolicyStep, ...]:
        return self.rules.ladder

    @property
    def gap(self) -> dt.timedelta:
        return days_delta(self.settings.min_days_between_contacts)


_NO_PLAN = Schedule()


def plan_customer(
    customer: Customer,
    results: Sequence[InvoiceResult],
    entries: Sequence[ContactEntry],
    instalments: Sequence[Instalment],
    policy: Sequence[PolicyStep],
    settings: Settings,
    as_of: dt.date,
    currency: str = "",
    *,
    owned: bool = False,
) -> CustomerPlan:
    """This run's single next step for one customer, with its invoices' stages and next steps.

    ``entries`` are the customer's Contact Log rows; rows dated after ``as_of``
    and collector's own rows dated ``as_of`` (an earlier run the same day) are
    left out, so re-running a day gives the same plan.

    The plan's invoices are copies of ``results`` with their steps set, unless ``owned``: the
    results were made for this plan alone, without steps, and nobody holds them yet (the engine's
    case), so their steps are set on them, sparing a book 40,000 copies.
    """
    run = _run_of(tuple(policy), settings, as_of)
    facts = _situation(customer, results, entries, instalments, run, currency, owned)
    candidates, tone = _keep_tone(_candidates(facts), facts)
    candidates, waiting_until = _hold_back(candidates, facts)
    chosen = _with_overdue(min(candidates, key=_precedence), facts) if candidates else None
    updated = _follow_ups(facts, chosen, waiting_until, tone)
    action = _action(facts, chosen, updated, tone) if chosen else None
    status, reason = credit_status(
        customer, facts.results, facts.entries, action, facts.promise, facts.policy, facts.currency
    )
    plan = object.__new__(CustomerPlan)  # the frozen dataclass __init__ costs more than the rest of a small plan
    plan.__dict__.update(
        action=action, invoices=updated, stage=_account_stage(facts, updated), promise=facts.promise,
        schedule=facts.schedule, credit_status=status, credit_reason=reason, waiting_until=waiting_until,
    )
    return plan


def _precedence(candidate: _Candidate) -> tuple[int, int]:
    return candidate.precedence, -candidate.rank


def _situation(
    customer: Customer, results: Sequence[InvoiceResult], entries: Sequence[ContactEntry],
    instalments: Sequence[Instalment], run: _Run, currency: str, owned: bool = False,
) -> _Situation:
    results, rules, as_of = tuple(results), run.rules, run.as_of
    if entries:
        entries = tuple(e for e in entries if e.date < as_of or (e.date == as_of and not is_own_entry(e)))
    else:
        entries = ()
    currency = currency or main_currency(results, run.settings.currency)
    promise_rule, plan_rule = rules.promise_rule, rules.plan_rule
    promise = find_promise(entries, results, as_of, promise_rule.days if promise_rule else 2) if entries else None
    if instalments:
        owed = open_totals(results).get(currency, ZERO)
        schedule = instalment_schedule(instalments, owed, as_of, plan_rule.days if plan_rule else 5)
    else:
        schedule = _NO_PLAN  # what instalment_schedule gives for no instalments
    chased_at = [i for i, r in enumerate(results) if r.chased]  # most invoices are paid: the rest skip them
    chased = tuple([results[i] for i in chased_at])
    return _Situation(
        customer, results, entries, rules, run.settings, as_of, currency,
        _logged_stages(results, entries, rules) if entries else (-1,) * len(results),
        chased_at, run.due_steps(chased), promise, schedule, chased, run, owned,
    )


def _logged_stages(
    results: Sequence[InvoiceResult], entries: Sequence[ContactEntry], rules: _Rules
) -> list[int]:
    """``logged_stage`` of every result, each entry's ladder index and invoices worked out once.

    An entry that lists invoices covers those numbers, so the best step logged for each listed
    number is gathered first and each result looks its own number up; the entries about the whole
    account are checked against each result as ``entry_covers`` checks them."""
    listed: dict[str, int] = {}  # number key -> highest ladder index logged for it by number
    whole: list[tuple[int, ContactEntry]] = []
    for entry in entries:
        index = rules.index(entry.step)
        if index < 0:
            continue  # names no ladder step: never raises a stage
        if entry.invoices:
            for number in entry.invoices:
                key = number_key(number)
                if listed.get(key, -1) < index:
                    listed[key] = index
        else:
            whole.append((index, entry))
    stages = []
    for result in results:
        best = listed.get(number_key(result.invoice.number), -1) if listed else -1
        for index, entry in whole:
            if index > best and entry_covers(entry, result):
                best = index
        stages.append(best)
    return stages


def is_own_entry(entry: ContactEntry) -> bool:
    """A Contact Log row collector wrote itself."""
    return _is_collector(entry.by)


@lru_cache(maxsize=1024)  # a Contact Log's By column holds a few names
def _is_collector(by: str) -> bool:
    return fold(by).strip() == COLLECTOR


def _candidates(facts: _Situation) -> list[_Candidate]:
    ladder = _ladder_candidates(facts)
    if not facts.entries and not facts.schedule.missed:
        return ladder  # no promise and no missed instalment: the ladder alone
    return [*_promise_candidates(facts), *_instalment_candidates(facts), *ladder]


def _promise_candidates(facts: _Situation) -> list[_Candidate]:
    rule, promise = facts.rules.promise_rule, facts.promise
    if rule is None or promise is None or not promise.broken:
        return []
    handled = any(
        step_key(e.step) == step_key(rule.name) and e.date >= promise.made_on for e in facts.entries
    )
    covered = tuple(r for r in facts.chased if r.invoice.number in promise.invoices)
    if handled or not covered:
        return []
    return [_Candidate(rule, covered, facts.rules.special_rank, 0)]


def _instalment_candidates(facts: _Situation) -> list[_Candidate]:
    rule = facts.rules.plan_rule
    if rule is None or not facts.chased:
        return []
    logged = [e.date for e in facts.entries if step_key(e.step) == step_key(rule.name)]
    unlogged = [day for day in facts.schedule.missed if not any(when >= day for when in logged)]
    if not unlogged:
        return []
    return [_Candidate(rule, facts.chased, facts.rules.special_rank, 1)]


def _ladder_candidates(facts: _Situation) -> list[_Candidate]:
    """One candidate per ladder step that is due and not yet done on some invoice."""
    if facts.schedule.on_schedule:
        return []  # a payment plan being kept pauses the ladder
    groups: dict[int, list[InvoiceResult]] = {}
    logged = facts.logged
    for i, result, due in zip(facts.chased_at, facts.chased, facts.due):
        if due > logged[i]:
            groups.setdefault(due, []).append(result)
    ladder = facts.rules.ladder
    return [_Candidate(ladder[i], tuple(rs), i, 2) for i, rs in sorted(groups.items())]


def _keep_tone(candidates: list[_Candidate], facts: _Situation) -> tuple[list[_Candidate], _Tone]:
    """The candidates a credit controller would send, given how firm the account already is.

    The ladder counts per invoice, but the customer hears one voice, and the tone climbs from
    polite to firm to final. So while an unpaid overdue invoice has had a ladder step:
    - no milder step after the due date goes on its own for a newer invoice: the newer invoice
      waits for the account's next step, which carries it (``_with_overdue``); at the top of the
      ladder, where no next step comes, it goes up to the top step itself;
    - once that step is second-notice or beyond (or a promise was broken), the reminders meant
      before the due date (receipt-check, courtesy-reminder) are left out: the statement lists
      those invoices, and their reminders are skipped, never sent late.
    All of it ends when everything overdue is paid. Broken promises and missed instalments are
    never held back.
    """
    tone = _tone_of(facts)
    if tone is _NO_TONE:
        return candidates, tone
    kept, held, dropped = [], [], []
    for candidate in candidates:
        if candidate.precedence != 2:
            kept.append(candidate)
        elif candidate.step.only_before_due:
            if tone.polite_off:
                dropped.extend(candidate.results)
            else:
                kept.append(candidate)
        elif candidate.rank < tone.rank:
            held.extend(candidate.results)
        else:
            kept.append(candidate)
    top = len(facts.rules.ladder) - 1
    if held and tone.rank == top and not any(c.precedence == 2 and c.rank == top for c in kept):
        held_ids = {id(r) for r in held}
        held = [r for r in facts.chased if id(r) in held_ids]  # in sheet order
        kept.append(_Candidate(facts.rules.ladder[top], tuple(held), top, 2, tuple(held)))
    if len(dropped) > 1:
        dropped_ids = {id(r) for r in dropped}
        dropped = [r for r in facts.chased if id(r) in dropped_ids]  # in sheet order
    return kept, tone._replace(dropped=tuple(dropped))


def _tone_of(facts: _Situation) -> _Tone:
    """The firmest step logged on the customer's unpaid overdue invoices, and whether polite
    reminders are left out."""
    if not facts.entries:
        return _NO_TONE
    logged = facts.logged
    rank = max([logged[i] for i, r in zip(facts.chased_at, facts.chased) if r.days_overdue > 0], default=-1)
    broken = facts.promise is not None and facts.promise.broken
    if rank < 0 and not broken:
        return _NO_TONE
    return _Tone(rank, broken or rank >= facts.rules.special_rank)


def _with_overdue(chosen: _Candidate, facts: _Situation) -> _Candidate:
    """The chosen ladder step with every other overdue invoice that has not had it yet.

    One document per customer per step lists what is overdue: an invoice that fell overdue
    later joins the account's step rather than getting a milder one of its own next week."""
    if chosen.precedence != 2 or chosen.step.only_before_due:
        return chosen
    ids = {id(r) for r in chosen.results}
    logged, rank = facts.logged, chosen.rank
    carried = [r for i, r in zip(facts.chased_at, facts.chased)
               if id(r) not in ids and r.days_overdue > 0 and logged[i] < rank]
    if not carried:
        return chosen
    carried_ids = ids | {id(r) for r in carried}
    results = tuple(r for r in facts.chased if id(r) in carried_ids)
    return chosen._replace(results=results, carried=chosen.carried + tuple(carried))


def _hold_back(
    candidates: list[_Candidate], facts: _Situation
) -> tuple[list[_Candidate], Optional[dt.date]]:
    """Drop customer-facing steps while a promise is pending or the last contact is too recent."""
    if facts.promise is not None and not facts.promise.broken:
        candidates = [c for c in candidates if not is_customer_facing(c.step)]
    last = _last_contact(facts.entries, facts.rules) if facts.entries else None
    if last is None or last + facts.gap <= facts.as_of:
        return candidates, None
    kept = [c for c in candidates if not is_customer_facing(c.step)]
    return kept, (last + facts.gap if len(kept) < len(candidates) else None)


def last_contact(entries: Iterable[ContactEntry], policy: Sequence[PolicyStep]) -> Optional[dt.date]:
    """The last day the customer was contacted (email, letter, call, visit or message)."""
    return _last_contact(entries, _rules_of(tuple(policy)))


def _last_contact(entries: Iterable[ContactEntry], rules: _Rules) -> Optional[dt.date]:
    facing = rules.facing_keys
    days = [
        e.date for e in entries
        if channel_kind(e.channel) in CONTACT_CHANNELS
        or (not e.channel.strip() and step_key(e.step) in facing)
    ]
    return max(days, default=None)


# ---- stages and next steps -----------------------------------------------

def _follow_ups(
    facts: _Situation, chosen: Optional[_Candidate], waiting_until: Optional[dt.date], tone: _Tone
) -> tuple[InvoiceResult, ...]:
    done_now = {id(r) for r in chosen.results} if chosen and chosen.precedence == 2 else ()
    rank = chosen.rank if done_now else -1
    firmest = rank if rank > tone.rank and not chosen.step.only_before_due else tone.rank  # once this week's is done
    polite = not (tone.polite_off or firmest >= facts.rules.special_rank)
    floors = _floors(facts, chosen, waiting_until)
    ladder, logged, next_step = facts.rules.ladder, facts.logged, facts.run.next_step
    stepped = InvoiceResult.set_steps if facts.owned else InvoiceResult.with_steps
    updated = list(facts.results)
    steps = []
    for i, r, due in zip(facts.chased_at, facts.chased, facts.due):
        done = logged[i]
        stage = rank if rank > done and id(r) in done_now else done  # max(done, rank) for the step's invoices
        steps.append(next_step(r, stage, due, floors, polite))
    if firmest >= 0:
        steps = _with_the_account(facts, steps, firmest)
    for i, r, step in zip(facts.chased_at, facts.chased, steps):
        updated[i] = stepped(r, *step)
    if facts.entries or not facts.owned:  # else the others are new results without steps, and stay so
        chased_at = set(facts.chased_at)
        for i, r in enumerate(facts.results):
            done = logged[i]
            if i in chased_at or done < 0 and not (r.stage or r.next_step or r.next_action_date):
                continue  # (what with_steps("", "", None) gives it, without the call: most are paid)
            updated[i] = stepped(r, ladder[done].name if done >= 0 else "", "", None)
    return tuple(updated)


def _with_the_account(
    facts: _Situation, steps: list[tuple[str, str, Optional[dt.date]]], firmest: int
) -> list[tuple[str, str, Optional[dt.date]]]:
    """The chased invoices' (stage, next step, date), every invoice not beyond the account's
    ``firmest`` step going with the account (``_keep_tone``, ``_with_overdue``): its next step is
    the one the firmest invoices take next, on the first day it comes while the invoice is
    overdue; at the top of the ladder, where none comes, the top step on the day the invoice's
    own next step would have come."""
    rules = facts.rules
    index, ladder = rules.index, rules.ladder
    ahead = [(when, name) for (stage, name, when) in steps if name and when and index(stage) == firmest]
    top = firmest == len(ladder) - 1
    if not ahead and not top:
        return steps
    account_day, account_step = min(ahead) if ahead else (None, ladder[firmest].name)
    kept = []
    for r, (stage, name, when) in zip(facts.chased, steps):
        if not name or ladder[index(name)].only_before_due or index(stage) > firmest or (top and index(stage) == top):
            kept.append((stage, name, when))
        elif account_day is None:
            kept.append((stage, account_step, when))
        else:
            overdue = r.due_date + _ONE_DAY if r.due_date else account_day
            kept.append((stage, account_step, account_day if account_day >= overdue else overdue))
    return kept


def _floors(
    facts: _Situation, chosen: Optional[_Candidate], waiting_until: Optional[dt.date]
) -> tuple[dt.date, dt.date]:
    """The earliest day any next step, and any customer-facing next step, can happen.

    A customer gets one step a run: with a step chosen, nothing else happens before tomorrow."""
    any_step = facts.as_of if chosen is None else facts.as_of + _ONE_DAY
    if facts.schedule.on_schedule and facts.schedule.uncovered:
        rule = facts.rules.plan_rule
        resume = facts.schedule.uncovered[0][0] + dt.timedelta(days=rule.days if rule else 5)
        any_step = max(any_step, resume)
    contact = any_step
    if chosen is not None and is_customer_facing(chosen.step):
        contact = max(contact, facts.as_of + facts.gap)
    if waiting_until is not None:
        contact = max(contact, waiting_until)
    if facts.promise is not None and not facts.promise.broken:
        rule = facts.rules.promise_rule
        contact = max(contact, facts.promise.date + dt.timedelta(days=rule.days if rule else 2))
    return any_step, contact


_ONE_DAY = dt.timedelta(days=1)


def _next_step(
    rules: _Rules, issued: Optional[dt.date], due_date: Optional[dt.date], stage: int, due: int,
    floors: tuple[dt.date, dt.date], polite: bool = True,
) -> tuple[str, str, Optional[dt.date]]:
    """A chased invoice's stage, next step and its date: the due step if not done, else the next one.

    Without ``polite``, the steps meant before the due date are passed over.
    Reads nothing of the invoice but its invoice and due dates."""
    ladder = rules.ladder
    reached = ladder[stage].name if stage >= 0 else ""
    any_floor, contact_floor = floors
    for index in range((stage if stage >= due - 1 else due - 1) + 1, len(ladder)):
        step, offset = ladder[index], rules.offsets[index]
        if step.only_before_due and not polite:
            continue
        start = issued if step.start == INVOICE_DATE else due_date
        if not start:
            continue
        day = start + (offset if offset is not None else dt.timedelta(days=step.days))  # (raises as step_date does)
        floor = contact_floor if rules.facing[index] else any_floor
        when = day if day >= floor else floor  # max(day, floor), without the call
        if step.only_before_due and (due_date is None or when > due_date):
            continue
        return reached, step.name, when
    return reached, "", None


def _account_stage(facts: _Situation, updated: Sequence[InvoiceResult]) -> str:
    """The highest step reached on any open invoice; a broken promise or missed instalment counts."""
    rules = facts.rules
    staged = updated if facts.entries or not facts.owned else facts.chased  # (only they have steps then)
    reached = [(rules.index(r.stage), 0, r.stage) for r in staged if r.stage and r.state in OPEN_STATES]
    rank = rules.special_rank
    if facts.promise is not None and facts.promise.broken:
        reached.append((rank, 2, rules.promise_rule.name if rules.promise_rule else "broken-promise"))
    if facts.schedule.missed:
        reached.append((rank, 1, rules.plan_rule.name if rules.plan_rule else "instalment-missed"))
    return max(reached, default=(-1, 0, ""))[2]


# ---- the action ----------------------------------------------------------

def _action(facts: _Situation, chosen: _Candidate, updated: Sequence[InvoiceResult], tone: _Tone = _NO_TONE) -> Action:
    step = chosen.step
    ids = {id(r) for r in chosen.results}
    numbers = [r.invoice.number for r in chosen.results]
    amount, interest = _asking(facts, chosen, ids)
    following_step, following_date = _following(facts, ids, updated)
    final = _is_final_demand(step)
    oldest = max([r.days_overdue for r in facts.chased], default=0)
    return Action.of(
        customer=facts.customer,
        step=step.name,
        channel=step.channel,
        to=step.to,
        template=step.template or step.name,
        invoices=tuple(numbers),
        open_invoices=tuple([r.invoice.number for r in facts.results if r.state in OPEN_STATES]),
        amount=amount,
        interest=interest,
        minimum_amount=_catch_up(facts) if final else {},
        pay_by=_pay_by(facts, chosen, final),
        following_step=following_step,
        following_date=following_date,
        reason=_reason(facts, chosen, numbers) + _tone_reason(facts, chosen, tone),
        urgency=chosen.rank * 1000 + oldest,
    )


def _asking(
    facts: _Situation, chosen: _Candidate, ids: set[int]
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """What to ask for, by currency: the step's invoices plus everything overdue beside them.

    A missed instalment asks for the instalments owed so far, not the whole balance.
    ``ids`` are the ids of the chosen step's results.
    """
    if chosen.precedence == 1:
        return {facts.currency: facts.schedule.due}, {}
    currencies = {r.currency for r in chosen.results}
    asked = [r for r in facts.chased if r.currency in currencies and (r.days_overdue > 0 or id(r) in ids)]
    if len(currencies) == 1:  # the usual case: both sums in the one currency, without grouping
        currency = asked[0].currency  # (asked holds the chosen results, all of this currency)
        return ({currency: sum_cents([r.open_balance + r.interest for r in asked])},
                {currency: sum_cents([r.interest for r in asked])})
    return _sum_by_currency(asked, with_interest=True), _interest_by_currency(asked)


def _catch_up(facts: _Situation) -> dict[str, Decimal]:
    """All overdue balances plus interest, by currency: the final demand's minimum."""
    return _sum_by_currency([r for r in facts.chased if r.days_overdue > 0], with_interest=True)


def _sum_by_currency(results: Sequence[InvoiceResult], with_interest: bool) -> dict[str, Decimal]:
    if with_interest:
        return _by_currency(results, [r.open_balance + r.interest for r in results])
    return _by_currency(results, [r.open_balance for r in results])


def _interest_by_currency(results: Sequence[InvoiceResult]) -> dict[str, Decimal]:
    return _by_currency(results, [r.interest for r in results])


def _by_currency(results: Sequence[InvoiceResult], amounts: Sequence[Decimal]) -> dict[str, Decimal]:
    """The amounts (one per result) summed by the results' currencies, in currency order."""
    currency = results[0].currency if results else ""
    if all(r.currency == currency for r in results):  # the usual case: one currency
        return {currency: sum_cents(amounts)} if results else {}
    grouped: dict[str, list[Decimal]] = {}
    for r, amount in zip(results, amounts):
        grouped.setdefault(r.currency, []).append(amount)
    return {c: sum_cents(grouped[c]) for c in sorted(grouped)}


def _is_final_demand(step: PolicyStep) -> bool:
    return FINAL_DEMAND in (step_key(step.name), step_key(step.template))


def _is_referral(step: PolicyStep) -> bool:
    return COLLECTIONS_REFERRAL in (step_key(step.name), step_key(step.template))


def _pay_by(facts: _Situation, chosen: _Candidate, final: bool) -> Optional[dt.date]:
    """The day to pay by; ``final`` tells whether the step is a final demand."""
    step = chosen.step
    if not is_customer_facing(step):
        return None
    if step.only_before_due:
        dues = [r.due_date for r in chosen.results if r.due_date]
        return min(dues) if dues else None
    days = _FINAL_DEMAND_PAY_DAYS if final else _PAY_DAYS
    return facts.as_of + dt.timedelta(days=days)


def _following(
    facts: _Situation, ids: set[int], updated: Sequence[InvoiceResult]
) -> tuple[str, Optional[dt.date]]:
    """The next ladder step for the step's invoices (of these ``ids``) and when, never before the minimum gap."""
    index = facts.rules.index
    steps = [updated[i] for i, r in zip(facts.chased_at, facts.chased) if id(r) in ids]  # (the step's are chased)
    nexts = [(u.next_action_date, index(u.next_step), u.next_step) for u in steps if u.next_step and u.next_action_date]
    if not nexts:
        return "", None
    when, _, name = min(nexts)
    return name, max(when, facts.as_of + facts.gap)


def _reason(facts: _Situation, chosen: _Candidate, numbers: Sequence[str]) -> str:
    """One plain sentence: why this step now (``numbers`` are the step's invoices)."""
    if chosen.precedence == 0 and facts.promise is not None:
        verb = "is" if len(numbers) == 1 else "are"
        return (f"The promise to pay by {facts.promise.date.isoformat()} was not kept and "
                f"{_invoice_phrase(numbers, lower=True)} {verb} still unpaid.")
    if chosen.precedence == 1:
        day = max(facts.schedule.missed)
        return f"The payment plan instalment due on {day.isoformat()} has not been paid."
    history = _history(facts, chosen)
    days = max([r.days_overdue for r in chosen.results])
    if days == 0:
        due = min([r.due_date for r in chosen.results if r.due_date], default=None)
        verb = "falls" if len(numbers) == 1 else "fall"
        return f"{_invoice_phrase(numbers)} {verb} due on {due.isoformat() if due else 'its due date'}; {history}."
    verb = "is" if len(numbers) == 1 else "are up to"
    return f"{_invoice_phrase(numbers)} {verb} {days} day{'s' if days != 1 else ''} overdue; {history}."


def _history(facts: _Situation, chosen: _Candidate) -> str:
    """What happened last on these invoices: a policy step, else a contact, else nothing."""
    if not facts.entries:
        return _NO_HISTORY
    steps = facts.rules.names
    done = [
        e for e in facts.entries
        if (step_key(e.step) in steps or channel_kind(e.channel) in CONTACT_CHANNELS)
        and any(entry_covers(e, r) for r in chosen.results)
    ]
    if not done:
        return _NO_HISTORY
    last = max(done, key=lambda e: (e.date, e.row))
    if step_key(last.step) in steps:
        return f"the last step was {steps[step_key(last.step)]} on {last.date.isoformat()}"
    return f"the last contact was {_CONTACT_WORDS[channel_kind(last.channel)]} on {last.date.isoformat()}"


def _tone_reason(facts: _Situation, chosen: _Candidate, tone: _Tone) -> str:
    """What the account's tone changed this week, in a sentence or two after the reason ("" if nothing)."""
    said = ""
    if chosen.carried:
        numbers = [r.invoice.number for r in chosen.carried]
        joins, own = ("joins", "its") if len(numbers) == 1 else ("join", "their")
        said += (f" {_invoice_phrase(numbers)} {joins} this step rather than a milder one of {own} own:"
                 " the account is chased as a whole.")
    if tone.dropped:
        numbers = [r.invoice.number for r in tone.dropped]
        rules = facts.rules
        since = (f"invoices at {rules.ladder[tone.rank].name} or beyond are unpaid" if tone.rank >= rules.special_rank
                 else "a promise to pay was broken")
        said += (f" No polite reminder for {_invoice_phrase(numbers, lower=True)}, not yet due, while {since};"
                 f" the statement lists {'it' if len(numbers) == 1 else 'them'}.")
    return said


_NO_HISTORY = "no reminder has been sent yet"
_CONTACT_WORDS = {"email": "an email", "letter": "a letter", "call": "a call", "visit": "a visit",
                  "message": "a message"}


def _invoice_phrase(numbers: Sequence[str], lower: bool = False) -> str:
    word = "invoice" if lower else "Invoice"
    if len(numbers) == 1:
        return f"{word} {numbers[0]}"
    listed = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    return f"{word}s {listed}"


# ---- credit status -------------------------------------------------------

def _last_logged(
    results: Sequence[InvoiceResult], entries: Sequence[ContactEntry], keys: frozenset[str]
) -> Optional[dt.date]:
    """The last day one of these steps was logged on an invoice still unpaid, else None."""
    if not entries or not keys:
        return None
    chased = [r for r in results if r.chased]
    sent = [e.date for e in entries if step_key(e.step) in keys and any(entry_covers(e, r) for r in chased)]
    return max(sent, default=None)


_TYPED_CASH_ONLY = frozenset(_words(text) for text in (
    "cash only|cash|cod|on hold|hold|stop|stopped|credit stop|stop credit|blocked|suspended"
    "|no credit|comptant|paiement comptant|bloque|suspendu|numerar|doar numerar|blocat"
    "|suspendat|μετρητοις|μονο μετρητα|tunai|hanya tunai|diblokir|cash lang|contado"
    "|solo contado|bloqueado|suspendido"
).split("|"))


def credit_status(
    customer: Customer,
    results: Sequence[InvoiceResult],
    entries: Sequence[ContactEntry],
    action: Optional[Action],
    promise: Optional[Promise],
    policy: Sequence[PolicyStep],
    currency: str,
) -> tuple[str, str]:
    """Cash only after a final demand or a referral for collection, a broken promise, or over the
    credit limit; else OK.

    A customer the owner marked cash only (or on hold) on the Customers sheet stays so.
    """
    rules = _rules_of(tuple(policy))
    for keys, names, sent_on, goes_now in (
        (rules.referral_keys, rules.referral_names, "The account was referred for collection on {}.",
         "The account is referred for collection with this run."),
        (rules.final_keys, rules.final_names, "A final demand was sent on {}.",
         "A final demand goes out with this run."),
    ):
        sent = _last_logged(results, entries, keys)
        if sent is not None:
            return CASH_ONLY, sent_on.format(sent.isoformat())
        if action is not None and action.step in names:
            return CASH_ONLY, goes_now
    if promise is not None and promise.broken:
        return CASH_ONLY, f"The promise to pay by {promise.date.isoformat()} was not kept."
    if customer.credit_limit is not None:
        owed = open_totals(results).get(currency, ZERO)
        if owed > customer.credit_limit:
            money = f"{owed:,.2f} {currency}".strip()
            return CASH_ONLY, f"The open balance of {money} is over the credit limit of {customer.credit_limit:,.2f}."
    if customer.credit_status and _words(customer.credit_status) in _TYPED_CASH_ONLY:
        return CASH_ONLY, "Set by you on the Customers sheet."
    return GOOD_STANDING, ""
