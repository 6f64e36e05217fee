"""``claimory mail import --location <slug> PATH…``: file RFC 5322 messages into claims.

Reads ``.eml`` files, mbox files and maildirs (folders are walked) and files every message
exactly as a mailbox sync would. Prints one line per message: its Message-ID and the claim
id it went to, ``unmatched`` (waiting in the inbox for a person), ``ignored (<why>)`` for
auto-replies, bounces and bulk mail, or ``rejected: <why>`` for something that is not an
email. A message already filed prints where it is, unchanged. Exits 1 if anything was
rejected.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimory.mail.filing import mail_file
from claimory.mail.matching import ClaimIndex
from claimory.mail.models import MailStatus, Source
from claimory.mail.parse import NotAnEmail
from claimory.mail.sources import messages_in
from claimory.shops.models import Location


def outcome(mail) -> str:
    if mail.status == MailStatus.FILED and mail.claim_id is not None:
        return str(mail.claim_id)
    if mail.status == MailStatus.IGNORED:
        return f"ignored ({mail.match_reason})"
    return "unmatched"


class Command(BaseCommand):
    help = "Email hub commands: `mail import --location <slug> PATH…`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="File .eml files, an mbox or a maildir.",
                                   description=__doc__)
        importing.add_argument("--location", required=True, help="The location's slug")
        importing.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, **options) -> None:
        if options["action"] != "import":
            raise CommandError(f"unknown action {options['action']}")
        location = Location.objects.filter(slug=options["location"]).first()
        if location is None:
            raise CommandError(f"No location with the slug {options['location']!r}.")
        index = ClaimIndex.build(location)
        rejected = 0
        for path in options["paths"]:
            for item in messages_in(path):
                if item.error:
                    rejected += 1
                    self.stdout.write(f"{item.label} rejected: {item.error}")
                    continue
                try:
                    filed = mail_file(location=location, raw=item.raw, source=Source.IMPORT,
                                      index=index)
                except NotAnEmail as exc:
                    rejected += 1
                    self.stdout.write(f"{item.label} rejected: {exc}")
                    continue
                self.stdout.write(f"{filed.mail.message_id} {outcome(filed.mail)}")
        if rejected:
            raise SystemExit(1)
