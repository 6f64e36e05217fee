"""`claimory worker`: runs queued background tasks (django-tasks database backend)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker (SMS, email, image processing, imports)."

    def handle(self, *args, **options):
        call_command("db_worker")
