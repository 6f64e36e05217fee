from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "claimory.shops"
    label = "shops"
