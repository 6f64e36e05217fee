from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "claimory.portal"
    label = "portal"

    def ready(self) -> None:
        from claimory.portal import track  # noqa: F401 - registers the durable handler
