"""ASGI entry point served by uvicorn (`claimory serve`, `claimory demo`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimory.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
