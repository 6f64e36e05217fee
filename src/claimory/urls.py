"""Top-level URL map: portal (/c/), public shop pages (/p/), staff (/staff/), API, health."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as static_serve

from claimory.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path("", core_views.home, name="home"),
    path("c/", include("claimory.portal.urls")),
    path("p/", include("claimory.portal.public_urls")),
    path("staff/", include("claimory.backoffice.urls")),
    path("staff/print/", include("claimory.printables.urls")),
    path("api/v1/", include("claimory.api.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", static_serve, {"document_root": settings.MEDIA_ROOT}),
]
