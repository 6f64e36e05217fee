from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "claimory.sms"
    label = "sms"
    verbose_name = "Texting"

    def ready(self) -> None:
        # Durable work handlers register themselves on import (core/durable.py).
        from claimory.sms import work  # noqa: F401
