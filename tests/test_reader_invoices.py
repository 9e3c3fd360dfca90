"""The invoice sheet's short cuts give what the row-by-row way gives.

The reader finds each row's customer with _Directory.ensure_each, which remembers a settled answer
per name and code instead of asking ensure on every row, and makes the invoices with
model.bulk_invoices instead of Invoice(...) per row. These tests hold both against the plain ways
on random rows, including the rows whose answer can change as customers are added.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

import pytest

from collector.model import Customer, Invoice, bulk_invoices
from collector.reader import _Directory, _customer_from

FIELDS = ("customer", "customer_code", "terms", "email")


def test_bulk_invoices_makes_what_the_constructor_makes():
    names = [f.name for f in dataclasses.fields(Invoice)]
    rows = [
        (2, "Acme Ltd", "ACME", "INV-1", dt.date(2026, 1, 5), None, "Net 30", Decimal("100.00"), None,
         Decimal("100.00"), None, "Open", "EUR", ""),
        (3, "Bolt", "Bolt", "2026-02-05 (2)", None, dt.date(2026, 3, 5), "", None, Decimal("1.50"), None,
         dt.date(2026, 3, 1), "", "", "a note"),
    ]
    made = bulk_invoices(**{name: [row[i] for row in rows] for i, name in enumerate(names)})
    expected = [Invoice(**dict(zip(names, row))) for row in rows]
    assert made == expected
    assert [vars(invoice) for invoice in made] == [vars(invoice) for invoice in expected]
    assert [repr(invoice) for invoice in made] == [repr(invoice) for invoice in expected]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].amount = Decimal(0)


def random_customers(chooser: random.Random, texts: list[str]) -> list[Customer]:
    customers, keys = [], set()
    for row in range(2, 2 + chooser.randint(0, 6)):
        name, code = chooser.choice(texts), chooser.choice(texts + [""] * 4)
        key = code or " ".join(name.split())
        if key.casefold() in keys:
            continue
        keys.add(key.casefold())
        customers.append(_customer_from({"email": f"{row}@x"}, key=key, name=name or code, code=code, row=row))
    return customers


def random_rows(chooser: random.Random, texts: list[str], count: int) -> list[tuple[str, str, str, str]]:
    rows = []
    for _ in range(count):
        name, code = chooser.choice(texts + [""]), chooser.choice(texts + [""] * 6)
        if not name and not code:
            name = chooser.choice(texts)
        rows.append((name, code, chooser.choice(["Net 30", "", "Net 60"]), chooser.choice(["", "a@b"])))
    return rows


def test_ensure_each_finds_what_ensure_finds_row_by_row():
    changed = 0  # rows whose name and code got another customer than on an earlier row
    for seed in range(1500):
        chooser = random.Random(seed)
        # Few texts, some the same but for case and spaces, so names and codes meet each other
        # often: the rows whose answer changes when a customer is added come up.
        texts = chooser.sample(["Acme", "ACME", "acme ", "A1", "a1", "Bolt Ltd", "bolt  ltd", "B2", "Cole", "C3", "Dee"],
                               chooser.randint(2, 8))
        sheet = random_customers(chooser, texts)
        rows = random_rows(chooser, texts, chooser.randint(1, 60))
        detailed = chooser.random() < 0.2
        fields = FIELDS if detailed else FIELDS[:3]
        values = [row[:len(fields)] for row in rows]

        one_by_one = _Directory(sheet)
        expected = [one_by_one.ensure(name, code, fields, row_values, detailed)
                    for (name, code, *_), row_values in zip(rows, values)]
        each = _Directory(sheet)
        found = each.ensure_each([r[0] for r in rows], [r[1] for r in rows], list(range(len(rows))), fields,
                                 values.__getitem__, detailed)
        assert found == expected, seed
        assert each.customers == one_by_one.customers, seed
        assert each._by_code == one_by_one._by_code and each._by_name == one_by_one._by_name, seed
        first: dict[tuple[str, str], Customer] = {}
        changed += sum(first.setdefault((name, code), customer) != customer
                       for (name, code, *_), customer in zip(rows, expected))
    assert changed > 20


def random_table(chooser: random.Random):
    from collector.formula import col_letter
    from collector.model import Column, SheetLayout
    from collector.reader import _Table

    fields = [f for f in ("customer", "customer_code", "invoice_no", "invoice_date", "due_date", "amount", "paid",
                          "balance", "notes") if chooser.random() < 0.8]
    count = chooser.randint(0, 12)
    rare = lambda usual, odd: [odd() if chooser.random() < 0.03 else usual(n) for n in range(count)]
    makers = {
        "customer": lambda: rare(lambda n: f"Shop {n % 4}", lambda: chooser.choice(["", "Total", "Note: call"])),
        "customer_code": lambda: rare(lambda n: chooser.choice(["", f"C{n % 3}"]), lambda: "Subtotal"),
        "invoice_no": lambda: rare(lambda n: f"INV-{n}", lambda: chooser.choice(["", "INV-1", "Total", "TOTAL"])),
        "invoice_date": lambda: rare(lambda n: dt.date(2026, 1, 1 + n), lambda: None),
        "due_date": lambda: rare(lambda n: chooser.choice([None, dt.date(2026, 2, 1 + n)]), lambda: None),
        "amount": lambda: rare(lambda n: Decimal(n), lambda: None),
        "paid": lambda: rare(lambda n: chooser.choice([None, Decimal(1)]), lambda: None),
        "balance": lambda: rare(lambda n: chooser.choice([None, Decimal(2)]), lambda: None),
        "notes": lambda: rare(lambda n: "", lambda: "see me"),
    }
    values = {f: makers[f]() for f in fields}
    columns = tuple(Column(f, i, col_letter(i), f.title()) for i, f in enumerate(fields))
    return _Table(SheetLayout("Invoices", 1, columns, count + 1, len(fields)), list(range(2, count + 2)), values)


def test_the_whole_column_look_at_the_invoice_rows_keeps_and_reports_what_the_row_by_row_look_does(monkeypatch):
    from collector import reader
    from collector.model import Settings
    from collector.source import Source

    def rows_and_problems(table, shortcut):
        monkeypatch.setattr(reader, "_every_row_an_invoice", shortcut)
        context = reader._Context(Source("x.xlsx", ".xlsx", []), Settings(), "", [])
        kept = reader._invoice_rows(table, context, "invoice_no" in table.values)
        return kept, context.problems

    whole_column = reader._every_row_an_invoice
    chooser = random.Random(7)
    taken = 0
    for _ in range(4000):
        table = random_table(chooser)
        taken += whole_column(table)
        assert rows_and_problems(table, whole_column) == rows_and_problems(table, lambda table: False)
    assert taken > 400


def test_a_contact_entry_made_without_its_constructor_is_the_same_entry():
    from collector.model import ContactEntry

    values = dict(row=4, date=dt.date(2026, 11, 23), customer_key="ACME", invoices=("INV-1", "INV-2"), channel="email",
                  step="reminder", note="sent", promised_date=None, promised_amount=Decimal("5.00"), by="collector")
    assert [f.name for f in dataclasses.fields(ContactEntry)] == list(values)
    made, expected = ContactEntry.of(**values), ContactEntry(**values)
    assert made == expected and vars(made) == vars(expected) and repr(made) == repr(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.note = ""
