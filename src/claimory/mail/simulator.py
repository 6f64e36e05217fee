"""The demo's simulated mailbox: what the shop sends stays on this machine, and a person
answers it *as the recipient* from the mail simulator (Staff → Mail simulator); the answer
is filed through the same path as synced mail, so threading is shown for real.

Only mailboxes whose provider is ``simulated`` go through here (the demo makes one); a real
Google, Microsoft or IMAP mailbox never does.
"""

from __future__ import annotations

import email.utils
import uuid
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from claimory.mail.filing import Filed, mail_file
from claimory.mail.models import Mailbox, MailDirection, MailMessage, Provider, Source
from claimory.mail.outgoing import clean_mail_body, header_text, reply_subject, thread_headers


def simulated_deliver(mailbox: Mailbox, msg: EmailMessage,
                      recipients: list[str]) -> dict[str, str]:
    """"Send": keep the exact bytes (the simulator shows them). Every recipient accepts."""
    default_storage.save(f"mail/{mailbox.location_id}/simulated/{uuid.uuid4().hex}.eml",
                         ContentFile(bytes(msg)))
    return {}


def simulated_mailbox(location_id: int) -> Mailbox | None:
    return Mailbox.objects.filter(location_id=location_id, provider=Provider.SIMULATED).first()


def simulated_reply(*, mail: MailMessage, body: Any) -> Filed:
    """The first recipient of the shop's ``mail`` answers it; filed like synced mail."""
    mailbox = simulated_mailbox(mail.location_id)
    if mailbox is None or mail.direction != MailDirection.OUTBOUND or not mail.to:
        raise ValidationError({"mail": ["Only mail the shop sent from its simulated mailbox "
                                        "can be answered here."]})
    text = clean_mail_body(body)
    name, address = mail.to[0]
    _in_reply_to, references = thread_headers(mail)
    reply = EmailMessage()
    reply["From"] = Address(header_text(name), addr_spec=address)
    reply["To"] = Address(header_text(mail.from_name), addr_spec=mail.from_address)
    reply["Subject"] = header_text(reply_subject(mail.subject))
    reply["Message-ID"] = f"<sim-{uuid.uuid4().hex}@{address.rsplit('@', 1)[-1]}>"
    reply["Date"] = email.utils.formatdate(localtime=False)
    reply["In-Reply-To"] = mail.message_id
    reply["References"] = " ".join(references)
    quoted = "\n".join(f"> {line}" for line in mail.body_text.splitlines())
    reply.set_content(f"{text}\n\nOn {mail.created_at:%a, %b %d}, {mail.from_name} wrote:\n"
                      f"{quoted}\n")
    return mail_file(location=mail.location, raw=bytes(reply), source=Source.SYNC,
                     mailbox=mailbox)
