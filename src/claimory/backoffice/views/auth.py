"""Sign-in and password reset: Django's views with our throttled forms and public origin."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from claimory.backoffice.forms.auth import StaffAuthenticationForm, StaffPasswordResetForm
from claimory.core.origin import base_host, base_url


class ThrottledFormViewMixin:
    """A form refused for going too fast answers 429 with Retry-After, the form shown again."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class StaffLoginView(ThrottledFormViewMixin, auth_views.LoginView):
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True


class StaffPasswordResetView(ThrottledFormViewMixin, auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("backoffice:password_reset_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        # The link's origin is CLAIMORY_BASE_URL, read now: a spoofed Host header must not
        # carry the reset token to another domain.
        origin = base_url()
        form.save(domain_override=base_host(), use_https=origin.startswith("https://"),
                  token_generator=self.token_generator, from_email=self.from_email,
                  email_template_name=self.email_template_name,
                  subject_template_name=self.subject_template_name, request=self.request,
                  extra_email_context={"base_url": origin})
        return super(auth_views.PasswordResetView, self).form_valid(form)


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation's one-time link: choose a password, then straight into the back office
    (Django's reset token, so it stops working once a password is set)."""

    template_name = "registration/invite_accept.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("backoffice:claims")
