"""Checking a sealed PDF: is the seal intact, and is it this installation's seal?

Two separate questions with separate answers:

- **integrity**: the bytes the seal covers hash to what the seal signed, the signature over
  that hash verifies with the signer's key, and the seal covers the whole file (nothing was
  appended after it);
- **trust**: the signer's certificate is this installation's seal certificate, or chains
  (offline, no fetching) to it or to a certificate of the configured chain. The made root
  is self-signed, so the outside world's trust stores know nothing of it; trust here means
  "sealed by us", not "sealed by a public CA". Trust is only judged for an intact seal
  (pyHanko does not build the path of a broken one), so an altered PDF is never "trusted".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage

from claimory.esign.identity import Identity, earlier_anchors, identity_get
from claimory.esign.models import Document, SealState
from claimory.esign.seal import FIELD, asn1_cert, run_sync

ALTERED = "altered after sealing"
NO_SEAL = "no seal"
UNREADABLE = "not a readable PDF"
UNTRUSTED = "certificate not ours/untrusted"

# pyHanko logs a traceback at WARNING for every certificate it cannot chain to our anchors
# (another installation's seal, a public timestamp authority); the verdict says it once.
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Verdict:
    """What a check of one PDF found. ``reason`` is empty when the seal is intact and ours."""

    sealed: bool = False
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: dt.datetime | None = None
    timestamped: bool = False  # ``signed_at`` comes from a timestamp authority
    document_hash: str = ""  # SHA-256 of the bytes the seal covers (its byte range)
    file_sha256: str = ""
    reason: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.sealed and self.intact and self.trusted


def _covered_bytes(data: bytes, byte_range) -> bytes:
    values = [int(v) for v in byte_range]
    return b"".join(data[start:start + length]
                    for start, length in zip(values[::2], values[1::2], strict=True))


def verify_pdf(data: bytes, *, identity: Identity | None = None) -> Verdict:
    """Check the Claimory seal of ``data`` (the ``ClaimorySeal`` field, else the first
    signature) for integrity and trust."""
    # pyHanko loads on first use (a third of a second), not when the staff pages import us.
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    file_sha256 = hashlib.sha256(data).hexdigest()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        return Verdict(file_sha256=file_sha256, reason=UNREADABLE, detail=str(exc)[:200])
    if not signatures:
        return Verdict(file_sha256=file_sha256, reason=NO_SEAL)
    embedded = next((s for s in signatures if s.field_name == FIELD), signatures[0])
    identity = identity or identity_get()
    anchors = (*identity.anchors, *earlier_anchors())
    context = ValidationContext(trust_roots=[asn1_cert(c) for c in anchors],
                                allow_fetching=False, revocation_mode="soft-fail")
    try:
        signer = embedded.signer_cert.subject.human_friendly
        document_hash = hashlib.sha256(_covered_bytes(data, embedded.byte_range)).hexdigest()
        status = run_sync(async_validate_pdf_signature(embedded, context))
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError,
            IndexError) as exc:
        # The seal's own structure is damaged: as good as altered.
        return Verdict(sealed=True, file_sha256=file_sha256, reason=ALTERED,
                       detail=str(exc)[:200])
    common = embedded.signer_cert.subject.native.get("common_name") or signer
    stamp = status.timestamp_validity
    signed_at = stamp.timestamp if stamp is not None and stamp.intact else (
        status.signer_reported_dt)
    intact = bool(status.intact and status.valid
                  and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)
    reason, detail = "", ""
    if not intact:
        reason = ALTERED
        detail = ("the signed bytes changed" if not (status.intact and status.valid)
                  else "content was added after the seal")
    elif not status.trusted:
        reason = UNTRUSTED
        detail = f"signed by “{common}”, which is not this installation's seal certificate"
    return Verdict(sealed=True, intact=intact, trusted=bool(status.trusted),
                   signer=str(common), signed_at=signed_at, timestamped=stamp is not None,
                   document_hash=document_hash, file_sha256=file_sha256, reason=reason,
                   detail=detail)


def verify_cached(data: bytes) -> Verdict:
    """``verify_pdf`` remembered per file content and seal identity (the staff page asks
    every time it shows a signed document)."""
    identity = identity_get()
    key = (f"esign:verdict:{hashlib.sha256(data).hexdigest()}:"
           f"{identity.fingerprint()[:16]}")
    verdict = cache.get(key)
    if verdict is None:
        verdict = verify_pdf(data, identity=identity)
        cache.set(key, verdict, 24 * 3600)
    return verdict


def document_seal_status(document: Document) -> tuple[bool, str]:
    """For the staff page: (True, "Signature valid — sealed … by …") or (False, why not)."""
    from claimory.esign.pdf import utc

    if not document.signed_pdf:
        job = getattr(document, "seal_job", None)
        if job is not None and job.state == SealState.FAILED:
            return False, f"Sealing failed: {job.last_error or 'unknown error'}"
        return False, "Not sealed yet"
    try:
        with default_storage.open(document.signed_pdf.name, "rb") as stored:
            data = stored.read()
    except OSError:
        return False, "Signed PDF missing from storage"
    verdict = verify_cached(data)
    if verdict.sealed and verdict.intact and verdict.file_sha256 != document.signed_sha256:
        return False, "Document altered: the stored PDF is not the one that was sealed"
    if verdict.ok:
        return True, f"Signature valid — sealed {utc(verdict.signed_at)} by {verdict.signer}"
    if verdict.reason == UNTRUSTED:
        return False, f"Seal intact but not ours: {verdict.detail}"
    if verdict.reason == NO_SEAL:
        return False, "Document altered: the stored PDF has no seal"
    return False, f"Document altered — {verdict.detail or verdict.reason}"
