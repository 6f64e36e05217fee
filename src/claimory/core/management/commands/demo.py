"""`claimory demo`: migrate, seed a believable shop, print how to get in, then serve."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from claimory.core import server, static


class Command(BaseCommand):
    help = "Run the demo: migrate the embedded database, seed a demo shop, serve it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=server.default_workers())
        parser.add_argument("--no-serve", action="store_true",
                            help="Seed and print the details, then exit (used by tests).")

    def handle(self, *args, host, port, workers, no_serve, **options):
        origin = settings.BASE_URL or server.public_origin(host, port)
        # Children (uvicorn workers, the task worker) read the origin from the environment.
        os.environ["CLAIMORY_BASE_URL"] = origin
        settings.BASE_URL = origin
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.TESTING:  # the suite reads the source files (settings.STORAGES)
            static.collect()  # also with --no-serve: benches and tests serve this dir next
        from claimory import demo
        from claimory.printables.qr import portal_url, qr_terminal

        result = demo.seed()
        from claimory.reports.demo_history import seed_history

        seed_history(result.location)  # delivered, archived claims: the reports' months
        url = portal_url(result.portal_claim)
        out = self.stdout
        out.write(self.style.SUCCESS(f"\nClaimory demo — {result.location.name}"))
        out.write(f"Staff sign-in:  {origin}/staff/")
        out.write(f"  email:        {result.staff_email}")
        out.write(f"  password:     {result.password}")
        out.write(f"Production board: {origin}/staff/board")
        out.write(f"Reports:        {origin}/staff/reports")
        out.write(f"Public page:    {origin}/p/{result.location.slug}")
        out.write(f"Customer portal ({result.portal_claim.customer.name}, "
                  f"{result.portal_claim.vehicle}):")
        out.write(f"  {url}")
        out.write(qr_terminal(url))
        out.write(f"API docs: {origin}/api/v1/openapi.json")
        out.write(f"API key: {result.api_key}")
        if no_serve:
            return
        worker = server.start_worker_process()
        try:
            server.run_uvicorn(host=host, port=port, workers=workers)
        finally:
            worker.terminate()
