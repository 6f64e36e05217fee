"""The stream's cursor parser never raises: junk Last-Event-ID values count as absent."""

from __future__ import annotations

import pytest

from claimory.realtime.endpoint import _cursor


def _scope(header: bytes | None = None, query: bytes = b"") -> dict:
    headers = [(b"last-event-id", header)] if header is not None else []
    return {"headers": headers, "query_string": query}


@pytest.mark.parametrize("raw", [b"\xb2", "\u00b2".encode(), b"\xd9\xa3", b"-1", b"1e3",
                                 b"12 3", b"9" * 13, b"\x00", b"abc"])
def test_junk_header_counts_as_no_cursor(raw):
    assert _cursor(_scope(raw)) == 0


def test_junk_query_counts_as_no_cursor():
    assert _cursor(_scope(query=b"last_event_id=%C2%B2")) == 0
    assert _cursor(_scope(query=b"last_event_id=%00")) == 0


def test_valid_cursors():
    assert _cursor(_scope(b" 42 ")) == 42
    assert _cursor(_scope(query=b"last_event_id=7")) == 7
    assert _cursor(_scope()) == 0
