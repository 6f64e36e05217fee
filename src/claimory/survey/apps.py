from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "claimory.survey"
    verbose_name = "Post-repair survey"
