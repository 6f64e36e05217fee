from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "claimory.notifications"
    label = "notifications"
    verbose_name = "Notifications"
