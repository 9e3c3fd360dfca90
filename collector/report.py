"""What collector prints: problems, the aging table and this week's plan, and JSON for scripts."""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import replace
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from collector.aging import CREDITS, AgedBalance, aged_balances
from collector.assessment import Assessment, InvoiceResult
from collector.model import Book, Problem


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def read_summary(book: Book) -> str:
    layout = book.layouts[0] if book.layouts else None
    where = f" on '{layout.name}' (header row {layout.header_row})" if layout else ""
    parts = [f"{_plural(len(book.invoices), 'invoice')}{where}", _plural(len(book.customers), "customer")]
    if book.contact_log:
        parts.append(_plural(len(book.contact_log), "contact log entry", "contact log entries"))
    if book.instalments:
        parts.append(_plural(len(book.instalments), "instalment"))
    return f"Read {os.path.basename(book.path)}: " + ", ".join(parts) + "."


def _sort_key(problem: Problem) -> tuple:
    match = re.fullmatch(r"([A-Z]+)(\d*)", problem.cell or "")
    column, row = (match.group(1), int(match.group(2) or 0)) if match else ("", 0)
    return (row, len(column), column)


def sender_problems(book: Book) -> list[Problem]:
    """Advice the documents need: without the owner's name, a letter has no sender."""
    if book.settings.company_name.strip():
        return []
    return [Problem(book.settings.sheet or "Settings", "", "", "there is no Company Name, so the letters and email "
                    "drafts would not say who they are from", f"{_sender_fix(book)}, or run with --no-documents",
                    "warning")]


def _sender_fix(book: Book) -> str:
    if book.settings.sheet:
        return f"Fill in the rows Company Name, Address, Phone and Email on the '{book.settings.sheet}' sheet"
    return ("Add a Settings sheet with the rows Company Name, Address, Phone and Email and their values "
            "('collector init' makes a workbook that shows one)")


def problems_text(book: Book) -> str:
    """Every problem at once, errors first, each on its own line, in sheet and row order."""
    lines = [read_summary(book)]
    sheet_order = {layout.name: i for i, layout in enumerate(book.layouts)}
    ordered = sorted([*book.problems, *sender_problems(book)],
                     key=lambda p: (sheet_order.get(p.sheet, 99), p.sheet, _sort_key(p)))
    errors = [p for p in ordered if p.severity == "error"]
    warnings = [p for p in ordered if p.severity != "error"]
    if errors:
        lines.append(f"{_plural(len(errors), 'problem')} to fix:")
        lines.extend(f"  {p}" for p in errors)
    if warnings:
        lines.append(f"{_plural(len(warnings), 'thing')} worth checking:")
        lines.extend(f"  {p}" for p in warnings)
    if not errors:
        lines.append("No problems to fix. The workbook is ready." if not warnings
                     else "Nothing stops collector from working with this workbook.")
    return "\n".join(lines) + "\n"


# --- terminal report -------------------------------------------------------------------------


def money_text(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return f"{amount:,.2f}" if amount >= 0 else f"-{-amount:,.2f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[bool]) -> list[str]:
    rows = [list(map(str, row)) for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)).rstrip()

    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def report_text(book: Book, assessment: Assessment, top: int = 25) -> str:
    lines = [read_summary(book) + f" As of {assessment.as_of.isoformat()}."]
    errors = len(book.errors)
    if errors:
        lines.append(f"{_plural(errors, 'row problem')} kept some rows out; run 'collector check' to see them.")
    aged = aged_balances(assessment.invoices)
    for totals in assessment.totals:
        lines += [""] + _aging_block(assessment, totals, top, aged)
    lines += [""] + _plan_block(assessment)
    return "\n".join(lines) + "\n"


def _aging_block(assessment: Assessment, totals, top: int, aged: Mapping[tuple[str, str], AgedBalance]) -> list[str]:
    """One currency's aging table; a Credits column when open credit notes make a line's buckets add
    up to less than its total."""
    currency = totals.currency
    title = f"Aging{' in ' + currency if currency else ''}"
    labels = [label for label, _ in totals.buckets]
    credits = [CREDITS] if totals.credits else []
    by_customer = {key: line for (key, of), line in aged.items() if of == currency}
    rows = []
    accounts = [a for a in assessment.accounts if a.open_total.get(currency)]
    accounts.sort(key=lambda a: (-a.overdue_total.get(currency, Decimal(0)), -a.open_total.get(currency, 0), a.customer.name))
    for account in accounts[:top]:
        line = by_customer.get(account.customer.key)
        buckets = line.buckets if line else {}
        hold = " (cash only)" if account.credit_status == "Cash only" else ""
        rows.append([account.customer.name[:32] + hold] + [money_text(buckets.get(l)) for l in labels]
                    + ([money_text(line.credits or None if line else None)] if credits else [])
                    + [money_text(line.total if line else account.open_total.get(currency))])
    if len(accounts) > top:
        rows.append([f"... {len(accounts) - top} more customers"] + [""] * (len(labels) + len(credits) + 1))
    rows.append(["TOTAL"] + [money_text(v) for _, v in totals.buckets]
                + ([money_text(totals.credits)] if credits else []) + [money_text(totals.receivables)])
    columns = labels + credits + ["Total"]
    lines = [title] + table(["Customer"] + columns, rows, [False] + [True] * len(columns))
    share = f"{totals.overdue_share}%"
    dso = f"{totals.dso} days" if totals.dso is not None else "n/a (no sales in the last 90 days)"
    lines.append(f"Receivables {money_text(totals.receivables)}  Overdue {money_text(totals.overdue)} ({share})"
                 f"  DSO {dso}  Customers on credit hold {totals.customers_on_hold}")
    if totals.credits:
        lines.append(f"Open credit notes {money_text(totals.credits)} are in the Credits column and the total, not in "
                     f"any bucket; the overdue share is of the {money_text(totals.receivables - totals.credits)} "
                     "owed before them.")
    return lines


def _plan_block(assessment: Assessment) -> list[str]:
    if not assessment.actions:
        return ["This week's plan: nothing to do."]
    rows = []
    for action in assessment.actions:
        amount = ", ".join(f"{c} {money_text(v)}".strip() for c, v in action.amount.items() if v)
        rows.append([action.customer.name[:32], action.step, action.channel, amount,
                     ", ".join(action.invoices)[:40]])
    lines = [f"This week's plan ({_plural(len(assessment.actions), 'action')}, most urgent first)"]
    return lines + table(["Customer", "Step", "Channel", "Amount", "Invoices"], rows,
                         [False, False, False, True, False])


# --- JSON ------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _invoice_json(result: InvoiceResult) -> dict:
    invoice = result.invoice
    return {
        "row": invoice.row, "number": invoice.number, "customer": invoice.customer,
        "customer_key": invoice.customer_key, "invoice_date": _plain(invoice.invoice_date),
        "due_date": _plain(result.due_date), "terms": invoice.terms, "amount": _plain(invoice.amount),
        "paid": _plain(invoice.paid), "paid_date": _plain(invoice.paid_date), "status": invoice.status,
        "currency": result.currency, "state": result.state, "open_balance": _plain(result.open_balance),
        "days_overdue": result.days_overdue, "aging": result.bucket, "interest": _plain(result.interest),
        "discount_deadline": _plain(result.discount_deadline), "discount_amount": _plain(result.discount_amount),
        "stage": result.stage, "next_step": result.next_step,
        "next_action_date": _plain(result.next_action_date), "notes": invoice.notes,
    }


def report_json(book: Book, assessment: Assessment) -> str:
    actions = {a.customer.key: a for a in assessment.actions}
    aged: dict[str, dict[str, dict]] = {}
    for (key, currency), line in aged_balances(assessment.invoices).items():
        aged.setdefault(key, {})[currency] = {"buckets": dict(line.buckets), "credits": line.credits, "total": line.total}
    customers = []
    for account in assessment.accounts:
        action = actions.get(account.customer.key)
        customer = account.customer
        customers.append({
            "key": customer.key, "name": customer.name, "email": customer.email, "phone": customer.phone,
            "language": customer.language, "open_total": _plain(dict(account.open_total)),
            "overdue_total": _plain(dict(account.overdue_total)),
            "aging": _plain(aged.get(customer.key, {})),  # by currency: buckets + credits = total
            "oldest_days_overdue": account.oldest_days_overdue, "stage": account.stage,
            "credit_status": account.credit_status, "credit_reason": account.credit_reason,
            "promise": _plain(account.promise.__dict__) if account.promise else None,
            "instalments_missed": _plain(account.instalments_missed),
            "average_days_to_pay": account.average_days_to_pay,
            "expected_payment_date": _plain(account.expected_payment_date),
            "waiting_until": _plain(account.waiting_until),
            "next_step": _action_json(action) if action else None,
        })
    document = {
        "workbook": book.path, "as_of": assessment.as_of.isoformat(),
        "invoices": [_invoice_json(r) for r in assessment.invoices],
        "customers": customers,
        "totals": [_plain({k: getattr(t, k) for k in t.__dataclass_fields__}) for t in assessment.totals],
        "problems": [{"sheet": p.sheet, "cell": p.cell, "value": p.value, "message": p.message,
                      "fix": p.fix, "severity": p.severity} for p in book.problems],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _action_json(action) -> dict:
    return _plain({
        "step": action.step, "channel": action.channel, "to": list(action.to), "template": action.template,
        "invoices": list(action.invoices), "open_invoices": list(action.open_invoices),
        "amount": dict(action.amount), "interest": dict(action.interest),
        "minimum_amount": dict(action.minimum_amount), "pay_by": action.pay_by,
        "following_step": action.following_step, "following_date": action.following_date,
        "reason": action.reason,
    })


# --- the weekly run ----------------------------------------------------------------------------


def run_summary(result) -> str:
    """What `collector run` read, decided and wrote, in a few lines."""
    book, assessment = result.book, result.assessment
    carried = getattr(result, "carried", None)
    if carried and carried.log_entries:  # the tracker's own entries first; the carried ones are below them
        own = book.contact_log[:len(book.contact_log) - carried.log_entries]
        lines = [read_summary(replace(book, contact_log=own))]
    else:
        lines = [read_summary(book)]
    if carried and carried.sentence():
        lines.append(carried.sentence())
    held = sum(1 for a in assessment.accounts if a.credit_status == "Cash only")
    lines.append(f"As of {assessment.as_of.isoformat()}: {_plural(len(assessment.actions), 'action')} this week, "
                 f"{_plural(held, 'customer')} on credit hold.")
    for totals in assessment.totals:
        currency = f"{totals.currency} " if totals.currency else ""
        credits = (f" after open credits of {currency}{money_text(-totals.credits)}"  # overdue is before them
                   if totals.credits else "")
        lines.append(f"  Receivables {currency}{money_text(totals.receivables)}{credits}, overdue "
                     f"{currency}{money_text(totals.overdue)} ({totals.overdue_share}%).")
    if result.dry_run:
        lines.append("Dry run: nothing was written.")
        lines += ["", *_plan_block(assessment)]
    else:
        lines += _written_lines(result)
        if result.documents is not None and result.documents.counts() and sender_problems(book):
            lines.append("Warning: these documents do not say who they are from, because the workbook has "
                         f"no Company Name. {_sender_fix(book)} and run collector again.")
    if book.errors:
        lines.append(f"{_plural(len(book.errors), 'row problem')} kept some rows out; "
                     f"run 'collector check {os.path.basename(book.path)}' to see them.")
    return "\n".join(lines) + "\n"


def _written_lines(result) -> list[str]:
    written = result.written
    name = os.path.basename(result.workbook)
    lines = []
    if result.replaced_original:
        lines.append(f"Updated {name}: computed columns {written.computed_range}; tabs "
                     f"{', '.join(written.sheets_replaced)}; {_plural(len(result.assessment.actions), 'Contact Log row')}.")
        if result.backup:
            lines.append(f"Backup of the previous version: {_near(result.backup, result.workbook)}")
    elif result.losses:
        lines.append(f"{os.path.basename(result.book.path)} was NOT changed, because saving it would lose:")
        lines += [f"  - {loss}" for loss in result.losses]
        lines.append(f"The results are in {name} beside it.")
    else:
        tracker = os.path.basename(result.book.path)
        lines.append(f"{tracker} was left untouched (collector cannot update this kind of file); the results are "
                     f"in {name}. Go on adding invoices and payments to {tracker} and run collector on it each "
                     f"week: the Contact Log and History in {name} are carried over.")
    if written and written.credit_cells:
        lines.append(f"Credit status changed for {_plural(len(written.credit_cells), 'customer')} "
                     f"on '{written.customers_sheet}'.")
    documents = result.documents
    if documents is not None:
        lines.append(documents.summary().replace(documents.folder, _near(documents.folder, result.workbook)))
    return lines


def _near(path: str, workbook: str) -> str:
    """A path as seen from the workbook's folder (it may sit on another drive than the current one)."""
    try:
        return os.path.relpath(path, os.path.dirname(os.path.abspath(workbook)))
    except ValueError:
        return path
