"""The demo service's three pages: its home (signed out: a button; signed in: the children the
portal sent), the callback, and sign-out (RP-initiated logout at the portal)."""

import secrets
import urllib.error
import urllib.parse

from django.conf import settings
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from home.demo_payments import client

# The demo keeps its own state under one key of the shared session, as a service would in its.
SESSION_KEY = "demo_payments"


def _issuer(request) -> str:
    return settings.DEMO_PAYMENTS_ISSUER or request.build_absolute_uri("/").rstrip("/")


@never_cache
def home(request):
    state = request.session.get(SESSION_KEY, {})
    return TemplateResponse(
        request,
        "demo_payments/home.html",
        {"signed_in": state.get("user"), "name": client.NAME, "error": request.GET.get("error")},
    )


@require_POST
def sign_in(request):
    config = client.discovery(_issuer(request))
    verifier, challenge = client.pkce_pair()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier}
    return redirect(
        client.authorization_url(
            config=config,
            redirect_uri=request.build_absolute_uri(client.CALLBACK_PATH),
            state=state,
            nonce=nonce,
            challenge=challenge,
        )
    )


@never_cache
def callback(request):
    pending = request.session.get(SESSION_KEY, {})
    if (
        not pending.get("state")
        or not secrets.compare_digest(pending["state"], request.GET.get("state", ""))
        or "code" not in request.GET
    ):
        request.session.pop(SESSION_KEY, None)
        return redirect(f"{client.HOME_PATH}?error=1")
    config = client.discovery(_issuer(request))
    try:
        tokens = client.code_exchange(
            config=config,
            code=request.GET["code"],
            redirect_uri=request.build_absolute_uri(client.CALLBACK_PATH),
            verifier=pending["verifier"],
        )
        client.id_token_claims(config=config, id_token=tokens["id_token"], nonce=pending["nonce"])
        user = client.userinfo(config=config, access_token=tokens["access_token"])
    except (urllib.error.URLError, KeyError, ValueError):
        request.session.pop(SESSION_KEY, None)
        return redirect(f"{client.HOME_PATH}?error=1")
    request.session[SESSION_KEY] = {"user": user, "id_token": tokens["id_token"]}
    return redirect(client.HOME_PATH)


@require_POST
def sign_out(request):
    state = request.session.pop(SESSION_KEY, {})
    config = client.discovery(_issuer(request))
    query = urllib.parse.urlencode(
        {
            "client_id": client.CLIENT_ID,
            "id_token_hint": state.get("id_token", ""),
            "post_logout_redirect_uri": request.build_absolute_uri(client.HOME_PATH),
        }
    )
    return redirect(f"{config['end_session_endpoint']}?{query}")
