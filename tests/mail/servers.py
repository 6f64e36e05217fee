"""Real mail servers on loopback for the transport tests: Debian's dovecot (IMAP, password and
XOAUTH2 logins, the token checked by a local introspection endpoint) and aiosmtpd (SMTP, with
AUTH and answers we choose).

Both are started by the tests themselves, in a temporary folder, on free ports.
"""

from __future__ import annotations

import base64
import ctypes
import imaplib
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

DOVECOT = "/usr/sbin/dovecot"
USER = "shop@northside.test"
PASSWORD = "correct horse battery"  # noqa: S105 - a test server's password
TOKEN = "ya29.test-access-token"  # noqa: S105 - the one token the fake provider accepts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0, process: subprocess.Popen | None = None,
                  log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            detail = log.read_text() if log and log.exists() else ""
            raise RuntimeError(f"server exited ({process.returncode}): {detail[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost:
    (CA file, certificate, key). Clients trust the CA through ``SSL_CERT_FILE``."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Claimory test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(cert.public_bytes(pem))
    paths[2].write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class TokenIntrospection:
    """A provider's token introspection endpoint (RFC 7662) that knows one token: dovecot's
    oauth2 passdb asks it whether an XOAUTH2 bearer token is alive and whose it is."""

    def __init__(self, user: str, token: str) -> None:
        self.user, self.token, self.asked = user, token, 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                fake.asked += 1
                alive = form.get("token", [""])[0] == fake.token
                body = json.dumps({"active": "true", "username": fake.user} if alive
                                  else {"active": "false"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/introspect"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _die_with_parent() -> None:
    """In the child: stop dovecot if the test run is killed before it can clean up (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _mail_owner() -> tuple[int, int, str, str]:
    """(uid, gid, login user, internal user): dovecot's own system users when we are root
    (CI), else everything as ourselves."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("nobody")
        return mail.pw_uid, mail.pw_gid, "dovenull", "dovecot"
    me = pwd.getpwuid(os.geteuid())
    return me.pw_uid, me.pw_gid, me.pw_name, me.pw_name


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {root}/oauth2.conf
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

OAUTH2 = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""


class Dovecot:
    """A throwaway dovecot: one user with a password (and one live OAuth token), maildir in a
    temporary folder; plain IMAP (with STARTTLS) on ``port``, IMAPS on ``tls_port``, with a
    certificate from a CA of its own (``ca_file``)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dvc-"))
        self.port, self.tls_port = free_port(), free_port()
        self.host = "127.0.0.1"
        self.ca_file, _cert, _key = make_certificates(self.root)
        self.user, self.password, self.token = USER, PASSWORD, TOKEN
        self.introspection = TokenIntrospection(USER, TOKEN)
        uid, gid, login_user, internal_user = _mail_owner()
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir()
        os.chmod(self.root, 0o755)  # noqa: S103 - dovecot's own users read its config
        for sub in ("mail", "home"):
            os.chown(self.root / sub, uid, gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (self.root / "oauth2.conf").write_text(OAUTH2.format(url=self.introspection.url))
        (self.root / "dovecot.conf").write_text(CONFIG.format(
            root=self.root, port=self.port, tls_port=self.tls_port, uid=uid, gid=gid,
            login_user=login_user, internal_user=internal_user))
        self.log = self.root / "dovecot.log"
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        try:
            for port in (self.port, self.tls_port):
                wait_for_port(port, process=self.process, log=self.log)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.introspection.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # Talking to it as the shop's mail client would (the test's side, not the code's).
    def client(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, *raws: bytes, folder: str = "INBOX", received=None) -> None:
        """Put ``raws`` in ``folder`` (as delivered at ``received``, a datetime; else now)."""
        when = imaplib.Time2Internaldate(received) if received is not None else None
        imap = self.client()
        try:
            if folder != "INBOX":
                imap.create(folder)  # a NO when it exists already is fine
            for raw in raws:
                status, data = imap.append(folder, "", when, raw.replace(b"\r\n", b"\n")
                                           .replace(b"\n", b"\r\n"))
                assert status == "OK", data
        finally:
            imap.logout()

    def new_uidvalidity(self, folder: str) -> None:
        """Make the server start ``folder``'s UIDs over, as a provider does after rebuilding
        a mailbox: delete it and create it again with the same messages (a new UIDVALIDITY)."""
        imap = self.client()
        try:
            imap.select(folder, readonly=True)
            _status, data = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
            raws = [item[1] for item in data if isinstance(item, tuple)]
            imap.close()
            assert imap.delete(folder)[0] == "OK"
        finally:
            imap.logout()
        self.append(*raws, folder=folder)

    def uidvalidity(self, folder: str = "INBOX") -> int:
        imap = self.client()
        try:
            imap.select(folder, readonly=True)
            return int(imap.untagged_responses.get("UIDVALIDITY", [b"0"])[0])
        finally:
            imap.logout()

    def seen(self, folder: str = "INBOX") -> list[bool]:
        imap = self.client()
        try:
            imap.select(folder, readonly=True)
            _status, data = imap.fetch("1:*", "(FLAGS)")
            return [b"\\Seen" in item for item in data if item]
        finally:
            imap.logout()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=default_policy)


@dataclass
class SmtpBehaviour:
    """What the fake SMTP server demands and answers; tests change it between sends."""

    password: str = ""  # require AUTH PLAIN/LOGIN with this password
    token: str = ""  # require AUTH XOAUTH2 with this bearer token
    user: str = USER
    answer_data: str = ""  # e.g. "451 4.3.0 try later": the answer to DATA
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> "550 …"
    received: list[Received] = field(default_factory=list)
    auth_seen: list[str] = field(default_factory=list)


class SmtpServer:
    """aiosmtpd on loopback: records every message with its envelope; can require AUTH
    (password, or XOAUTH2 with one known token) and answer 4xx / 5xx. With ``cert`` (a
    certificate and key) it offers STARTTLS, or speaks TLS from the start (``implicit``)."""

    def __init__(self, *, cert: tuple[Path, Path] | None = None, implicit: bool = False) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.behaviour = behaviour = SmtpBehaviour()

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
                refusal = behaviour.refuse_rcpt.get(address.lower())
                if refusal:
                    return refusal
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                if behaviour.answer_data:
                    return behaviour.answer_data
                behaviour.received.append(Received(envelope.mail_from,
                                                   list(envelope.rcpt_tos),
                                                   bytes(envelope.original_content
                                                         or envelope.content)))
                return "250 Message accepted for delivery"

            async def auth_XOAUTH2(self, server, args):  # noqa: N802 - aiosmtpd's naming
                from aiosmtpd.smtp import MISSING

                answer = (await server.challenge_auth("") if len(args) == 1
                          else base64.b64decode(args[1]))
                if answer is MISSING:
                    return AuthResult(success=False, handled=True)
                fields = dict(part.split("=", 1) for part in
                              answer.decode().split("\x01") if "=" in part)
                behaviour.auth_seen.append("XOAUTH2")
                if (behaviour.token and fields.get("user") == behaviour.user
                        and fields.get("auth") == f"Bearer {behaviour.token}"):
                    return AuthResult(success=True, auth_data=fields["user"])
                # As Gmail does: a JSON challenge the client answers with an empty line.
                await server.challenge_auth(json.dumps(
                    {"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"}))
                return AuthResult(success=False, handled=False,
                                  message="535 5.7.8 Username and Password not accepted")

        def authenticator(server, session, envelope, mechanism, auth_data):
            behaviour.auth_seen.append(mechanism)
            if not isinstance(auth_data, LoginPassword) or not behaviour.password:
                return AuthResult(success=False, handled=False)
            ok = (auth_data.login.decode() == behaviour.user
                  and auth_data.password.decode() == behaviour.password)
            return AuthResult(success=ok, handled=False)

        self.handler = Handler()
        self.port = free_port()
        tls: dict = {}
        if cert is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*cert)
            tls = {"ssl_context": context} if implicit else {"tls_context": context}
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, authenticator=authenticator,
            auth_required=False, auth_require_tls=False, decode_data=False, **tls)
        self.controller.start()
        self.host = "127.0.0.1"

    @property
    def received(self) -> list[Received]:
        return self.behaviour.received

    def reset(self) -> None:
        self.behaviour.__init__()

    def stop(self) -> None:
        self.controller.stop()
