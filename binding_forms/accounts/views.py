from django.conf import settings
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from binding_forms.accounts.forms import (
    FirstPasswordChangeForm,
    ParentPasswordResetForm,
    ParentSignInForm,
    StudentSignInForm,
)
from binding_forms.accounts.next_url import safe_next_url
from binding_forms.accounts.sessions import parent_session_signed_out_idle, parent_session_start
from binding_forms.models import District

TABS = {"student": StudentSignInForm, "parent": ParentSignInForm}
KEPT_ON_REFRESH = {"school", "account", "email"}


def _next_url(request) -> str:
    return safe_next_url(request, default=signed_in_home(request.user))


def signed_in_home(user) -> str:
    """Where a sign-in lands unless a safe ``next`` says otherwise: a student account at the
    binding wizard, every other (a parent account) at ``LOGIN_REDIRECT_URL`` (我的孩子)."""
    if user.is_authenticated and not hasattr(user, "student"):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    return reverse("binding_start")


@sensitive_post_parameters("password", "account")
@csrf_protect
@never_cache
def signin(request):
    """Screen 1: pick the district and school, then the student account (or a parent account)."""
    tab = request.POST.get("tab") or request.GET.get("tab")
    tab = tab if tab in TABS else "student"
    district = chosen_district(request)
    form_kwargs = {"request": request}
    if tab == "student":
        form_kwargs["district"] = district

    if request.method == "POST" and "captcha_refresh" in request.POST:
        # "Show another code" without JavaScript: keep what was typed, except secrets.
        kept = {key: value for key, value in request.POST.items() if key in KEPT_ON_REFRESH}
        form = TABS[tab](initial=kept, **form_kwargs)
    elif request.method == "POST":
        form = TABS[tab](request.POST, **form_kwargs)
        if form.is_valid():
            return sign_in_complete(request, form.user)
    else:
        form = TABS[tab](**form_kwargs)

    return TemplateResponse(
        request,
        "binding_forms/signin.html",
        {
            "form": form,
            "tab": tab,
            "district": district,
            "districts": District.objects.all(),
            # Only a ``next`` the visitor brought: without one, who signs in decides where to.
            "next": safe_next_url(request, default=""),
            "signed_out_idle": parent_session_signed_out_idle(request=request),
            "idle_minutes": settings.PARENT_SESSION_IDLE_MINUTES,
        },
    )


def sign_in_complete(request, user):
    """After a sign-in form accepted ``user`` (here, or from a binding letter): the session, then
    the forced password change or where the user goes."""
    login(request, user)
    parent_session_start(request=request, user=user)
    if user.password_change_required:
        query = urlencode({"next": _next_url(request)})
        return redirect(f"{reverse('password_first_change')}?{query}")
    return redirect(_next_url(request))


def chosen_district(request) -> District | None:
    """The district picked above a school list (``?district=``, the picker's reload without
    JavaScript): the sign-in page's and the wizard's child step's."""
    return District.objects.filter(pk=_int_or_none(request.GET.get("district"))).first()


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@login_required
def password_first_change(request):
    """The forced change after signing in with a one-time first password."""
    if not request.user.password_change_required:
        return redirect(_next_url(request))
    form = FirstPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        return redirect(_next_url(request))
    return TemplateResponse(
        request,
        "binding_forms/password_first_change.html",
        {"form": form, "next": _next_url(request)},
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signout(request):
    """登出 signs out by POST only (a prefetch or a link must not); a GET shows the button, and
    after signing out this page says so."""
    if request.method == "POST":
        logout(request)
        return redirect("signout")
    return TemplateResponse(request, "binding_forms/signout.html", {})


class ParentPasswordResetView(auth_views.PasswordResetView):
    """A parent account resets its password by an emailed link; student accounts have no email
    and are reset by the school's registrar."""

    form_class = ParentPasswordResetForm
    template_name = "binding_forms/password_reset_form.html"
    email_template_name = "binding_forms/password_reset_email.txt"
    subject_template_name = "binding_forms/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class ParentPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "binding_forms/password_reset_done.html"


class ParentPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "binding_forms/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        form.user.password_change_required = False
        return super().form_valid(form)


class ParentPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "binding_forms/password_reset_complete.html"
