from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "claimory.estimates"
    verbose_name = "Estimate import"

    def ready(self) -> None:
        from claimory.estimates import work  # noqa: F401 - registers the durable handlers
