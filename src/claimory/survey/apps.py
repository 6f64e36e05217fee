from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "claimory.survey"
    verbose_name = "Post-repair survey"

    def ready(self) -> None:
        # The invitation's durable handler registers itself on import (core/durable.py).
        from claimory.survey import services  # noqa: F401
