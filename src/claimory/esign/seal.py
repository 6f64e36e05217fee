"""Sealing a signed document: render its PDF and sign it with PAdES (pyHanko), on the durable path.

The seal is a PAdES B-B signature by the installation's seal identity (identity.py) over
the whole rendered file, in the field ``ClaimorySeal``, invisible (the signature the
customer made is drawn on the page; the seal is what makes the page tamper-evident). With
``CLAIMORY_ESIGN_TSA_URL`` set, an RFC 3161 timestamp from that authority is added (B-T).

The handler is idempotent: a document that already has its sealed PDF is left alone, and
an attempt whose lease was taken over by another worker changes nothing.

pyHanko, fpdf2 and the certificate code are imported where they are used: together they
cost every process most of a second at start (this module is imported by the app's
``ready``), and only the worker seals.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import io
import logging
import time
import uuid
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from claimory.claims.models import Channel
from claimory.core import durable
from claimory.esign.models import Action, Document, SealJob, SealState, Status
from claimory.esign.services import audit, document_event

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509

    from claimory.esign.identity import Identity

log = logging.getLogger(__name__)
FIELD = "ClaimorySeal"
TSA_TIMEOUT_SECONDS = 10
T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's async API from sync code, also from a thread that already runs an
    event loop (where ``asyncio.run`` is refused): then on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _signer(identity: Identity):
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = asn1_keys.PrivateKeyInfo.load(identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return signers.SimpleSigner(
        signing_cert=asn1_cert(identity.cert), signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([asn1_cert(c) for c in identity.chain]))


def seal_pdf(data: bytes, *, reason: str, location: str, identity: Identity | None = None,
             tsa_url: str | None = None) -> bytes:
    """``data`` with the seal added as an incremental update covering the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    from claimory.esign.identity import identity_get

    identity = identity or identity_get()
    tsa_url = settings.ESIGN_TSA_URL if tsa_url is None else tsa_url
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason[:200], location=location[:200], name=identity.common_name,
        use_pades_lta=False)
    timestamper = RequestsHTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT_SECONDS) if tsa_url else None
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = run_sync(signers.async_sign_pdf(writer, meta, signer=_signer(identity),
                                          timestamper=timestamper))
    return out.getvalue()


def document_seal(document: Document, *, identity: Identity | None = None) -> bytes:
    """The sealed PDF of a signed ``document`` (rendered and sealed now; nothing stored)."""
    from claimory.esign.identity import identity_get
    from claimory.esign.pdf import record_for, render, utc

    identity = identity or identity_get()
    record = record_for(document, sealed_by=identity.common_name)
    location = document.claim.location
    return seal_pdf(
        render(record), identity=identity,
        reason=f"{document.title}: signed electronically by {document.signer_name} "
               f"at {utc(document.signed_at)}",
        location=", ".join(p for p in (location.name, location.city) if p))


def _held(job: SealJob) -> bool:
    """This attempt still holds the job (no other worker took over after its lease ran out)."""
    return SealJob.objects.select_for_update().filter(
        pk=job.pk, state=SealState.WORKING, attempts=job.attempts).exists()


@durable.handler(SealJob)
def seal_run(job: SealJob) -> None:
    """Render, seal and store the document's PDF once; audit it and tell the timeline."""
    document = job.document
    with transaction.atomic():
        if not _held(job):
            return
        document.refresh_from_db()
        if document.signed_pdf:
            durable.finish(job, SealState.DONE)
            return
        if document.status != Status.SIGNED:
            durable.finish(job, SealState.FAILED, last_error="The document is not signed.")
            return
    # Rendering, sealing and a timestamp authority's answer take a while: no locks held.
    from claimory.esign.identity import identity_get

    started = time.monotonic()
    identity = identity_get()
    sealed = document_seal(document, identity=identity)
    seconds = round(time.monotonic() - started, 3)
    digest = hashlib.sha256(sealed).hexdigest()
    with transaction.atomic():
        if not _held(job):
            return
        document = Document.objects.select_for_update().select_related(
            "claim", "claim__location").get(pk=document.pk)
        if document.signed_pdf:  # sealed by an attempt that finished meanwhile
            durable.finish(job, SealState.DONE)
            return
        folder = f"esign/{document.claim.location_id}/{document.claim_id}"
        document.signed_pdf = default_storage.save(f"{folder}/{uuid.uuid4().hex}.pdf",
                                                   ContentFile(sealed))
        document.signed_sha256 = digest
        document.save(update_fields=["signed_pdf", "signed_sha256", "updated_at"])
        audit(document, Action.SEALED, sha256=digest, certificate=identity.common_name,
              fingerprint=identity.fingerprint(), timestamped=bool(settings.ESIGN_TSA_URL),
              seconds=seconds)
        document_event(document, "sealed", actor_label="Claimory", channel=Channel.SYSTEM)
        durable.finish(job, SealState.DONE)
    log.info("sealed document %s in %.3fs (%d bytes)", document.pk, seconds, len(sealed))


@durable.when_given_up(SealJob)
def seal_given_up(job: SealJob, error: str) -> None:
    with transaction.atomic():
        durable.finish(job, SealState.FAILED, last_error=error)
        document_event(job.document, "seal_failed", actor_label="Claimory",
                       channel=Channel.SYSTEM, reason=error, customer_visible=False)
