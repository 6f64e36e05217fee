from django.apps import AppConfig


class PrintablesConfig(AppConfig):
    name = "claimory.printables"
    label = "printables"
