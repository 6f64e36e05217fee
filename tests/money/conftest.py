"""Portal tests here start with a fresh page cache and rate-limit window too."""

from tests.portal.conftest import fresh_page_cache, fresh_rate_limit, portal_path  # noqa: F401
