"""Email drafts as .eml files that Outlook, Thunderbird and Apple Mail open ready to send.

A draft is an ordinary RFC 5322 message with ``X-Unsent: 1`` (Outlook opens it
as an unsent draft), a plain-text body with an HTML alternative, and the
statement PDF attached. Names and addresses come from the owner's workbook, so
nothing typed there may break out of a header: line breaks and control
characters are removed from every header value, and an address that is not a
plain, valid address is refused rather than passed on.
"""
from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Optional, Sequence

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
# Deliberately plain: local@domain.tld, no quoted local parts, comments or IP literals.
_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SEPARATORS = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class Mailbox:
    name: str
    address: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str = "application/pdf"


def header_text(value: str) -> str:
    """A value safe to put in a header: one line, no control characters."""
    return re.sub(r"\s{2,}", " ", _CONTROL.sub(" ", str(value or ""))).strip()


def valid_address(text: str) -> Optional[str]:
    """The address if ``text`` is one plain valid email address, else None."""
    candidate = (text or "").strip().strip("<>").strip()
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[7:]
    if len(candidate) > 254 or not _ADDRESS.fullmatch(candidate):
        return None
    return candidate


def addresses_in(text: str) -> tuple[list[str], list[str]]:
    """The valid addresses in a cell ("a@x.com; b@y.com") and the pieces that are not addresses."""
    good, bad = [], []
    for piece in _SEPARATORS.split(text or ""):
        if not piece:
            continue
        address = valid_address(piece)
        (good if address else bad).append(address or piece)
    return good, bad


def mailbox(name: str, address: str) -> Optional[Mailbox]:
    address = valid_address(address) or ""
    return Mailbox(header_text(name), address) if address else None


def _header_address(box: Mailbox) -> Address:
    username, _, domain = box.address.rpartition("@")
    return Address(display_name=header_text(box.name), username=username, domain=domain)


def draft(
    sender: Optional[Mailbox], to: Sequence[Mailbox], subject: str, text: str, html: str,
    date: dt.datetime, message_id: str, attachments: Sequence[Attachment] = (),
    cc: Sequence[Mailbox] = (), reply_to: Optional[Mailbox] = None,
) -> bytes:
    """The .eml bytes of an unsent draft."""
    message = EmailMessage(policy=email.policy.default)
    if sender:
        message["From"] = _header_address(sender)
    if to:
        message["To"] = [_header_address(box) for box in to]
    if cc:
        message["Cc"] = [_header_address(box) for box in cc]
    if reply_to:
        message["Reply-To"] = _header_address(reply_to)
    message["Subject"] = header_text(subject)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["X-Unsent"] = "1"
    message["MIME-Version"] = "1.0"
    message.set_content(_text_lines(text), subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                               filename=header_text(attachment.filename))
    return message.as_bytes(policy=email.policy.SMTP)


def message_id(*parts: str, domain: str = "") -> str:
    """A stable Message-ID for one draft: the same run makes the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
    domain = domain if domain and re.fullmatch(r"[A-Za-z0-9.-]+", domain) else "collector.invalid"
    return f"<collector.{digest}@{domain}>"


def _text_lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")) + "\n"
