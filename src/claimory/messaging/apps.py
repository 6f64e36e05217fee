from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "claimory.messaging"
    label = "messaging"
