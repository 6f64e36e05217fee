from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "claimory.appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        # The reminder's durable handler registers itself on import (core/durable.py).
        from claimory.appointments import notices  # noqa: F401
