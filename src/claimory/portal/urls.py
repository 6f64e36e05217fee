"""Customer portal routes under /c/: the page and its live fragments (token = credential)."""

from django.urls import path

from claimory.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.no_token, name="no_token"),
    path("<str:token>", views.page, name="page"),
    path("<str:token>/fragments/<str:name>", views.fragment, name="fragment"),
]
