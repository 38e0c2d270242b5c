import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from binding_forms.accounts.forms import SIGN_IN_FAILED
from tests.factories import school, student
from tests.pii import tables_holding

SIGNIN = "/signin/"
FAILED = str(SIGN_IN_FAILED)


def solve_captcha(client, url=SIGNIN) -> dict:
    """Read the captcha key off the page and answer it, as a person reading the picture would."""
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}


def sign_in(client, *, school_id, account="P108035", password="A234567893", **environ):
    data = {"tab": "student", "school": school_id, "account": account, "password": password}
    return client.post(SIGNIN, {**data, **solve_captcha(client)}, **environ)


def error_block(response) -> str:
    return re.search(r'<div class="form-errors".*?</div>', response.content.decode(), re.S).group(0)


@pytest.fixture
def xiaohua(songshan):
    return student(school=songshan)


@pytest.mark.django_db
def test_signin_screen_has_the_handbook_labels(client, songshan):
    html = client.get(SIGNIN).content.decode()

    for label in ("行政區域", "請選擇學校", "帳號", "請輸入P+學號", "密碼", "請輸入密碼"):
        assert label in html
    assert "輸入驗證碼" in html and ">登入</button>" in html
    assert "家長帳號登入" in html
    assert "臺北市立松山國民小學（松山區）" in html


@pytest.mark.django_db
def test_choosing_a_district_narrows_the_schools_without_javascript(client, songshan):
    other = school(moe_code="353601", name="臺北市立螢橋國民小學", district="中正區")

    html = client.get(SIGNIN, {"district": songshan.district_id}).content.decode()

    assert "臺北市立松山國民小學" in html
    assert other.name not in html


@pytest.mark.django_db
def test_first_password_signs_in_and_forces_a_change(client, xiaohua):
    response = sign_in(client, school_id=xiaohua.school_id)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("password_first_change"))
    xiaohua.refresh_from_db()
    assert xiaohua.user.username == "313601-P108035"
    assert xiaohua.user.password_change_required
    assert not xiaohua.user.has_usable_password()
    # Nothing else is reachable before the change.
    for url in ("/", reverse("binding_start"), "/admin/", SIGNIN):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked["Location"].startswith(reverse("password_first_change"))


@pytest.mark.django_db
def test_full_width_and_lower_case_input_is_accepted(client, xiaohua):
    response = sign_in(
        client, school_id=xiaohua.school_id, account="ｐ１０８０３５", password=" a234567893 "
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_every_failure_answers_the_same(client, xiaohua):
    left = student(school=xiaohua.school, number="108036", id_number="B123456780", enrolled=False)
    wrong_password = sign_in(client, school_id=xiaohua.school_id, password="A123456789")
    unknown_student = sign_in(client, school_id=xiaohua.school_id, account="P999999")
    unknown_school = sign_in(client, school_id=999999)
    left_student = sign_in(
        client, school_id=xiaohua.school_id, account=left.account, password="B123456780"
    )

    blocks = {
        error_block(r) for r in (wrong_password, unknown_student, unknown_school, left_student)
    }
    assert len(blocks) == 1
    assert FAILED in blocks.pop()
    assert all(r.status_code == 200 for r in (wrong_password, unknown_student, unknown_school))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_captcha_is_required_and_checked_before_the_password(client, xiaohua):
    data = {"tab": "student", "school": xiaohua.school_id, "account": "P108035"}
    missing = client.post(SIGNIN, {**data, "password": "A234567893"})
    wrong = client.post(
        SIGNIN, {**data, "password": "A234567893", **solve_captcha(client), "captcha_1": "00000"}
    )

    assert 'id="id_captcha-error">請輸入驗證碼。' in missing.content.decode()
    assert "驗證碼與圖片不符" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # no password was tried


@pytest.mark.django_db
def test_showing_another_code_keeps_what_was_typed(client, xiaohua):
    response = client.post(
        SIGNIN,
        {
            "tab": "student",
            "school": xiaohua.school_id,
            "account": "P108035",
            "password": "secret",
            "captcha_refresh": "1",
        },
    )

    html = response.content.decode()
    assert 'value="P108035"' in html
    assert "secret" not in html
    assert "form-errors" not in html


@pytest.mark.django_db
def test_forced_change_refuses_identity_data_then_the_new_password_works(client, xiaohua):
    sign_in(client, school_id=xiaohua.school_id)
    xiaohua.refresh_from_db()
    url = reverse("password_first_change")

    def change(password):
        return client.post(url, {"new_password1": password, "new_password2": password})

    assert "身分證" in change("A234567893").content.decode()
    assert "身分證" in change("F131104093").content.decode()
    assert "學號" in change("P108035").content.decode()
    assert "太短" in change("ab1").content.decode()
    done = change("Songshan-garden-2026")
    assert done.status_code == 302

    xiaohua.user.refresh_from_db()
    assert not xiaohua.user.password_change_required
    assert client.get("/").status_code == 200
    client.post(reverse("signout"))
    assert sign_in(client, school_id=xiaohua.school_id).status_code == 200  # the ID is spent
    assert (
        sign_in(client, school_id=xiaohua.school_id, password="Songshan-garden-2026").status_code
        == 302
    )


@pytest.mark.django_db
def test_lockout_per_account_and_its_expiry(client, xiaohua, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, school_id=xiaohua.school_id, password="A123456789")

    locked = sign_in(client, school_id=xiaohua.school_id)  # even the right password

    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登入暫停" in html and "15 分鐘" in html and "註冊組" in html
    assert "_auth_user_id" not in client.session

    # After the cool-off the account opens again.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert sign_in(client, school_id=xiaohua.school_id).status_code == 302


@pytest.mark.django_db
def test_parent_account_signs_in_with_email(client, songshan):
    User = get_user_model()
    parent = User.objects.create_user(
        "alle@schoolsoft.com.tw", "alle@schoolsoft.com.tw", "Parent-pass-2026"
    )

    page = client.get(SIGNIN, {"tab": "parent"}).content.decode()
    wrong = client.post(
        SIGNIN,
        {
            "tab": "parent",
            "email": "alle@schoolsoft.com.tw",
            "password": "nope",
            **solve_captcha(client, SIGNIN + "?tab=parent"),
        },
    )
    right = client.post(
        SIGNIN,
        {
            "tab": "parent",
            "email": "ALLE@schoolsoft.com.tw",
            "password": "Parent-pass-2026",
            **solve_captcha(client, SIGNIN + "?tab=parent"),
        },
    )

    assert "電子郵件" in page
    assert FAILED in error_block(wrong)
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(parent.pk)


@pytest.mark.django_db
def test_parent_resets_a_forgotten_password_by_email(client, xiaohua):
    User = get_user_model()
    User.objects.create_user("alle@schoolsoft.com.tw", "alle@schoolsoft.com.tw", "Old-pass-2026")

    response = client.post(reverse("password_reset"), {"email": "alle@schoolsoft.com.tw"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = re.search(r"https?://[^/]+(/signin/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "New-pass-2026!", "new_password2": "New-pass-2026!"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="alle@schoolsoft.com.tw").check_password("New-pass-2026!")
    assert "A234567893" not in body


@pytest.mark.django_db
def test_sign_ins_are_logged_without_secrets_and_nothing_stores_the_id(client, xiaohua, caplog):
    caplog.set_level(logging.INFO, logger="binding_forms.signin")
    sign_in(client, school_id=xiaohua.school_id, password="A123456789")
    sign_in(client, school_id=xiaohua.school_id)

    messages = [record.getMessage() for record in caplog.records]
    assert any("sign-in failed: account=313601-P108035" in m for m in messages)
    assert any("sign-in succeeded: account=313601-P108035" in m for m in messages)
    assert not any("A234567893" in m or "A123456789" in m for m in messages)
    assert tables_holding("A234567893") == []
    assert tables_holding("A123456789") == []


@pytest.mark.django_db
def test_the_captcha_has_an_audio_version(client, settings):
    from captcha.conf import settings as captcha_settings

    if not captcha_settings.CAPTCHA_FLITE_PATH:
        pytest.fail("flite is not installed: bash .ci/dev test installs it")
    html = client.get(SIGNIN).content.decode()
    audio_url = re.search(r'href="(/captcha/audio/[^"]+)"', html).group(1)

    audio = client.get(audio_url)

    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/wav"
    assert b"".join(audio.streaming_content if audio.streaming else [audio.content])[:4] == b"RIFF"
    assert "聽取語音驗證碼" in html


@pytest.mark.django_db
def test_passed_is_only_accepted_in_captcha_test_mode(client, xiaohua, monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    data = {
        "tab": "student",
        "school": xiaohua.school_id,
        "account": "P108035",
        "password": "A234567893",
        **solve_captcha(client),
    }

    refused = client.post(SIGNIN, {**data, "captcha_1": "PASSED"})
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    accepted = client.post(SIGNIN, {**data, **solve_captcha(client), "captcha_1": "PASSED"})

    assert refused.status_code == 200 and "驗證碼與圖片不符" in refused.content.decode()
    assert accepted.status_code == 302


def first_submit_buttons(html: str) -> list:
    """Each POST form's first submit button: the one Enter in any of its fields presses (HTML's
    implicit submission), with the form's other submit buttons."""
    from bs4 import BeautifulSoup

    forms = []
    for form in BeautifulSoup(html, "html.parser").find_all("form", method="post"):
        buttons = [
            tag
            for tag in form.find_all(["button", "input"])
            if (tag.name == "button" and tag.get("type", "submit") == "submit")
            or (tag.name == "input" and tag.get("type") in {"submit", "image"})
        ]
        forms.append(buttons)
    return forms


def assert_enter_presses_the_main_action(html: str) -> None:
    forms = first_submit_buttons(html)
    assert forms
    for buttons in forms:
        primary = [tag for tag in buttons if "button-primary" in tag.get("class", [])]
        # The main action is the primary button, or the form's only submit button.
        assert buttons[:1] == (primary[:1] or buttons), [str(tag) for tag in buttons]


@pytest.mark.django_db
def test_enter_in_any_field_presses_the_main_action_of_every_form(client, xiaohua):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    for tab in ("student", "parent"):
        html = client.get(SIGNIN, {"tab": tab}).content.decode()
        assert_enter_presses_the_main_action(html)
        # Without JavaScript the code is still refreshed by a submit button, after 登入.
        (buttons,) = [b for b in first_submit_buttons(html) if "captcha_refresh" in str(b)]
        assert [tag.get("name") for tag in buttons] == [None, "captcha_refresh"]
    assert_enter_presses_the_main_action(client.get(reverse("password_reset")).content.decode())
    email = "alle@schoolsoft.com.tw"
    parent = get_user_model().objects.create_user(email, email)
    uid = urlsafe_base64_encode(force_bytes(parent.pk))
    token = default_token_generator.make_token(parent)
    confirm = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert "new_password1" in confirm.content.decode()
    assert_enter_presses_the_main_action(confirm.content.decode())

    sign_in(client, school_id=xiaohua.school_id)
    assert_enter_presses_the_main_action(
        client.get(reverse("password_first_change")).content.decode()
    )


@pytest.mark.django_db
def test_the_account_field_says_where_the_student_number_is(client, songshan):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get(SIGNIN).content.decode(), "html.parser")

    account = page.find("input", attrs={"name": "account"})
    help_text = page.find(id=account["aria-describedby"]).get_text()
    assert "臺北卡（學生卡）" in help_text and "學號" in help_text
    assert "P10301123" in help_text  # the handbook's card: 學號 10301123
