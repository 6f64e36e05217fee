"""`claimory serve`: the production ASGI server (uvicorn, one worker process per core)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claimory.core import server
from claimory.env import envstr


class Command(BaseCommand):
    help = "Serve Claimory with uvicorn (one worker process per core by default)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=server.default_workers())

    def handle(self, *args, host, port, workers, **options):
        if not envstr("SECRET_KEY"):
            raise CommandError("SECRET_KEY must be set for `claimory serve` (see README).")
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if not settings.BASE_URL:
            self.stderr.write("CLAIMORY_BASE_URL is not set: portal links will use "
                              f"{server.public_origin(host, port)}")
        self.stdout.write(f"Claimory on http://{host}:{port} with {workers} worker(s)")
        server.run_uvicorn(host=host, port=port, workers=workers)
