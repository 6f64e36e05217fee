from django.apps import AppConfig


class DraftsConfig(AppConfig):
    name = "claimory.drafts"
    label = "drafts"
