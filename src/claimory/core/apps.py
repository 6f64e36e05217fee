from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "claimory.core"
    label = "core"
