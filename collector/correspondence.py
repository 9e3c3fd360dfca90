"""What this week's actions say: the values every template shows, in the reader's language.

For each action the documents (letter, email, call script, statement, referral
pack, internal email) are filled from one context built here: the customer, the
open invoices, the amounts and dates already formatted for the reader's locale,
and the step's own texts (subject, body, script...) rendered from the step's
template in the reader's language. Customer-facing texts use the customer's
language; internal emails and the referral pack use the owner's.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Callable, Mapping, Optional, Sequence

from jinja2.runtime import Macro

from collector.address import home_country, recipient
from collector.aging import BucketScheme, aged_balances
from collector.assessment import CASH_ONLY, CREDIT, DISPUTED, ON_HOLD, Account, Action, Assessment, InvoiceResult
from collector.locale_text import Formats, country_of, formats_for, paper_size, percent
from collector.model import Book, ContactEntry, Customer, Settings
from collector.paper import Paper, address_font_size, paper_named
from collector.account import entry_covers
from collector.policy import DEFAULT_POLICY, FINAL_DEMAND, channel_kind, is_customer_facing, is_own_entry, step_key
from collector.render import Templates

# The blocks a step template may define.
SUBJECT, BODY, AMOUNT_LABEL, SCRIPT, SHORT = "subject", "body", "amount_label", "script", "short"
INTERNAL_SUBJECT, INTERNAL_BODY, REFERRAL = "internal_subject", "internal_body", "referral"
GENERIC = "generic"
WORDS = "words.txt"


@dataclass(frozen=True)
class Voice:
    """Whose language a document speaks: formats plus the template words of that language."""

    formats: Formats
    words: Any  # <language>/words.txt: its labels, phrases and macros (see plain_words)

    @property
    def language(self) -> str:
        return self.formats.language


@dataclass
class Composer:
    """Builds template contexts for one run: one book, one assessment, one template set."""

    book: Book
    assessment: Assessment
    templates: Templates
    language: Optional[str] = None  # --lang: every reader gets this language
    _results: dict[str, list[InvoiceResult]] = field(default_factory=dict, init=False)
    _accounts: dict[str, Account] = field(default_factory=dict, init=False)
    _word_modules: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for result in self.assessment.invoices:
            self._results.setdefault(result.invoice.customer_key, []).append(result)
        self._accounts = {account.customer.key: account for account in self.assessment.accounts}
        settings = self.book.settings
        self.owner_country = home_country(settings)
        self.owner = self.voice(self.language or settings.language, self.owner_country)
        self.paper: Paper = paper_named(paper_size(settings.paper_size, self.owner_country))

    # ---- readers ---------------------------------------------------------

    def voice(self, code: str, country: str = "") -> Voice:
        formats = formats_for(code, country)
        return Voice(formats, self._words(formats.language))

    def customer_voice(self, customer: Customer) -> Voice:
        code = self.language or customer.language or self.book.settings.language
        return self.voice(code, country_of(customer.address) or self.owner_country)

    def _words(self, language: str) -> Any:
        if language not in self._word_modules:
            name = f"{language}/{WORDS}"
            self._word_modules[language] = plain_words(self.templates.module(name),
                                                       self.templates.builtin_module(name))
        return self._word_modules[language]

    def account(self, customer: Customer) -> Optional[Account]:
        return self._accounts.get(customer.key)

    def results(self, customer: Customer) -> list[InvoiceResult]:
        return self._results.get(customer.key, [])

    # ---- step templates --------------------------------------------------

    def step_template(self, action: Action, language: str) -> str:
        """The step's text file in ``language``: the Policy's template, the step's name, else generic."""
        for name in (action.template, action.step):
            key = step_key(name or "")
            if key and self.templates.exists(f"{language}/{key}.txt"):
                return f"{language}/{key}.txt"
        return f"{language}/{GENERIC}.txt"

    def has_block(self, action: Action, voice: Voice, block: str) -> bool:
        return self.templates.has_block(self.step_template(action, voice.language), block)

    def step_texts(self, action: Action, voice: Voice, context: Mapping[str, Any],
                   blocks: Sequence[str]) -> dict[str, str]:
        name = self.step_template(action, voice.language)
        texts = {}
        for block in blocks:
            text = self.templates.render_block(name, block, context)
            texts[block] = text if text is not None else ""
        return texts

    # ---- contexts --------------------------------------------------------

    def context(self, action: Action, voice: Voice, medium: str) -> dict[str, Any]:
        """Everything a customer-facing template of ``action`` shows, formatted for ``voice``."""
        f = voice.formats
        customer = action.customer
        account = self.account(customer)
        rows = self._rows(customer, action.open_invoices, f)
        chased = [r for r in self.results(customer) if r.invoice.number in action.invoices]
        settings = self.book.settings
        due_dates = [r.due_date for r in chased if r.due_date]
        promise = account.promise if account else None
        call = self._latest_call(customer)
        reminders = self._reminders(customer, chased)
        final_demands = [e for e in reminders if step_key(e.step) == FINAL_DEMAND]
        named_amount = _sum_by_currency(chased, with_interest=True)
        same_due = len(set(due_dates)) <= 1
        return {
            **self.common(voice),
            "medium": medium,
            "step": action.step,
            "customer": self._customer(customer),
            "address_lines": self.address_lines(customer),
            "address_size": self.address_size(customer),
            "invoices": rows,
            "totals": invoice_totals(rows, f),
            "has_interest": any(r["interest"] for r in rows),
            "chased": f.join(list(action.invoices)),
            "chased_short": f.join(_few(list(action.invoices), voice.words)),
            "chased_count": len(action.invoices),
            "chased_amount": f.amounts(_sum_by_currency(chased)),
            "has_disputed": any(row["disputed"] for row in rows),
            "amount": f.amounts(dict(action.amount)),
            "interest": f.amounts({c: a for c, a in action.interest.items() if a}),
            "minimum_amount": f.amounts(dict(action.minimum_amount)) or f.amounts(dict(action.amount)),
            "pay_by": f.date(action.pay_by),
            "due_date": f.date(min(due_dates)) if due_dates else "",
            "last_due_date": f.date(max(due_dates)) if due_dates else "",
            "same_due": same_due,
            "amount_due_date": f.date(min(due_dates)) if due_dates and same_due and named_amount == dict(action.amount) else "",
            "asked_more": bool(chased) and named_amount != dict(action.amount),
            "days_overdue": max((r.days_overdue for r in chased), default=0),
            "oldest_days_overdue": account.oldest_days_overdue if account else max(
                (r.days_overdue for r in chased), default=0),  # the whole account's, for a referral that claims it all
            "overdue": f.amounts(dict(account.overdue_total)) if account else "",
            "open_total": f.amounts(dict(account.open_total)) if account else "",
            "following_step": action.following_step,
            "following_date": f.date(action.following_date),
            "discounts": self._discounts(customer, f),
            "promise": _promise(promise, f, self._currency(customer)),
            "call": call and _call(call, f, self._currency(customer)),
            "reminders": len(reminders) - len(final_demands),
            "reminded_on": f.date(max(e.date for e in reminders)) if reminders else "",
            "final_demand_on": f.date(max(e.date for e in final_demands)) if final_demands else "",
            "instalments_missed": f.join([f.date(d) for d in account.instalments_missed]) if account else "",
            "cash_only": bool(account and account.credit_status == CASH_ONLY),
            "terms": customer.terms or settings.default_terms,
            "late_interest": percent(settings.late_interest, f) if settings.late_interest > 0 else "",
            "grace_days": settings.grace_days,
            "reason": action.reason,
            "history": self.history(customer, f),
        }

    def common(self, voice: Voice) -> dict[str, Any]:
        settings = self.book.settings
        return {
            "language": voice.language,
            "country": voice.formats.country,
            "w": voice.words,
            "date": voice.formats.date(self.assessment.as_of),
            "as_of": self.assessment.as_of.isoformat(),
            "company": _company(settings),
            "signer": signer(settings),
            "paper": self.paper,
        }

    def address_lines(self, customer: Customer) -> list[str]:
        """The customer's postal address for the window; the country dropped for domestic mail."""
        lines = [line.strip() for line in customer.address if line and line.strip()]
        if lines and self.owner_country and country_of(lines[-1:]) == self.owner_country:
            lines = lines[:-1]
        return lines

    def address_size(self, customer: Customer) -> float:
        addressee, person = recipient(customer.name, customer.company, customer.contact_name)
        lines = [addressee] + ([f"Attn. {person}"] if person else [])
        return address_font_size(lines + self.address_lines(customer), self.paper)

    def statement_rows(self, customer: Customer, f: Formats) -> list[dict[str, Any]]:
        numbers = [r.invoice.number for r in self.results(customer) if r.is_open]
        return self._rows(customer, numbers, f)

    def aging(self, customer: Customer, f: Formats, current_label: str) -> list[dict[str, Any]]:
        """Per currency, the open balance in each aging bucket, the open credits (never aged) and the
        total they make, as on the Aging tab."""
        scheme = BucketScheme(tuple(self.book.settings.aging_buckets))
        lines = aged_balances(self.results(customer))
        return [
            {"currency": currency, "buckets": [
                {"label": current_label if i == 0 else label, "amount": f.money(line.buckets.get(label, Decimal(0)), currency)}
                for i, label in enumerate(scheme.labels)
            ], "credits": f.money(line.credits, currency) if line.credits else "", "total": f.money(line.total, currency)}
            for (_, currency), line in sorted(lines.items(), key=lambda item: item[0][1])
        ]

    def history(self, customer: Customer, f: Formats) -> list[dict[str, Any]]:
        """The customer's whole Contact Log, oldest first."""
        entries = sorted((e for e in self.book.contact_log if e.customer_key == customer.key),
                         key=lambda e: (e.date, e.row))
        return [
            {"date": f.short_date(e.date), "channel": channel_kind(e.channel) or e.channel, "step": e.step,
             "invoices": f.join(list(e.invoices)), "note": e.note,
             "promised_date": f.short_date(e.promised_date),
             "promised_amount": f.money(e.promised_amount, self._currency(customer)) if e.promised_amount else "",
             "by": e.by}
            for e in entries
        ]

    # ---- pieces ------------------------------------------------------------

    def _rows(self, customer: Customer, numbers: Sequence[str], f: Formats) -> list[dict[str, Any]]:
        wanted = set(numbers)
        results = [r for r in self.results(customer) if r.invoice.number in wanted and r.is_open]
        results.sort(key=lambda r: (r.due_date or dt.date.max, r.invoice.number))
        return [_row(r, f) for r in results]

    def _discounts(self, customer: Customer, f: Formats) -> list[dict[str, str]]:
        as_of = self.assessment.as_of
        return [
            {"invoice": r.invoice.number, "deadline": f.date(r.discount_deadline),
             "amount": f.money(r.discount_amount, r.currency),
             "pay": f.money(r.open_balance - (r.discount_amount or 0), r.currency)}
            for r in self.results(customer)
            if r.chased and r.discount_deadline and r.discount_amount and r.discount_deadline >= as_of
        ]

    def _latest_call(self, customer: Customer) -> Optional[ContactEntry]:
        """The last call the owner logged (collector's own rows only plan a call, they record nothing)."""
        calls = [
            e for e in self.book.contact_log
            if e.customer_key == customer.key and e.date <= self.assessment.as_of
            and channel_kind(e.channel) in ("call", "visit")
            and (not is_own_entry(e) or e.promised_date or e.promised_amount)
        ]
        return max(calls, key=lambda e: (e.date, e.row), default=None)

    def _reminders(self, customer: Customer, chased: Sequence[InvoiceResult]) -> list[ContactEntry]:
        """The letters and emails logged to the customer about these invoices before this run.

        An internal step (a manager's escalation) is no reminder, whatever channel it was logged with;
        this run's own rows, when the same date is run again, are not earlier ones."""
        as_of = self.assessment.as_of
        internal = {step_key(s.name) for s in (self.book.policy or DEFAULT_POLICY) if not is_customer_facing(s)}
        return [
            e for e in self.book.contact_log
            if e.customer_key == customer.key and (e.date < as_of or e.date == as_of and not is_own_entry(e))
            and step_key(e.step) not in internal and self._written(e) and any(entry_covers(e, r) for r in chased)
        ]

    def _written(self, entry: ContactEntry) -> bool:
        """Whether the entry is a letter or email: collector logs a call step that also sends a written
        notice (a second notice) as the call, so its step's text tells."""
        kind = channel_kind(entry.channel)
        if kind in ("email", "letter", "message"):
            return True
        name = f"{self.owner.language}/{step_key(entry.step)}.txt"
        return (kind == "call" and is_own_entry(entry) and self.templates.exists(name)
                and self.templates.has_block(name, BODY))

    def _currency(self, customer: Customer) -> str:
        currencies = [r.currency for r in self.results(customer) if r.is_open]
        return currencies[0] if currencies else self.book.settings.currency

    def _customer(self, customer: Customer) -> dict[str, Any]:
        addressee, person = recipient(customer.name, customer.company, customer.contact_name)
        return {
            "key": customer.key, "name": customer.name, "code": customer.code, "company": customer.company,
            "addressee": addressee,  # the window's first line: the company when there is one
            "contact": person, "email": customer.email, "phone": customer.phone,
            "address": list(customer.address), "sales_rep": customer.sales_rep,
            "sales_rep_email": customer.sales_rep_email, "account_manager": customer.account_manager,
            "account_manager_email": customer.account_manager_email,
            "credit_limit": customer.credit_limit,
        }


def plain_words(module: Any, builtin: Any = None) -> SimpleNamespace:
    """A language's words with its macros returning plain text.

    Jinja marks a macro's output safe when an HTML template calls it, even though
    the words file is plain text and never escaped the customer's name it was
    given; called through a plain function, the output stays plain text and the
    HTML template escapes it like any other value. A word the owner's own words
    file lacks (one added to collector after they copied it) comes from ``builtin``.
    """
    words = {}
    for source in (builtin, module):
        for name, value in vars(source or SimpleNamespace()).items():
            if not name.startswith("_"):
                words[name] = _plain_macro(value) if isinstance(value, Macro) else value
    return SimpleNamespace(**words)


def _plain_macro(macro: Macro) -> Callable[..., str]:
    def call(*args: Any, **kwargs: Any) -> str:
        return str(macro(*args, **kwargs))

    call.__name__ = macro.name
    return call


def _few(numbers: list[str], words: Any, most: int = 3) -> list[str]:
    """At most ``most`` invoice numbers for a subject line: "INV-1, INV-2 and 6 more"."""
    more = getattr(words, "more", None)
    if len(numbers) <= most or more is None:
        return numbers
    return numbers[: most - 1] + [more(len(numbers) - most + 1)]


def _sum_by_currency(results: Sequence[InvoiceResult], with_interest: bool = False) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for result in results:
        owed = result.open_balance + result.interest if with_interest else result.open_balance
        sums[result.currency] = sums.get(result.currency, Decimal(0)) + owed
    return sums


def signer(settings: Settings) -> str:
    """The name of who signs: the Signature's first line up to a comma ("Jane Porter, Accounts")."""
    return (settings.signature or "").split(",")[0].split("\n")[0].strip()


def _company(settings: Settings) -> dict[str, Any]:
    lines = [line.strip() for line in settings.address if line and line.strip()]
    return {
        "name": settings.company_name,
        "address": lines,
        "address_line": ", ".join(lines),
        "phone": settings.phone,
        "email": settings.email,
        "signature": settings.signature,
        "signature_lines": [line for line in re.split(r"\s*\n\s*", settings.signature or "") if line],
        "payment_instructions": [line.strip() for line in (settings.payment_instructions or "").splitlines()
                                 if line.strip()],
    }


def _row(result: InvoiceResult, f: Formats) -> dict[str, Any]:
    invoice = result.invoice
    return {
        "number": invoice.number,
        "date": f.short_date(invoice.invoice_date),
        "due_date": "" if result.state == CREDIT else f.short_date(result.due_date),
        "days_overdue": result.days_overdue if result.days_overdue > 0 and result.state != CREDIT else "",
        "balance": f.money(result.open_balance, result.currency),
        "interest": f.money(result.interest, result.currency) if result.interest else "",
        "currency": result.currency,
        "credit": result.state == CREDIT,
        "disputed": result.state == DISPUTED,
        "on_hold": result.state == ON_HOLD,
        "overdue": result.days_overdue > 0 and result.chased,
        "_balance": result.open_balance,
        "_interest": result.interest,
    }


def invoice_totals(rows: Sequence[Mapping[str, Any]], f: Formats) -> list[dict[str, str]]:
    """Balance, interest and their sum per currency of the listed invoice rows."""
    sums: dict[str, list[Decimal]] = {}
    for row in rows:
        balance, interest = sums.setdefault(row["currency"], [Decimal(0), Decimal(0)])
        sums[row["currency"]] = [balance + row["_balance"], interest + row["_interest"]]
    return [
        {"currency": currency, "balance": f.money(balance, currency), "interest": f.money(interest, currency),
         "total": f.money(balance + interest, currency)}
        for currency, (balance, interest) in sorted(sums.items())
    ]


def _promise(promise, f: Formats, currency: str) -> Optional[dict[str, str]]:
    if promise is None:
        return None
    return {"made_on": f.date(promise.made_on), "date": f.date(promise.date),
            "amount": f.money(promise.amount, currency) if promise.amount is not None else "",
            "invoices": f.join(list(promise.invoices)), "broken": promise.broken}


def _call(entry: ContactEntry, f: Formats, currency: str) -> dict[str, str]:
    return {"date": f.date(entry.date), "note": entry.note.strip(),
            "promised_date": f.date(entry.promised_date),
            "promised_amount": f.money(entry.promised_amount, currency) if entry.promised_amount is not None else ""}


def paragraphs(text: str) -> list[dict[str, Any]]:
    """Plain text as paragraphs (split at blank lines) and bullet lists (lines starting "- ").

    Lines of one paragraph are joined with spaces; list items that follow each other
    form one list even with blank lines between them.
    """
    blocks: list[dict[str, Any]] = []
    for chunk in re.split(r"\n\s*\n", (text or "").strip()):
        words: list[str] = []
        for line in (line.strip() for line in chunk.splitlines()):
            if not line:
                continue
            if line.startswith(("- ", "• ")):
                _flush(blocks, words)
                if blocks and blocks[-1]["list"] and not words:
                    blocks[-1]["items"].append(line[2:].strip())
                else:
                    blocks.append({"list": True, "items": [line[2:].strip()], "text": ""})
            else:
                words.append(line)
        _flush(blocks, words)
    return blocks


def _flush(blocks: list[dict[str, Any]], words: list[str]) -> None:
    if words:
        blocks.append({"list": False, "items": [], "text": " ".join(words)})
        words.clear()


def plain(blocks: Sequence[Mapping[str, Any]]) -> str:
    """Paragraphs back to plain text, for the text part of an email."""
    out = []
    for block in blocks:
        out.append("\n".join(f"- {item}" for item in block["items"]) if block["list"] else block["text"])
    return "\n\n".join(out)

