"""Customer portal routes under /c/: page, live fragments, messages (token = credential).

The event stream /c/<token>/events is answered in asgi.py, before Django.
"""

from django.urls import path

from claimory.appointments import views as appointment_views
from claimory.portal import (
    document_views,
    message_views,
    photo_views,
    survey_views,
    upload_views,
    views,
)

app_name = "portal"
urlpatterns = [
    path("", views.no_token, name="no_token"),
    path("<str:token>", views.page, name="page"),
    path("<str:token>/fragments/<str:name>", views.fragment, name="fragment"),
    path("<str:token>/messages", message_views.messages, name="messages"),
    path("<str:token>/seen", message_views.seen, name="seen"),
    path("<str:token>/uploads", upload_views.uploads, name="uploads"),
    path("<str:token>/survey", survey_views.survey, name="survey"),
    path("<str:token>/appointment", appointment_views.portal_request_view, name="appointment"),
    path("<str:token>/photos/<int:photo_id>/<str:variant>", photo_views.photo_file,
         name="photo"),
    path("<str:token>/esign-consent", document_views.consent, name="esign_consent"),
    path("<str:token>/documents/<int:document_id>", document_views.document_page,
         name="document"),
    path("<str:token>/documents/<int:document_id>/sign", document_views.sign,
         name="document_sign"),
    path("<str:token>/documents/<int:document_id>/code", document_views.send_code,
         name="document_code"),
    path("<str:token>/documents/<int:document_id>/pdf", document_views.signed_pdf,
         name="document_pdf"),
]
