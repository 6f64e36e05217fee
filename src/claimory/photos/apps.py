from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "claimory.photos"
    label = "photos"
    verbose_name = "Photos"

    def ready(self) -> None:
        # Durable work handlers register themselves on import (core/durable.py).
        from claimory.photos import processing  # noqa: F401
