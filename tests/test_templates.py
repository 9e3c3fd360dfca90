"""The templates: every step in every language, the owner's overrides, and plain errors.

These tests compose documents (HTML and email text) without rendering PDFs, so
they run in well under a second per language.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from collector.correspondence import BODY, SCRIPT, SUBJECT, Composer, paragraphs
from collector.documents import DocumentError, copy_templates, prepare_documents
from collector.engine import assess
from collector.locale_text import LANGUAGES
from collector.model import ContactEntry
from collector.policy import DEFAULT_POLICY
from collector.reader import read_book
from collector.render import Templates, builtin_templates_dir
from tests.builders import book, customer, invoice, settings

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 23)
STEPS = [step.name for step in DEFAULT_POLICY]

# Words that only a text in that language would contain.
LANGUAGE_WORDS = {
    "en": ("the", "please", "invoice"),
    "fr": ("la facture", "nous", "vous"),
    "ro": ("factura", "vă", "plata"),
    "el": ("τιμολόγιο", "σας", "πληρωμή"),
    "id": ("faktur", "kami", "Anda"),
    "tl": ("po", "ang", "namin"),
}


@pytest.fixture(scope="module")
def shop():
    workbook = read_book(str(ROOT / "sample_workbooks" / "shop.xlsx"))
    return workbook, assess(workbook, AS_OF)


def test_the_sample_week_has_every_step_of_the_default_policy(shop):
    _, assessment = shop
    assert {a.step for a in assessment.actions} == set(STEPS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_renders_in_every_language(shop, language):
    workbook, assessment = shop
    paperwork = prepare_documents(workbook, assessment, language=language)
    by_step = {}
    for action, result in zip(assessment.actions, paperwork.results):
        by_step.setdefault(action.step, []).append(result)
    assert set(by_step) == set(STEPS)
    texts = [job.parts[0] for job in paperwork.jobs] + [e.subject + e.text for e in paperwork.emails]
    assert len(paperwork.jobs) == 45 and len(paperwork.emails) == 25
    for text in texts:
        assert "Undefined" not in text and "{{" not in text and "{%" not in text
    joined = " ".join(texts)
    for word in LANGUAGE_WORDS[language]:
        assert re.search(rf"(?<!\w){re.escape(word)}(?!\w)", joined), (language, word)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_step_text_has_a_subject_and_the_blocks_its_channel_needs(shop, language):
    workbook, assessment = shop
    composer = Composer(workbook, assessment, Templates(), language)
    voice = composer.voice(language)
    for step in DEFAULT_POLICY:
        action = dataclasses.replace(assessment.actions[0], step=step.name, template=step.name,
                                     channel=step.channel, to=step.to)
        name = composer.step_template(action, language)
        assert name == f"{language}/{step.name}.txt"
        texts = composer.step_texts(action, voice, composer.context(action, voice, "letter"),
                                    (SUBJECT, BODY, SCRIPT))
        assert texts[SUBJECT], (language, step.name)
        if step.channel in ("email", "letter"):
            assert len(paragraphs(texts[BODY])) >= 2, (language, step.name)
        if step.channel == "call":
            assert "?" in texts[SCRIPT] or ";" in texts[SCRIPT], (language, step.name)


def test_every_language_defines_the_same_words_as_english():
    templates = Templates()
    english = set(vars(templates.module("en/words.txt")))
    for language in LANGUAGES:
        names = set(vars(templates.module(f"{language}/words.txt")))
        assert english - names == set(), language
        steps = templates.module(f"{language}/words.txt").steps
        assert set(steps) == set(STEPS), language


def test_every_language_has_a_text_for_every_step():
    folder = Path(builtin_templates_dir())
    for language in LANGUAGES:
        for step in STEPS + ["generic"]:
            assert (folder / language / f"{step}.txt").is_file(), (language, step)


@pytest.mark.parametrize("language", LANGUAGES)
def test_conversation_letter_confirms_the_promised_amount_and_date_in_every_language(shop, language):
    workbook, assessment = shop
    action = next(a for a in assessment.actions if a.step == "conversation-letter")
    call = ContactEntry(row=99, date=dt.date(2026, 11, 20), customer_key=action.customer.key,
                        invoices=action.invoices, channel="call", note="Cheque posted Friday",
                        promised_date=dt.date(2026, 11, 27), promised_amount=Decimal("500.00"), by="Jane")
    workbook = dataclasses.replace(workbook, contact_log=workbook.contact_log + (call,))
    assessment = dataclasses.replace(assessment, actions=(action,))
    paperwork = prepare_documents(workbook, assessment, language=language)
    letter = next(job.parts[0] for job in paperwork.jobs if job.path.endswith("conversation-letter.pdf"))
    formats = Composer(workbook, assessment, Templates(), language).customer_voice(action.customer).formats
    currency = next(iter(action.amount))
    assert formats.money(Decimal("500.00"), currency) in letter
    assert formats.date(dt.date(2026, 11, 27)) in letter
    assert "Cheque posted Friday" in letter


def test_french_texts_use_no_break_spaces_before_high_punctuation(shop):
    workbook, assessment = shop
    paperwork = prepare_documents(workbook, assessment, language="fr")
    text = " ".join(e.subject + e.text for e in paperwork.emails)
    assert " :" not in text.replace("\u00a0:", "") and " ?" not in text


# ---- the owner's overrides ---------------------------------------------------

def small_book(path: Path):
    workbook = book(
        [invoice("A-1", "Acme", "500.00", "2026-01-01", terms="Net 30")],
        [customer("Acme", email="a@acme.example")],
        settings=settings(company_name="Shop", email="shop@example.com"),
    )
    return dataclasses.replace(workbook, path=str(path)), dt.date(2026, 2, 6)


def test_an_override_template_wins_over_the_built_in_one(tmp_path):
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "overdue-notice.txt").write_text(
        "{% block subject %}Our own subject for {{ chased }}{% endblock %}\n"
        "{% block body %}Our own words.\n\nSecond paragraph.{% endblock %}\n", encoding="utf-8")
    workbook, day = small_book(tmp_path / "book.xlsx")
    paperwork = prepare_documents(workbook, assess(workbook, day))  # found beside the workbook
    (email,) = paperwork.emails
    assert email.subject == "Our own subject for A-1"
    assert "Our own words." in email.text and "Dear" not in email.subject
    assert "How to pay" not in email.text  # no payment instructions in Settings
    explicit = prepare_documents(workbook, assess(workbook, day), templates_dir=str(tmp_path / "templates"))
    assert explicit.emails[0].subject == "Our own subject for A-1"


def test_overrides_replace_files_one_by_one_and_keep_the_rest_built_in(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "email.txt").write_text("PLAIN {{ subject }}", encoding="utf-8")
    workbook, day = small_book(tmp_path / "book.xlsx")
    (email,) = prepare_documents(workbook, assess(workbook, day)).emails
    assert email.text == "PLAIN Payment reminder: invoice A-1"
    assert "According to our records" in email.html  # email.html and the step text are built in


def test_a_broken_override_names_the_file_and_the_line(tmp_path):
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "overdue-notice.txt").write_text(
        "{% block subject %}Fine{% endblock %}\n\n{% block body %}Dear {{ customer.name }\n{% endblock %}\n",
        encoding="utf-8")
    workbook, day = small_book(tmp_path / "book.xlsx")
    with pytest.raises(DocumentError) as error:
        prepare_documents(workbook, assess(workbook, day))
    message = str(error.value)
    assert message.startswith("templates/en/overdue-notice.txt, line 3: ")
    assert "Traceback" not in message


def test_an_unknown_value_in_an_override_names_the_file_and_the_line(tmp_path):
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "overdue-notice.txt").write_text(
        "{% block subject %}Fine{% endblock %}\n{% block body %}\nHello\n{{ customer.nmae }}\n{% endblock %}\n",
        encoding="utf-8")
    workbook, day = small_book(tmp_path / "book.xlsx")
    with pytest.raises(DocumentError, match=r"^templates/en/overdue-notice.txt, line 4: .*nmae"):
        prepare_documents(workbook, assess(workbook, day))


def test_templates_run_in_a_sandbox(tmp_path):
    folder = tmp_path / "templates" / "en"
    folder.mkdir(parents=True)
    (folder / "overdue-notice.txt").write_text(
        "{% block subject %}{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}", encoding="utf-8")
    workbook, day = small_book(tmp_path / "book.xlsx")
    with pytest.raises(DocumentError, match=r"templates/en/overdue-notice.txt, line 1: .*unsafe"):
        prepare_documents(workbook, assess(workbook, day))


def test_html_templates_escape_values_and_text_templates_do_not(tmp_path):
    workbook = book(
        [invoice("A&B<1>", "Tom & Jerry <Ltd>", "500.00", "2026-01-01", terms="Net 30")],
        [customer("Tom & Jerry <Ltd>", email="a@tj.example", address=("1 Road",))],
        settings=settings(company_name="Shop & Co", email="shop@example.com"),
    )
    paperwork = prepare_documents(dataclasses.replace(workbook, path=str(tmp_path / "b.xlsx")),
                                  assess(workbook, dt.date(2026, 2, 6)))
    statement = paperwork.jobs[0].parts[0]
    assert "Tom &amp; Jerry &lt;Ltd&gt;" in statement and "<Ltd>" not in statement
    assert "A&amp;B&lt;1&gt;" in statement
    (email,) = paperwork.emails
    assert "invoice A&B<1>" in email.text and "Shop & Co" in email.text
    assert "A&amp;B&lt;1&gt;" in email.html


def test_copy_templates_copies_every_file_and_never_overwrites(tmp_path):
    written = copy_templates(str(tmp_path / "mine"))
    names = {Path(p).relative_to(tmp_path / "mine").as_posix() for p in written}
    assert {"letter.html", "style.css", "en/words.txt", "el/final-demand.txt", "tl/generic.txt"} <= names
    assert not any(name.endswith((".py", ".pyc")) for name in names)
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "letter.html").write_text("mine", encoding="utf-8")
    with pytest.raises(DocumentError, match="already exist.*: letter.html. "):
        copy_templates(str(tmp_path / "again"))
    assert (tmp_path / "again" / "letter.html").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in (tmp_path / "again").iterdir()] == ["letter.html"]


def test_copied_templates_render_the_same_documents(tmp_path, shop):
    workbook, assessment = shop
    copy_templates(str(tmp_path / "templates"))
    built_in = prepare_documents(workbook, assessment, language="ro")
    copied = prepare_documents(workbook, assessment, templates_dir=str(tmp_path / "templates"), language="ro")
    assert [j.parts for j in built_in.jobs] == [j.parts for j in copied.jobs]


def test_a_missing_templates_folder_is_a_plain_error(tmp_path):
    workbook, day = small_book(tmp_path / "book.xlsx")
    with pytest.raises(DocumentError, match="does not exist"):
        prepare_documents(workbook, assess(workbook, day), templates_dir=str(tmp_path / "nowhere"))


def test_unknown_language_is_written_in_english(shop):
    workbook, assessment = shop
    paperwork = prepare_documents(workbook, assessment, language="de")
    assert paperwork.emails[0].text.startswith(("Dear", "Hello"))


def test_french_labels_take_a_no_break_space_before_their_colon(shop):
    workbook, assessment = shop
    paperwork = prepare_documents(workbook, assessment, language="fr")
    owners = set(workbook.settings.payment_instructions.splitlines()) | set(workbook.settings.address)
    lines = [line for e in paperwork.emails for line in e.text.splitlines() if line.strip() not in owners]
    assert any(line.strip().startswith("Total restant dû\u00a0: ") for line in lines)
    assert [line for line in lines if re.search(r"[^\s\u00a0\u202f]:(\s|$)", line)] == []
