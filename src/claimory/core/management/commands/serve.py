"""`claimory serve`: the production ASGI server (uvicorn, one worker process per core)."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claimory.core import server, static
from claimory.env import envbool, envstr


def config_problems(*, behind_proxy: bool) -> list[str]:
    """What stops `serve` from starting safely; empty when it may start.

    Links (portal, password reset) are built from CLAIMORY_BASE_URL and Django answers only
    the hosts in CLAIMORY_ALLOWED_HOSTS, so a spoofed Host header can reach neither. Behind a
    proxy the operator trusts to send only its own Host, both may be left out.
    """
    problems = []
    if not envstr("SECRET_KEY"):
        problems.append("SECRET_KEY must be set for `claimory serve` (see README).")
    if behind_proxy:
        return problems
    if not settings.BASE_URL.startswith(("http://", "https://")):
        problems.append("CLAIMORY_BASE_URL must be the public origin, e.g. "
                        "https://portal.example-shop.com (or pass --behind-proxy).")
    hosts = settings.ALLOWED_HOSTS
    if not hosts or any(host.strip() == "*" for host in hosts):
        problems.append("CLAIMORY_ALLOWED_HOSTS must list the host names this server answers, "
                        "not * (or pass --behind-proxy).")
    return problems


class Command(BaseCommand):
    help = "Serve Claimory with uvicorn (one worker process per core by default)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=server.default_workers())
        parser.add_argument(
            "--behind-proxy", action="store_true",
            default=envbool("CLAIMORY_BEHIND_PROXY", False),
            help="A trusted reverse proxy fixes the Host header: start without "
                 "CLAIMORY_BASE_URL / CLAIMORY_ALLOWED_HOSTS (also CLAIMORY_BEHIND_PROXY=true).")

    def handle(self, *args, host, port, workers, behind_proxy, **options):
        problems = config_problems(behind_proxy=behind_proxy)
        if problems:
            raise CommandError("\n".join(problems))
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if not settings.BASE_URL:
            origin = server.public_origin(host, port)
            self.stderr.write(f"CLAIMORY_BASE_URL is not set: links will use {origin}")
            # Workers and the task worker read it from the environment, as with `demo`.
            os.environ["CLAIMORY_BASE_URL"] = origin
            settings.BASE_URL = origin
        static.collect()  # hashed, compressed static files (skipped when unchanged)
        self.stdout.write(f"Claimory on http://{host}:{port} with {workers} worker(s)")
        server.run_uvicorn(host=host, port=port, workers=workers)
