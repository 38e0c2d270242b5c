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


def test_tpedu_profile_has_tpedus_field_names(client, bearer, parent):
    profile = client.get("/api/v2/profile", **bearer).json()
    assert set(profile) == {"role", "uuid", "name", "email", "email_verified", "mobile", "child"}
    assert profile["role"] == "家長" and profile["name"] == "陳大名"
    assert profile["mobile"] == "0912345678"
    userinfo = client.get("/oauth/userinfo/", **bearer).json()
    assert profile["uuid"] == userinfo["sub"]
    assert profile["child"] == [child["uuid"] for child in userinfo["children"]]


def test_tpedu_me_and_email(client, bearer):
    me = client.get("/api/v2/me", **bearer).json()
    assert set(me) == {"role", "uuid", "name"}
    assert client.get("/api/v2/email", **bearer).json() == {
        "email": "dad@example.com",
        "email_verified": True,
    }


def test_tpedu_endpoints_need_a_token_with_the_scope(client, parent, pay):
    assert client.get("/api/v2/profile").status_code == 401
    assert client.get("/api/v2/profile", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401
    code, verifier = sign_in_with_consent(client, parent, scope="openid")
    tokens = exchange(client, code, verifier).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    response = client.get("/api/v2/email", **bearer)
    assert response.status_code == 403 and response.json() == {"error": "insufficient_scope"}


def test_tpedu_profile_without_children_scope_lists_no_child(client, parent, pay):
    code, verifier = sign_in_with_consent(client, parent, scope="openid profile")
    tokens = exchange(client, code, verifier).json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v2/profile", **bearer).json()["child"] == []


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
            "client_secret": "lunch-secret-shown-once",
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
    assert lunch.client_secret != "lunch-secret-shown-once"  # kept hashed


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
