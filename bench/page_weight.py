"""What the customer's phone downloads to show the portal page: HTML + the CSS and JS it loads.

Usage: .venv/bin/python bench/page_weight.py [--photos N]

``--photos N`` first publishes N shop photos (2000x1500 JPEGs, processed as the worker would)
on the portal's claim; their thumbnails load lazily, so they are listed apart from the total.

Seeds a scratch demo (`claimory demo --no-serve`, which also collects the static files), starts
one uvicorn worker, and fetches the portal page as a browser would (Accept-Encoding: gzip,
deflate, br), then every stylesheet and script it references. Prints each response's bytes
as sent (headers + body, before decompression) and uncompressed, and the total against the
product budget (PRODUCT.md: under 30 KB compressed) and our own tighter goal (15 KB).
A second pass without compression shows what it saves.
"""

from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import sys

from local_server import seed_demo, uvicorn_serving

TARGET_KB = 30  # PRODUCT.md: the portal shell under 30 KB compressed
GOAL_KB = 15  # our tighter goal, kept from the spine work
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


# Run in the demo's environment: N processed shop photos on the claim behind the token.
_PUBLISH = """
import io, sys
from PIL import Image
from claimory.claims.selectors import claim_get_for_token
from claimory.core import durable
from claimory.photos.models import Source
from claimory.photos.services import photo_receive
claim = claim_get_for_token(sys.argv[1])
for n in range(int(sys.argv[2])):
    image = Image.new("RGB", (2000, 1500), (30 + 15 * n, 80, 150))
    for x in range(0, 2000, 40):
        image.paste((240, 240, 240), (x, 0, x + 8, 1500))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    photo_receive(claim=claim, upload=out.getvalue(), source=Source.BAY, name=f"{n}.jpg",
                  caption=f"Bench photo {n + 1}")
durable.run_due()
"""


def _publish_photos(demo, token: str, count: int) -> None:
    subprocess.run([sys.executable, "-c", "import django, os; "
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'claimory.settings'); "
                    "django.setup(); exec(os.environ['BENCH_CODE'])", token, str(count)],
                   env={**demo.env, "BENCH_CODE": _PUBLISH}, check=True)


def _lazy_images(port: int, page: str) -> None:
    """The gallery's thumbnails: fetched only as they scroll into view (loading=lazy)."""
    _status, _sent, headers, body = _get(port, page, BROWSER)
    html = _decoded(headers, body).decode()
    thumbs = re.findall(r'srcset="([^" ]+/thumb\.webp) 480w', html)
    total = sum(_get(port, url, None)[1] for url in thumbs)
    if thumbs:
        print(f"\n{len(thumbs)} gallery thumbnails (WebP, lazy): {total / 1024:.1f} KB "
              f"together, {total / 1024 / len(thumbs):.1f} KB each, none before they scroll "
              f"into view")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=0)
    args = parser.parse_args()
    demo = seed_demo("claimory-weight-bench-")
    port = demo.port
    page = re.search(r"http://\S+(/c/\S+)", demo.printed).group(1)
    if args.photos:
        _publish_photos(demo, page.rsplit("/", 1)[-1], args.photos)
    with uvicorn_serving(demo, 1):
        _get(port, page, BROWSER)  # the first view renders; customers mostly get the cached one
        plain, _raw = _weigh(port, page, None)
        compressed, _raw = _weigh(port, page, BROWSER)
        _lazy_images(port, page)
        verdict = "meets" if compressed < TARGET_KB * 1024 else "MISSES"
        goal = "within" if compressed < GOAL_KB * 1024 else "over"
        print(f"\nportal page as sent: {compressed / 1024:.1f} KB compressed "
              f"({plain / 1024:.1f} KB without) -> {verdict} the product budget "
              f"(< {TARGET_KB} KB); {goal} our {GOAL_KB} KB goal")


if __name__ == "__main__":
    main()
