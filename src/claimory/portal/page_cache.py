"""A per-process cache of rendered portal pages, keyed by everything that can change them.

Rendering the page costs far more than checking whether anything on it changed, and a portal
link is opened again and again (the customer reloads, the family shares the link). So the
full page is kept in a small in-process LRU under a key built from:

- the claim row as the token gate loaded it: id, token hash (the page's links hold the
  token), ``event_seq`` (every customer-visible change records an event) and the
  ``updated_at`` of the claim, customer, vehicle, location (hours, address, brand) and
  workspace (plan: branding);
- one cheap query for what the claim row does not cover: the location's stages (count and
  newest ``updated_at``: renames, reorders, explanations) and the claim's messages (count and
  newest ``updated_at``: a "seen by the shop" change writes no event) and its photos and
  files (count and newest ``updated_at``: a customer's upload shows as "processing" before
  its event is written) and its documents to sign (count and newest ``updated_at``), its
  supplements and the location's rental rules (count and newest ``updated_at`` each: a
  rule edited in settings changes the day-counter without an event) and the claim's
  post-repair survey (newest ``updated_at``: sending it moves its closing date);
- the request variants: language, an explicit ``?lang=`` (links keep it), ``?thread=all``;
- the current minute, because pickup hours say "open now" and dates read "today" or
  "since Nov 24" relative to the clock. It also bounds anything the key cannot see (a staff
  member renaming themselves) to one minute.

Renders that depend on the moment (the "message sent" note) or carry a form error are
never cached. Anything added to the page must be covered by this key: a new section that
reads another table either records events when it changes or joins ``_FINGERPRINT_SQL``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import Count, Max, OuterRef, Subquery
from django.http import QueryDict
from django.utils import timezone

from claimory.claims.models import Claim
from claimory.claims.selectors import PortalAccess
from claimory.core import compression
from claimory.esign.models import Document
from claimory.messaging.models import Message
from claimory.money.models import RentalRule, Supplement
from claimory.photos.models import Photo
from claimory.portal.page import LANGUAGES, language_choice, show_all_in
from claimory.shops.models import Stage
from claimory.survey.models import Survey

MAX_PAGES = 512  # ~12 KB each: a few MB per process at most


Headers = tuple[tuple[bytes, bytes], ...]


@dataclass
class Entry:
    """A rendered page, and once Django has sent it, the response headers it went out with.

    ``variants`` holds the page as sent: headers and body per content-coding ("" = as is),
    compressed once here rather than on every request.
    """

    body: bytes
    headers: Headers | None = None
    variants: dict[str, tuple[Headers, bytes]] = field(default_factory=dict)

    def variant(self, encoding: str | None) -> tuple[Headers, bytes]:
        return self.variants.get(encoding or "") or self.variants[""]


def _variants(body: bytes, headers: Headers) -> dict[str, tuple[Headers, bytes]]:
    """The page in each content-coding we offer, each with its own length and Vary."""
    base = [(name, value) for name, value in headers if name != b"content-length"]
    vary = next((value for name, value in base if name == b"vary"), None)
    base = [(name, value) for name, value in base if name != b"vary"]
    base.append((b"vary", vary + b", Accept-Encoding" if vary else b"Accept-Encoding"))
    variants = {"": (tuple(base) + ((b"content-length", b"%d" % len(body)),), body)}
    for encoding in compression.ENCODINGS:
        packed = compression.compress(body, encoding)
        variants[encoding] = (tuple(base) + ((b"content-encoding", encoding.encode()),
                                             (b"content-length", b"%d" % len(packed))), packed)
    return variants


class PageCache:
    """A bounded, thread-safe LRU of rendered pages for this process."""

    def __init__(self, max_entries: int = MAX_PAGES):
        self.max_entries = max_entries
        self._pages: OrderedDict[Hashable, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Entry | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is not None:
                self._pages.move_to_end(key)
            return entry

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._pages[key] = Entry(body)
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def headers_seen(self, key: Hashable, body: bytes, headers: Headers) -> Entry | None:
        """Record the headers a response carried, if its body is exactly the cached page.

        Returns the entry, now ready to replay in every content-coding, or None.
        """
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry.body != body:
                return None
            if entry.headers is not None:
                return entry
        variants = _variants(body, headers)  # outside the lock: ~1-2 ms of compression
        with self._lock:
            if entry.headers is None:
                entry.variants, entry.headers = variants, headers
        return entry

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


pages = PageCache()


@dataclass(frozen=True)
class PageState:
    """What a rendered page depends on, read in one query (see the module docstring)."""

    customer_language: str
    rows: tuple  # updated_at of claim, customer, vehicle, location, workspace; stage,
    # message, supplement and rental rule counts and newest updated_at


def _aggregate(model, aggregate, **filters) -> Subquery:
    """``aggregate`` over ``model`` rows matching ``filters`` (one outer reference)."""
    return Subquery(model.objects.filter(**filters).order_by().values(*filters)
                    .annotate(value=aggregate).values("value")[:1])


@cache
def _state_sql() -> str:
    """The state query, compiled by the ORM once per process and reused with a new id.

    Compiling a queryset costs more than running this one, so the hot path skips it.
    """
    location = OuterRef("location_id")
    qs = Claim.objects.filter(pk=-1).order_by().values_list(
        "customer__language", "updated_at", "customer__updated_at", "vehicle__updated_at",
        "location__updated_at", "location__workspace__updated_at",
    ).annotate(
        stages=_aggregate(Stage, Count("pk"), location=location),
        stage_newest=_aggregate(Stage, Max("updated_at"), location=location),
        messages=_aggregate(Message, Count("pk"), claim=OuterRef("pk")),
        message_newest=_aggregate(Message, Max("updated_at"), claim=OuterRef("pk")),
        # Photos and the customer's files: processing finishing, hiding, deleting.
        photos=_aggregate(Photo, Count("pk"), claim=OuterRef("pk")),
        photo_newest=_aggregate(Photo, Max("updated_at"), claim=OuterRef("pk")),
        # Documents to sign: sent, viewed, signed, sealed, voided.
        documents=_aggregate(Document, Count("pk"), claim=OuterRef("pk")),
        document_newest=_aggregate(Document, Max("updated_at"), claim=OuterRef("pk")),
        # Supplements (status and amounts) and the carrier rules behind the day-counter.
        supplements=_aggregate(Supplement, Count("pk"), claim=OuterRef("pk")),
        supplement_newest=_aggregate(Supplement, Max("updated_at"), claim=OuterRef("pk")),
        rental_rules=_aggregate(RentalRule, Count("pk"), location=location),
        rental_rule_newest=_aggregate(RentalRule, Max("updated_at"), location=location),
        # The post-repair survey: scheduled, sent (its closing date), answered, cancelled.
        # Its opening and closing by the clock are covered by the minute in the key.
        survey_newest=_aggregate(Survey, Max("updated_at"), claim=OuterRef("pk")),
    )
    sql, params = qs.query.sql_with_params()
    assert params == (-1,), params  # the claim id is the only parameter
    return sql


def page_state(claim_id: int) -> PageState | None:
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(), [claim_id])
        row = cursor.fetchone()
    return None if row is None else PageState(customer_language=row[0], rows=tuple(row[1:]))


@dataclass
class Lookup:
    """One request's place in the cache: its key, its language, and the page if cached."""

    key: tuple
    language: str
    entry: Entry | None

    def store(self, body: bytes) -> None:
        pages.put(self.key, body)


def lookup(query: QueryDict, access: PortalAccess) -> Lookup | None:
    """The cached page for this request, or where to store it (None: the claim is gone)."""
    state = page_state(access.claim_id)
    if state is None:
        return None
    language = language_choice(query, state.customer_language)
    key = (access.claim_id, access.token_hash, access.event_seq, state.rows, language,
           query.get("lang") in LANGUAGES, show_all_in(query),
           int(timezone.now().timestamp() // 60))
    return Lookup(key=key, language=language, entry=pages.get(key))
