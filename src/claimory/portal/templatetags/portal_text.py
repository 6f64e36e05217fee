"""Template filters for text people typed: escaped, with http(s) links made safely clickable.

Message bodies are plain text. Everything is HTML-escaped; the only markup ever added is an
``<a>`` around a web address that starts with http:// or https://, opening in a new tab with
no referrer (the page URL holds the customer's private token) and no ranking credit.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?*'\"“”‘’"
LINK_REL = "noopener noreferrer nofollow ugc"
MAX_LINK_TEXT = 60


def _trim(url: str) -> str:
    """Drop sentence punctuation and unmatched closing brackets that end the typed URL."""
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        else:
            break
    return url


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _anchor(url: str) -> str:
    shown = url if len(url) <= MAX_LINK_TEXT else url[: MAX_LINK_TEXT - 1] + "…"
    hint = _("opens in a new tab")
    return (f'<a href="{escape(url)}" rel="{LINK_REL}" target="_blank">{escape(shown)}'
            f'<span class="visually-hidden"> ({escape(hint)})</span></a>')


@register.filter(is_safe=False, needs_autoescape=False)
def linkify(text) -> SafeString:
    """Escape ``text`` and turn each http(s) URL in it into a safe link."""
    value = "" if text is None else str(text)
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(value):
        url = _trim(match.group(0))
        if not _is_web_url(url):
            continue
        start, end = match.start(), match.start() + len(url)
        out.append(escape(value[pos:start]))
        out.append(_anchor(url))
        pos = end
    out.append(escape(value[pos:]))
    # Safe: every piece above went through escape().
    return mark_safe("".join(out))
