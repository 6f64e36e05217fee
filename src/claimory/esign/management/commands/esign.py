"""`claimory esign verify FILE.pdf` checks a sealed PDF; `claimory esign certificate` prints
the seal's certificate."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claimory.esign.identity import IdentityError, identity_get
from claimory.esign.pdf import utc
from claimory.esign.verify import UNTRUSTED, Verdict, verify_pdf

# Exit codes of `verify`: 0 intact and ours, 1 altered / no seal / unreadable, 3 intact but
# sealed by a certificate this installation does not know (2 is a usage error).
EXIT_BAD, EXIT_UNTRUSTED = 1, 3


def _certificate_line(verdict: Verdict) -> str:
    if not verdict.intact:
        return "not checked (the seal is broken)"  # pyHanko checks trust only when intact
    return "this installation's seal" if verdict.trusted else "not this installation's"


class Command(BaseCommand):
    help = ("Check a signed PDF's seal (`verify FILE.pdf`), or print the seal certificate "
            "that a shop imports into Adobe Reader as trusted (`certificate`).")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True,
                                        metavar="verify|certificate")
        verify = actions.add_parser("verify", help="Check the seal of a signed PDF.")
        verify.add_argument("file", help="The PDF to check.")
        certificate = actions.add_parser(
            "certificate", help="Print the seal certificate and its root (PEM).")
        certificate.add_argument("--root", action="store_true",
                                 help="Only the root: the one to mark trusted in Adobe Reader.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "verify":
                self._verify(options["file"])
            else:
                self._certificate(root_only=options["root"])
        except IdentityError as exc:  # a configured key or certificate that cannot be used
            raise CommandError(str(exc), returncode=EXIT_BAD) from exc

    def _verify(self, name: str) -> None:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}: cannot be read ({exc.strerror or exc})",
                               returncode=EXIT_BAD) from exc
        verdict = verify_pdf(data)
        rows = [("File", name), ("File SHA-256", verdict.file_sha256)]
        if verdict.sealed:
            source = "timestamp authority" if verdict.timestamped else "signer's clock"
            rows += [("Signer", verdict.signer or "—"),
                     ("Signed at", f"{utc(verdict.signed_at)} ({source})"),
                     ("Document hash",
                      f"{verdict.document_hash} (SHA-256 of the bytes the seal covers)"),
                     ("Integrity", "intact" if verdict.intact else "ALTERED"),
                     ("Certificate", _certificate_line(verdict))]
        for label, value in rows:
            self.stdout.write(f"{label + ':':<15}{value}")
        if verdict.ok:
            self.stdout.write("Validity:      VALID — the seal is intact and ours")
            return
        reason = verdict.reason + (f": {verdict.detail}" if verdict.detail else "")
        raise CommandError(f"NOT VALID — {reason}",
                           returncode=EXIT_UNTRUSTED if verdict.reason == UNTRUSTED else EXIT_BAD)

    def _certificate(self, *, root_only: bool) -> None:
        identity = identity_get()
        if root_only:
            self.stdout.write(identity.root.public_bytes(serialization.Encoding.PEM).decode(),
                              ending="")
            return
        self.stdout.write(identity.pem(), ending="")
