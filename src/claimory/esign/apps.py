from django.apps import AppConfig


class EsignConfig(AppConfig):
    name = "claimory.esign"
    label = "esign"
    verbose_name = "E-signature"

    def ready(self) -> None:
        # Durable work handlers register themselves on import (core/durable.py).
        from claimory.esign import work  # noqa: F401
