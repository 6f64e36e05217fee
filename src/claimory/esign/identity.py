"""The installation's document-seal identity: the key and certificate that seal signed PDFs.

Given by configuration (``CLAIMORY_ESIGN_KEY_FILE`` + ``CLAIMORY_ESIGN_CERT_FILE`` with an
optional ``CLAIMORY_ESIGN_CHAIN_FILE``, or ``CLAIMORY_ESIGN_P12_FILE`` +
``CLAIMORY_ESIGN_P12_PASSWORD``), or made on first use in ``<data dir>/esign/identity``.

The made one is two certificates, both EC P-256, not one self-signed certificate:

- a **root** ("Claimory document seal root — <installation>"; CA, may sign only end-entity
  certificates) that a shop imports once into Adobe Reader as a trusted root;
- a **seal** certificate issued by it ("Claimory document seal — <installation>"; not a CA;
  key usage digitalSignature + nonRepudiation, which pyHanko, poppler and Adobe look for on a
  document signer; no extended key usage, which Adobe would otherwise restrict).

Readers that were told to trust the root keep trusting seals made by a later seal certificate
under the same root, and the signer certificate looks like every other signer's. Both keys
sit in the data dir (0600): a root key kept elsewhere would be safer, but this is the
"works out of the box" identity; a shop with a real CA configures its own instead.

Creation is race-safe between processes: each process builds the files in its own temporary
directory and renames it into place; a rename onto a directory another process already made
fails, and the loser reads the winner's files.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ROOT_YEARS = 25
SEAL_YEARS = 20
FILES = ("root-cert.pem", "root-key.pem", "seal-cert.pem", "seal-key.pem")


class IdentityError(ImproperlyConfigured):
    """The configured key or certificate cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Identity:
    """The seal's private key, its certificate, and the certificates above it (root last)."""

    key: PrivateKeyTypes
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    source: str  # "data dir" or "configured"

    @property
    def common_name(self) -> str:
        return common_name(self.cert)

    @property
    def anchors(self) -> tuple[x509.Certificate, ...]:
        """What this installation trusts as the signer of its own seals: the seal certificate
        itself and every certificate above it."""
        return (self.cert, *self.chain)

    @property
    def root(self) -> x509.Certificate:
        """The certificate a reader should trust (the top of the chain, or the seal itself)."""
        return self.chain[-1] if self.chain else self.cert

    def fingerprint(self) -> str:
        return self.cert.fingerprint(hashes.SHA256()).hex()

    def pem(self) -> str:
        """The seal certificate and its chain in PEM, seal first."""
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in self.anchors)


def common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def installation_name() -> str:
    """What names this installation in its certificates: the public host, else the machine."""
    host = urlsplit(settings.BASE_URL).hostname if settings.BASE_URL else None
    return (host or socket.gethostname() or "claimory")[:40]


def earlier_anchors() -> tuple[x509.Certificate, ...]:
    """The made identity's certificates when a configured one seals now: PDFs sealed before
    the shop configured its own certificate stay "ours". Nothing is made here."""
    if not (settings.ESIGN_KEY_FILE or settings.ESIGN_P12_FILE):
        return ()
    folder = Path(settings.DATA_DIR) / "esign" / "identity"
    certs = []
    for name in ("seal-cert.pem", "root-cert.pem"):
        try:
            certs.append(x509.load_pem_x509_certificate((folder / name).read_bytes()))
        except (OSError, ValueError):
            continue
    return tuple(certs)


def identity_get() -> Identity:
    """The seal identity (loaded once per process for the current configuration)."""
    return _load(str(settings.DATA_DIR), settings.ESIGN_KEY_FILE, settings.ESIGN_CERT_FILE,
                 settings.ESIGN_CHAIN_FILE, settings.ESIGN_P12_FILE, settings.ESIGN_P12_PASSWORD)


@functools.lru_cache(maxsize=8)
def _load(data_dir: str, key_file: str, cert_file: str, chain_file: str, p12_file: str,
          p12_password: str) -> Identity:
    if p12_file and (key_file or cert_file):
        raise IdentityError("Set either CLAIMORY_ESIGN_P12_FILE or CLAIMORY_ESIGN_KEY_FILE + "
                            "CLAIMORY_ESIGN_CERT_FILE, not both.")
    if p12_file:
        return _from_p12(p12_file, p12_password, chain_file)
    if key_file or cert_file:
        if not (key_file and cert_file):
            raise IdentityError("CLAIMORY_ESIGN_KEY_FILE and CLAIMORY_ESIGN_CERT_FILE go "
                                "together: set both (PEM), or neither to use the made one.")
        return _from_pem(key_file, cert_file, chain_file)
    if chain_file:
        raise IdentityError("CLAIMORY_ESIGN_CHAIN_FILE needs CLAIMORY_ESIGN_KEY_FILE + "
                            "CLAIMORY_ESIGN_CERT_FILE or CLAIMORY_ESIGN_P12_FILE.")
    return _made(Path(data_dir) / "esign" / "identity")


# ---- configured ----------------------------------------------------------------------

def _read(path: str, variable: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise IdentityError(f"{variable}={path!r} cannot be read: {exc.strerror or exc}") from exc


def _certs(data: bytes, path: str, variable: str) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise IdentityError(f"{variable}={path!r} holds no readable certificate "
                            f"(PEM or DER): {exc}") from exc


def _check(key, cert: x509.Certificate, chain: list[x509.Certificate], where: str) -> Identity:
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, pub) != (
            cert.public_key().public_bytes(serialization.Encoding.DER, pub)):
        raise IdentityError(f"{where}: the private key does not belong to the certificate.")
    now = dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise IdentityError(f"{where}: the certificate is not valid now (valid "
                            f"{cert.not_valid_before_utc:%Y-%m-%d} to "
                            f"{cert.not_valid_after_utc:%Y-%m-%d}).")
    chain = [c for c in chain if c != cert]
    return Identity(key=key, cert=cert, chain=tuple(chain), source="configured")


def _chain(chain_file: str) -> list[x509.Certificate]:
    if not chain_file:
        return []
    return _certs(_read(chain_file, "CLAIMORY_ESIGN_CHAIN_FILE"), chain_file,
                  "CLAIMORY_ESIGN_CHAIN_FILE")


def _from_pem(key_file: str, cert_file: str, chain_file: str) -> Identity:
    raw_key = _read(key_file, "CLAIMORY_ESIGN_KEY_FILE")
    try:
        key = serialization.load_pem_private_key(raw_key, password=None)
    except (ValueError, TypeError) as exc:
        raise IdentityError(f"CLAIMORY_ESIGN_KEY_FILE={key_file!r} is not an unencrypted PEM "
                            f"private key: {exc}") from exc
    certs = _certs(_read(cert_file, "CLAIMORY_ESIGN_CERT_FILE"), cert_file,
                   "CLAIMORY_ESIGN_CERT_FILE")
    # A cert file may carry its chain after the certificate itself.
    return _check(key, certs[0], certs[1:] + _chain(chain_file), "CLAIMORY_ESIGN_KEY_FILE")


def _from_p12(p12_file: str, password: str, chain_file: str) -> Identity:
    data = _read(p12_file, "CLAIMORY_ESIGN_P12_FILE")
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None)
    except ValueError as exc:
        raise IdentityError(f"CLAIMORY_ESIGN_P12_FILE={p12_file!r} cannot be opened (wrong "
                            f"CLAIMORY_ESIGN_P12_PASSWORD, or not PKCS#12): {exc}") from exc
    if key is None or cert is None:
        raise IdentityError(f"CLAIMORY_ESIGN_P12_FILE={p12_file!r} must hold a private key "
                            "and its certificate.")
    return _check(key, cert, list(extra) + _chain(chain_file), "CLAIMORY_ESIGN_P12_FILE")


# ---- made on first use ---------------------------------------------------------------

def _made(folder: Path) -> Identity:
    if not (folder / FILES[-1]).exists():
        _create(folder)
    root = x509.load_pem_x509_certificate((folder / "root-cert.pem").read_bytes())
    cert = x509.load_pem_x509_certificate((folder / "seal-cert.pem").read_bytes())
    key = serialization.load_pem_private_key((folder / "seal-key.pem").read_bytes(), None)
    return Identity(key=key, cert=cert, chain=(root,), source="data dir")


def _create(folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix=".identity-", dir=folder.parent))
    try:
        for name, data in _new_identity(installation_name()).items():
            fd = os.open(work / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        try:
            os.rename(work, folder)  # atomic; fails when another process got there first
        except OSError:
            if not (folder / FILES[-1]).exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Claimory")])


def _usage(*, sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=sign, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=not sign,
                         crl_sign=not sign, encipher_only=False, decipher_only=False)


def _new_identity(installation: str) -> dict[str, bytes]:
    """Fresh root and seal certificates with their keys, as PEM files by name."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    seal_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"Claimory document seal root — {installation}")
    root = (x509.CertificateBuilder()
            .subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365 * ROOT_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(sign=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                           critical=False)
            .sign(root_key, hashes.SHA256()))
    seal = (x509.CertificateBuilder()
            .subject_name(_name(f"Claimory document seal — {installation}"))
            .issuer_name(root_name).public_key(seal_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365 * SEAL_YEARS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA256()))

    def key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())

    return {"root-cert.pem": root.public_bytes(serialization.Encoding.PEM),
            "root-key.pem": key_pem(root_key),
            "seal-cert.pem": seal.public_bytes(serialization.Encoding.PEM),
            "seal-key.pem": key_pem(seal_key)}
