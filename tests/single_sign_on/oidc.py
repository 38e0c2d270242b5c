"""Helpers of the single sign-on tests: a parent bound to 陳小花 at 松山國小 (ID numbers as the
registry keeps them), city services registered as an administrator would, PKCE."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

from oauth2_provider.models import get_application_model

from binding_forms.identity.personal_data import encrypt, id_number_digest
from review_workflow.models import ParentAccount
from tests.factories import UserFactory

PARENT_ID = "A123456789"
CHILD_ID = "A234567893"
SECRET = "a-confidential-services-secret"
REDIRECT_URI = "https://pay.example.tp.edu.tw/callback"
LOGOUT_URI = "https://pay.example.tp.edu.tw/"


def parent_account(*, username="dad@example.com", id_number=PARENT_ID, **kwargs):
    user = UserFactory(username=username, email=username, first_name="陳大名", **kwargs)
    ParentAccount.objects.create(
        user=user,
        id_number_digest=id_number_digest(id_number),
        id_number_encrypted=encrypt(id_number),
        mobile="0912345678",
    )
    return user


def service(*, client_id="pay", public=False, children=True, **kwargs):
    Application = get_application_model()
    return Application.objects.create(
        name="校園繳費系統",
        client_id=client_id,
        client_secret=SECRET,
        client_type=Application.CLIENT_PUBLIC if public else Application.CLIENT_CONFIDENTIAL,
        redirect_uris=REDIRECT_URI,
        post_logout_redirect_uris=LOGOUT_URI,
        children_allowed=children,
        **kwargs,
    )


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_params(*, client_id="pay", scope="openid profile email children", challenge=None):
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "xyz",
        "nonce": "n-0S6",
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return params


def code_from(response) -> str:
    assert response.status_code == 302, response.content[:500]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def basic_auth(client_id="pay", secret=SECRET) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
