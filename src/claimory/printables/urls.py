from django.urls import path  # noqa: F401

app_name = "printables"
urlpatterns: list = []
