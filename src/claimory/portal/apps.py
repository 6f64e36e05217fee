from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "claimory.portal"
    label = "portal"
