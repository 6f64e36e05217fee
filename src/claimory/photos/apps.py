from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "claimory.photos"
    label = "photos"
    verbose_name = "Photos"
