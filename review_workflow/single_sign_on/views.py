"""The provider's parent-facing pages: consent, refusals, 已授權的服務, and tpeduSSO's API."""

from urllib.parse import parse_qs, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import AuthorizationView

from review_workflow.single_sign_on.middleware import form_action_with, redirect_origin
from review_workflow.single_sign_on.models import ServiceConsent
from review_workflow.single_sign_on.scopes import SCOPES
from review_workflow.single_sign_on.services import (
    Refusal,
    consent_covers,
    consent_record,
    service_authorization_revoke,
    service_sign_in_refusal,
    tpedu_email,
    tpedu_me,
    tpedu_profile,
)


def refusal_response(request, refusal: Refusal, application) -> TemplateResponse:
    response = TemplateResponse(
        request,
        "single_sign_on/refused.html",
        {"refusal": refusal, "application": application},
        status=403,
    )
    add_never_cache_headers(response)
    return response


class ServiceAuthorizationView(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint, with the portal's own rules before it: a
    parent who may sign in (services.service_sign_in_refusal), and consent asked once per
    service (ServiceConsent) rather than whenever no token is left."""

    template_name = "single_sign_on/consent.html"

    def get_login_url(self):
        # Only parent accounts sign in to the city's services: the sign-in page opens on their
        # tab (Django's redirect_to_login keeps this query and adds ``next``).
        return f"{reverse('signin')}?tab=parent"

    def get(self, request, *args, **kwargs):
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError:
            return super().get(request, *args, **kwargs)  # its own error page or redirect
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        if refusal := service_sign_in_refusal(user=request.user, scopes=scopes):
            return refusal_response(request, refusal, application)
        prompt = request.GET.get("prompt", "").split()
        if "consent" not in prompt and consent_covers(
            user=request.user, application=application, scopes=scopes
        ):
            if isinstance(credentials.get("ui_locales"), list):
                credentials["ui_locales"] = " ".join(credentials["ui_locales"])
            try:
                uri, _headers, _body, _status = self.create_authorization_response(
                    request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
                )
            except OAuthToolkitError as error:
                return self.error_response(error, application)
            consent_record(user=request.user, application=application, scopes=scopes)
            return self.redirect(uri, application)
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        # The consent form's answer is a redirect to the service: allow its origin as a target.
        form_action_with(response, redirect_origin(credentials["redirect_uri"]))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scope_items"] = [(scope, SCOPES[scope]) for scope in context.get("scopes", [])]
        return context

    def form_valid(self, form):
        application = get_application_model().objects.get(client_id=form.cleaned_data["client_id"])
        scopes = (form.cleaned_data.get("scope") or "").split()
        if refusal := service_sign_in_refusal(user=self.request.user, scopes=scopes):
            return refusal_response(self.request, refusal, application)
        response = super().form_valid(form)
        location = response.get("Location", "")
        if form.cleaned_data.get("allow") and "code" in parse_qs(urlsplit(location).query):
            consent_record(user=self.request.user, application=application, scopes=scopes)
        return response


@never_cache
@login_required
def authorized_services(request):
    """已授權的服務: each service the parent gave consent to, what it receives, and since when."""
    consents = (
        ServiceConsent.objects.filter(user=request.user)
        .select_related("application")
        .order_by("-granted_at")
    )
    services = [
        {
            "consent": consent,
            "received": [SCOPES[scope] for scope in consent.scope_list if scope in SCOPES],
        }
        for consent in consents
    ]
    return TemplateResponse(
        request, "single_sign_on/authorized_services.html", {"services": services}
    )


@require_POST
@login_required
def authorized_service_revoke(request, consent_id: int):
    consent = get_object_or_404(ServiceConsent, pk=consent_id, user=request.user)
    service_authorization_revoke(user=request.user, application=consent.application)
    return redirect("authorized_services")


# tpeduSSO's API (Laravel Passport) for services written against it ---------------------------


def _bearer_user(request, *, any_scope: set[str]):
    """The user a bearer token with one of ``any_scope`` speaks for, or an error response."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        response = JsonResponse({"error": "invalid_token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return None, None, response
    token = oauth_request.access_token
    scopes = token.scope.split()
    if not any_scope & set(scopes):
        response = JsonResponse({"error": "insufficient_scope"}, status=403)
        response["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
        return None, None, response
    if service_sign_in_refusal(user=token.user, scopes=[]):
        return None, None, JsonResponse({"error": "access_denied"}, status=403)
    return token.user, scopes, None


def _json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    return response


# Each answers only for a token carrying the very scope tpeduSSO's route asks (`scope:me`,
# `scope:email`, `scope:profile` in its htdocs/routes/api.php).


@require_GET
def tpedu_me_view(request):
    user, _scopes, error = _bearer_user(request, any_scope={"me"})
    if error:
        return error
    return _json(tpedu_me(user=user))


@require_GET
def tpedu_email_view(request):
    user, _scopes, error = _bearer_user(request, any_scope={"email"})
    if error:
        return error
    return _json(tpedu_email(user=user))


@require_GET
def tpedu_profile_view(request):
    user, scopes, error = _bearer_user(request, any_scope={"profile"})
    if error:
        return error
    return _json(tpedu_profile(user=user, scopes=scopes))
