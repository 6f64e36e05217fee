from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "claimory.mail"
    verbose_name = "Email hub"

    def ready(self) -> None:
        from claimory.mail import work  # noqa: F401 - registers the durable handlers
