from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from oauth2_provider.models import get_application_model

AUTHORIZE_PATH = "/oauth/authorize"


def redirect_origin(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def form_action_with(response, origin: str) -> None:
    """Let the page's forms lead to ``origin`` (Content-Security-Policy ``form-action``)."""
    policy = getattr(response, "_csp_config", None) or settings.SECURE_CSP
    targets = [*policy.get("form-action", ["'self'"])]
    response._csp_config = {**policy, "form-action": [*targets, origin]}


class ServiceFormActionMiddleware:
    """Chromium applies a page's ``form-action`` to every redirect after its form is sent. A
    parent signing in (or changing the first password) on the way to a service goes, once
    signed in, through the authorization endpoint straight back to that service when consent
    was given before: such a page, whose ``next`` is an authorization request, also allows that
    service's registered redirect origin. Below the CSP middlewares, which send the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        next_url = request.GET.get("next", "")
        if not next_url.startswith(AUTHORIZE_PATH) or response.status_code != 200:
            return response
        query = parse_qs(urlsplit(next_url).query)
        client_id = query.get("client_id", [""])[0]
        application = get_application_model().objects.filter(client_id=client_id).first()
        if application is None:
            return response
        redirect_uri = query.get("redirect_uri", [application.default_redirect_uri])[0]
        if application.redirect_uri_allowed(redirect_uri):
            form_action_with(response, redirect_origin(redirect_uri))
        return response
