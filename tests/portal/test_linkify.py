"""The linkify filter: text stays text, only http(s) addresses become (safe) links."""

import pytest

from claimory.portal.templatetags.portal_text import LINK_REL, linkify


def link(url, shown=None):
    return (f'<a href="{url}" rel="{LINK_REL}" target="_blank">{shown or url}'
            '<span class="visually-hidden"> (opens in a new tab)</span></a>')


def test_plain_text_is_escaped():
    assert linkify('<b>hi</b> & "you"') == "&lt;b&gt;hi&lt;/b&gt; &amp; &quot;you&quot;"


def test_none_is_empty():
    assert linkify(None) == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("see https://example.com", "see " + link("https://example.com")),
    ("HTTP://EXAMPLE.COM/A", link("HTTP://EXAMPLE.COM/A")),
    ("end of sentence https://example.com/x.", link("https://example.com/x") + "."),
    ("(https://example.com/a_(b))", "(" + link("https://example.com/a_(b)") + ")"),
    ("(see https://example.com)", "(see " + link("https://example.com") + ")"),
    ("https://a.example/?q=1&r=2", link("https://a.example/?q=1&amp;r=2")),
])
def test_web_addresses_become_links(text, expected):
    assert linkify(text).endswith(expected)


@pytest.mark.parametrize("text", [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.com/file",
    "www.example.com",
    "mailto:a@example.com",
    "https://",
    "https://[::1",
])
def test_nothing_else_becomes_a_link(text):
    assert "<a " not in linkify(text)


def test_quotes_cannot_break_out_of_the_attribute():
    html = linkify('https://example.com/"onmouseover="alert(1)')
    assert 'href="https://example.com/"' in html
    assert '&quot;onmouseover=&quot;alert(1)' in html


def test_tags_after_a_url_are_not_part_of_it():
    html = linkify("https://example.com/<script>alert(1)</script>")
    assert link("https://example.com/") in html and "&lt;script&gt;" in html


def test_long_addresses_are_shortened_on_screen_only():
    url = "https://example.com/" + "a" * 100
    html = linkify(url)
    assert f'href="{url}"' in html and ">https://example.com/aaaa" in html and "…<span" in html
