"""Writing test emails as raw RFC 5322 bytes, the way a mail client would send them."""

from __future__ import annotations

import itertools
import os
from email.message import EmailMessage

_n = itertools.count(1)


def raw_mail(*, sender: str = "Pat Doe <pat@example.org>", to: str = "service@shop.example",
             subject: str = "Hello", body: str = "Hi.", message_id: str | None = None,
             in_reply_to: str = "", references: str = "", html: str | None = None,
             headers: dict[str, str] | None = None,
             attachments: list[tuple[str, str, bytes]] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<t{next(_n)}@example.org>"
    msg["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    if html is not None and body == "":
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    for name, ctype, data in attachments or []:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def jpeg() -> bytes:
    """A small real JPEG (passes the upload checks)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


# The run's database (PostgreSQL refuses NUL in text, so no stored row can hold one there).
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
