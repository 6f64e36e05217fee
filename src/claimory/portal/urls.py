"""Customer portal routes under /c/: page, live fragments, messages (token = credential).

The event stream /c/<token>/events is answered in asgi.py, before Django.
"""

from django.urls import path

from claimory.portal import message_views, photo_views, upload_views, views

app_name = "portal"
urlpatterns = [
    path("", views.no_token, name="no_token"),
    path("<str:token>", views.page, name="page"),
    path("<str:token>/fragments/<str:name>", views.fragment, name="fragment"),
    path("<str:token>/messages", message_views.messages, name="messages"),
    path("<str:token>/seen", message_views.seen, name="seen"),
    path("<str:token>/uploads", upload_views.uploads, name="uploads"),
    path("<str:token>/photos/<int:photo_id>/<str:variant>", photo_views.photo_file,
         name="photo"),
]
