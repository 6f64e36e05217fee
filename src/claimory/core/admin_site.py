"""The site administration at /admin/: superusers only, branded, no sign-in form of its own.

Signing in goes through the staff sign-in (/staff/login), so the admin is behind the same
throttle; shop staff, whatever their role, get a 403 here.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse


class ClaimoryAdminSite(admin.AdminSite):
    site_header = "Claimory admin"
    site_title = "Claimory admin"
    index_title = "Site administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_superuser

    def login(self, request: HttpRequest, extra_context=None):
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
            raise PermissionDenied("The site administration is for superusers only.")
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{reverse('backoffice:login')}?{urlencode({'next': target})}")


class ClaimoryAdminConfig(AdminConfig):
    """Django's admin app with the site above (settings.INSTALLED_APPS names this class)."""

    default_site = "claimory.core.admin_site.ClaimoryAdminSite"
