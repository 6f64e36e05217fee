from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claimory.claims"
    label = "claims"
