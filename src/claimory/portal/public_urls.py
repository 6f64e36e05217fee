"""Public shop routes under /p/: the branded landing page and its brand stylesheet."""

from django.urls import path

from claimory.appointments import views as appointment_views
from claimory.portal import public_views

app_name = "public"
urlpatterns = [
    path("<str:slug>", public_views.shop, name="shop"),
    path("<str:slug>/track", public_views.track, name="track"),
    path("<str:slug>/logo.png", public_views.logo, name="logo"),
    path("<str:slug>/appointment", appointment_views.public_request_view, name="appointment"),
    path("<str:slug>/brand.css", public_views.brand_stylesheet, name="brand_css"),
]
