"""Log filter that keeps portal tokens out of every log line (access logs included)."""

from __future__ import annotations

import logging
import re
from typing import Any

# /c/<token> and /c/<token>/anything: keep the shape, drop the secret. The replacement is a
# literal (no group reference): a template is expanded in Python for every match, which made
# this filter a fifth of the event loop's work in a reconnect storm (one access line each).
_PORTAL_PATH = re.compile(r"(?<=/c/)[A-Za-z0-9_\-]{6,}")


def redact(text: str) -> str:
    return _PORTAL_PATH.sub("[redacted]", text) if "/c/" in text else text


def _redact_arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):
        return redact(value.decode("utf-8", "replace"))
    if isinstance(value, int | float | type(None)):
        return value
    # Anything else (a URL object, a request, an exception) is formatted with %s: redact
    # its text, so a token inside str() cannot slip through.
    text = str(value)
    return redact(text) if _PORTAL_PATH.search(text) else value


class RedactPortalTokens(logging.Filter):
    """Rewrites the record in place: message, arguments, traceback and stack text.

    Arguments keep their positions, because some formatters (uvicorn's access formatter)
    unpack ``record.args`` by index.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        elif record.msg is not None:
            record.msg = _redact_arg(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Format the traceback now, so the handler prints this redacted copy.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class OneLineWarning(logging.Filter):
    """Downgrades a record to one WARNING line: for client mistakes Django logs as ERROR
    with a traceback (a spoofed Host header, an oversized body), which are answered 4xx."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = "WARNING"
        record.exc_info = None
        record.exc_text = None
        return True
