"""What the customer's phone downloads to show the portal page: HTML + the CSS and JS it loads.

Usage: .venv/bin/python bench/page_weight.py

Seeds a scratch demo (`claimory demo --no-serve`, which also collects the static files), starts
one uvicorn worker, and fetches the portal page as a browser would (Accept-Encoding: gzip,
deflate, br), then every stylesheet and script it references. Prints each response's bytes
as sent (headers + body, before decompression) and uncompressed, and the total against the
target: under 15 KB compressed. A second pass without compression shows what it saves.
"""

from __future__ import annotations

import http.client
import re

from local_server import seed_demo, uvicorn_serving

TARGET_KB = 15
BROWSER = "gzip, deflate, br"


def _get(port: int, path: str, accept_encoding: str | None) -> tuple[int, int, dict, bytes]:
    """(status, bytes on the wire, headers, body as sent) of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()  # http.client never decompresses: these are the bytes sent
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
        len(f"{name}: {value}\r\n") for name, value in response.getheaders()) + 2
    conn.close()
    return response.status, head + len(body), dict(response.getheaders()), body


def _decoded(headers: dict, body: bytes) -> bytes:
    coding = headers.get("content-encoding", headers.get("Content-Encoding", ""))
    if coding == "br":
        import brotli

        return brotli.decompress(body)
    if coding == "gzip":
        import gzip

        return gzip.decompress(body)
    return body


def _weigh(port: int, page: str, accept_encoding: str | None) -> tuple[int, int]:
    status, sent, headers, body = _get(port, page, accept_encoding)
    assert status == 200, status
    html = _decoded(headers, body)
    rows = [("page HTML", sent, len(html), headers)]
    assets = re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html) + re.findall(
        rb'<script[^>]+src="([^"]+)"', html)
    for url in assets:
        status, sent, headers, body = _get(port, url.decode(), accept_encoding)
        assert status == 200, (url, status)
        rows.append((url.decode(), sent, len(_decoded(headers, body)), headers))
    label = accept_encoding or "no compression"
    print(f"\nAccept-Encoding: {label}")
    for name, sent, raw, headers in rows:
        lower = {k.lower(): v for k, v in headers.items()}
        print(f"  {name:48} {sent / 1024:6.1f} KB as sent ({raw / 1024:5.1f} KB raw) "
              f"{lower.get('content-encoding', '-'):5} cache: {lower.get('cache-control', '-')}")
    total_sent = sum(row[1] for row in rows)
    total_raw = sum(row[2] for row in rows)
    print(f"  {'total':48} {total_sent / 1024:6.1f} KB as sent ({total_raw / 1024:5.1f} KB raw)")
    return total_sent, total_raw


def main() -> None:
    demo = seed_demo("claimory-weight-bench-")
    port = demo.port
    page = re.search(r"http://\S+(/c/\S+)", demo.printed).group(1)
    with uvicorn_serving(demo, 1):
        _get(port, page, BROWSER)  # the first view renders; customers mostly get the cached one
        plain, _raw = _weigh(port, page, None)
        compressed, _raw = _weigh(port, page, BROWSER)
        verdict = "meets" if compressed < TARGET_KB * 1024 else "MISSES"
        print(f"\nportal page as sent: {compressed / 1024:.1f} KB compressed "
              f"({plain / 1024:.1f} KB without) -> {verdict} the target (< {TARGET_KB} KB)")


if __name__ == "__main__":
    main()
