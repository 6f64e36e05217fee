"""Log filter that keeps portal tokens out of every log line (access logs included)."""

from __future__ import annotations

import logging
import re

# /c/<token> and /c/<token>/anything: keep the shape, drop the secret.
_PORTAL_PATH = re.compile(r"(/c/)[A-Za-z0-9_\-]{6,}")


def redact(text: str) -> str:
    return _PORTAL_PATH.sub(r"\1[redacted]", text)


class RedactPortalTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args) \
                if isinstance(record.args, tuple) else record.args
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
