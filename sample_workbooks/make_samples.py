"""Regenerate the sample workbooks that the README, the demos and the tests use.

    python sample_workbooks/make_samples.py

writes `shop.xlsx` (a small wholesaler's tidy receivables workbook with every
sheet collector reads) and `first-tracker.xlsx` (the single sheet a first-time
user starts with). The data is seeded and dated relative to a fixed run date,
2026-11-23, and the files are written byte for byte the same on every run, so
they can be committed and compared.

The shop is built so that, as of 2026-11-23, every aging bucket and every step
of the default escalation policy has at least one customer: a handful of
scripted invoices set those ages exactly; the rest is a seeded random history.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import sys
import zipfile
from dataclasses import dataclass
from typing import Optional

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from collector import header  # noqa: E402  (the script runs from a checkout, not an install)

AS_OF = dt.date(2026, 11, 23)
FIRST_INVOICE_DATE = dt.date(2026, 5, 25)
SEED = 20261123
FIXED_TIME = dt.datetime(2026, 11, 23, 9, 0, 0)
FIXED_STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
BACKGROUND_INVOICES = 282
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
DATE_FIELDS = frozenset({"invoice_date", "due_date", "paid_date", "promised_date", "instalment_date"})
MONEY_FIELDS = frozenset({"amount", "paid", "credit_limit", "promised_amount"})
OWNER = "Jane Porter"
REPS = {"Tom": ("Tom Hughes", "tom.hughes@harbourlane.example"),
        "Priya": ("Priya Shah", "priya.shah@harbourlane.example")}
MANAGER = ("Mark Ellis", "mark.ellis@harbourlane.example")


@dataclass(frozen=True)
class Client:
    name: str
    contact: str
    email: str
    phone: str
    address: str
    address2: str
    city: str
    postcode: str
    country: str
    language: str = "en"
    terms: str = "Net 30"
    credit_limit: Optional[float] = None
    rep: str = "Tom"
    managed: bool = False  # has an account manager besides the owner
    currency: str = "GBP"
    habit: str = "steady"  # how late it usually pays: a key of HABITS
    weight: int = 3  # how often it buys


CLIENTS = (
    Client("Abbott & Finch Builders Ltd", "Graham Abbott", "accounts@abbottfinch.example", "0113 496 0101",
           "Unit 3, Airedale Trading Park", "Kirkstall Road", "Leeds", "LS4 2AZ", "United Kingdom",
           credit_limit=25000, managed=True, habit="slow", weight=6),
    Client("Bramley Garden Centre", "Susan Bramley", "susan@bramleygardens.example", "0113 496 0188",
           "Bramley Lane", "", "Leeds", "LS13 3NE", "United Kingdom", habit="early"),
    Client("Castle Street Café", "Owen Price", "", "029 2018 0412", "14 Castle Street", "", "Cardiff",
           "CF10 1BS", "United Kingdom", terms="Net 14", weight=2),
    Client("Dalton Electrical Services", "Kevin Dalton", "kevin@daltonelectrical.example", "0117 496 0333",
           "7 Feeder Road", "", "Bristol", "BS2 0SB", "United Kingdom", rep="Priya", habit="early"),
    Client("Eastgate Dental Practice", "Dr Anita Rao", "practice@eastgatedental.example", "01632 960214",
           "22 Eastgate", "", "Chester", "CH1 1LE", "United Kingdom", rep="Priya", habit="early", weight=2),
    Client("Fenwick & Daughters Joinery", "Ruth Fenwick", "ruth@fenwickjoinery.example", "01632 960377",
           "The Old Sawmill", "Mill Road", "Hexham", "NE46 3PD", "United Kingdom", habit="early"),
    Client("Greenway Property Management", "Lee Carter", "lee.carter@greenwaypm.example", "020 7946 0521",
           "Suite 5, 40 Borough High Street", "", "London", "SE1 1XW", "United Kingdom",
           credit_limit=15000, managed=True, habit="early", weight=5),
    Client("Highfield Primary School", "Julie Marsh", "office@highfield-primary.example", "0117 496 0950",
           "Highfield Road", "Horfield", "Bristol", "BS7 9RR", "United Kingdom", terms="Net 30 EOM",
           habit="steady", weight=2),
    Client("Ironbridge Motors Ltd", "Darren Cole", "darren@ironbridgemotors.example", "01632 960488",
           "Unit 12, Station Industrial Estate", "Wharfage", "Telford", "TF8 7AW", "United Kingdom",
           credit_limit=18000, habit="early", weight=4),
    Client("Juniper Hotel Group", "Claire Whitfield", "payables@juniperhotels.example", "020 7946 0780",
           "Juniper House", "18 Marylebone Lane", "London", "W1U 2PF", "United Kingdom",
           terms="2/10 Net 30", credit_limit=20000, managed=True, habit="prompt", weight=8),
    Client("Kestrel Logistics Ltd", "Martin Shaw", "ap@kestrel-logistics.example", "0121 496 0612",
           "Bay 4, Hams Hall Distribution Park", "", "Coleshill", "B46 1AL", "United Kingdom",
           terms="2/10 Net 30", credit_limit=25000, rep="Priya", managed=True, habit="prompt", weight=7),
    Client("Lakeside Veterinary Surgery", "Emma Hart", "emma@lakesidevets.example", "01632 960540",
           "3 Lakeside Walk", "", "Windermere", "LA23 1BP", "United Kingdom", habit="early", weight=2),
    Client("Mercer Plumbing & Heating", "Steve Mercer", "", "07700 900417", "41 Church Street", "",
           "Kidderminster", "DY10 2AY", "United Kingdom", habit="early"),
    Client("Northgate Print Works", "Alan Brooks", "alan@northgateprint.example", "0191 496 0233",
           "Northgate House", "Pilgrim Street", "Newcastle upon Tyne", "NE1 6QE", "United Kingdom",
           credit_limit=6000, habit="early"),
    Client("Oakwood Care Home", "Helen Doyle", "finance@oakwoodcare.example", "01632 960611",
           "Oakwood Drive", "", "Shrewsbury", "SY3 8AA", "United Kingdom", rep="Priya", habit="early"),
    Client("Pennine Outdoor Ltd", "Chris Barker", "chris@pennineoutdoor.example", "0161 496 0744",
           "Mill 2, Victoria Works", "Bridge Street", "Hebden Bridge", "HX7 8EX", "United Kingdom",
           credit_limit=5000, habit="early", weight=1),
    Client("Quayside Fish Bar", "Tony Russo", "", "07700 900862", "2 The Quay", "", "Whitby", "YO21 1DH",
           "United Kingdom", terms="Net 14", habit="early", weight=1),
    Client("Riverside Community Church", "Rev. Paul Edwards", "office@riversidechurch.example",
           "0117 496 0120", "Riverside Hall", "Bath Road", "Bristol", "BS4 3AP", "United Kingdom",
           habit="prompt", weight=1),
    Client("Severn Valley Brewery", "Megan Lloyd", "megan@severnvalleybrew.example", "01632 960877",
           "The Maltings", "Severn Side", "Bridgnorth", "WV16 4AA", "United Kingdom", terms="2/10 Net 30",
           credit_limit=20000, rep="Priya", managed=True, habit="prompt", weight=6),
    Client("Thornbury Estates", "Richard Thorne", "accounts@thornburyestates.example", "01454 960111",
           "Estate Office", "Castle Street", "Thornbury", "BS35 1HB", "United Kingdom", terms="2/10 Net 30",
           credit_limit=12000, managed=True, habit="steady", weight=5),
    Client("Underwood Architects LLP", "Fiona Underwood", "fiona@underwoodarch.example", "020 7946 0333",
           "3rd Floor, 12 Clerkenwell Green", "", "London", "EC1R 0DP", "United Kingdom", rep="Priya",
           habit="early"),
    Client("Victoria Arcade Florist", "Grace Kim", "grace@victoriaflorist.example", "0113 496 0909",
           "Unit 9, Victoria Arcade", "", "Leeds", "LS1 6BH", "United Kingdom", habit="early", weight=2),
    Client("Westfield Sports Club", "Danny Moore", "treasurer@westfieldsc.example", "01632 960999",
           "Westfield Pavilion", "Park Lane", "Stockport", "SK4 2AB", "United Kingdom", habit="early"),
    Client("Yardley Bakery", "Pauline Yardley", "pauline@yardleybakery.example", "0121 496 0555",
           "88 Yardley Road", "", "Birmingham", "B25 8LT", "United Kingdom", habit="early", weight=0),
    Client("Marston Hardware Co", "Ian Marston", "ian@marstonhardware.example", "01632 960222",
           "5 Market Place", "", "Stratford-upon-Avon", "CV37 6AA", "United Kingdom", habit="slow", weight=4),
    Client("Coastal Cleaning Co", "Sharon Hill", "sharon@coastalcleaning.example", "01632 960315",
           "Unit 1, Harbour Road", "", "Plymouth", "PL4 0SJ", "United Kingdom", rep="Priya", habit="slow"),
    Client("Brookside Farm Shop", "Tom Whitaker", "shop@brooksidefarm.example", "01632 960466",
           "Brookside Farm", "Long Lane", "Tetbury", "GL8 8AA", "United Kingdom", habit="slow"),
    Client("Harrow & Sons Removals", "Gary Harrow", "gary@harrowremovals.example", "020 7946 0876",
           "Yard 2, Wealdstone Road", "", "Harrow", "HA3 5BQ", "United Kingdom", terms="Due on receipt",
           habit="steady", weight=2),
    Client("Redpoint IT Solutions Ltd", "Sanjay Patel", "accounts@redpointit.example", "0116 496 0432",
           "Redpoint House", "4 Friar Lane", "Leicester", "LE1 5RA", "United Kingdom", terms="2/10 Net 30",
           credit_limit=9000, rep="Priya", habit="prompt", weight=5),
    Client("Boulangerie Martin SARL", "Sophie Martin", "compta@boulangerie-martin.example", "+33 4 78 00 12 34",
           "12 rue de la République", "", "Lyon", "69002", "France", language="fr", currency="EUR",
           habit="early", weight=3),
    Client("Le Petit Comptoir", "Camille Laurent", "camille@lepetitcomptoir.example", "020 7946 0412",
           "27 Lamb's Conduit Street", "", "London", "WC1N 3NG", "United Kingdom", language="fr",
           habit="steady", weight=3),
    Client("Maison Dubois Intérieurs", "Julien Dubois", "julien@maisondubois.example", "+33 3 20 00 45 67",
           "8 place du Général de Gaulle", "", "Lille", "59000", "France", language="fr", rep="Priya",
           habit="slow", weight=2),
    Client("Aegean Foods Ltd", "Giorgos Papadopoulos", "giorgos@aegeanfoods.example", "020 7946 0654",
           "Unit 6, Lea Valley Trading Estate", "Angel Road", "London", "N18 3BP", "United Kingdom",
           language="el", credit_limit=20000, habit="slow", weight=4),
    Client("Olympia Taverna", "Eleni Georgiou", "eleni@olympiataverna.example", "0161 496 0876",
           "51 Oxford Road", "", "Manchester", "M1 5QA", "United Kingdom", language="el", habit="slow",
           weight=2),
    Client("Kalamata Trading", "Dimitris Konstantinou", "info@kalamatatrading.example", "+30 2310 000 456",
           "Λεωφόρος Νίκης 24", "", "Θεσσαλονίκη", "546 22", "Greece", language="el", habit="early"),
    Client("PT Nusantara Craft", "Budi Santoso", "budi@nusantaracraft.example", "+62 21 0000 5678",
           "Jl. Kemang Raya No. 15", "Kebayoran Baru", "Jakarta Selatan", "12730", "Indonesia",
           language="id", rep="Priya", habit="early", weight=2),
    Client("Warung Bali Kitchen", "Made Wirawan", "made@warungbali.example", "0117 496 0787",
           "9 Gloucester Road", "", "Bristol", "BS7 8AA", "United Kingdom", language="id", habit="steady",
           weight=2),
    Client("CV Sumber Rejeki", "Siti Rahayu", "siti@sumberrejeki.example", "+62 31 0000 3344",
           "Jl. Raya Darmo No. 88", "", "Surabaya", "60241", "Indonesia", language="id", habit="slow",
           weight=2),
    Client("Carpatia Import SRL", "Andrei Popescu", "andrei.popescu@carpatia.example", "+40 21 000 7788",
           "Str. Doamnei nr. 12", "Sector 3", "București", "030051", "Romania", language="ro", rep="Priya",
           habit="early", weight=2),
    Client("Manila Bay Trading", "Maria Santos", "maria@manilabaytrading.example", "+63 2 8000 1234",
           "Unit 804, Tower 1, Ayala Avenue", "Makati", "Metro Manila", "1226", "Philippines",
           language="tl", habit="early", weight=2),
)

# How many days after (or before, negative) the due date each kind of payer pays.
HABITS = {"early": (-12, -1), "prompt": (-6, 6), "steady": (0, 35), "slow": (15, 65)}


@dataclass
class Sale:
    """One row of the shop's invoice sheet while it is being built."""

    client: Client
    invoice_date: dt.date
    amount: float
    tag: str = ""  # names a scripted invoice so the Contact Log can point at it
    due_date: Optional[dt.date] = None
    paid: Optional[float] = None
    paid_date: Optional[dt.date] = None
    status: str = "Open"
    notes: str = ""
    number: str = ""
    show_due: bool = True


@dataclass(frozen=True)
class Scripted:
    """An invoice placed so a customer reaches a given age or step on AS_OF."""

    tag: str
    client: str
    days_overdue: int  # negative: due in that many days
    amount: float
    status: str = "Open"
    paid: Optional[float] = None
    paid_date: Optional[dt.date] = None
    notes: str = ""
    invoice_date: Optional[dt.date] = None  # given when the age counts from the invoice date


SCRIPTED = (
    Scripted("new-3", "Victoria Arcade Florist", 0, 486.20, invoice_date=AS_OF - dt.timedelta(days=3)),
    Scripted("receipt-check", "Lakeside Veterinary Surgery", 0, 1240.00,
             invoice_date=AS_OF - dt.timedelta(days=6)),
    Scripted("courtesy", "Eastgate Dental Practice", -5, 2315.40),
    Scripted("overdue-6", "Bramley Garden Centre", 6, 734.85),
    Scripted("first-call", "Dalton Electrical Services", 9, 3120.00),
    Scripted("conversation", "Fenwick & Daughters Joinery", 12, 1875.60),
    Scripted("second-notice", "Mercer Plumbing & Heating", 22, 968.30),
    Scripted("escalation", "Oakwood Care Home", 33, 2654.75),
    Scripted("final-demand", "Underwood Architects LLP", 45, 4380.00, status="Partly paid", paid=1000.00,
             paid_date=AS_OF - dt.timedelta(days=30), notes="Paid £1,000 on account"),
    Scripted("referral-70", "Westfield Sports Club", 70, 1590.00),
    Scripted("referral-128", "Quayside Fish Bar", 128, 612.45, notes="Owner not answering the phone"),
    Scripted("broken-promise", "Ironbridge Motors Ltd", 27, 2210.90),
    Scripted("promise", "Northgate Print Works", 15, 1460.00),
    Scripted("plan", "Pennine Outdoor Ltd", 95, 4800.00, status="Partly paid", paid=2400.00,
             paid_date=dt.date(2026, 10, 14), notes="Payment plan agreed 01/09/2026: 4 x £1,200"),
    Scripted("disputed", "Greenway Property Management", 28, 3275.50, status="Disputed",
             notes="Says 3 boxes of tiles were short; delivery note sent"),
    Scripted("written-off", "Yardley Bakery", 140, 845.00, status="Written off",
             notes="Bakery closed in June; written off"),
    Scripted("early-discount", "Kestrel Logistics Ltd", 30, 5150.00, status="Paid", paid=5047.00,
             paid_date=AS_OF - dt.timedelta(days=52), notes="2% early payment discount taken"),
    Scripted("fr-eur", "Boulangerie Martin SARL", 18, 1320.00),
    Scripted("ro", "Carpatia Import SRL", 35, 2780.00),
    Scripted("el", "Kalamata Trading", 50, 1945.30),
    Scripted("id", "PT Nusantara Craft", 10, 3380.00),
    Scripted("tl", "Manila Bay Trading", 20, 1150.75),
)

NOTES = ("PO 4471", "Delivered to site", "Collected in person", "Repeat order", "Rush delivery",
         "PO number on request", "Deliver to back door", "Second drop")


# --- the shop's history --------------------------------------------------------------------


def client_named(name: str) -> Client:
    return next(client for client in CLIENTS if client.name == name)


def net_days(terms: str) -> int:
    if terms == "Due on receipt":
        return 0
    return int(terms.split("Net ")[1].split()[0])


def due_date_for(invoice_date: dt.date, terms: str) -> dt.date:
    if terms.endswith("EOM"):
        next_month = (invoice_date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        return next_month - dt.timedelta(days=1) + dt.timedelta(days=net_days(terms))
    return invoice_date + dt.timedelta(days=net_days(terms))


def random_amount(rng: random.Random) -> float:
    pounds = math.exp(rng.uniform(math.log(120), math.log(9800)))
    return round(min(9800.0, max(120.0, pounds)), 2)


def business_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def background_sales(rng: random.Random) -> list[Sale]:
    """A seeded history of ordinary invoices, paid the way each customer usually pays."""
    days = business_days(FIRST_INVOICE_DATE, AS_OF - dt.timedelta(days=1))
    buyers = [client for client in CLIENTS if client.weight]
    sales = []
    growth = [1 + 2.5 * n / len(days) for n in range(len(days))]  # the business is growing
    for invoice_date in sorted(rng.choices(days, weights=growth, k=BACKGROUND_INVOICES)):
        client = rng.choices(buyers, weights=[c.weight for c in buyers])[0]
        sale = Sale(client, invoice_date, random_amount(rng))
        sale.due_date = due_date_for(invoice_date, client.terms)
        settle_by_habit(sale, rng)
        sale.show_due = rng.random() > 0.08 or client.terms.endswith("EOM")
        if rng.random() < 0.1:
            sale.notes = rng.choice(NOTES)
        sales.append(sale)
    return sales


def settle_by_habit(sale: Sale, rng: random.Random) -> None:
    low, high = HABITS[sale.client.habit]
    paid_on = sale.due_date + dt.timedelta(days=rng.randint(low, high))
    paid_on = max(paid_on, sale.invoice_date + dt.timedelta(days=1))
    if paid_on < AS_OF:
        sale.paid, sale.paid_date, sale.status = sale.amount, paid_on, "Paid"


def scripted_sales() -> list[Sale]:
    sales = []
    for script in SCRIPTED:
        client = client_named(script.client)
        if script.invoice_date:
            invoice_date = script.invoice_date
            due = due_date_for(invoice_date, client.terms)
        else:
            due = AS_OF - dt.timedelta(days=script.days_overdue)
            invoice_date = due - dt.timedelta(days=net_days(client.terms))
        sales.append(Sale(client, invoice_date, script.amount, tag=script.tag, due_date=due,
                          paid=script.paid, paid_date=script.paid_date, status=script.status,
                          notes=script.notes))
    return sales


def part_pay_some(sales: list[Sale], rng: random.Random) -> None:
    """A few overdue invoices of slow payers got a payment on account."""
    candidates = [s for s in sales if not s.tag and s.status == "Open" and s.due_date < AS_OF]
    for sale in rng.sample(candidates, min(5, len(candidates))):
        sale.paid = round(sale.amount * rng.choice((0.25, 0.4, 0.5)), 2)
        sale.paid_date = min(AS_OF - dt.timedelta(days=1), sale.due_date + dt.timedelta(days=rng.randint(1, 9)))
        sale.status = "Partly paid"


def credit_note(sales: list[Sale]) -> Sale:
    juniper = client_named("Juniper Hotel Group")
    returned = next(s for s in sales if s.client is juniper and s.invoice_date < AS_OF - dt.timedelta(days=30))
    return Sale(juniper, AS_OF - dt.timedelta(days=19), -240.00, tag="credit-note", number="CN-0001",
                status="", notes=f"Credit for returned linen on {returned.number}", show_due=False)


def shop_sales(rng: random.Random) -> list[Sale]:
    sales = background_sales(rng) + scripted_sales()
    sales.sort(key=lambda s: (s.invoice_date, s.client.name, s.amount))
    for number, sale in enumerate(sales, start=1001):
        sale.number = f"INV-{number}"
    part_pay_some(sales, rng)
    note = credit_note(sales)
    sales.insert(next(i for i, s in enumerate(sales) if s.invoice_date > note.invoice_date), note)
    return sales


def contact_log(sales: list[Sale]) -> list[list[object]]:
    by_tag = {sale.tag: sale for sale in sales if sale.tag}

    def row(days_ago: int, tag: str, channel: str, note: str, promised: Optional[dt.date] = None,
            amount: Optional[float] = None) -> list[object]:
        sale = by_tag[tag]
        return [AS_OF - dt.timedelta(days=days_ago), sale.client.name, sale.number, channel, None, note,
                promised, amount, OWNER]

    broken, promise = by_tag["broken-promise"], by_tag["promise"]
    return [
        row((AS_OF - dt.date(2026, 9, 1)).days, "plan", "call",
            "Agreed a payment plan: 4 monthly instalments of £1,200 from 15/09"),
        row(17, "broken-promise", "call", "Darren says the cheque goes out by the 13th",
            AS_OF - dt.timedelta(days=10), broken.amount),
        row(12, "escalation", "email", "Emailed a statement and asked for a payment date"),
        row(10, "disputed", "dispute", "Lee disputes the quantity: 3 boxes of tiles short"),
        row(4, "promise", "call", "Alan promised a bank transfer next Monday",
            AS_OF + dt.timedelta(days=6), promise.amount),
        row(3, "conversation", "call", "Spoke to Ruth: invoice approved, in their next payment run"),
    ]


def payment_plan() -> list[list[object]]:
    return [["Pennine Outdoor Ltd", dt.date(2026, month, 15), 1200.00] for month in (9, 10, 11, 12)]


# --- writing -------------------------------------------------------------------------------


def settings_rows() -> list[tuple[str, object]]:
    values = {
        "company_name": "Harbour Lane Supplies Ltd",
        "address": "Unit 7, Harbour Lane\nPortside Business Park\nBristol BS1 6XN\nUnited Kingdom",
        "phone": "0117 496 0000",
        "email": "accounts@harbourlane.example",
        "signature": "Jane Porter, Accounts",
        "payment_instructions": ("Bank transfer to Harbour Lane Supplies Ltd\n"
                                 "Sort code 20-00-00  Account 12345678\n"
                                 "Please quote the invoice number as the reference."),
        "currency": "GBP",
        "language": "en",
        "default_terms": "Net 30",
        "late_interest": 1,
        "grace_days": 5,
        "aging_buckets": "30, 60, 90",
        "min_days_between_contacts": 7,
    }
    return [(header.SETTINGS[name][0], value) for name, value in values.items()]


def write_table(sheet: Worksheet, titles: list[str], fields: list[str], rows: list[list[object]]) -> None:
    """A tidy table: bold shaded header, frozen, filtered, formatted and sized to fit."""
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row_number, values in enumerate(rows, start=2):
        for column, (field_name, value) in enumerate(zip(fields, values), start=1):
            cell = sheet.cell(row=row_number, column=column, value=value)
            if field_name in DATE_FIELDS:
                cell.number_format = DATE_FORMAT
            elif field_name in MONEY_FIELDS:
                cell.number_format = MONEY_FORMAT
    for column, title in enumerate(titles, start=1):
        shown = [_shown(row[column - 1], fields[column - 1]) for row in rows]
        sheet.column_dimensions[get_column_letter(column)].width = min(max([len(title)] + shown) + 3, 48)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(titles))}{len(rows) + 1}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0


def _shown(value: object, field_name: str) -> int:
    if value is None:
        return 0
    if field_name in DATE_FIELDS:
        return 10
    if field_name in MONEY_FIELDS and isinstance(value, float):
        return len(f"{value:,.2f}")
    return max(len(line) for line in str(value).split("\n"))


def titles_for(kind: str, fields: list[str]) -> list[str]:
    overrides = {header.CONTACT_LOG_DATE: "Date", "notes": "Note"} if kind == "contact_log" else {}
    return [overrides.get(field_name, header.display_name(field_name)) for field_name in fields]


def add_invoices(workbook: Workbook, sales: list[Sale]) -> None:
    fields = ["invoice_no", "invoice_date", "customer", "terms", "due_date", "amount", "paid", "paid_date",
              "status", "currency", "notes"]
    rows = [[s.number, s.invoice_date, s.client.name, "" if s.amount < 0 else s.client.terms,
             s.due_date if s.show_due else None, s.amount, s.paid, s.paid_date, s.status or None,
             s.client.currency, s.notes or None] for s in sales]
    write_table(workbook.create_sheet(header.SHEET_NAMES["invoices"][0]), titles_for("invoices", fields),
                fields, rows)


def add_customers(workbook: Workbook) -> None:
    fields = ["customer", "contact_name", "email", "phone", "address", "address2", "city", "postcode",
              "country", "language", "terms", "credit_limit", "sales_rep", "sales_rep_email",
              "account_manager", "account_manager_email", "credit_status"]
    rows = []
    for c in CLIENTS:
        rep, rep_email = REPS[c.rep]
        manager, manager_email = MANAGER if c.managed else (None, None)
        rows.append([c.name, c.contact, c.email or None, c.phone, c.address, c.address2 or None, c.city,
                     c.postcode, c.country, c.language, c.terms, c.credit_limit and float(c.credit_limit),
                     rep, rep_email, manager, manager_email, None])
    write_table(workbook.create_sheet(header.SHEET_NAMES["customers"][0]), titles_for("customers", fields),
                fields, rows)


def add_contact_log(workbook: Workbook, sales: list[Sale]) -> None:
    fields = [header.CONTACT_LOG_DATE, "customer", "invoice_no", "channel", "step", "notes", "promised_date",
              "promised_amount", "by"]
    write_table(workbook.create_sheet(header.SHEET_NAMES["contact_log"][0]),
                titles_for("contact_log", fields), fields, contact_log(sales))


def add_payment_plans(workbook: Workbook) -> None:
    fields = ["customer", "instalment_date", "amount"]
    write_table(workbook.create_sheet(header.SHEET_NAMES["payment_plans"][0]),
                titles_for("payment_plans", fields), fields, payment_plan())


def add_settings(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(header.SHEET_NAMES["settings"][0])
    rows = [list(pair) for pair in settings_rows()]
    write_table(sheet, titles_for("settings", ["setting", "value"]), ["setting", "value"], rows)
    sheet.auto_filter.ref = None
    for row in range(2, len(rows) + 2):
        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        sheet.cell(row=row, column=1).alignment = Alignment(vertical="top")


def build_shop() -> Workbook:
    rng = random.Random(SEED)
    sales = shop_sales(rng)
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_invoices(workbook, sales)
    add_customers(workbook)
    add_contact_log(workbook, sales)
    add_payment_plans(workbook)
    add_settings(workbook)
    return workbook


FIRST_TRACKER = (
    ("Mrs Okafor", dt.date(2026, 8, 28), 180.00, "Kitchen tap and shower valve"),
    ("Greenleaf Café", dt.date(2026, 9, 4), 640.50, None),
    ("Tom Reilly", dt.date(2026, 9, 11), 95.00, None),
    ("Greenleaf Café", dt.date(2026, 9, 25), 1120.00, "Boiler service; wants a copy of the invoice by post"),
    ("St Mark's Hall", dt.date(2026, 10, 2), "£1,250.00", None),
    ("Mrs Okafor", dt.date(2026, 10, 9), 260.00, None),
    ("Patel & Co Accountants", dt.date(2026, 10, 16), 435.75, None),
    ("Tom Reilly", dt.date(2026, 10, 23), 310.00, "Says he'll pay at the end of the month"),
    ("The Old Forge B&B", dt.date(2026, 10, 30), 2080.00, None),
    ("Greenleaf Café", dt.date(2026, 11, 6), 188.40, None),
    ("St Mark's Hall", dt.date(2026, 11, 13), 720.00, None),
    ("Patel & Co Accountants", dt.date(2026, 11, 20), 399.99, None),
)


def build_first_tracker() -> Workbook:
    """What a first-time user types: one sheet, four columns, no styling beyond what Excel adds."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append([header.display_name(f) for f in ("customer", "invoice_date", "amount", "notes")])
    for customer, invoice_date, amount, note in FIRST_TRACKER:
        sheet.append([customer, invoice_date, amount, note])
        sheet.cell(row=sheet.max_row, column=2).number_format = DATE_FORMAT
    for letter, width in (("A", 24), ("B", 12), ("C", 11), ("D", 44)):
        sheet.column_dimensions[letter].width = width
    return workbook


def save_reproducibly(workbook: Workbook, path: str) -> None:
    """Save so that the same data gives the same bytes.

    openpyxl stamps the save time into docProps/core.xml and into every zip
    entry; both are replaced by FIXED_TIME.
    """
    workbook.properties.creator = workbook.properties.lastModifiedBy = OWNER
    workbook.properties.created = FIXED_TIME
    temp_path = path + ".tmp"
    workbook.save(temp_path)
    with zipfile.ZipFile(temp_path) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = MODIFIED.sub(rb"\g<1>" + FIXED_STAMP + rb"\g<2>", data)
            entry = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    os.remove(temp_path)


def main(out_dir: str) -> list[str]:
    """Write shop.xlsx and first-tracker.xlsx into out_dir; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, build in (("shop.xlsx", build_shop), ("first-tracker.xlsx", build_first_tracker)):
        path = os.path.join(out_dir, name)
        save_reproducibly(build(), path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in main(os.path.dirname(os.path.abspath(__file__))):
        print(f"wrote {written}")
