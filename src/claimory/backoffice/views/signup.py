"""Public sign-up at /signup: a shop creates its workspace, first location and owner, then
lands on the "Get started" checklist, signed in."""

from __future__ import annotations

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from claimory.backoffice.forms.signup import SignUpForm
from claimory.core.clients import request_client_ip
from claimory.core.ratelimit import minutes
from claimory.shops.plans import TRIAL_DAYS
from claimory.shops.signup import SignUp, signup_clean, signup_retry_after, workspace_sign_up
from claimory.shops.slugs import slug_suggest


def _page(request: HttpRequest, form: SignUpForm, status: int = 200, wait: int | None = None
          ) -> HttpResponse:
    response = render(request, "registration/signup.html", {
        "form": form, "trial_days": TRIAL_DAYS,
        "wait_minutes": minutes(wait) if wait else None}, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = SignUpForm(initial={"plan": request.GET.get("plan", "")} if
                          request.GET.get("plan") else None)
        return _page(request, form)
    post = request.POST.copy()
    if not post.get("slug", "").strip():  # no script on the page: the address from the name
        post["slug"] = slug_suggest(post.get("shop_name", "")[:120])
    form = SignUpForm(post)
    wait = signup_retry_after(request_client_ip(request))
    if wait is not None:
        form.is_valid()  # keep what was typed on the page
        return _page(request, form, status=429, wait=wait)
    valid = form.is_valid()
    data = {name: str(form.cleaned_data.get(name, post.get(name, "")))[:254]
            for name in form.fields}
    try:
        if not valid:  # say everything at once: the service's reasons for the other fields
            signup_clean(SignUp(**data))
            return _page(request, form, status=400)
        user = workspace_sign_up(SignUp(**data))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field not in form.errors:
                form.add_error(field if field in form.fields else None, messages)
        return _page(request, form, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("backoffice:welcome")
