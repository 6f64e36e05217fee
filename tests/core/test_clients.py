"""Which address is the client: X-Forwarded-For only from proxies the operator named."""

from pathlib import Path

import pytest
from django.test import override_settings

from claimory.core.clients import client_ip, is_trusted_proxy, scope_client_ip

SRC = Path(__file__).resolve().parents[2] / "src" / "claimory"


def test_no_trusted_proxy_means_the_peer_whatever_the_header():
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_ip("127.0.0.1", "203.0.113.9") == "127.0.0.1"
        assert client_ip("198.51.100.1", "203.0.113.9, 10.0.0.1") == "198.51.100.1"


@pytest.mark.parametrize(("peer", "header", "expected"), [
    ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
    # A client's own header value sits to the left of what the proxy appended.
    ("10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
    # Two trusted hops (CIDR) are skipped.
    ("10.0.0.2", "203.0.113.9, 10.0.0.7", "203.0.113.9"),
    # Ports and brackets as some proxies write them; IPv4-mapped IPv6.
    ("10.0.0.2", "203.0.113.9:51234", "203.0.113.9"),
    ("10.0.0.2", "[2001:db8::5]:443", "2001:db8::5"),
    ("::ffff:10.0.0.2", "203.0.113.9", "203.0.113.9"),
    # No header: the proxy itself.
    ("10.0.0.2", None, "10.0.0.2"),
    # Garbage written after the trusted hops: believe nothing beyond the proxy.
    ("10.0.0.2", "203.0.113.9, not-an-ip", "10.0.0.2"),
    # An untrusted peer's header is never read.
    ("198.51.100.1", "203.0.113.9", "198.51.100.1"),
    # Only trusted hops: the furthest one.
    ("10.0.0.2", "10.0.0.5, 10.0.0.7", "10.0.0.5"),
])
def test_trusted_proxy_header_is_read_from_the_right(peer, header, expected):
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/24"]):
        assert client_ip(peer, header) == expected


def test_trust_is_exact():
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        assert is_trusted_proxy("127.0.0.1")
        assert not is_trusted_proxy("127.0.0.2")
        assert not is_trusted_proxy("unknown")
        assert not is_trusted_proxy(None)


def test_asgi_scope_uses_the_same_rule():
    scope = {"client": ("127.0.0.1", 5000),
             "headers": [(b"x-forwarded-for", b"1.1.1.1"), (b"x-forwarded-for", b"203.0.113.9")]}
    with override_settings(TRUSTED_PROXIES=[]):
        assert scope_client_ip(scope) == "127.0.0.1"
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        assert scope_client_ip(scope) == "203.0.113.9"
    assert scope_client_ip({"headers": []}) == "unknown"


def test_no_fake_request_objects_remain():
    for path in SRC.rglob("*.py"):
        assert "_ClientRequest" not in path.read_text(), path
