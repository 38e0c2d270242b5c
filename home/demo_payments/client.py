"""校園繳費系統 (示範): how a city service signs parents in through the portal. A DEMO of a
relying party, kept apart from the provider: it talks to the provider only over HTTP, as a
service on another server would (discovery, authorization code with PKCE, a server-side code
exchange with its client secret, the id_token checked against the JWKS, userinfo)."""

import base64
import hashlib
import json
import secrets
import urllib.parse
import urllib.request

from django.conf import settings
from django.db import transaction
from jwcrypto import jwk, jwt

CLIENT_ID = "demo-payments"
NAME = "校園繳費系統 (示範)"
CALLBACK_PATH = "/demo/payments/callback/"
HOME_PATH = "/demo/payments/"
TIMEOUT = 10


def client_secret() -> str:
    return settings.DEMO_PAYMENTS_CLIENT_SECRET


def _get_json(url: str, *, token: str | None = None) -> dict:
    request = urllib.request.Request(url)  # noqa: S310  (the provider's own https/http address)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return json.load(response)


def discovery(issuer: str) -> dict:
    return _get_json(f"{issuer}/.well-known/openid-configuration")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_url(*, config: dict, redirect_uri: str, state: str, nonce: str, challenge: str):
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": "openid profile children",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{config['authorization_endpoint']}?{query}"


def code_exchange(*, config: dict, code: str, redirect_uri: str, verifier: str) -> dict:
    body = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
    ).encode()
    credentials = base64.b64encode(f"{CLIENT_ID}:{client_secret()}".encode()).decode()
    request = urllib.request.Request(config["token_endpoint"], data=body, method="POST")  # noqa: S310
    request.add_header("Authorization", f"Basic {credentials}")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
        return json.load(response)


def id_token_claims(*, config: dict, id_token: str, nonce: str) -> dict:
    """The id_token's claims once its signature (one of the JWKS keys), issuer, audience and
    nonce are right; ValueError otherwise."""
    keys = jwk.JWKSet.from_json(json.dumps(_get_json(config["jwks_uri"])))
    token = jwt.JWT(
        jwt=id_token,
        key=keys,
        expected_type="JWS",
        check_claims={"iss": config["issuer"], "aud": CLIENT_ID, "exp": None},
    )
    claims = json.loads(token.claims)
    if claims.get("nonce") != nonce:
        raise ValueError("nonce")
    return claims


def userinfo(*, config: dict, access_token: str) -> dict:
    return _get_json(config["userinfo_endpoint"], token=access_token)


@transaction.atomic
def demo_client_register(*, origins: list[str]):
    """The demo service as an administrator would register it (demo data and tests)."""
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    application, _created = Application.objects.update_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": NAME,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "client_secret": client_secret(),
            "redirect_uris": " ".join(f"{origin}{CALLBACK_PATH}" for origin in origins),
            "post_logout_redirect_uris": " ".join(f"{origin}{HOME_PATH}" for origin in origins),
            "algorithm": Application.RS256_ALGORITHM,
            "profile_allowed": True,
            "email_allowed": False,
            "children_allowed": True,
        },
    )
    return application
