from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "claimory.messaging"
    label = "messaging"

    def ready(self) -> None:
        # Durable work handlers register themselves on import (core/durable.py).
        from claimory.messaging import outbox  # noqa: F401
