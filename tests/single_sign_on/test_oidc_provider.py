"""A service's whole path through the provider: discovery → authorize (PKCE) → token →
userinfo → refresh → logout, and what must fail on the way."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.models import get_access_token_model, get_grant_model

from review_workflow.models import ParentStudentLink
from review_workflow.single_sign_on.models import ServiceConsent
from tests.single_sign_on.oidc import (
    CHILD_ID,
    LOGOUT_URI,
    PARENT_ID,
    REDIRECT_URI,
    authorize_params,
    basic_auth,
    code_from,
    parent_account,
    pkce,
    service,
)

pytestmark = pytest.mark.django_db


def sign_in_with_consent(client, user, *, scope="openid profile email children", client_id="pay"):
    """Authorize with PKCE, agreeing on the consent page if asked; the code and the verifier."""
    client.force_login(user)
    verifier, challenge = pkce()
    params = authorize_params(client_id=client_id, scope=scope, challenge=challenge)
    page = client.get("/oauth/authorize/", params)
    if page.status_code == 302:  # consent given before
        return code_from(page), verifier
    assert page.status_code == 200
    form = {**{k: v for k, v in page.context["form"].initial.items() if v is not None}}
    return code_from(client.post("/oauth/authorize/", {**form, "allow": "1"})), verifier


def token(client, **data):
    return client.post("/oauth/token/", data, HTTP_AUTHORIZATION=basic_auth())


def exchange(client, code, verifier):
    return client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic_auth(),
    )


def id_token_claims(client, id_token: str) -> dict:
    keys = jwk.JWKSet.from_json(client.get("/.well-known/jwks.json").content.decode())
    return json.loads(jwt.JWT(jwt=id_token, key=keys).claims)


def test_the_whole_path(client, parent, pay):
    config = client.get("/.well-known/openid-configuration").json()
    assert config["issuer"] == "http://testserver"
    assert config["authorization_endpoint"].endswith("/oauth/authorize")
    assert config["token_endpoint"].endswith("/oauth/token")
    assert config["end_session_endpoint"]
    assert "S256" in config["code_challenge_methods_supported"]

    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    assert tokens["expires_in"] <= 15 * 60  # minutes, not tpeduSSO's days
    claims = id_token_claims(client, tokens["id_token"])
    assert claims["aud"] == "pay" and claims["nonce"] == "n-0S6"
    sub = claims["sub"]
    assert sub not in {parent.email, str(parent.pk)} and len(sub) == 36

    info = client.get(
        "/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    ).json()
    assert info["sub"] == sub
    assert info["email"] == "dad@example.com" and info["name"] == "陳大名"
    [child] = info["children"]
    assert child["school"] == {"moe_code": "313601", "name": "臺北市立松山國民小學"}
    assert (child["grade"], child["class"], child["student_number"]) == (2, 1, "108035")
    assert child["relationship"] == "父女"

    refreshed = token(
        client, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    ).json()
    assert refreshed["access_token"] != tokens["access_token"]
    assert id_token_claims(client, refreshed["id_token"])["sub"] == sub  # stable

    logout = client.get(
        "/oauth/logout/",
        {"id_token_hint": refreshed["id_token"], "post_logout_redirect_uri": LOGOUT_URI},
    )
    assert logout.status_code == 200  # asks the parent first
    form = {k: v for k, v in logout.context["form"].initial.items() if v is not None}
    done = client.post("/oauth/logout/", {**form, "allow": "1"})
    assert done.status_code == 302 and done["Location"] == LOGOUT_URI
    assert "_auth_user_id" not in client.session


def test_no_id_number_in_any_response(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    bodies = [
        json.dumps(tokens),
        json.dumps(id_token_claims(client, tokens["id_token"])),
        client.get("/oauth/userinfo/", **bearer).content.decode(),
        client.get("/api/v2/profile", **bearer).content.decode(),
        client.get("/api/v2/me", **bearer).content.decode(),
    ]
    for body in bodies:
        for id_number in (PARENT_ID, CHILD_ID, PARENT_ID[-6:]):
            assert id_number not in body


def test_public_clients_must_use_pkce(client, parent):
    service(client_id="app", public=True)
    client.force_login(parent)
    response = client.get("/oauth/authorize/", authorize_params(client_id="app"))
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]


def test_wrong_redirect_uri_is_never_followed(client, parent, pay):
    client.force_login(parent)
    _verifier, challenge = pkce()
    params = authorize_params(challenge=challenge) | {"redirect_uri": "https://evil.example/cb"}
    response = client.get("/oauth/authorize/", params)
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")


def test_a_code_works_once(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    assert exchange(client, code, verifier).status_code == 200
    replay = exchange(client, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_the_code_needs_its_verifier(client, parent, pay):
    code, _verifier = sign_in_with_consent(client, parent)
    other, _ = pkce()
    assert exchange(client, code, other).json()["error"] == "invalid_grant"


def test_an_expired_token_is_refused(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    get_access_token_model().objects.update(expires=timezone.now() - timezone.timedelta(seconds=1))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    assert client.get("/oauth/userinfo/", **bearer).status_code == 401
    assert client.get("/api/v2/profile", **bearer).status_code == 401


def test_an_expired_code_is_refused(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    get_grant_model().objects.update(expires=timezone.now() - timezone.timedelta(seconds=1))
    response = exchange(client, code, verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_an_expired_refresh_token_is_refused(client, parent, pay, settings):
    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    lifetime = settings.OAUTH2_PROVIDER["REFRESH_TOKEN_EXPIRE_SECONDS"]
    get_access_token_model().objects.update(
        expires=timezone.now() - timezone.timedelta(seconds=lifetime + 1)
    )
    response = token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_a_replayed_refresh_token_ends_the_whole_family(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    first = exchange(client, code, verifier).json()
    second = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    replay = token(client, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # Whoever stole the old one made the new one useless too.
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {second['access_token']}"}
    assert client.get("/oauth/userinfo/", **bearer).status_code == 401
    again = token(client, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert again.status_code == 400


def test_the_code_is_exchanged_for_its_own_redirect_uri_only(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    response = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://pay.example.tp.edu.tw/other",
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic_auth(),
    )
    assert response.status_code == 400 and "access_token" not in response.json()
    assert exchange(client, code, verifier).status_code in (200, 400)  # never twice: see above


def test_a_wrong_client_secret_gets_no_token(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    response = client.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=basic_auth(secret="guessed"),
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_plain_pkce_is_refused(client, parent, pay):
    client.force_login(parent)
    verifier, _challenge = pkce()
    params = authorize_params() | {"code_challenge": verifier, "code_challenge_method": "plain"}
    page = client.get("/oauth/authorize/", params)
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = client.post("/oauth/authorize/", {**form, "allow": "1"})
    # django-oauth-toolkit refuses it when it would make the code (RFC 9700 gate): none is made.
    assert response.status_code == 302 and "error=invalid_request" in response["Location"]
    assert "code=" not in response["Location"]
    assert not get_grant_model().objects.exists()


def test_a_scope_the_service_is_not_allowed(client, parent):
    service(children=False)
    client.force_login(parent)
    _verifier, challenge = pkce()
    response = client.get("/oauth/authorize/", authorize_params(challenge=challenge))
    assert response.status_code == 302 and "error=invalid_scope" in response["Location"]
    idno = client.get(
        "/oauth/authorize/", authorize_params(scope="openid idno", challenge=challenge)
    )
    assert "error=invalid_scope" in idno["Location"]


def test_consent_is_asked_once(client, parent, pay):
    sign_in_with_consent(client, parent)
    assert ServiceConsent.objects.get().scope_list == ["children", "email", "openid", "profile"]
    _verifier, challenge = pkce()
    again = client.get("/oauth/authorize/", authorize_params(challenge=challenge))
    assert code_from(again)  # straight back to the service


def test_declining_sends_no_code(client, parent, pay):
    client.force_login(parent)
    _verifier, challenge = pkce()
    page = client.get("/oauth/authorize/", authorize_params(challenge=challenge))
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = client.post("/oauth/authorize/", form)
    assert "error=access_denied" in response["Location"]
    assert not ServiceConsent.objects.exists() and not get_grant_model().objects.exists()


def test_the_consent_page_names_what_the_service_receives(client, parent, pay):
    client.force_login(parent)
    _verifier, challenge = pkce()
    page = client.get("/oauth/authorize/", authorize_params(challenge=challenge))
    text = page.content.decode()
    assert "校園繳費系統" in text
    for received in ("您的姓名", "電子郵件", "學號"):
        assert received in text
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


# Who may complete a sign-in ---------------------------------------------------------------


def refused(client, user, scope="openid profile email children", *, signed_in=False):
    if not signed_in:
        client.force_login(user)
    _verifier, challenge = pkce()
    response = client.get("/oauth/authorize/", authorize_params(scope=scope, challenge=challenge))
    assert not get_grant_model().objects.exists()
    return response


def test_a_parent_with_no_child_cannot_give_children(client, pay):
    lonely = parent_account(username="mum@example.com", id_number="B123456780")
    response = refused(client, lonely)
    assert response.status_code == 403
    assert "尚未" in response.content.decode()
    # …but may sign in to a service that does not ask for them.
    _verifier, challenge = pkce()
    page = client.get("/oauth/authorize/", authorize_params(scope="openid", challenge=challenge))
    assert page.status_code == 200


def test_first_password_unchanged(client, parent, pay):
    parent.password_change_required = True
    parent.save()
    response = refused(client, parent)
    assert response.status_code == 302 and response["Location"].startswith("/signin/password/")


def test_a_locked_account(client, parent, pay, settings):
    from axes.models import AccessAttempt

    client.force_login(parent)  # a session from before the lockout (signing in resets counts)
    AccessAttempt.objects.create(
        username="dad@example.com",
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    response = refused(client, parent, signed_in=True)
    assert response.status_code == 403 and "鎖定" in response.content.decode()


def test_staff_and_students_are_refused_politely(client, registrar, pay):
    response = refused(client, registrar)
    assert response.status_code == 403 and "家長" in response.content.decode()


def test_a_revoked_link_disappears_from_the_next_token(client, parent, pay, child):
    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    ParentStudentLink.objects.update(revoked_at=timezone.now())
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    assert client.get("/oauth/userinfo/", **bearer).json()["children"] == []
    refreshed = token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert id_token_claims(client, refreshed.json()["id_token"]).get("children") in (None, [])


def test_a_locked_parent_cannot_refresh(client, parent, pay, settings):
    from axes.models import AccessAttempt

    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    AccessAttempt.objects.create(
        username="dad@example.com",
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    response = token(client, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert response.status_code == 400


# Speed: the paths every service calls stay lean --------------------------------------------


def test_userinfo_queries_do_not_grow_with_children(client, parent, pay, songshan):
    from tests.factories import student

    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    client.get("/oauth/userinfo/", **bearer)  # identifiers created once
    with CaptureQueriesContext(connection) as one_child:
        client.get("/oauth/userinfo/", **bearer)
    for number in ("108036", "108037", "108038"):
        sibling = student(school=songshan, number=number, id_number="A200000001")
        ParentStudentLink.objects.create(parent=parent, student=sibling, relationship="父子")
    client.get("/oauth/userinfo/", **bearer)
    with CaptureQueriesContext(connection) as four_children:
        info = client.get("/oauth/userinfo/", **bearer).json()
    assert len(info["children"]) == 4
    assert len(four_children) == len(one_child) <= 6


def test_token_exchange_queries_do_not_grow_with_children(client, parent, pay, songshan):
    from tests.factories import student

    def exchange_queries() -> int:
        code, verifier = sign_in_with_consent(client, parent)
        with CaptureQueriesContext(connection) as queries:
            assert exchange(client, code, verifier).status_code == 200
        return len(queries)

    exchange_queries()  # the identifiers are created once
    one_child = exchange_queries()
    for number in ("108036", "108037", "108038"):
        sibling = student(school=songshan, number=number, id_number="A200000001")
        ParentStudentLink.objects.create(parent=parent, student=sibling, relationship="父子")
    exchange_queries()
    # django-oauth-toolkit reads the grant several times; the claims add three queries (sub,
    # links with schools and identifiers) whatever the number of children.
    assert exchange_queries() == one_child <= 30


def test_logout_returns_to_registered_addresses_only(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    id_token = exchange(client, code, verifier).json()["id_token"]
    response = client.get(
        "/oauth/logout/",
        {"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert response.status_code == 400 and "evil.example" not in response.get("Location", "")
    assert client.session.get("_auth_user_id") == str(parent.pk)


# Queries of one request from a service (no session cookie); a rise is a regression.
TOKEN_QUERIES = 22
USERINFO_QUERIES = 3


def test_a_services_token_and_userinfo_requests_run_a_fixed_number_of_queries(
    client, parent, pay, django_assert_num_queries
):
    """A service calls without the parent's session: what its requests cost in queries, pinned
    (token: django-oauth-toolkit reads the grant five times, the claims two, the writes in
    savepoints; userinfo: the token, the subject and the children)."""
    from django.test import Client

    code, verifier = sign_in_with_consent(client, parent)
    exchange(Client(), code, verifier)  # the identifiers are created once
    code, verifier = sign_in_with_consent(client, parent)
    service_side = Client()
    with django_assert_num_queries(TOKEN_QUERIES):
        tokens = exchange(service_side, code, verifier).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    with django_assert_num_queries(USERINFO_QUERIES):
        assert len(service_side.get("/oauth/userinfo/", **bearer).json()["children"]) == 1
