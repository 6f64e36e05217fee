"""The sealed PDF: rendered with its certificate page, sealed (PAdES), verifiable by us and by
poppler's pdfsig, tamper-evident, sealed once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pypdfium2
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from fpdf import FPDF
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from claimory.claims.models import ClaimEvent, EventType
from claimory.core import durable
from claimory.esign import identity as identity_module
from claimory.esign import services
from claimory.esign.identity import identity_get
from claimory.esign.models import Action, Kind, SealJob, SealState
from claimory.esign.pdf import SYSTEM_FONTS, record_for, render
from claimory.esign.seal import asn1_cert, seal_pdf, seal_run
from claimory.esign.verify import (
    ALTERED,
    NO_SEAL,
    UNTRUSTED,
    document_seal_status,
    verify_pdf,
)
from tests.esign.test_services import PHONE, drawing, send

pytestmark = pytest.mark.django_db
PDFSIG = shutil.which("pdfsig")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """A fresh data dir (so a fresh seal identity) and media folder per test."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ESIGN_TSA_URL = ""
    identity_module._load.cache_clear()
    yield settings.DATA_DIR
    identity_module._load.cache_clear()


def signed(claim, actor, *, method="drawn", name="María López-Núñez"):
    """A document sent, consented to and signed through the services; its SealJob pending."""
    document = send(claim, actor, kind=Kind.BETTERMENT, amount="180", parts="Two front tyres")
    services.document_viewed(document, PHONE)
    services.consent_give(claim, PHONE)
    with mock.patch.object(durable, "enqueue_now"):
        document = services.document_sign(
            document, content_sha256=document.content_sha256, signer_name=name,
            method=method, agree=True, meta=PHONE,
            drawing=drawing() if method == "drawn" else None)
    return document


def run_job(document) -> SealJob:
    """What the worker does: claim the job, run its handler."""
    job = durable.claim(SealJob, document.seal_job.pk)
    assert job is not None
    seal_run(job)
    job.refresh_from_db()
    document.refresh_from_db()
    return job


def sealed_bytes(document) -> bytes:
    with default_storage.open(document.signed_pdf.name, "rb") as stored:
        return stored.read()


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


def need_pdfsig() -> str:
    if PDFSIG is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdfsig (poppler-utils) is missing: CI must check seals with it")
        pytest.skip("pdfsig (poppler-utils) is not installed")
    return PDFSIG


@pytest.mark.parametrize("method", ["drawn", "typed"])
def test_a_signed_document_is_sealed_and_verifies(claim, front_desk, method):
    document = signed(claim, front_desk, method=method)
    job = run_job(document)
    assert job.state == SealState.DONE
    data = sealed_bytes(document)
    assert data.startswith(b"%PDF-")
    assert document.signed_sha256 == hashlib.sha256(data).hexdigest()
    verdict = verify_pdf(data)
    assert verdict.ok, verdict
    assert verdict.signer == identity_get().common_name
    assert verdict.signer.startswith("Claimory document seal — ")
    assert abs(verdict.signed_at - document.signed_at) < dt.timedelta(minutes=1)
    assert len(verdict.document_hash) == 64
    ok, message = document_seal_status(document)
    assert ok and message.startswith("Signature valid — sealed ")
    sealed = document.audit.get(action=Action.SEALED)
    assert sealed.detail["sha256"] == document.signed_sha256
    event = ClaimEvent.objects.filter(claim=claim, type=EventType.DOCUMENT).latest("id")
    assert event.data["action"] == "sealed" and event.customer_visible


def test_the_certificate_page_holds_the_trail(claim, front_desk):
    document = signed(claim, front_desk)
    run_job(document)
    text = pdf_text(sealed_bytes(document))
    assert document.title in text and "Two front tyres" in text
    assert "Signed electronically by María López-Núñez" in text
    assert "Certificate of signature" in text
    assert document.content_sha256 in text
    assert "203.0.113.7" in text and "Mozilla/5.0 (iPhone) Safari" in text
    assert "abc123def4567890" in text  # the portal link's reference
    for step in ("Created", "Sent", "Viewed", "Consented to sign electronically", "Signed"):
        assert f"— {step}" in text
    assert services.consent_current(claim).version in text


def test_rendering_is_deterministic(claim, front_desk):
    document = signed(claim, front_desk)
    record = record_for(document, sealed_by="Claimory document seal — test")
    assert render(record) == render(record)


def test_one_altered_byte_breaks_the_seal(claim, front_desk, tmp_path, capsys):
    document = signed(claim, front_desk)
    run_job(document)
    data = bytearray(sealed_bytes(document))
    # One byte of the PDF's metadata, well inside the sealed byte range.
    at = data.index(b"/Producer")
    assert at + 2 < data.index(b"/ByteRange")
    data[at + 2] ^= 0x01
    verdict = verify_pdf(bytes(data))
    assert not verdict.ok and verdict.reason == ALTERED and not verdict.intact
    path = tmp_path / "altered.pdf"
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="NOT VALID — altered after sealing") as failure:
        call_command("esign", "verify", str(path))
    assert failure.value.returncode == 1
    assert "Integrity:     ALTERED" in capsys.readouterr().out


def test_appending_after_the_seal_is_an_alteration(claim, front_desk):
    document = signed(claim, front_desk)
    run_job(document)
    data = sealed_bytes(document) + b"\n% appended\n"
    verdict = verify_pdf(data)
    assert verdict.reason == ALTERED and not verdict.ok


def test_a_pdf_without_seal_and_a_non_pdf_fail(claim, front_desk, tmp_path):
    document = signed(claim, front_desk)
    unsealed = render(record_for(document, sealed_by="nobody"))
    assert verify_pdf(unsealed).reason == NO_SEAL
    path = tmp_path / "plain.pdf"
    path.write_bytes(unsealed)
    with pytest.raises(CommandError, match="no seal") as failure:
        call_command("esign", "verify", str(path))
    assert failure.value.returncode == 1
    path.write_bytes(b"not a pdf at all")
    with pytest.raises(CommandError, match="not a readable PDF"):
        call_command("esign", "verify", str(path))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("esign", "verify", str(tmp_path / "missing.pdf"))


def test_the_command_prints_signer_time_hash_and_validity(claim, front_desk, tmp_path, capsys):
    document = signed(claim, front_desk, method="typed")
    run_job(document)
    path = tmp_path / "signed.pdf"
    path.write_bytes(sealed_bytes(document))
    call_command("esign", "verify", str(path))
    out = capsys.readouterr().out
    verdict = verify_pdf(path.read_bytes())
    assert f"Signer:        {verdict.signer}" in out
    assert f"Document hash: {verdict.document_hash}" in out
    assert f"File SHA-256:  {document.signed_sha256}" in out
    assert "Signed at:" in out and "VALID" in out


def test_pdfsig_says_the_signature_is_valid(claim, front_desk, tmp_path):
    pdfsig = need_pdfsig()
    document = signed(claim, front_desk)
    run_job(document)
    path = tmp_path / "signed.pdf"
    path.write_bytes(sealed_bytes(document))
    result = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=60,
                            check=False)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout
    assert identity_get().common_name in result.stdout


def test_the_job_seals_once(claim, front_desk):
    document = signed(claim, front_desk)
    run_job(document)
    first = (document.signed_pdf.name, document.signed_sha256)
    # Run again (a retried task, a re-queued row): the document already has its PDF.
    SealJob.objects.filter(pk=document.seal_job.pk).update(state=SealState.PENDING)
    job = run_job(document)
    assert job.state == SealState.DONE
    assert (document.signed_pdf.name, document.signed_sha256) == first
    assert document.audit.filter(action=Action.SEALED).count() == 1
    assert ClaimEvent.objects.filter(claim=claim, data__action="sealed").count() == 1


def test_a_stale_attempt_changes_nothing(claim, front_desk):
    document = signed(claim, front_desk)
    stale = durable.claim(SealJob, document.seal_job.pk)
    # Its lease ran out and another worker took the job over (one more attempt).
    SealJob.objects.filter(pk=stale.pk).update(attempts=stale.attempts + 1)
    seal_run(stale)
    document.refresh_from_db()
    assert not document.signed_pdf and not document.signed_sha256
    assert not document.audit.filter(action=Action.SEALED).exists()
    assert SealJob.objects.get(pk=stale.pk).state == SealState.WORKING


def test_giving_up_marks_the_job_failed(claim, front_desk):
    document = signed(claim, front_desk)
    job = durable.claim(SealJob, document.seal_job.pk)
    job.attempts = job.MAX_ATTEMPTS
    durable.retry(job, "RuntimeError: boom")
    job.refresh_from_db()
    assert job.state == SealState.FAILED and "boom" in job.last_error
    document.refresh_from_db()
    assert document_seal_status(document) == (False, "Sealing failed: RuntimeError: boom")
    assert ClaimEvent.objects.filter(claim=claim, data__action="seal_failed",
                                     customer_visible=False).exists()


def test_an_altered_stored_file_shows_as_altered(claim, front_desk):
    document = signed(claim, front_desk)
    run_job(document)
    data = bytearray(sealed_bytes(document))
    data[data.index(b"/Producer") + 2] ^= 0x01
    path = Path(default_storage.path(document.signed_pdf.name))
    path.write_bytes(bytes(data))
    ok, message = document_seal_status(document)
    assert not ok and message.startswith("Document altered")


def test_not_sealed_yet_and_a_swapped_file(claim, front_desk):
    document = signed(claim, front_desk)
    assert document_seal_status(document) == (False, "Not sealed yet")
    run_job(document)
    other = signed(claim, front_desk, method="typed", name="Someone Else")
    run_job(other)
    # Staff page reading a stored PDF that is validly sealed, but not this document's.
    document.signed_pdf.name = other.signed_pdf.name
    ok, message = document_seal_status(document)
    assert not ok and "not the one that was sealed" in message


# ---- the identity ------------------------------------------------------------------------------

def test_the_identity_is_made_once_and_kept_private(data_dir):
    first = identity_get()
    folder = data_dir / "esign" / "identity"
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in identity_module.FILES:
        assert (folder / name).stat().st_mode & 0o777 == 0o600
    identity_module._load.cache_clear()
    again = identity_get()
    assert again.fingerprint() == first.fingerprint()
    usage = first.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert not first.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert first.root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # A second process that raced us finds the folder made and keeps the first identity.
    identity_module._create(folder)
    identity_module._load.cache_clear()
    assert identity_get().fingerprint() == first.fingerprint()
    assert [p.name for p in folder.parent.iterdir()] == ["identity"]


def test_processes_racing_to_make_the_identity_end_with_one(data_dir):
    folder = data_dir / "esign" / "identity"
    start = threading.Barrier(4)
    seen = []

    def make():
        start.wait()
        seen.append(identity_module._made(folder).fingerprint())

    racers = [threading.Thread(target=make) for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert len(seen) == 4 and len(set(seen)) == 1
    assert [p.name for p in folder.parent.iterdir()] == ["identity"]  # no leftovers


def _own_cert(tmp_path: Path, common: str = "Northside Collision seal"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def test_a_configured_pem_identity_seals(claim, front_desk, settings, tmp_path):
    key, cert = _own_cert(tmp_path)
    (tmp_path / "seal.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "seal.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    settings.ESIGN_KEY_FILE, settings.ESIGN_CERT_FILE = (str(tmp_path / "seal.key"),
                                                         str(tmp_path / "seal.crt"))
    assert identity_get().source == "configured"
    document = signed(claim, front_desk)
    run_job(document)
    verdict = verify_pdf(sealed_bytes(document))
    assert verdict.ok and verdict.signer == "Northside Collision seal"
    assert not (settings.DATA_DIR / "esign").exists()  # nothing made


def test_seals_made_before_configuring_stay_ours(claim, front_desk, settings, tmp_path):
    document = signed(claim, front_desk)
    run_job(document)  # by the identity made in the data dir
    key, cert = _own_cert(tmp_path)
    (tmp_path / "seal.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "seal.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    settings.ESIGN_KEY_FILE, settings.ESIGN_CERT_FILE = (str(tmp_path / "seal.key"),
                                                         str(tmp_path / "seal.crt"))
    assert identity_get().common_name == "Northside Collision seal"
    assert verify_pdf(sealed_bytes(document)).ok


def test_a_configured_p12_identity_seals(settings, tmp_path):
    key, cert = _own_cert(tmp_path, "P12 seal")
    (tmp_path / "seal.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, None, serialization.BestAvailableEncryption(b"s3cret")))
    settings.ESIGN_P12_FILE, settings.ESIGN_P12_PASSWORD = str(tmp_path / "seal.p12"), "s3cret"
    data = seal_pdf(_blank_pdf(), reason="test", location="here")
    assert verify_pdf(data).ok
    settings.ESIGN_P12_PASSWORD = "wrong"
    with pytest.raises(ImproperlyConfigured, match="CLAIMORY_ESIGN_P12_PASSWORD"):
        identity_get()


def test_the_environment_configures_the_identity(tmp_path):
    """The real wiring: CLAIMORY_ESIGN_* variables read by settings.py, in a fresh process."""
    key, cert = _own_cert(tmp_path, "From the environment")
    (tmp_path / "seal.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "seal.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    env = {**os.environ, "CLAIMORY_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
           "CLAIMORY_ESIGN_KEY_FILE": str(tmp_path / "seal.key"),
           "CLAIMORY_ESIGN_CERT_FILE": str(tmp_path / "seal.crt")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "claimory.cli", "esign", "certificate"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert x509.load_pem_x509_certificates(done.stdout.encode()) == [cert]
    env["CLAIMORY_ESIGN_CERT_FILE"] = str(tmp_path / "gone.crt")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode != 0
    assert done.stderr.startswith("CommandError: CLAIMORY_ESIGN_CERT_FILE=")
    assert "cannot be read" in done.stderr and "Traceback" not in done.stderr


def test_unreadable_configuration_says_what_is_wrong(settings, tmp_path):
    settings.ESIGN_KEY_FILE = str(tmp_path / "missing.key")
    with pytest.raises(ImproperlyConfigured, match="go together"):
        identity_get()
    settings.ESIGN_CERT_FILE = str(tmp_path / "missing.crt")
    with pytest.raises(ImproperlyConfigured, match="CLAIMORY_ESIGN_KEY_FILE=.*cannot be read"):
        identity_get()
    key, cert = _own_cert(tmp_path)
    other, _ = _own_cert(tmp_path)
    (tmp_path / "missing.key").write_bytes(other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "missing.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(ImproperlyConfigured, match="does not belong to the certificate"):
        identity_get()


def test_a_seal_by_another_installation_is_intact_but_not_ours(settings, tmp_path):
    data = seal_pdf(_blank_pdf(), reason="test", location="elsewhere")
    assert verify_pdf(data).ok
    settings.DATA_DIR = tmp_path / "another-installation"
    verdict = verify_pdf(data)
    assert verdict.intact and not verdict.trusted and verdict.reason == UNTRUSTED
    path = tmp_path / "theirs.pdf"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="certificate not ours") as failure:
        call_command("esign", "verify", str(path))
    assert failure.value.returncode == 3


def test_the_certificate_command_prints_the_pem(capsys):
    call_command("esign", "certificate", "--root")
    root = x509.load_pem_x509_certificate(capsys.readouterr().out.encode())
    assert root == identity_get().root
    call_command("esign", "certificate")
    assert len(x509.load_pem_x509_certificates(capsys.readouterr().out.encode())) == 2


def _blank_pdf() -> bytes:

    pdf = FPDF()
    pdf.add_page()
    return bytes(pdf.output())


def test_names_beyond_latin_print_in_the_full_font(claim, front_desk):
    if not (SYSTEM_FONTS / "DejaVuSans.ttf").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("fonts-dejavu-core is missing: CI installs it")
        pytest.skip("fonts-dejavu-core is not installed")
    document = signed(claim, front_desk, method="typed", name="Иван Петров")
    run_job(document)
    text = pdf_text(sealed_bytes(document))
    assert "Signed electronically by Иван Петров" in text


@pytest.fixture
def time_stamp_authority():
    """An RFC 3161 time-stamp authority on loopback (pyHanko's test TSA behind HTTP)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's is RSA-only
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Loopback TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .sign(key, hashes.SHA256()))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_cert(cert),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers["Content-Type"])
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", requests
    server.shutdown()
    server.server_close()


def test_with_a_time_stamp_authority_the_seal_is_timestamped(claim, front_desk, settings,
                                                             time_stamp_authority):
    url, requests = time_stamp_authority
    settings.ESIGN_TSA_URL = url
    document = signed(claim, front_desk)
    run_job(document)
    verdict = verify_pdf(sealed_bytes(document))
    # pyHanko asks once more while sizing the signature's room in the file.
    assert requests and set(requests) == {"application/timestamp-query"}
    assert verdict.ok and verdict.timestamped
    assert abs(verdict.signed_at - document.signed_at) < dt.timedelta(minutes=1)
    assert document.audit.get(action=Action.SEALED).detail["timestamped"] is True
