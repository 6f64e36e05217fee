from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "claimory.reports"
    verbose_name = "Reports"
