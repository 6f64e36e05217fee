import io
import logging

import pytest

from claimory.core.logging import RedactPortalTokens, redact

TOKEN = "Zk3P9xQw_-7aB2cD4eF6gH"


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("x", logging.INFO, __file__, 1, msg, args or None, exc_info)


def _formatted(record):
    RedactPortalTokens().filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_redact_keeps_the_path_shape():
    assert redact(f"GET /c/{TOKEN}/events?x=1") == "GET /c/[redacted]/events?x=1"
    assert redact("GET /p/northside") == "GET /p/northside"


@pytest.mark.parametrize("record", [
    _record(f"GET /c/{TOKEN}"),
    _record("Not Found: %s", f"/c/{TOKEN}"),
    _record('%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", f"/c/{TOKEN}", "1.1", 200),
    _record("%(path)s", {"path": f"/c/{TOKEN}/fragments/eta"}),
    _record("url %s", type("Url", (), {"__str__": lambda self: f"https://x/c/{TOKEN}"})()),
    _record("bytes %s", f"/c/{TOKEN}".encode()),
])
def test_every_record_shape_is_redacted(record):
    text = _formatted(record)
    assert TOKEN not in text and "/c/[redacted]" in text


def test_access_log_args_keep_their_positions():
    record = _record('%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "GET", f"/c/{TOKEN}", "1.1", 200)
    RedactPortalTokens().filter(record)
    assert record.args == ("1.2.3.4:5", "GET", "/c/[redacted]", "1.1", 200)


def test_traceback_text_is_redacted():
    try:
        raise ValueError(f"bad path /c/{TOKEN}")
    except ValueError:
        import sys

        record = _record("boom", exc_info=sys.exc_info())
    assert TOKEN not in _formatted(record)


def _console(logger_name):
    """The handler settings.LOGGING gave this logger (test runners add their own beside it)."""
    return next(h for h in logging.getLogger(logger_name).handlers
                if any(isinstance(f, RedactPortalTokens) for f in h.filters))


@pytest.mark.parametrize("logger_name", ["django.request", "django.server", "uvicorn.access",
                                         "uvicorn.error", ""])
def test_configured_loggers_write_through_the_redacting_handler(logger_name):
    assert _console(logger_name) is not None


@pytest.fixture
def django_request_log():
    """django.request's real console handler, writing to a buffer, at WARNING."""
    logger = logging.getLogger("django.request")
    handler = _console("django.request")
    buffer = io.StringIO()
    old_stream, old_level = handler.setStream(buffer), logger.level
    logger.setLevel(logging.WARNING)
    yield buffer
    logger.setLevel(old_level)
    handler.setStream(old_stream)


def test_djangos_not_found_warning_is_redacted(client, db, django_request_log):
    assert client.get(f"/c/{TOKEN}").status_code == 404
    assert client.get(f"/c/{TOKEN}/fragments/eta").status_code == 404
    text = django_request_log.getvalue()
    assert "Not Found: /c/[redacted]" in text
    assert TOKEN not in text


def test_live_token_is_redacted_too(client, portal_path, django_request_log):
    token = portal_path.rsplit("/", 1)[1]
    client.get(f"{portal_path}/fragments/nope")
    text = django_request_log.getvalue()
    assert "/c/[redacted]" in text and token not in text
