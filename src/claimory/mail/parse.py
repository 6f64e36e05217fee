"""Reading one RFC 5322 message into what filing needs: ids, people, subject, text, files.

Everything here is pure (bytes in, a ``ParsedMail`` out) and defensive: mail is written by
anyone. Header decoding follows RFC 2047 (``email.policy.default``); a header the library
can't decode is read raw rather than failing the whole message. The body we keep is the
text part (or the HTML part turned into text), split into what is new and the quoted history
a reply drags along (shown collapsed on the claim).
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage, Message

MAX_MESSAGE_BYTES = 30 * 1024 * 1024  # Gmail's own limit is 25 MB of attachments
MAX_TEXT_CHARS = 100_000
# Past these, hostile mail would hold a sync worker for minutes (the library parses a header
# in time that grows with its length): a header is read from its first 16k characters (a
# References chain from its last: the newest ids matter), at most a few of one name, and at
# most 100 files are kept (the rest are named as not kept).
MAX_HEADER_CHARS = 16_000
MAX_HEADERS_OF_A_NAME = 5
MAX_ATTACHMENTS = 100
_ID = re.compile(r"<([^<>\s]{1,990})>")
_ADDRESS = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


class _Policy(policy.EmailPolicy):
    """The default policy, reading each header from a bounded slice of its raw text."""

    def header_fetch_parse(self, name, value):
        if isinstance(value, str) and len(value) > MAX_HEADER_CHARS:
            if name.lower() in ("references", "in-reply-to"):
                value = value[-MAX_HEADER_CHARS:]
                value = value[value.find("<"):] if "<" in value else value
            else:
                cut = value[:MAX_HEADER_CHARS]
                value = cut[:max(cut.rfind(","), cut.rfind(" "), 1)]
        return super().header_fetch_parse(name, value)


_POLICY = _Policy()


def _text(value: str) -> str:
    """Text as we store it: no NUL (PostgreSQL refuses it in text columns)."""
    return value.replace("\x00", "")


class NotAnEmail(ValueError):
    """The bytes are not a message we can file; ``str(exc)`` says why."""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str  # as declared; the upload checks decide from the bytes
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str  # with angle brackets, as in the header (minted when absent)
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str  # lower-cased
    to: tuple[tuple[str, str], ...]
    cc: tuple[tuple[str, str], ...]
    sent_at: dt.datetime | None
    text: str  # the new part
    quoted: str  # quoted history (replies) — empty when none
    html_text: str  # the HTML part as text, when there was one (searched for references)
    automated: str  # "", "auto-reply", "bounce" or "bulk": kept out of claims
    list_mail: bool = False  # has List-Unsubscribe: bulk unless it names a claim
    attachments: tuple[Attachment, ...] = field(default=())
    more_files: bool = False  # it had more than MAX_ATTACHMENTS files: the rest not kept

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Every Message-ID this one answers, nearest first (In-Reply-To, then References
        from the newest back)."""
        ordered = [self.in_reply_to, *reversed(self.references)]
        seen: list[str] = []
        for mid in ordered:
            if mid and mid not in seen:
                seen.append(mid)
        return tuple(seen)


def ids_in(value: str) -> list[str]:
    """The ``<…>`` Message-IDs in a header value, in order."""
    return [f"<{m}>" for m in _ID.findall(value or "")]


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the policy can't parse: take its raw text
        value = None
        for key, raw in msg.raw_items() if hasattr(msg, "raw_items") else []:
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return ""
    return _text(re.sub(r"\s+", " ", str(value)).strip())


def _addresses(msg: Message, name: str) -> tuple[tuple[str, str], ...]:
    values = []
    try:
        # Only the first few of one name are parsed (get_all would parse every one).
        raw = [value for key, value in msg.raw_items() if key.lower() == name.lower()]
        values = [msg.policy.header_fetch_parse(name, value)
                  for value in raw[:MAX_HEADERS_OF_A_NAME]]
    except Exception:
        values = [_header(msg, name)]
    people = []
    for person, address in email.utils.getaddresses([str(v) for v in values]):
        address = _text(address).strip().lower()
        if _ADDRESS.match(address):
            people.append((_text(person).strip()[:200], address[:254]))
    return tuple(people)


def _date(msg: Message) -> dt.datetime | None:
    raw = _header(msg, "Date")
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when


_BLOCK_OPEN = re.compile(r"<(script|style|head)\b", re.I)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h[1-6]|p|div|li|tr)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]{0,2000}>", re.S)


def _drop_blocks(markup: str) -> str:
    """``markup`` without its script, style and head blocks, in linear time (a lazy regex
    over thousands of unclosed ``<script>`` takes seconds): an unclosed one stays, as
    before, and once a closing tag is known to be absent it is not looked for again."""
    out, pos, absent = [], 0, set()
    for opening in _BLOCK_OPEN.finditer(markup):
        name = opening.group(1).lower()
        if opening.start() < pos or name in absent:
            continue
        close = re.compile(rf"</{name}\s*>", re.I).search(markup, opening.end())
        if close is None:
            absent.add(name)
            continue
        out.append(markup[pos:opening.start()])
        pos = close.end()
    out.append(markup[pos:])
    return " ".join(out)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: no tags, entities (``&nbsp;`` too) decoded."""
    text = _drop_blocks(markup[:MAX_TEXT_CHARS * 4])
    text = _BREAKS.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()
    except Exception:
        payload = part.get_payload(decode=True) or b""
        try:
            content = payload.decode(part.get_content_charset() or "utf-8", "replace")
        except LookupError:  # a charset Python doesn't know ("iso-8859-8-i"): read it as UTF-8
            content = payload.decode("utf-8", "replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return _text(str(content)[:MAX_TEXT_CHARS])


def _bodies(msg: Message) -> tuple[str, str, list[Attachment], bool]:
    plain, markup, files, more = "", "", [], False
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        name = part.get_filename() or ""
        if disposition == "attachment" or (name and not ctype.startswith("text/")):
            if len(files) >= MAX_ATTACHMENTS:
                more = True
                break
            data = part.get_payload(decode=True) or b""
            files.append(Attachment(name=_text(name) or "attachment", content_type=ctype,
                                    data=data))
        elif ctype == "text/plain" and not plain:
            plain = _part_text(part)
        elif ctype == "text/html" and not markup:
            markup = _part_text(part)
    return plain, markup, files, more


# Where a reply's quoted history starts: "> " lines, "On … wrote:", Outlook's header block.
_QUOTE_START = re.compile(
    r"^(>|On .{0,200}wrote:\s*$|El .{0,200}escribió:\s*$|-{2,}\s*Original Message\s*-{2,}"
    r"|From: .+\n(Sent|Date): )", re.M)


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted history). A forwarded message stays in the new text: what was
    forwarded is news to us."""
    text = text.replace("\r\n", "\n").strip()
    match = _QUOTE_START.search(text)
    if match is None:
        return text, ""
    return text[:match.start()].rstrip(), text[match.start():].strip()


# Out-of-office replies from clients that don't set Auto-Submitted.
_AUTO_SUBJECT = re.compile(r"^\s*(automatic reply|auto-?reply|out of (the )?office|"
                           r"respuesta autom[aá]tica)\s*:", re.I)


def _automated(msg: Message, sender: str) -> str:
    auto = _header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "bounce" if msg.get_content_type() == "multipart/report" else "auto-reply"
    if msg.get_content_type() == "multipart/report":
        return "bounce"
    local = sender.split("@", 1)[0]
    if local in ("mailer-daemon", "postmaster"):
        return "bounce"
    if _header(msg, "X-Autoreply") or _header(msg, "X-Autorespond"):
        return "auto-reply"
    if _AUTO_SUBJECT.match(_header(msg, "Subject")):
        return "auto-reply"
    precedence = _header(msg, "Precedence").lower()
    if precedence == "auto_reply":
        return "auto-reply"
    if _header(msg, "List-Id") or precedence in ("bulk", "list", "junk"):
        return "bulk"
    return ""


def minted_id(raw: bytes) -> str:
    """A stable Message-ID for a message that has none: the same bytes get the same id, so
    importing the file twice files it once."""
    return f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.claimory.invalid>"


def parse_mail(raw: bytes) -> ParsedMail:
    if not raw or not raw.strip():
        raise NotAnEmail("empty file")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise NotAnEmail(f"larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB")
    try:
        msg: EmailMessage = email.message_from_bytes(raw, policy=_POLICY)
    except Exception as exc:  # the library raises many kinds on hostile input
        raise NotAnEmail(f"not a readable email ({type(exc).__name__})") from exc
    if not msg.keys() or not (_header(msg, "From") or _header(msg, "Message-ID")):
        raise NotAnEmail("no From or Message-ID header: not an email")
    senders = _addresses(msg, "From")
    from_name, from_address = senders[0] if senders else ("", "")
    mids = ids_in(_header(msg, "Message-ID"))
    in_reply = ids_in(_header(msg, "In-Reply-To"))
    try:
        plain, markup, files, more = _bodies(msg)
    except Exception as exc:
        raise NotAnEmail(f"unreadable body ({type(exc).__name__})") from exc
    html_text = html_to_text(markup) if markup else ""
    new, quoted = split_quoted(plain or html_text)
    return ParsedMail(
        message_id=mids[0] if mids else minted_id(raw),
        in_reply_to=in_reply[0] if in_reply else "",
        references=tuple(ids_in(_header(msg, "References"))[-100:]),
        subject=_header(msg, "Subject")[:500],
        from_name=from_name, from_address=from_address,
        to=_addresses(msg, "To"), cc=_addresses(msg, "Cc"),
        sent_at=_date(msg), text=new, quoted=quoted, html_text=html_text,
        automated=_automated(msg, from_address),
        list_mail=bool(_header(msg, "List-Unsubscribe")), attachments=tuple(files),
        more_files=more)
