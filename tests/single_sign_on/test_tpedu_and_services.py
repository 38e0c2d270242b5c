"""tpeduSSO's API for services written against it, 已授權的服務 with 撤銷, signing keys, and
registering a service in the admin."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from jwcrypto import jwk, jws
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from review_workflow.single_sign_on.models import ServiceConsent
from tests.single_sign_on.oidc import authorize_params, pkce
from tests.single_sign_on.test_oidc_provider import exchange, sign_in_with_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent)
    tokens = exchange(client, code, verifier).json()
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}


# The answers tpeduSSO's source gives (leejoneshane/tpeduSSO, commit 990e589:
# htdocs/app/Http/Controllers/Api_V2/v2_profileController.php, routes in htdocs/routes/api.php):
# me() -> name, email; email() -> email; profile() of a parent -> role 家長, uuid, name, email,
# email_verified ("true"/"false" as strings), mobile, and child (uuids) once there is a child.


def tpedu_bearer(client, parent, scope: str) -> dict:
    code, verifier = sign_in_with_consent(client, parent, scope=scope)
    tokens = exchange(client, code, verifier).json()
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}


def test_tpedu_profile_has_tpedus_field_names(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "openid profile children")
    response = client.get("/api/v2/profile", **bearer)
    assert response["Content-Type"] == "application/json"
    profile = response.json()
    assert profile == {
        "role": "家長",
        "uuid": profile["uuid"],
        "name": "陳大名",
        "email": "dad@example.com",
        "email_verified": "true",
        "mobile": "0912345678",
        "child": profile["child"],
    }
    assert "家長" in response.content.decode()  # unescaped, as tpeduSSO's JSON_UNESCAPED_UNICODE
    userinfo = client.get("/oauth/userinfo/", **bearer).json()
    assert profile["uuid"] == userinfo["sub"]
    assert profile["child"] == [child["uuid"] for child in userinfo["children"]]
    assert len(profile["child"]) == 1


def test_tpedu_me_answers_the_name_and_email(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "me")
    assert client.get("/api/v2/me", **bearer).json() == {
        "name": "陳大名",
        "email": "dad@example.com",
    }
    # Each address asks its own scope, as tpeduSSO's routes do.
    assert client.get("/api/v2/profile", **bearer).status_code == 403
    assert client.get("/api/v2/email", **bearer).status_code == 403


def test_tpedu_email_answers_the_email_alone(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "email")
    assert client.get("/api/v2/email", **bearer).json() == {"email": "dad@example.com"}
    assert client.get("/api/v2/me", **bearer).status_code == 403


def test_tpedu_endpoints_need_a_token_with_the_scope(client, parent, pay):
    assert client.get("/api/v2/profile").status_code == 401
    response = client.get("/api/v2/profile", HTTP_AUTHORIZATION="Bearer nonsense")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    bearer = tpedu_bearer(client, parent, "openid")
    for address in ("/api/v2/me", "/api/v2/email", "/api/v2/profile"):
        response = client.get(address, **bearer)
        assert response.status_code == 403 and response.json() == {"error": "insufficient_scope"}


def test_tpedu_endpoints_refuse_a_token_in_the_query(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "openid profile")
    access_token = bearer["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    assert client.get("/api/v2/profile", {"access_token": access_token}).status_code == 401


def test_tpedu_profile_without_children_scope_has_no_child(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "openid profile")
    assert "child" not in client.get("/api/v2/profile", **bearer).json()


def test_tpedu_profile_of_a_parent_whose_link_was_revoked_has_no_child(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "openid profile children")
    assert len(client.get("/api/v2/profile", **bearer).json()["child"]) == 1
    from django.utils import timezone

    from review_workflow.models import ParentStudentLink

    ParentStudentLink.objects.update(revoked_at=timezone.now())
    assert "child" not in client.get("/api/v2/profile", **bearer).json()


def test_tpedu_endpoints_are_never_cached_and_refuse_a_post(client, parent, pay):
    bearer = tpedu_bearer(client, parent, "openid profile me email")
    for address in ("/api/v2/me", "/api/v2/email", "/api/v2/profile"):
        response = client.get(address, **bearer)
        assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
        assert client.post(address, **bearer).status_code == 405


def test_tpedu_endpoints_refuse_a_parent_who_became_locked(client, parent, pay, settings):
    from axes.models import AccessAttempt

    bearer = tpedu_bearer(client, parent, "openid profile")
    AccessAttempt.objects.create(
        username="dad@example.com",
        ip_address="127.0.0.1",
        user_agent="",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
    )
    assert client.get("/api/v2/profile", **bearer).status_code == 403


def test_the_consent_page_says_what_tpedus_scopes_give(client, parent, pay):
    client.force_login(parent)
    _verifier, challenge = pkce()
    params = authorize_params(scope="profile me", challenge=challenge)
    page = client.get("/oauth/authorize/", params)
    text = page.content.decode()
    assert "您的姓名、您的身分為家長，以及您的電子郵件地址與手機號碼" in text
    assert "您的姓名與電子郵件地址" in text


def test_a_signed_out_parent_is_sent_to_the_parent_sign_in_and_back(client, pay):
    from urllib.parse import parse_qs, urlsplit

    _verifier, challenge = pkce()
    response = client.get("/oauth/authorize", authorize_params(challenge=challenge))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert location.path == "/signin/" and query["tab"] == ["parent"]
    assert query["next"][0].startswith("/oauth/authorize?")
    page = client.get(response["Location"])
    assert 'name="email"' in page.content.decode()  # the parent tab's form


def test_tpedus_addresses_without_trailing_slash(client, parent, pay):
    client.force_login(parent)
    _verifier, challenge = pkce()
    assert client.get("/oauth/authorize", authorize_params(challenge=challenge)).status_code == 200


# 已授權的服務 --------------------------------------------------------------------------------


def test_authorized_services_lists_what_each_received(client, bearer):
    page = client.get("/me/services/")
    text = page.content.decode()
    assert "已授權的服務" in text and "校園繳費系統" in text
    assert "您的電子郵件地址" in text and "學號" in text
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_revoke_ends_the_services_tokens_and_consent(client, bearer, parent):
    consent = ServiceConsent.objects.get()
    response = client.post(f"/me/services/{consent.pk}/revoke/")
    assert response.status_code == 302 and response["Location"] == "/me/services/"
    assert not ServiceConsent.objects.exists()
    assert not get_access_token_model().objects.exists()
    assert not get_refresh_token_model().objects.exists()
    assert client.get("/oauth/userinfo/", **bearer).status_code == 401
    # Next time the service asks again.
    _verifier, challenge = pkce()
    assert client.get("/oauth/authorize/", authorize_params(challenge=challenge)).status_code == 200


def test_another_parents_consent_cannot_be_revoked(client, bearer):
    from tests.single_sign_on.oidc import parent_account

    consent = ServiceConsent.objects.get()
    client.force_login(parent_account(username="mum@example.com", id_number="B123456780"))
    assert client.post(f"/me/services/{consent.pk}/revoke/").status_code == 404
    assert client.get("/me/services/").content.decode().count("校園繳費系統") == 0
    assert ServiceConsent.objects.exists()


def test_revoke_is_a_post(client, bearer):
    consent = ServiceConsent.objects.get()
    assert client.get(f"/me/services/{consent.pk}/revoke/").status_code == 405


def test_signed_out_sees_no_services(client):
    response = client.get("/me/services/")
    assert response.status_code == 302 and response["Location"].startswith("/signin/")


# Signing keys ------------------------------------------------------------------------------


def rsa_pem() -> str:
    from portal.settings.base import generated_rsa_key

    return generated_rsa_key()


def test_rotation_publishes_both_keys_and_signs_with_the_new(client, parent, pay, settings):
    old = settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"]
    new = rsa_pem()
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": new,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [old],
    }
    kids = {key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]}
    new_kid = jwk.JWK.from_pem(new.encode()).thumbprint()
    assert kids == {new_kid, jwk.JWK.from_pem(old.encode()).thumbprint()}
    code, verifier = sign_in_with_consent(client, parent)
    id_token = exchange(client, code, verifier).json()["id_token"]
    header = jws.JWS()
    header.deserialize(id_token)
    assert header.jose_header["kid"] == new_kid


def test_a_missing_key_fails_the_system_check(settings):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_RSA_PRIVATE_KEY": ""}
    with pytest.raises(SystemCheckError, match="single_sign_on.E001"):
        call_command("check")


def test_production_generates_no_key(tmp_path):
    from tests.portal.test_settings import manage

    result = manage(
        "check",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="portal.example",
        OIDC_RSA_PRIVATE_KEY="",
        PORTAL_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0 and "single_sign_on.E001" in result.stderr


# The admin ---------------------------------------------------------------------------------


def test_an_administrator_registers_a_service(client, django_user_model, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = False
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    assert client.get("/admin/single_sign_on_services/").status_code == 200
    form = client.get("/admin/single_sign_on_services/new/")
    assert form.status_code == 200
    response = client.post(
        "/admin/single_sign_on_services/new/",
        {
            "name": "學生午餐系統",
            "client_id": "lunch",
            "client_secret": "Zq7-vN2pXw4Lr9Tk3Hb8Yc6Md1Fg5Js0Ea",
            "client_type": "confidential",
            "redirect_uris": "https://lunch.example.tp.edu.tw/cb",
            "post_logout_redirect_uris": "https://lunch.example.tp.edu.tw/",
            "profile_allowed": "on",
            "pkce_required": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from oauth2_provider.models import get_application_model

    lunch = get_application_model().objects.get(client_id="lunch")
    assert lunch.allowed_scopes == ["openid", "profile", "me"]
    assert lunch.algorithm == "RS256" and lunch.authorization_grant_type == "authorization-code"
    assert lunch.client_secret != "Zq7-vN2pXw4Lr9Tk3Hb8Yc6Md1Fg5Js0Ea"  # kept hashed


def test_idno_is_never_offered(client):
    assert "idno" not in client.get("/.well-known/openid-configuration").json().get(
        "scopes_supported", []
    )


# Content-Security-Policy: the way back to the service ---------------------------------------


def test_signing_in_on_the_way_to_a_service_may_lead_back_to_it(client, pay):
    from urllib.parse import urlencode

    authorize = "/oauth/authorize/?" + urlencode(authorize_params(challenge="x" * 43))
    page = client.get("/signin/", {"next": authorize})
    assert "form-action 'self' https://pay.example.tp.edu.tw" in page["Content-Security-Policy"]
    elsewhere = authorize.replace("pay.example.tp.edu.tw", "evil.example")
    page = client.get("/signin/", {"next": elsewhere})
    assert "evil.example" not in page["Content-Security-Policy"]
    assert "form-action 'self';" in page["Content-Security-Policy"]


def test_the_consent_page_may_lead_to_the_service(client, parent, pay):
    client.force_login(parent)
    _verifier, challenge = pkce()
    page = client.get("/oauth/authorize/", authorize_params(challenge=challenge))
    assert "form-action 'self' https://pay.example.tp.edu.tw" in page["Content-Security-Policy"]
