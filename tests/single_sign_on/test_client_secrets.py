"""A service's client secret: a fast salted hash (it is a long random machine secret, not a
password), secrets hashed the old way still accepted and upgraded, and no weak secret typed in
the admin."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, identify_hasher
from oauth2_provider.models import get_application_model

from review_workflow.single_sign_on.hashers import CLIENT_SECRET_HASHER
from tests.factories import admin_login
from tests.single_sign_on.oidc import SECRET, basic_auth, service
from tests.single_sign_on.test_oidc_provider import exchange, sign_in_with_consent

pytestmark = pytest.mark.django_db

NEW = "/admin/single_sign_on_services/new/"
STRONG = "Zq7-vN2pXw4Lr9Tk3Hb8Yc6Md1Fg5Js0Ea"  # 34 characters, 34 different ones


def stored_secret(client_id="pay") -> str:
    return get_application_model().objects.get(client_id=client_id).client_secret


def test_a_new_secret_is_stored_with_the_fast_salted_hasher(pay):
    stored = stored_secret()
    assert identify_hasher(stored).algorithm == CLIENT_SECRET_HASHER
    assert SECRET not in stored and check_password(SECRET, stored)
    service(client_id="lunch")
    assert stored_secret("lunch") != stored  # salted: the same secret, another hash


def test_an_old_pbkdf2_secret_still_gets_tokens_and_is_upgraded(client, parent, pay):
    # Hashed as before this change (Django's PBKDF2; fewer iterations only to keep the test
    # quick: the stored iterations are what the check uses).
    old = PBKDF2PasswordHasher().encode(SECRET, "oldsalt0123456789", iterations=1000)
    get_application_model().objects.filter(pk=pay.pk).update(client_secret=old)
    code, verifier = sign_in_with_consent(client, parent)
    assert exchange(client, code, verifier).status_code == 200
    upgraded = stored_secret()
    assert identify_hasher(upgraded).algorithm == CLIENT_SECRET_HASHER
    assert check_password(SECRET, upgraded)
    code, verifier = sign_in_with_consent(client, parent)
    assert exchange(client, code, verifier).status_code == 200  # and the new hash works
    assert stored_secret() == upgraded  # not rehashed at every request


def test_a_wrong_secret_upgrades_nothing(client, parent, pay):
    old = PBKDF2PasswordHasher().encode(SECRET, "oldsalt0123456789", iterations=1000)
    get_application_model().objects.filter(pk=pay.pk).update(client_secret=old)
    code, verifier = sign_in_with_consent(client, parent)
    response = client.post(
        "/oauth/token/",
        {"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
        HTTP_AUTHORIZATION=basic_auth(secret="not-" + SECRET),
    )
    assert response.status_code == 401
    assert stored_secret() == old


# The admin's form ---------------------------------------------------------------------------


@pytest.fixture
def administrator(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    admin_login(client, admin)
    return admin


def register(client, secret: str, **fields):
    return client.post(
        NEW,
        {
            "name": "學生午餐系統",
            "client_id": "lunch",
            "client_secret": secret,
            "client_type": "confidential",
            "redirect_uris": "https://lunch.example.tp.edu.tw/cb",
            "post_logout_redirect_uris": "https://lunch.example.tp.edu.tw/",
            "profile_allowed": "on",
            "pkce_required": "on",
            **fields,
        },
    )


def field_errors(response) -> list[str]:
    return response.context["form"].errors.get("client_secret", [])


@pytest.mark.parametrize(
    "secret",
    [
        "lunch-secret-shown-once",  # 23 characters
        "ab" * 20,  # 40 characters, two different ones
        "",  # a confidential service needs one
        PBKDF2PasswordHasher().encode("x", "somesalt", iterations=1),  # a hash, not a secret
    ],
    ids=["short", "repetitive", "empty", "a-hash"],
)
def test_a_weak_secret_is_refused_beside_the_field(client, administrator, secret):
    response = register(client, secret)
    assert response.status_code == 200
    assert field_errors(response) == [
        "用戶端密鑰至少須有 32 個字元，其中至少 16 個不同字元；不確定時請保留系統產生的密鑰。"
    ]
    assert "用戶端密鑰至少須有 32 個字元" in response.content.decode()
    assert not get_application_model().objects.filter(client_id="lunch").exists()


def test_a_strong_typed_secret_is_accepted_and_hashed(client, administrator):
    assert register(client, STRONG).status_code == 302
    stored = stored_secret("lunch")
    assert identify_hasher(stored).algorithm == CLIENT_SECRET_HASHER
    assert check_password(STRONG, stored)


def test_the_generated_secret_is_the_default(client, administrator):
    generated = client.get(NEW).context["form"]["client_secret"].value()
    assert len(generated) >= 64
    assert register(client, generated).status_code == 302
    assert check_password(generated, stored_secret("lunch"))


def test_a_public_service_needs_no_secret(client, administrator):
    assert register(client, "", client_type="public").status_code == 302


def test_editing_a_service_keeps_its_stored_secret(client, administrator, pay):
    stored = stored_secret()
    form = client.get(f"/admin/single_sign_on_services/edit/{pay.pk}/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}
    data["name"] = "校園繳費系統（新）"
    response = client.post(f"/admin/single_sign_on_services/edit/{pay.pk}/", data)
    assert response.status_code == 302, (
        field_errors(response) if response.status_code == 200 else ""
    )
    assert stored_secret() == stored
