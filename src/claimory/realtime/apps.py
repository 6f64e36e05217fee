from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "claimory.realtime"
    label = "realtime"
