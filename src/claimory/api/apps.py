from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "claimory.api"
    label = "api"
