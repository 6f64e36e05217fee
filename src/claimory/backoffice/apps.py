from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "claimory.backoffice"
    label = "backoffice"
