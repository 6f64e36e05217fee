"""Top-level URL map: portal (/c/), public shop pages (/p/), email unsubscribe (/u/), staff
(/staff/), API, health."""

from django.contrib import admin
from django.urls import include, path

from claimory.api.errors import index_view as api_index_view
from claimory.appointments import views as appointment_views
from claimory.backoffice.views.signup import signup
from claimory.core import views as core_views
from claimory.portal.unsubscribe_views import unsubscribe
from claimory.sms.webhooks import telnyx_webhook

handler400 = "claimory.core.too_big.bad_request"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", core_views.home, name="home"),
    path("c/", include("claimory.portal.urls")),
    path("p/", include("claimory.portal.public_urls")),
    # A customer email's unsubscribe link (and its List-Unsubscribe header): token-only.
    path("u/<str:token>", unsubscribe, name="unsubscribe"),
    # The shop's appointments as a secret iCalendar feed (subscribed from Google/Outlook).
    # A shop signs itself up (14-day trial, no card) and lands on the "Get started" list.
    path("signup", signup, name="signup"),
    path("calendar/<str:token>.ics", appointment_views.calendar_feed, name="calendar_feed"),
    # A customer's appointment link (from their texts and emails): token-only, like /c/.
    path("a/<str:token>", appointment_views.customer_view, name="appointment"),
    path("a/<str:token>/move", appointment_views.customer_move, name="appointment_move"),
    path("a/<str:token>/cancel", appointment_views.customer_cancel,
         name="appointment_cancel"),
    path("staff/", include("claimory.backoffice.urls")),
    path("staff/print/", include("claimory.printables.urls")),
    # Without the slash: the same JSON as /api/v1/ for every method, instead of
    # APPEND_SLASH's HTML 301 (which also turns a POST into a GET without its body).
    path("api/v1", api_index_view),
    path("api/v1/", include("claimory.api.urls")),
    path("webhooks/telnyx", telnyx_webhook, name="telnyx_webhook"),
    path("admin/", admin.site.urls),
]
# No public /media/ route: customer files (photos, documents) will be served only through the
# portal token or a staff session, never from a guessable path.
