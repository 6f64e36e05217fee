"""Which claim an incoming email belongs to — or honestly none.

The order (first decisive answer wins):

1. Auto-replies, bounces and bulk mail are kept out of claims.
2. **Thread headers**: In-Reply-To, then References from the newest back, against every
   Message-ID we stored at this location (mail we sent *and* mail we received).
3. **Our subject tag** (``[RO-5521]``, added to everything we send).
4. **The sender** is a participant (customer, adjuster, appraiser, or someone staff taught
   us) of exactly one open claim — unless the mail names a different claim, or a VIN we
   have no claim for (an adjuster's new assignment), which makes it a question for a person.
   The shop's own address never ties mail to a claim.
5. **A claim number, RO number or VIN** in the subject, then the new text, then the HTML
   part, then the quoted history: exactly one claim named (or one of several that the sender
   is on) takes it.

Anything else is *unmatched* and waits in the inbox for someone to pick its claim: putting a
message on the wrong claim is worse than asking. References are compared as whole
identifiers (``ACM-2026-118843`` never matches ``ACM-2026-118842``, nor ``SFG-99-301177``
the longer ``SFG-99-301177-02``), case and separators ignored (``RO 5521``, ``RO#5521`` and
``ro-5521`` are one RO).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.mail.models import MailMessage, Participant, message_key
from claimory.mail.parse import ParsedMail
from claimory.shops.models import Location

MIN_REFERENCE = 6  # shorter identifiers ("5521") are too likely to be something else
_TOKEN = re.compile(r"[A-Za-z0-9]+")
# Characters allowed between the pieces of one identifier: "RO-5521", "R.O. 5521", "RO#5521".
_JOINER = re.compile(r"^[\s\-#./:\u2010-\u2015]{0,3}$")
# Pieces glued by a dash (no space) are one identifier: "SFG-99-301177" inside
# "SFG-99-301177-02" (the claimant's car on the same loss) is not that claim.
_GLUE = re.compile(r"^[\-\u2010-\u2015]{1,2}$")
# A VIN: 17 characters, no I, O or Q, letters and digits both (checked by its check digit).
_VIN = re.compile(r"\b(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])"
                  r"[A-HJ-NPR-Z0-9]{17}\b")
_TAG = re.compile(r"\[([^\[\]]{2,60})\]")
_MAX_PIECES = 5


@dataclass(frozen=True)
class Match:
    status: str  # "filed" | "unmatched" | "ignored"
    reason: str
    claim_id: int | None = None
    candidates: tuple[int, ...] = ()


def normalize(identifier: str) -> str:
    return "".join(_TOKEN.findall(identifier)).upper()


def tag_for(claim: Claim) -> str:
    """The subject tag we add to mail about ``claim``: its RO, else its claim number."""
    return f"[{claim.ro_number or claim.claim_number or f'Claim {claim.pk}'}]"


def references_in(text: str) -> set[str]:
    """Every normalized run of 1–5 adjacent word pieces in ``text`` (pieces joined only by a
    separator such as "-", "#" or a space), as candidates for identifier lookup."""
    found: set[str] = set()
    pieces = list(_TOKEN.finditer(text or ""))
    glued = [bool(_GLUE.match(text[a.end():b.start()])) for a, b in
             zip(pieces, pieces[1:], strict=False)]

    def whole(i: int, j: int) -> bool:  # pieces i..j are not part of a longer identifier
        return not (i > 0 and glued[i - 1]) and not (j < len(glued) and glued[j])

    for i, first in enumerate(pieces):
        joined = first.group().upper()
        if len(joined) >= MIN_REFERENCE and whole(i, i):
            found.add(joined)
        for j in range(i + 1, min(i + _MAX_PIECES, len(pieces))):
            between = text[pieces[j - 1].end():pieces[j].start()]
            if not _JOINER.match(between):
                break
            joined += pieces[j].group().upper()
            if len(joined) >= MIN_REFERENCE and whole(i, j):
                found.add(joined)
    return found


_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip(
    "ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7,
                                8, 9], strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vins_in(text: str) -> set[str]:
    """VINs written in ``text``: only those whose check digit (position 9) is right, so a
    part or tracking number is not taken for a car."""
    found = set()
    for match in _VIN.finditer((text or "").upper()):
        vin = match.group()
        total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin, _VIN_WEIGHTS,
                                                                   strict=True))
        check = "X" if total % 11 == 10 else str(total % 11)
        if vin[8] == check:
            found.add(vin)
    return found


@dataclass
class ClaimIndex:
    """A location's claims by identifier and by participant address, read once per batch."""

    location: Location
    by_reference: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_tag: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_address: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    open_ids: set[int] = field(default_factory=set)
    shop_addresses: set[str] = field(default_factory=set)  # mail from these is our own

    @classmethod
    def build(cls, location: Location, *, now: dt.datetime | None = None) -> ClaimIndex:
        from claimory.mail.models import Mailbox

        index = cls(location)
        index.shop_addresses = {a.strip().lower() for a in (
            location.email, *Mailbox.objects.filter(location=location)
            .values_list("address", flat=True)) if a}
        now = now or timezone.now()
        cutoff = now - dt.timedelta(days=location.portal_expiry_days)
        is_open = Q(archived=False) & (Q(delivered_at__isnull=True) | Q(delivered_at__gte=cutoff))
        rows = Claim.objects.filter(location=location).values_list(
            "pk", "claim_number", "ro_number", "vehicle__vin", "customer__email",
            "adjuster_email")
        open_ids = set(Claim.objects.filter(is_open, location=location)
                       .values_list("pk", flat=True))
        index.open_ids = open_ids
        for pk, claim_number, ro, vin, customer_email, adjuster_email in rows:
            index._add_references(pk, claim_number, ro, vin)
            if pk in open_ids:
                for address in (customer_email, adjuster_email):
                    if address:
                        index._add_address(address, pk)
        for claim_id, address in Participant.objects.filter(
                claim__location=location, claim_id__in=open_ids).values_list("claim_id", "email"):
            index._add_address(address, claim_id)
        return index

    def _add_address(self, address: str, pk: int) -> None:
        # The shop's own address typed on a claim (a customer without email) or learned from
        # its own mail says nothing about which claim a message is about.
        address = address.strip().lower()
        if address not in self.shop_addresses:
            self.by_address[address].add(pk)

    def _add_references(self, pk: int, claim_number: str, ro: str, vin: str) -> None:
        keys = {normalize(claim_number), normalize(vin)}
        ro_key = normalize(ro)
        if ro_key:
            keys.add(ro_key)
            digits = ro_key[2:] if ro_key.startswith("RO") else ro_key
            keys.add(f"RO{digits}")
            self.by_tag[ro_key].add(pk)
            self.by_tag[f"RO{digits}"].add(pk)
        if claim_number:
            self.by_tag[normalize(claim_number)].add(pk)
        if not ro_key and not claim_number:  # only when "[Claim 12]" is our tag (tag_for)
            self.by_tag[f"CLAIM{pk}"].add(pk)
        for key in keys:
            if len(key) >= MIN_REFERENCE:
                self.by_reference[key].add(pk)

    def sent_by_shop(self, mail: ParsedMail) -> bool:
        return mail.from_address in self.shop_addresses

    def on_claims(self, mail: ParsedMail) -> set[int]:
        """Open claims the correspondent is on: the sender's, or — for the shop's own mail
        (a Sent folder imported) — the recipients' together."""
        if not self.sent_by_shop(mail):
            return set(self.by_address.get(mail.from_address, set()))
        claims: set[int] = set()
        for _name, address in (*mail.to, *mail.cc):
            claims |= self.by_address.get(address, set())
        return claims

    def named_in(self, text: str) -> set[int]:
        hits: set[int] = set()
        for candidate in references_in(text):
            hits |= self.by_reference.get(candidate, set())
        return hits

    def tagged_in(self, subject: str) -> set[int]:
        hits: set[int] = set()
        for tag in _TAG.findall(subject or ""):
            hits |= self.by_tag.get(normalize(tag), set())
        return hits


def _thread_claim(location: Location, mail: ParsedMail) -> tuple[int | None, str]:
    ids = mail.thread_ids
    if not ids:
        return None, ""
    keys = [message_key(mid) for mid in ids]
    known = dict(MailMessage.objects.filter(location=location, message_key__in=keys,
                                            claim__isnull=False)
                 .values_list("message_key", "claim_id"))
    for mid, key in zip(ids, keys, strict=True):
        if key in known:
            which = "In-Reply-To" if mid == mail.in_reply_to else "References"
            return known[key], f"{which} {mid}"
    return None, ""


def _one(claims: set[int], index: ClaimIndex) -> set[int]:
    """Several claims named: an open one over closed ones (a car that came back)."""
    if len(claims) > 1:
        still_open = claims & index.open_ids
        if still_open:
            return still_open
    return claims


def match_mail(mail: ParsedMail, index: ClaimIndex) -> Match:
    if mail.automated:
        return Match("ignored", mail.automated)
    location = index.location
    claim_id, why = _thread_claim(location, mail)
    if claim_id is not None:
        return Match("filed", f"thread: {why}", claim_id)
    tagged = _one(index.tagged_in(mail.subject), index)
    if len(tagged) == 1:
        return Match("filed", "subject tag", next(iter(tagged)))

    ours = index.sent_by_shop(mail)
    on = index.on_claims(mail)
    named: set[int] = set()
    where = ""
    for place, text in (("subject", mail.subject), ("text", mail.text),
                        ("HTML body", mail.html_text), ("quoted history", mail.quoted)):
        named = _one(index.named_in(text), index)
        if named:
            where = place
            break
    if len(on) == 1:
        only = next(iter(on))
        if named and only not in named:
            return Match("unmatched", "the sender is on one claim but the mail names another",
                         candidates=tuple(sorted(on | named)))
        if not named and any(not index.by_reference.get(vin) for vin in vins_in(
                f"{mail.subject}\n{mail.text}")):
            # An adjuster on one claim here sending a new assignment: another car.
            return Match("unmatched", "the sender is on one claim but the mail names a car "
                                      "we have no claim for", candidates=tuple(sorted(on)))
        who = "a recipient" if ours else "sender"
        return Match("filed", f"{who} is on exactly one open claim", only)
    if len(named) == 1:
        return Match("filed", f"claim reference in the {where}", next(iter(named)))
    if len(named) > 1:
        narrowed = named & on
        if len(narrowed) == 1:
            return Match("filed", f"claim reference in the {where}, sender on it",
                         next(iter(narrowed)))
        return Match("unmatched", f"names {len(named)} claims", candidates=tuple(sorted(named)))
    if on:
        return Match("unmatched", f"sender is on {len(on)} open claims",
                     candidates=tuple(sorted(on)))
    if mail.list_mail:
        # Newsletter-style mail (List-Unsubscribe) that nothing ties to a claim: a carrier's
        # automated notice that names a claim was filed above; the rest is kept out.
        return Match("ignored", "bulk")
    return Match("unmatched", "nothing in it says which claim")
