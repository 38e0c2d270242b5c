"""Two-factor sign-in (TOTP) for everyone who reaches the Wagtail admin; parents never see it."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import admin_login, editor_user, school, student

PASSWORD = "correct horse battery"  # UserFactory's
ENROL = reverse("two_factor:enrol")
VERIFY = reverse("two_factor:verify")


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the authenticator app shows now (or that many 30-second steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def field_error(html: str) -> str:
    """The error beside the code field, which the input names as its description."""
    assert 'aria-describedby="id_code_error"' in html
    match = re.search(r'id="id_code_error"\s*>(.*?)</div>', html, re.S)
    assert match, "no error beside the field"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


@pytest.fixture
def enrolled(registrar):
    """The registrar's confirmed authenticator (the session is not verified)."""
    return TOTPDevice.objects.create(user=registrar, name="authenticator", confirmed=True)


def enrol(client) -> list[str]:
    """Enrol the signed-in user through the pages; the backup codes shown, without spaces."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(confirmed=False)
    html = client.post(ENROL, {"code": code_for(device)}).content.decode()
    return [code.replace(" ", "") for code in re.findall(r"<li>(\d{5} \d{5})</li>", html)]


@pytest.mark.django_db
def test_a_registrar_signed_in_with_a_password_only_reaches_the_enrolment(
    client, registrar, songshan
):
    pupil = student(school=songshan)
    client.force_login(registrar)  # as after Wagtail's login form: password only

    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailsnippets:index"),
        reverse("student:index"),
        reverse("student:inspect", args=(pupil.pk,)),
        reverse("wagtailadmin_api:pages:listing"),
        reverse("wagtailadmin_account"),
        reverse("two_factor:backup_codes"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{ENROL}?next={url.replace('/', '%2F')}", url
    # Writes too: nothing happens, the answer is the enrolment.
    posted = client.post(reverse("wagtailadmin_dismissibles"), {"foo": "1"})
    assert posted.status_code == 302 and posted["Location"] == ENROL
    assert "陳小花" not in client.get(reverse("student:index"), follow=True).content.decode()


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_the_key_and_keeps_them_on_reload(client, registrar):
    client.force_login(registrar)

    first = client.get(ENROL)
    again = client.get(ENROL)

    device = TOTPDevice.objects.get(user=registrar)
    assert not device.confirmed
    html = first.content.decode()
    assert first.status_code == 200
    qr_code = html.split('class="two-factor-qr"', 1)[1].split("</div>", 1)[0]
    assert "<svg" in qr_code and "<path" in qr_code  # inline: nothing is fetched from elsewhere
    assert "src=" not in qr_code and "href" not in qr_code
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
    assert again.content.decode().count(secret[:4]) == html.count(secret[:4])
    assert TOTPDevice.objects.filter(user=registrar).count() == 1
    # Accessible: a label for the input, the one-time-code hints for phones.
    assert '<label class="w-field__label" for="id_code"' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert "設定兩步驟驗證" in html


@pytest.mark.django_db
def test_a_wrong_code_is_refused_beside_the_field(client, registrar):
    client.force_login(registrar)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=registrar)
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 200
    assert field_error(response.content.decode()) == "驗證碼不正確。"
    device.refresh_from_db()
    assert not device.confirmed and not is_verified(client)


@pytest.mark.django_db
def test_the_right_code_confirms_verifies_and_shows_backup_codes_once(client, registrar):
    client.force_login(registrar)

    codes = enrol(client)

    device = TOTPDevice.objects.get(user=registrar)
    assert device.confirmed
    assert is_verified(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    # Never shown again: the backup codes page only counts them.
    page = client.get(reverse("two_factor:backup_codes")).content.decode()
    assert not any(code[:5] in page for code in codes)
    assert "10 組未使用的備用驗證碼" in page
    # A second authenticator cannot be added behind the first one.
    assert client.get(ENROL)["Location"] == reverse("two_factor:backup_codes")


@pytest.mark.django_db
def test_each_backup_code_works_exactly_once(client, registrar, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # each attempt below is judged on its own
    client.force_login(registrar)
    first, second, *_ = enrol(client)

    def verify_with(code):
        client.logout()
        client.force_login(registrar)
        return client.post(VERIFY, {"code": code, "next": reverse("wagtailadmin_home")})

    used = verify_with(f"{first[:5]}-{first[5:]}")  # as written down, with a dash
    assert used.status_code == 302 and used["Location"] == reverse("wagtailadmin_home")
    assert is_verified(client)
    assert StaticToken.objects.filter(device__user=registrar).count() == 9

    again = verify_with(first)
    assert again.status_code == 200 and not is_verified(client)
    assert field_error(again.content.decode()) == "驗證碼不正確。"
    assert verify_with(second).status_code == 302 and is_verified(client)


@pytest.mark.django_db
def test_new_backup_codes_replace_the_old_ones(client, registrar):
    admin_login(client, registrar)
    from binding_forms.accounts.two_factor import backup_codes_generate

    old = backup_codes_generate(user=registrar)

    html = client.post(reverse("two_factor:backup_codes")).content.decode()

    new = [code.replace(" ", "") for code in re.findall(r"<li>(\d{5} \d{5})</li>", html)]
    assert len(new) == 10
    tokens = set(StaticToken.objects.filter(device__user=registrar).values_list("token", flat=True))
    assert tokens == set(new) and not tokens & set(old)


@pytest.mark.django_db
def test_signing_in_with_the_password_then_the_code(client, registrar, enrolled):
    pupil_url = reverse("student:index")

    signed_in = client.post(
        reverse("wagtailadmin_login"),
        {"username": registrar.username, "password": PASSWORD, "next": pupil_url},
    )
    step = client.get(signed_in["Location"])
    form = client.get(step["Location"])
    done = client.post(VERIFY, {"code": code_for(enrolled), "next": pupil_url})

    assert signed_in["Location"] == pupil_url
    assert step["Location"] == f"{VERIFY}?next={pupil_url.replace('/', '%2F')}"
    assert form.status_code == 200 and "兩步驟驗證" in form.content.decode()
    assert done.status_code == 302 and done["Location"] == pupil_url
    assert client.get(pupil_url).status_code == 200


@pytest.mark.django_db
def test_the_same_code_does_not_sign_in_twice(client, registrar, enrolled):
    code = code_for(enrolled)
    client.force_login(registrar)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    client.logout()
    client.force_login(registrar)
    replayed = client.post(VERIFY, {"code": code})

    assert replayed.status_code == 200 and not is_verified(client)


@pytest.mark.django_db
def test_a_password_alone_cannot_replace_a_confirmed_authenticator(client, registrar, enrolled):
    client.force_login(registrar)

    response = client.get(ENROL)

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=registrar)) == [enrolled]


@pytest.mark.django_db
def test_wrong_codes_are_throttled(client, registrar, enrolled, settings):
    # A long pause per failure, so no test run is fast or slow enough to matter.
    settings.OTP_TOTP_THROTTLE_FACTOR = 3600
    client.force_login(registrar)
    wrong = f"{(int(code_for(enrolled)) + 500_000) % 1_000_000:06d}"

    refused = client.post(VERIFY, {"code": wrong})
    throttled = client.post(VERIFY, {"code": code_for(enrolled)})

    assert field_error(refused.content.decode()) == "驗證碼不正確。"
    assert "輸入錯誤次數過多" in field_error(throttled.content.decode())
    assert not is_verified(client)
    enrolled.refresh_from_db()
    assert enrolled.throttling_failure_count == 1
    # Once the pause is over, the right code is accepted.
    enrolled.throttling_failure_timestamp -= datetime.timedelta(hours=2)
    enrolled.save()
    assert client.post(VERIFY, {"code": code_for(enrolled, steps_ahead=1)}).status_code == 302
    assert is_verified(client)


@pytest.mark.django_db
def test_a_verified_session_reaches_the_admin(client, registrar, songshan):
    pupil = student(school=songshan)
    admin_login(client, registrar)

    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(reverse("student:inspect", args=(pupil.pk,))).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("wagtailadmin_home")


@pytest.mark.django_db
def test_editors_and_superusers_need_it_too(client, admin_user):
    for user in (editor_user(), admin_user):
        client.force_login(user)
        assert client.get(reverse("wagtailadmin_home"))["Location"].startswith(ENROL)


@pytest.mark.django_db
def test_parents_are_never_asked(client, home_page):
    from binding_forms.accounts.sign_in_name import student_username
    from binding_forms.binding.services import wizard_page_create

    wizard = wizard_page_create(parent=home_page)
    pupil = student(school=school())
    parent = get_user_model().objects.create_user(student_username("313601", "P108035"))
    pupil.user = parent
    pupil.save()
    client.force_login(parent)

    step = client.get(wizard.url + "student/")
    admin = client.get(reverse("wagtailadmin_home"))

    assert step.status_code == 200 and "陳小花" in step.content.decode()
    # Wagtail's own answer to a non-admin: the login page, never the two-factor pages.
    assert admin.status_code == 302 and admin["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.get(ENROL)["Location"].startswith(reverse("wagtailadmin_login"))
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_the_login(client):
    for url in (ENROL, VERIFY, reverse("wagtailadmin_home")):
        assert client.get(url)["Location"].startswith(reverse("wagtailadmin_login"))


@pytest.mark.django_db
def test_enforcement_can_be_switched_off(client, registrar, settings):
    settings.ADMIN_TWO_FACTOR_REQUIRED = False
    client.force_login(registrar)

    assert client.get(reverse("wagtailadmin_home")).status_code == 200


@pytest.mark.django_db
def test_next_never_leaves_the_site(client, registrar, enrolled):
    client.force_login(registrar)

    response = client.post(VERIFY, {"code": code_for(enrolled), "next": "https://evil.example/"})

    assert response["Location"] == reverse("wagtailadmin_home")


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_phone(client, registrar, enrolled):
    from django.core.management import call_command

    from binding_forms.accounts.two_factor import backup_codes_generate

    backup_codes_generate(user=registrar)

    call_command("two_factor_reset", registrar.username, stdout=None)

    assert not TOTPDevice.objects.filter(user=registrar).exists()
    assert not StaticToken.objects.filter(device__user=registrar).exists()
    client.force_login(registrar)
    assert client.get(reverse("wagtailadmin_home"))["Location"].startswith(ENROL)
