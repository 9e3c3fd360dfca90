"""This week's paperwork: letters to print, email drafts, call scripts, statements, referral packs.

``render_documents`` turns an Assessment's actions into files in one output
folder and says, per action, which files it wrote (for the links on the
Actions tab), which channel was really used (an email to a customer with no
email address becomes a letter) and the short call script. Letters are also
gathered into one print file, calls into one call sheet.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from collector.assessment import Action, Assessment
from collector.correspondence import (
    AMOUNT_LABEL, BODY, INTERNAL_BODY, INTERNAL_SUBJECT, REFERRAL, SCRIPT, SHORT, SUBJECT, Composer, Voice,
    invoice_totals, paragraphs, plain, signer,
)
from collector.mail import Attachment, Mailbox, addresses_in, draft, mailbox, message_id
from collector.model import Book
from collector.output_folder import clear_previous, save_manifest, write_bytes
from collector.pdf import PdfJob, render_pdfs
from collector.policy import CUSTOMER, MANAGER, OWNER, SALES_REP
from collector.render import DocumentError, Templates, copy_templates
from collector.safe_name import customer_file_names, safe_file_name

__all__ = [
    "Document", "DocumentResult", "Rendered", "DocumentError", "render_documents", "prepare_documents",
    "Paperwork", "copy_templates",
    "LETTER", "EMAIL", "STATEMENT", "CALL_SCRIPT", "REFERRAL_PACK", "INTERNAL_EMAIL",
]

LETTER, EMAIL, STATEMENT = "letter", "email", "statement"
CALL_SCRIPT, REFERRAL_PACK, INTERNAL_EMAIL = "call script", "referral pack", "internal email"
PRINT_FILE = "00 All letters to print.pdf"
CALL_SHEET = "00 Call sheet.pdf"
TEMPLATES_FOLDER = "templates"
_CALLS = ("call", "visit")
_KIND_WORDS = {
    LETTER: ("letter", "letters"), EMAIL: ("email draft", "email drafts"),
    STATEMENT: ("statement", "statements"), CALL_SCRIPT: ("call script", "call scripts"),
    REFERRAL_PACK: ("referral pack", "referral packs"), INTERNAL_EMAIL: ("internal email", "internal emails"),
}


@dataclass(frozen=True)
class Document:
    action_customer_key: str
    step: str
    kind: str  # letter, email, statement, call script, referral pack, internal email
    path: str  # relative to the output folder


@dataclass(frozen=True)
class DocumentResult:
    customer_key: str
    step: str
    channel: str  # the channel really used: an email to a customer without an address becomes "letter"
    documents: tuple[Document, ...]
    call_script: str  # a few plain lines for the Actions tab; "" when the step is not a call
    note: str  # what the owner should know, e.g. "No email address: sent as a letter."


@dataclass(frozen=True)
class Rendered:
    results: tuple[DocumentResult, ...]  # in the order of the assessment's actions
    print_file: Optional[str]  # every letter of the week in one PDF (relative to folder), None without letters
    call_sheet: Optional[str]  # every call of the week, one per page (relative to folder), None without calls
    folder: str
    pages: dict[str, int] = field(default_factory=dict, compare=False)  # page count of each PDF

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            for document in result.documents:
                counts[document.kind] = counts.get(document.kind, 0) + 1
        return counts

    def summary(self) -> str:
        """One paragraph saying what was written where, for the terminal."""
        counts = self.counts()
        parts = [f"{counts[kind]} {_KIND_WORDS[kind][counts[kind] != 1]}" for kind in _KIND_WORDS if counts.get(kind)]
        if not parts:
            return f"No documents this week; nothing was written to {self.folder}."
        text = f"Wrote {_and(parts)} to {self.folder}."
        if self.print_file:
            pages = self.pages.get(self.print_file, 0)
            text += f" To print every letter at once: {self.print_file} ({pages} page{'' if pages == 1 else 's'})."
        if self.call_sheet:
            text += f" Calls to make: {self.call_sheet}."
        return text


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def render_documents(
    book: Book, assessment: Assessment, out_dir: str, templates_dir: Optional[str] = None,
    language: Optional[str] = None, jobs: Optional[int] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> Rendered:
    """Write every document of ``assessment``'s actions into ``out_dir``.

    ``templates_dir`` overrides the built-in templates file by file; without it a
    ``templates`` folder beside the workbook does. ``language`` writes every
    document in that language. ``jobs`` is the number of processes rendering
    PDFs (None: one per core). Files collector wrote into ``out_dir`` on an
    earlier run are replaced; other files there are left alone.
    """
    return prepare_documents(book, assessment, templates_dir, language).write(out_dir, jobs, progress)


def prepare_documents(book: Book, assessment: Assessment, templates_dir: Optional[str] = None,
                      language: Optional[str] = None) -> "Paperwork":
    """Every document of the week composed (HTML, email texts) but nothing written yet.

    Rendering every template first means a broken template stops the run before
    any file is touched.
    """
    templates = Templates(templates_dir or _beside_workbook(book.path))
    paperwork = Paperwork(Composer(book, assessment, templates, language or None), templates)
    for number, action in enumerate(assessment.actions, start=1):
        paperwork.add(number, action)
    paperwork.finish()
    return paperwork


def _beside_workbook(path: str) -> Optional[str]:
    if not path:
        return None
    folder = os.path.join(os.path.dirname(os.path.abspath(path)), TEMPLATES_FOLDER)
    return folder if os.path.isdir(folder) else None


@dataclass
class EmailDraft:
    path: str
    sender: Optional[Mailbox]
    to: list[Mailbox]
    subject: str
    text: str
    html: str
    attachment: Optional[tuple[str, str]]  # (file in the folder, name shown in the email)
    message_id: str


class _Sheet:
    """What one action produced so far: its documents, notes and call script."""

    def __init__(self, action: Action, prefix: str, step_name: str) -> None:
        self.action = action
        self.prefix = prefix
        self.step_name = step_name
        self.channel = (action.channel or "").strip().lower()
        self.effective = self.channel
        self.documents: list[Document] = []
        self.notes: list[str] = []
        self.call_script = ""

    def keep(self, kind: str, path: str) -> None:
        self.documents.append(Document(self.action.customer.key, self.action.step, kind, path))

    def result(self) -> DocumentResult:
        action = self.action
        note = "; ".join(self.notes)  # read in the Actions tab's Why and the Contact Log: a sentence of its own
        return DocumentResult(action.customer.key, action.step, self.effective, tuple(self.documents),
                              self.call_script, f"{note[:1].upper()}{note[1:]}." if note else "")


class Paperwork:
    """The week's documents as HTML and email drafts, ready to be written."""

    def __init__(self, composer: Composer, templates: Templates) -> None:
        self.composer = composer
        self.templates = templates
        self.book = composer.book
        self.as_of = composer.assessment.as_of
        self.jobs: list[PdfJob] = []
        self.letters: list[str] = []
        self.calls: list[dict[str, Any]] = []
        self.emails: list[EmailDraft] = []
        self.results: list[DocumentResult] = []
        self.names = customer_file_names({a.customer.key: a.customer.name for a in composer.assessment.actions})
        self.print_file: Optional[str] = None
        self.call_sheet: Optional[str] = None
        settings = self.book.settings
        self.sender = mailbox(settings.company_name or signer(settings), settings.email)
        self.domain = settings.email.rpartition("@")[2] if self.sender else ""

    # ---- one action ------------------------------------------------------

    def add(self, number: int, action: Action) -> None:
        """Compose every document of one action (numbered ``number`` in the week)."""
        voice = self.composer.customer_voice(action.customer)
        prefix = f"{number:02d} {self.names[action.customer.key]}"
        sheet = _Sheet(action, prefix, safe_file_name(action.step, 40))
        statement = self._statement(action, voice, f"{prefix} - statement.pdf")
        if CUSTOMER in action.to:
            self._to_customer(sheet, voice, statement)
        internal = [who for who in action.to if who != CUSTOMER]
        if internal and self.composer.has_block(action, self.composer.owner, INTERNAL_BODY):
            path = f"{prefix} - {sheet.step_name} - to {' and '.join(internal)}.eml"
            self._internal_email(action, internal, path, statement, sheet.notes)
            sheet.keep(INTERNAL_EMAIL, path)
        if self.composer.has_block(action, self.composer.owner, REFERRAL):
            path = f"{prefix} - referral pack.pdf"
            self._referral(action, path)
            sheet.keep(REFERRAL_PACK, path)
        if statement:
            sheet.keep(STATEMENT, statement)
        self.results.append(sheet.result())

    def _to_customer(self, sheet: "_Sheet", voice: Voice, statement: Optional[str]) -> None:
        """The customer's letter or email, and the call script of a call step."""
        action = sheet.action
        written = sheet.channel if sheet.channel in ("email", "letter") else ""
        if sheet.channel in _CALLS:
            sheet.call_script = self._call(action, voice, sheet.notes)
            if sheet.call_script:
                sheet.keep(CALL_SCRIPT, CALL_SHEET)
            if self.composer.has_block(action, voice, BODY):
                written = "email"  # a call with a written notice after it
        if written == "email":
            addresses, bad = addresses_in(action.customer.email)
            if addresses:
                path = f"{sheet.prefix} - {sheet.step_name}.eml"
                self._customer_email(action, voice, path, addresses, statement)
                sheet.keep(EMAIL, path)
                return
            written = "letter"
            if sheet.channel == "email":
                sheet.effective = "letter"
            sheet.notes.append(f"email address {bad[0]!r} is not valid: sent as a letter" if bad
                               else "no email address: sent as a letter")
        if written == "letter":
            path = f"{sheet.prefix} - {sheet.step_name}.pdf"
            self._letter(action, voice, path, sheet.notes)
            sheet.keep(LETTER, path)

    def _texts(self, action: Action, voice: Voice, medium: str, blocks: tuple[str, ...]) -> dict[str, Any]:
        context = self.composer.context(action, voice, medium)
        texts = self.composer.step_texts(action, voice, context, blocks)
        context.update(texts)
        context["paragraphs"] = paragraphs(texts.get(BODY, ""))
        return context

    def _letter(self, action: Action, voice: Voice, path: str, notes: list[str]) -> None:
        context = self._texts(action, voice, "letter", (SUBJECT, BODY, AMOUNT_LABEL))
        if not context["address_lines"]:
            notes.append("no postal address: add it to the Customers sheet before posting")
        html = self.templates.render("letter.html", context)
        self.jobs.append(PdfJob(path, (html,), path))
        self.letters.append(html)

    def _statement(self, action: Action, voice: Voice, path: str) -> Optional[str]:
        f = voice.formats
        rows = self.composer.statement_rows(action.customer, f)
        if not rows:
            return None
        context = self.composer.context(action, voice, "statement")
        context.update({
            "invoices": rows, "totals": invoice_totals(rows, f),
            "has_interest": any(row["interest"] for row in rows),
            "aging": self.composer.aging(action.customer, f, voice.words.current),
        })
        html = self.templates.render("statement.html", context)
        self.jobs.append(PdfJob(path, (html,), path))
        return path

    def _customer_email(self, action: Action, voice: Voice, path: str, addresses: list[str],
                        statement: Optional[str]) -> None:
        context = self._texts(action, voice, "email", (SUBJECT, BODY, AMOUNT_LABEL))
        context["attached"] = bool(statement)
        name = action.customer.contact_name or action.customer.name
        to = [box for box in (mailbox(name, address) for address in addresses) if box]
        attachment = (statement, _attachment_name(voice.words.statement_title, action.customer.name, self.as_of)
                      ) if statement else None
        self.emails.append(EmailDraft(
            path, self.sender, to, context[SUBJECT],
            self.templates.render("email.txt", context), self.templates.render("email.html", context),
            attachment, message_id(self.as_of.isoformat(), action.customer.key, action.step, CUSTOMER,
                                   domain=self.domain),
        ))

    def _call(self, action: Action, voice: Voice, notes: list[str]) -> str:
        if not self.composer.has_block(action, voice, SCRIPT):
            return ""
        context = self._texts(action, voice, "call", (SUBJECT, SCRIPT, SHORT, AMOUNT_LABEL))
        context["script"] = paragraphs(context[SCRIPT])
        owner_locale = self.composer.owner.formats.locale
        context["language_name"] = voice.formats.locale.get_language_name(owner_locale) or voice.language
        self.calls.append(context)
        if not action.customer.phone:
            notes.append("no phone number in the Customers sheet")
        short = context[SHORT] or plain(context["script"][:1])
        return "\n".join(line.strip() for line in short.splitlines() if line.strip())

    def _internal_email(self, action: Action, internal: list[str], path: str, statement: Optional[str],
                        notes: list[str]) -> None:
        owner = self.composer.owner
        context = self._texts(action, owner, "internal", (INTERNAL_SUBJECT, INTERNAL_BODY))
        context["paragraphs"] = paragraphs(context[INTERNAL_BODY])
        context["history"] = context["history"][-6:]
        context["attached"] = bool(statement)
        to, missing = self._colleagues(action, internal)
        context["recipients"] = [box.name for box in to]
        if missing:
            notes.append(f"no email address for the {_and(missing)}: fill in the To line before sending"
                         if not to else f"no email address for the {_and(missing)}")
        attachment = (statement, _attachment_name(owner.words.statement_title, action.customer.name, self.as_of)
                      ) if statement else None
        self.emails.append(EmailDraft(
            path, self.sender, to, context[INTERNAL_SUBJECT],
            self.templates.render("internal_email.txt", context),
            self.templates.render("internal_email.html", context),
            attachment, message_id(self.as_of.isoformat(), action.customer.key, action.step, *internal,
                                   domain=self.domain),
        ))

    def _colleagues(self, action: Action, internal: list[str]) -> tuple[list[Mailbox], list[str]]:
        customer, settings = action.customer, self.book.settings
        people = {
            SALES_REP: (customer.sales_rep, customer.sales_rep_email),
            MANAGER: (customer.account_manager, customer.account_manager_email),
            OWNER: (signer(settings) or settings.company_name, settings.email),
        }
        to: list[Mailbox] = []
        missing: list[str] = []
        for who in internal:
            name, address = people.get(who, ("", ""))
            box = mailbox(name or who, address)
            if box is None:
                missing.append(who)
            elif box.address.lower() not in {b.address.lower() for b in to}:
                to.append(box)
        if missing and not to and self.sender:
            to.append(Mailbox(self.sender.name, self.sender.address))  # the owner handles it
        return to, missing

    def _referral(self, action: Action, path: str) -> None:
        owner = self.composer.owner
        context = self._texts(action, owner, "referral", (SUBJECT, REFERRAL))
        context["paragraphs"] = paragraphs(context[REFERRAL])
        context["invoices"] = self.composer.statement_rows(action.customer, owner.formats)
        context["totals"] = invoice_totals(context["invoices"], owner.formats)
        context["has_interest"] = any(row["interest"] for row in context["invoices"])
        html = self.templates.render("referral.html", context)
        self.jobs.append(PdfJob(path, (html,), path))

    # ---- the week ----------------------------------------------------------

    def finish(self) -> None:
        if self.letters:
            self.print_file = PRINT_FILE
            self.jobs.append(PdfJob(PRINT_FILE, tuple(self.letters), PRINT_FILE))
        if self.calls:
            owner = self.composer.owner
            context = {**self.composer.common(owner), "ow": owner.words, "calls": self.calls}
            html = self.templates.render("callsheet.html", context)
            self.call_sheet = CALL_SHEET
            self.jobs.append(PdfJob(CALL_SHEET, (html,), CALL_SHEET))

    def write(self, out_dir: str, workers: Optional[int], progress: Optional[Callable[[int, int], None]]) -> Rendered:
        folder = os.path.abspath(out_dir)
        try:
            os.makedirs(folder, exist_ok=True)
            clear_previous(folder)
            save_manifest(folder, [job.path for job in self.jobs] + [email.path for email in self.emails])
        except OSError as error:
            raise DocumentError(f"Could not prepare the output folder {folder}: {error.strerror or error}.") from None
        total = len(self.jobs) + len(self.emails)
        done = 0

        def tick(_job: Any = None) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, total)

        jobs = [PdfJob(os.path.join(folder, job.path), job.parts, job.title) for job in self.jobs]
        pages = render_pdfs(jobs, self.templates.source("style.css"), self.templates.base_url, workers, tick)
        for email in self.emails:
            self._write_email(folder, email)
            tick()
        return Rendered(tuple(self.results), self.print_file, self.call_sheet, folder,
                        {os.path.relpath(path, folder): count for path, count in pages.items()})

    def _write_email(self, folder: str, email: EmailDraft) -> None:
        attachments = []
        if email.attachment:
            source, shown = email.attachment
            with open(os.path.join(folder, source), "rb") as handle:
                attachments.append(Attachment(shown, handle.read()))
        data = draft(email.sender, email.to, email.subject, email.text, email.html,
                     _email_date(self.as_of), email.message_id, attachments)
        try:
            write_bytes(os.path.join(folder, email.path), data)
        except OSError as error:
            raise DocumentError(f"Could not write {email.path}: {error.strerror or error}.") from None


def _attachment_name(title: str, customer: str, as_of: dt.date) -> str:
    return safe_file_name(f"{title} - {customer} - {as_of.isoformat()}", 100) + ".pdf"


def _email_date(as_of: dt.date) -> dt.datetime:
    """When the draft is dated: now on a normal run, 9:00 on the as-of day for a run in the past or future."""
    now = dt.datetime.now().astimezone()
    if as_of == now.date():
        return now.replace(microsecond=0)
    return dt.datetime.combine(as_of, dt.time(9, 0)).astimezone()
