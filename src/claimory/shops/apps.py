from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "claimory.shops"
    label = "shops"

    def ready(self) -> None:
        from claimory.shops import branding  # noqa: F401 - registers the durable handler
