from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "claimory.money"
    label = "money"
    verbose_name = "Money, supplements and rental"
