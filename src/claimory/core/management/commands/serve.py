"""`claimory serve`: the production ASGI server (uvicorn, one worker process per core)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from claimory.core import server, static
from claimory.env import envbool, envstr


def config_problems(*, behind_proxy: bool) -> list[str]:
    """What stops `serve` from starting safely; empty when it may start.

    Links (portal, QR codes, password reset) are built from CLAIMORY_BASE_URL, never from a
    Host header, so it is always required: a guessed default would print localhost on every
    work order. Django answers only the hosts in CLAIMORY_ALLOWED_HOSTS; behind a reverse
    proxy that fixes the Host header the list may stay open, but then the proxy must be named
    in CLAIMORY_TRUSTED_PROXIES — otherwise every customer shares the proxy's address and one
    guesser's rate limit locks out the whole shop.
    """
    problems = []
    if not envstr("SECRET_KEY"):
        problems.append("SECRET_KEY must be set for `claimory serve` (see README).")
    if not settings.BASE_URL.startswith(("http://", "https://")):
        problems.append("CLAIMORY_BASE_URL must be the public origin, e.g. "
                        "https://portal.example-shop.com — portal links, QR codes and reset "
                        "emails use it.")
    if behind_proxy:
        if not settings.TRUSTED_PROXIES:
            problems.append("--behind-proxy needs CLAIMORY_TRUSTED_PROXIES (the proxy's IPs or "
                            "CIDRs), or every client shares the proxy's address and its rate "
                            "limits.")
        return problems
    hosts = settings.ALLOWED_HOSTS
    if not hosts or any(host.strip() == "*" for host in hosts):
        problems.append("CLAIMORY_ALLOWED_HOSTS must list the host names this server answers, "
                        "not * (or pass --behind-proxy with CLAIMORY_TRUSTED_PROXIES).")
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
            help="A trusted reverse proxy (CLAIMORY_TRUSTED_PROXIES) fixes the Host header: "
                 "CLAIMORY_ALLOWED_HOSTS may stay open (also CLAIMORY_BEHIND_PROXY=true).")

    def handle(self, *args, host, port, workers, behind_proxy, **options):
        problems = config_problems(behind_proxy=behind_proxy)
        if problems:
            raise CommandError("\n".join(problems))
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        static.collect()  # hashed, compressed static files (skipped when unchanged)
        self.stdout.write(f"Claimory on http://{host}:{port} with {workers} worker(s)")
        server.run_uvicorn(host=host, port=port, workers=workers)
