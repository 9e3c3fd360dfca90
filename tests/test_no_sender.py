"""Documents read as whole sentences when the owner's Settings leave out who is writing.

Company name, address, phone, email, signature and payment details are all optional in the
Settings sheet. Every document kind is composed in every language with some or all of them left
out, and read the way the customer would: no empty label, no rule or line with nothing on it, no
sentence with a hole where a detail was meant to go.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from collector.cli import cli
from collector.correspondence import (
    BODY, INTERNAL_BODY, INTERNAL_SUBJECT, REFERRAL, SCRIPT, SHORT, SUBJECT, Composer,
)
from collector.documents import copy_templates, prepare_documents
from collector.engine import assess
from collector.locale_text import LANGUAGES
from collector.reader import read_book
from collector.render import Templates
from tests.documents_helpers import pdf_text, read_eml, visible_text
from tests.workbooks import write_xlsx

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 23)
SENDER = ("company_name", "address", "phone", "email", "signature", "payment_instructions")
MISSING = {
    "nothing": SENDER,
    "only company": tuple(f for f in SENDER if f != "company_name"),
    "only signer": tuple(f for f in SENDER if f != "signature"),
    "no company or signer": ("company_name", "signature"),
    "no phone": ("phone",),
    "no email": ("email",),
    "no phone or email": ("phone", "email"),
    "no address": ("address",),
    "no payment details": ("payment_instructions",),
}
BLOCKS = (SUBJECT, BODY, SCRIPT, SHORT, INTERNAL_SUBJECT, INTERNAL_BODY, REFERRAL)

# How each language asks the reader to phone, and names the payment details, in the step texts.
CALL_US = {
    "en": r"\bcall us\b", "fr": r"nous appeler|appelez-nous", "ro": r"\bsunați\b|să ne sunați",
    "el": r"καλέσετε|καλέστε μας", "id": r"(?<!komunikasi )telepon kami|menelepon kami|hubungi kami di",
    "tl": r"tawagan kami|tumawag po sa",
}
PAYMENT_DETAILS = {
    "en": "payment details", "fr": "coordonnées bancaires", "ro": "datele pentru plată",
    "el": "στοιχεία πληρωμής", "id": "cara pembayaran", "tl": "kung paano magbayad",
}
YOUR_ACCOUNT = {
    "en": "Your account: ", "fr": "Votre compte\u00a0: ", "ro": "Contul dumneavoastră: ",
    "el": "Ο λογαριασμός σας: ", "id": "Akun Anda: ", "tl": "Ang inyong account: ",
}
LET_US_KNOW = {
    "en": "let us know", "fr": "faites-le-nous savoir", "ro": "anunțați-ne", "el": "ενημερώστε μας",
    "id": "beri tahu kami", "tl": "ipaalam",
}


@functools.lru_cache(maxsize=None)
def shop():
    return read_book(str(ROOT / "sample_workbooks" / "shop.xlsx"))


def without(missing: tuple[str, ...], *, emails: bool = True):
    """The sample shop with the sender details in ``missing`` left out (and the customers' emails)."""
    workbook = shop()
    blank = {name: () if name == "address" else "" for name in missing}
    workbook = dataclasses.replace(workbook, settings=dataclasses.replace(workbook.settings, **blank))
    if not emails:
        workbook = dataclasses.replace(workbook, customers=tuple(
            dataclasses.replace(c, email="") for c in workbook.customers))
    return workbook


@functools.lru_cache(maxsize=None)
def week(language: str, case: str, emails: bool = True):
    workbook = without(MISSING[case], emails=emails)
    return prepare_documents(workbook, assess(workbook, AS_OF), language=language)


@functools.lru_cache(maxsize=None)
def words(language: str):
    return Templates().module(f"{language}/words.txt")


def labels(language: str) -> set[str]:
    w = words(language)
    return {w.phone, w.email, w.name_label, w.address, w.contact, w.enquiries}


HOLE = "|".join([
    r"(?<=\S) [,.;:!?)](?=\s|$)",  # a space where a value was, before punctuation
    r"^[,.;:]", r"\(\s*\)", r"\.\.\.|…",  # nothing before the punctuation; an empty bracket; a placeholder
])


def holes(text: str, language: str) -> list[str]:
    """The lines of ``text`` where a detail that was not there left a gap."""
    found = []
    label = "|".join(map(re.escape, labels(language)))
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split("\t")]
        if re.fullmatch(rf"({label}):?", cells[0]) and not any(cells[1:]):
            found.append(line)  # a label with nothing after it
        elif any(re.search(HOLE, cell) for cell in cells) or re.search(r"[,:;] +$", line):
            found.append(line)
        elif not line.startswith(" ") and re.search(r"(?<=\S) {2,}(?=\S)", line):
            found.append(line)  # two spaces where a value was (an indented line is a plain-text table)
    return found


EVERY = [(language, case) for language in LANGUAGES for case in MISSING]
EVERY_IDS = [f"{language}-{case.replace(' ', '-')}" for language, case in EVERY]


# ---- the step texts: subjects, bodies, call scripts --------------------------------

@functools.lru_cache(maxsize=None)
def step_texts(language: str, case: str, medium: str) -> dict[str, dict[str, str]]:
    """Every block of every step of the sample week (and the generic text) in ``medium``, keyed by step."""
    workbook = without(MISSING[case])
    assessment = assess(workbook, AS_OF)
    composer = Composer(workbook, assessment, Templates(), language)
    voice = composer.voice(language)
    actions = {action.step: action for action in assessment.actions}  # the sample has every step
    actions["stocktake-visit"] = dataclasses.replace(actions["overdue-notice"], step="stocktake-visit", template="")
    texts = {}
    for step, action in actions.items():
        context = composer.context(action, voice, medium)
        texts[step] = composer.step_texts(action, voice, context, BLOCKS)
    return texts


@pytest.mark.parametrize("language, case", EVERY, ids=EVERY_IDS)
@pytest.mark.parametrize("medium", ["letter", "email", "call"])
def test_every_step_text_reads_whole_without_the_missing_details(language, case, medium):
    for step, blocks in step_texts(language, case, medium).items():
        for block, text in blocks.items():
            assert holes(text, language) == [], (step, block)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_subject_without_a_company_name_is_about_your_account(language):
    generic = step_texts(language, "nothing", "email")["stocktake-visit"][SUBJECT]
    assert generic.startswith(YOUR_ACCOUNT[language]), generic
    named = step_texts(language, "no phone", "email")["stocktake-visit"][SUBJECT]
    assert "Harbour Lane Supplies Ltd" in named


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("medium", ["letter", "email"])
def test_overdue_notice_points_at_payment_details_only_when_there_are_some(language, medium):
    assert PAYMENT_DETAILS[language] in step_texts(language, "no phone", medium)["overdue-notice"][BODY]
    assert PAYMENT_DETAILS[language] not in step_texts(language, "no payment details", medium)["overdue-notice"][BODY]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", ["no phone", "no phone or email", "nothing", "only signer", "only company"])
def test_without_a_phone_number_no_text_asks_the_customer_to_call(language, case):
    for medium in ("letter", "email"):
        for step, blocks in step_texts(language, case, medium).items():
            assert not re.search(CALL_US[language], blocks[BODY], re.I), (step, medium)


@pytest.mark.parametrize("language", LANGUAGES)
def test_receipt_check_letter_offers_only_the_ways_to_reach_us_that_exist(language):
    def body(case):
        return step_texts(language, case, "letter")["receipt-check"][BODY]

    both = body("no address")
    assert "0117 496 0000" in both and "accounts@harbourlane.example" in both
    no_phone = body("no phone")
    assert "0117 496 0000" not in no_phone and "accounts@harbourlane.example" in no_phone
    no_email = body("no email")
    assert "0117 496 0000" in no_email and "accounts@harbourlane.example" not in no_email
    neither = body("no phone or email")
    assert LET_US_KNOW[language] in neither.lower(), neither


@pytest.mark.parametrize("language, case", EVERY, ids=EVERY_IDS)
def test_call_scripts_introduce_the_caller_with_what_is_known(language, case):
    settings = without(MISSING[case]).settings
    for step, blocks in step_texts(language, case, "call").items():
        if not blocks[SCRIPT]:
            continue
        opening = blocks[SCRIPT].splitlines()[0]
        assert ("Jane Porter" in opening) == bool(settings.signature), (step, opening)
        assert ("Harbour Lane Supplies Ltd" in opening) == bool(settings.company_name), (step, opening)


def test_greek_and_tagalog_scripts_do_not_say_calling_twice():
    for language, calling in (("el", r"(?i)σας καλώ|τηλεφωνώ"), ("tl", r"(?i)tumatawag")):
        for case in ("only company", "nothing", "no phone"):
            for step, blocks in step_texts(language, case, "call").items():
                opening = " ".join(blocks[SCRIPT].split("\n\n")[:2])
                assert len(re.findall(calling, opening)) <= 1, (language, case, step, opening)


# ---- letters, statements, referral packs, the call sheet -----------------------------

EMPTY_PIECES = [
    r'<div class="(company|contact|return|name|signature)"[^>]*>\s*</div>', r"<div>\s*</div>",
    r"<p[^>]*>\s*</p>", r"<strong>\s*</strong>", r"<h[123][^>]*>\s*</h[123]>", r"<(p|div)[^>]*>\s*<br>",
]


@pytest.mark.parametrize("language, case", EVERY, ids=EVERY_IDS)
def test_printed_documents_have_no_empty_lines_rules_or_labels(language, case):
    paperwork = week(language, case, emails=False)
    assert paperwork.letters
    for job in paperwork.jobs:
        if job.path == paperwork.print_file:
            continue  # the same letters again
        html = "".join(job.parts)
        for pattern in EMPTY_PIECES:
            assert not re.search(pattern, html), (job.path, pattern, re.search(pattern, html).group())
        assert holes(visible_text(html), language) == [], job.path


@pytest.mark.parametrize("language, case", EVERY, ids=EVERY_IDS)
def test_letterhead_and_window_show_only_what_the_owner_gave(language, case):
    settings = without(MISSING[case]).settings
    for html in week(language, case, emails=False).letters:
        assert ('class="company"' in html) == bool(settings.company_name)
        assert ('class="letterhead"' in html) == bool(settings.company_name or settings.address
                                                         or settings.phone or settings.email)
        assert ('class="return"' in html) == bool(settings.company_name or settings.address)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", ["nothing", "only signer", "no company or signer"])
def test_referral_pack_without_a_company_name_is_written_by_we(language, case):
    paperwork = week(language, case)
    packs = [job.parts[0] for job in paperwork.jobs if job.path.endswith("referral pack.pdf")]
    assert packs
    settings = without(MISSING[case]).settings
    for html in packs:
        text = visible_text(html)
        opening = text.splitlines()[3]  # after the running head, the title and the date
        assert opening[0].isupper() and holes(opening, language) == [], opening
        assert (words(language).creditor in text) == bool(settings.signature or settings.address
                                                          or settings.phone or settings.email)


def test_french_elides_de_before_a_vowel_but_not_before_a_consonant():
    w = words("fr")
    assert str(w.de("Ironbridge Motors")) == "d'Ironbridge Motors"
    assert str(w.de("Élan Bâtiment")) == "d'Élan Bâtiment"
    assert str(w.de("Olympia Taverna")) == "d'Olympia Taverna"
    assert str(w.de("Quayside Fish Bar")) == "de Quayside Fish Bar"
    assert str(w.de("Harbour Lane")) == "de Harbour Lane"
    assert str(w.de("Yellow Ltd")) == "de Yellow Ltd"


def test_french_referral_pack_elides_the_customer_name():
    workbook = without(())
    workbook = dataclasses.replace(workbook, customers=tuple(
        dataclasses.replace(c, name="Ironbridge Quay") if c.key == "Quayside Fish Bar" else c
        for c in workbook.customers))
    paperwork = prepare_documents(workbook, assess(workbook, AS_OF), language="fr")
    pack = visible_text(next(job.parts[0] for job in paperwork.jobs if job.path.endswith("referral pack.pdf")))
    assert "dossier d'Ironbridge Quay" in pack and "de Ironbridge" not in pack


# ---- email drafts ------------------------------------------------------------------

@pytest.mark.parametrize("language, case", EVERY, ids=EVERY_IDS)
def test_email_drafts_have_whole_subjects_and_end_cleanly(language, case):
    settings = without(MISSING[case]).settings
    for draft in week(language, case).emails:
        assert draft.subject == draft.subject.strip() and holes(draft.subject, language) == [], draft.subject
        text = draft.text.rstrip()
        assert holes(text, language) == [], draft.path
        assert not re.search(r"\n\n\n", text), draft.path
        html = visible_text(draft.html)
        assert holes(html, language) == [], draft.path
        for pattern in EMPTY_PIECES:
            assert not re.search(pattern, draft.html), (draft.path, pattern)
        if " - to " in draft.path:
            continue  # an internal note to a colleague signs with the signature only
        for shown in (text, html):
            ending = shown.splitlines()[-4:]
            assert not ending[-1].endswith(","), (draft.path, ending)
            if settings.signature or settings.company_name:
                assert (settings.signature.split(",")[0] or settings.company_name) in "\n".join(ending)


def test_an_email_with_no_sender_at_all_ends_on_its_closing_words():
    (draft, *_) = [e for e in week("en", "nothing").emails if " - to " not in e.path]
    assert draft.text.rstrip().endswith("\n\nKind regards")
    assert draft.sender is None


def test_a_draft_without_a_company_name_is_from_the_signer_or_just_the_address():
    workbook = without(("company_name",))
    (draft, *_) = prepare_documents(workbook, assess(workbook, AS_OF), language="en").emails
    assert (draft.sender.name, draft.sender.address) == ("Jane Porter", "accounts@harbourlane.example")
    (draft, *_) = week("en", "no company or signer").emails
    assert (draft.sender.name, draft.sender.address) == ("", "accounts@harbourlane.example")


# ---- the owner's own templates ----------------------------------------------------

def test_an_owners_older_words_file_gets_the_new_words_from_the_built_in_one(tmp_path):
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "words.txt").write_text('{% set invoice = "Bill" %}\n', encoding="utf-8")
    workbook = dataclasses.replace(without(MISSING["nothing"]), path=str(tmp_path / "shop.xlsx"))
    paperwork = prepare_documents(workbook, assess(workbook, AS_OF), language="en")
    letter = paperwork.letters[0]
    assert ">Bill</th>" in letter and "Yours" in letter
    assert all(call["script"][0]["text"].startswith("“Hello. Could I speak to ") for call in paperwork.calls)


def test_copied_templates_keep_rendering_after_a_word_is_taken_out(tmp_path):
    copy_templates(str(tmp_path / "templates"))
    words_file = tmp_path / "templates" / "fr" / "words.txt"
    text = words_file.read_text(encoding="utf-8")
    words_file.write_text(re.sub(r"\{% macro introduce.*?endmacro %\}", "", text, flags=re.S), encoding="utf-8")
    workbook = without(MISSING["only company"])
    own = prepare_documents(workbook, assess(workbook, AS_OF), templates_dir=str(tmp_path / "templates"),
                            language="fr")
    built_in = week("fr", "only company")
    assert [j.parts for j in own.jobs] == [j.parts for j in built_in.jobs]


# ---- a real workbook with no sender details, end to end --------------------------------

def test_a_workbook_without_sender_details_gives_letters_and_drafts_that_read_whole(tmp_path):
    path = write_xlsx(tmp_path / "tracker.xlsx", {
        "Invoices": [
            ["Customer", "Invoice No", "Invoice Date", "Due Date", "Amount"],
            ["Acme Ltd", "A-1", dt.date(2026, 10, 18), dt.date(2026, 11, 17), 480.5],
            ["Bolt Ltd", "B-1", dt.date(2026, 11, 14), dt.date(2026, 12, 14), 1200],
            ["Cog Ltd", "C-1", dt.date(2026, 9, 12), dt.date(2026, 10, 12), 99.99],
            ["Iron Works", "I-1", dt.date(2026, 8, 1), dt.date(2026, 8, 31), 2500],
        ],
        "Customers": [
            ["Customer", "Contact Name", "Email", "Address"],
            ["Acme Ltd", "Ann Acme", "ann@acme.example", "1 Road\nLeeds LS1 1AA"],
            ["Bolt Ltd", None, None, "2 Street\nYork YO1 1AA"],
            ["Cog Ltd", "Carl Cog", None, "3 Lane\nHull HU1 1AA"],
            ["Iron Works", None, None, "4 Way\nBath BA1 1AA"],
        ],
        "Settings": [["Setting", "Value"], ["Currency", "GBP"], ["Language", "en"]],
    })
    result = CliRunner().invoke(cli, ["run", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir() and list(p.rglob("*.eml"))]
    steps = {p.name.split(" - ")[1].removesuffix(".pdf").removesuffix(".eml"): p
             for p in folder.rglob("0*") if " - " in p.name and "statement" not in p.name}
    assert {"overdue-notice", "receipt-check", "final-demand", "referral pack"} <= set(steps)
    for step in ("receipt-check", "final-demand"):
        text = pdf_text(steps[step])
        assert holes(text, "en") == [], step
        assert "Yours faithfully," in text or "Yours sincerely," in text
        assert "call us" not in text
    assert "let us know" in pdf_text(steps["receipt-check"])
    referral = pdf_text(steps["referral pack"])
    assert "We refer the account of Iron Works" in referral and "Creditor" not in referral
    draft = read_eml(steps["overdue-notice"])
    assert draft["From"] is None and draft["To"] == "Ann Acme <ann@acme.example>"
    assert draft["Subject"] == "Payment reminder: invoice A-1"
    text = draft.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.rstrip().endswith("\n\nKind regards"), text
    assert "payment details" not in text and "How to pay" not in text
