"""How the schemathesis run generates the formats the OpenAPI document names but JSON Schema
cannot check: a real phone number, a VIN with its check digit, an ETA or rental start in
range, a closing time after the opening time. Loaded with SCHEMATHESIS_HOOKS by
test_schemathesis.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import schemathesis
from hypothesis import strategies as st
from schemathesis.transport.serialization import Binary

from claimory.claims.vin import vin_check_digit

VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _with_check_digit(chars: str) -> str:
    vin = chars[:8] + "0" + chars[8:]
    return vin[:8] + vin_check_digit(vin) + vin[9:]


schemathesis.openapi.format(
    "vin", st.one_of(st.just(""), st.text(VIN_CHARS, min_size=16, max_size=16)
                     .map(_with_check_digit)))

# Austin and Chicago numbers in the ways people type them (all valid in the numbering plan).
schemathesis.openapi.format("phone", st.one_of(
    st.just(""),
    st.integers(100, 9999).map(lambda n: f"(512) 555-{n:04d}"),
    st.integers(2000000, 9999999).map(lambda n: f"+1312{n}"),
    st.integers(2000000, 9999999).map(lambda n: f"773-{n // 10000}-{n % 10000:04d}"),
))

# Every date the API takes is valid from today to a year ahead (eta: up to two years;
# rental_start: from two years back). UTC-12 is the earliest "today" of any location and
# UTC+14 the latest, so keep a day clear of both ends.
schemathesis.openapi.format("date", st.integers(1, 360).map(
    lambda days: (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()))

# A supplement's sent and decision dates: today back to two years (a day clear of both ends).
schemathesis.openapi.format("past-date", st.integers(2, 700).map(
    lambda days: (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)).isoformat()))

schemathesis.openapi.format("opening-time", st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.integers(5, 11), st.integers(0, 59)))
schemathesis.openapi.format("closing-time", st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.integers(12, 22), st.integers(0, 59)))

# Email addresses Django's validator and every mail system accept.
schemathesis.openapi.format("email", st.builds(
    lambda user, host: f"{user}@{host}.example", st.from_regex(r"\A[a-z][a-z0-9.]{0,20}[a-z0-9]\Z"),
    st.from_regex(r"\A[a-z][a-z0-9-]{0,20}[a-z0-9]\Z")))


# The shop's review link: empty, or an http(s) address Django's URLValidator accepts.
schemathesis.openapi.format("review-url", st.one_of(
    st.just(""),
    st.from_regex(r"\A[a-z0-9]{1,20}\Z").map(
        lambda place: f"https://search.google.com/local/writereview?placeid={place}"),
    st.from_regex(r"\A[a-z][a-z0-9-]{0,20}[a-z0-9]\Z").map(
        lambda host: f"http://{host}.example/review"),
))


# A file field is `format: binary` to JSON Schema: any bytes. What the photo and estimate
# routes take is decided by content (a real image; a real CIECA estimate), which no schema
# can state, so a generated file is swapped for a real one. Other fields stay generated, and
# a body without a file (or with a non-binary one) is left as it is.
def _tiny_jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


_REAL_FILES = {
    ("POST", "/api/v1/claims/{claim_id}/photos"): _tiny_jpeg(),
    ("POST", "/api/v1/estimates"): (Path(__file__).parent.parent / "estimates" / "data" / "bms"
                                    / "est1-original.xml").read_bytes(),
    ("POST", "/api/v1/mail"): (Path(__file__).parent.parent / "mail" / "data" / "corpus"
                               / "mail" / "002.eml").read_bytes(),
}


@schemathesis.hook
def map_case(context, case):
    real = _REAL_FILES.get((case.method.upper(), case.operation.path))
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if real is not None and not negative and isinstance(case.body, dict) and \
            isinstance(case.body.get("file"), bytes | bytearray | Binary):
        case.body["file"] = Binary(real)
    return case
