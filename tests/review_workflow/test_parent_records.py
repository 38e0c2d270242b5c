"""The parent's own records: profile (password, mobile, email by code), recent sign-ins,
申請解除綁定 reviewed by the school, 我的個資."""

import datetime
import json
import re

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_email.models import EmailDevice

from binding_forms.identity.personal_data import encrypt, id_number_digest
from review_workflow.models import OutgoingMail, ParentAccount, ParentStudentLink
from review_workflow.services.profile import device_label
from tests.factories import admin_login, student

FATHER_ID = "A123456789"
OTHER_ID = "A287654328"
PASSWORD = "correct horse battery"  # noqa: S105
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def parent(*, email="dad@example.com", id_number=FATHER_ID, name="陳大名"):
    user = get_user_model().objects.create_user(
        email, email=email, password=PASSWORD, first_name=name
    )
    ParentAccount.objects.create(
        user=user,
        id_number_digest=id_number_digest(id_number),
        id_number_encrypted=encrypt(id_number),
        mobile="0912123456",
    )
    return user


def bind(user, child, relationship="父女"):
    return ParentStudentLink.objects.create(parent=user, student=child, relationship=relationship)


@pytest.fixture
def dad(songshan):
    return parent()


@pytest.fixture
def xiaohua_link(dad, songshan):
    return bind(dad, student(school=songshan))


PROFILE = "/me/profile/"


# Profile ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_are_for_signed_in_parents_only(client, dad, songshan):
    assert client.get(PROFILE).status_code == 302  # to sign in
    pupil = get_user_model().objects.create_user("313601-P108035", password=PASSWORD)
    client.force_login(pupil)
    for url in (PROFILE, "/me/data/"):
        assert client.get(url).status_code == 404
    client.force_login(dad)
    response = client.get(PROFILE)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_password_change_needs_the_current_one(client, dad):
    client.force_login(dad)
    wrong = client.post(
        PROFILE,
        {
            "action": "password",
            "old_password": "not it",
            "new_password1": "a-new-and-long-one-2026",
            "new_password2": "a-new-and-long-one-2026",
        },
    )
    assert wrong.status_code == 200
    assert "您的舊密碼不正確" in " ".join(wrong.context["password_form"].errors["old_password"])
    assert "你" not in wrong.content.decode()  # Django's own messages too, with 您
    right = client.post(
        PROFILE,
        {
            "action": "password",
            "old_password": PASSWORD,
            "new_password1": "a-new-and-long-one-2026",
            "new_password2": "a-new-and-long-one-2026",
        },
    )
    assert right.status_code == 302
    dad.refresh_from_db()
    assert dad.check_password("a-new-and-long-one-2026")
    assert client.get(PROFILE).status_code == 200  # still signed in


@pytest.mark.django_db
def test_password_change_uses_djangos_validators_in_chinese(client, dad):
    client.force_login(dad)
    response = client.post(
        PROFILE,
        {
            "action": "password",
            "old_password": PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    )
    errors = " ".join(response.context["password_form"].errors["new_password2"])
    assert re.search(r"[\u4e00-\u9fff]", errors), errors
    dad.refresh_from_db()
    assert dad.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"), [("0912-345-678", "0912345678"), ("０９８７６５４３２１", "0987654321")]
)
def test_mobile_is_normalised(client, dad, typed, stored):
    client.force_login(dad)
    assert client.post(PROFILE, {"action": "mobile", "mobile": typed}).status_code == 302
    dad.parent_account.refresh_from_db()
    assert dad.parent_account.mobile == stored


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["", "12345", "+81 90 1234 5678", "x" * 500, "0912\x00345678"])
def test_a_bad_mobile_is_a_field_error(client, dad, typed):
    client.force_login(dad)
    response = client.post(PROFILE, {"action": "mobile", "mobile": typed})
    assert response.status_code == 200
    assert response.context["mobile_form"].errors["mobile"]
    dad.parent_account.refresh_from_db()
    assert dad.parent_account.mobile == "0912123456"


def _code_from(message) -> str:
    return re.search(r"\b([0-9]{6})\b", message.body).group(1)


@pytest.mark.django_db
def test_email_changes_only_with_the_code_mailed_to_the_new_address(
    client, dad, django_capture_on_commit_callbacks
):
    client.force_login(dad)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PROFILE, {"action": "email", "email": "New.Dad@Example.com"})
    assert response.status_code == 302
    assert "new.dad@example.com" not in response["Location"]
    assert [message.to for message in mail.outbox] == [["new.dad@example.com"]]
    code = _code_from(mail.outbox[0])
    dad.refresh_from_db()
    assert dad.email == "dad@example.com"  # not yet

    wrong = client.post(PROFILE, {"action": "code", "code": "000000" if code != "000000" else "1"})
    assert wrong.status_code == 200 and wrong.context["code_form"].errors
    dad.refresh_from_db()
    assert dad.username == "dad@example.com"
    # django-otp throttles guesses (1 s after one wrong code, doubling): the parent reads the
    # mail again before typing.
    EmailDevice.objects.filter(user=dad).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PROFILE, {"action": "code", "code": code})
    assert response.status_code == 302
    dad.refresh_from_db()
    assert (dad.email, dad.username) == ("new.dad@example.com", "new.dad@example.com")
    notice = mail.outbox[-1]
    assert notice.to == ["dad@example.com"] and code not in notice.body


@pytest.mark.django_db
def test_an_address_of_another_account_is_refused(client, dad, songshan):
    parent(email="mum@example.com", id_number=OTHER_ID)
    client.force_login(dad)
    response = client.post(PROFILE, {"action": "email", "email": "MUM@example.com"})
    assert response.status_code == 200
    assert response.context["email_form"].errors["email"]
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"action": "email", "email": "not an email"},
        {"action": "email", "email": "a123456789@example.com"},
        {"action": "code", "code": "abc"},
        {"action": "code", "code": "123456"},  # no code was sent
        {"action": "nonsense"},
        {},
    ],
)
def test_bad_profile_input_is_never_a_500(client, dad, data):
    client.force_login(dad)
    response = client.post(PROFILE, data)
    assert response.status_code == 200
    dad.refresh_from_db()
    assert dad.email == "dad@example.com"


@pytest.mark.django_db
def test_recent_sign_ins_show_device_and_result_but_no_address(client, dad):
    AccessLog.objects.create(
        username="dad@example.com", user_agent=PHONE, ip_address="203.0.113.77", http_accept="*/*"
    )
    AccessFailureLog.objects.create(
        username="dad@example.com", user_agent="curl/8", ip_address="198.51.100.9", http_accept=""
    )
    AccessLog.objects.create(username="mum@example.com", user_agent="Firefox/1", http_accept="")
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    AccessLog.objects.update(attempt_time=an_hour_ago - datetime.timedelta(minutes=5))
    AccessFailureLog.objects.update(attempt_time=an_hour_ago)
    client.force_login(dad)
    response = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="zh-hant")
    sign_ins = response.context["sign_ins"]
    # The failure and the success above, then this session's own sign-in (newest first).
    assert [row.succeeded for row in sign_ins] == [True, False, True]
    assert [row.at for row in sign_ins] == sorted((row.at for row in sign_ins), reverse=True)
    html = response.content.decode()
    assert "203.0.113" not in html and "198.51.100" not in html
    assert device_label(PHONE) in html


def test_device_labels_are_rough():
    assert device_label(PHONE) == device_label(PHONE.replace("131.0.0.0", "99.0"))
    assert "Pixel" not in device_label(PHONE)
    assert device_label("") != ""
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    )
    with translation.override("en"):
        assert device_label(iphone) == "Safari on iPhone"
        assert device_label(PHONE) == "Chrome on Android"


@pytest.mark.django_db
def test_a_real_sign_in_is_listed(client, dad):
    from captcha.models import CaptchaStore

    html = client.get("/signin/", {"tab": "parent"}).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    client.post(
        "/signin/",
        {
            "tab": "parent",
            "email": "dad@example.com",
            "password": PASSWORD,
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        },
        HTTP_USER_AGENT=PHONE,
    )
    response = client.get(PROFILE)
    assert [row.succeeded for row in response.context["sign_ins"]] == [True]


# 申請解除綁定 ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unbinding_request_is_masked_logged_and_once(client, dad, xiaohua_link):
    client.force_login(dad)
    url = f"/me/unbind/{xiaohua_link.pk}/"
    assert client.get(url).status_code == 200
    reason = f"監護權變更，我的身分證 {FATHER_ID}"
    first = client.post(url, {"reason": reason})
    assert first.status_code == 302
    xiaohua_link.refresh_from_db()
    requested_at = xiaohua_link.unbinding_requested_at
    assert requested_at is not None
    assert FATHER_ID not in xiaohua_link.unbinding_request_reason
    assert "A12****789" in xiaohua_link.unbinding_request_reason

    client.post(url, {"reason": "再按一次"})  # a double submit
    xiaohua_link.refresh_from_db()
    assert xiaohua_link.unbinding_requested_at == requested_at
    assert "再按一次" not in xiaohua_link.unbinding_request_reason
    assert xiaohua_link.revoked_at is None  # the school decides


@pytest.mark.django_db
def test_another_parents_link_is_not_found(client, dad, songshan):
    mum = parent(email="mum@example.com", id_number=OTHER_ID)
    theirs = bind(mum, student(school=songshan, number="108040", id_number="A287654328"))
    client.force_login(dad)
    for method in (client.get, client.post):
        assert method(f"/me/unbind/{theirs.pk}/", {"reason": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.unbinding_requested_at is None


@pytest.mark.django_db
def test_revoked_or_absent_links_are_not_found(client, dad, xiaohua_link):
    xiaohua_link.revoked_at = timezone.now()
    xiaohua_link.save()
    client.force_login(dad)
    for url in (
        f"/me/unbind/{xiaohua_link.pk}/",
        "/me/unbind/999999/",
        "/me/unbind/99999999999999999999999/",
    ):
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    assert client.get("/me/unbind/abc/").status_code == 404


@pytest.mark.django_db
def test_an_empty_reason_is_a_field_error(client, dad, xiaohua_link):
    client.force_login(dad)
    response = client.post(f"/me/unbind/{xiaohua_link.pk}/", {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]


@pytest.mark.django_db
def test_the_registrar_sees_the_request_and_the_revoke_mails_the_parent(
    client, dad, xiaohua_link, registrar, django_capture_on_commit_callbacks
):
    client.force_login(dad)
    client.post(f"/me/unbind/{xiaohua_link.pk}/", {"reason": "監護權變更"})
    client.logout()
    admin_login(client, registrar)
    listing = client.get(
        reverse("parent_student_link:index"), {"state": "unbinding_requested"}
    ).content.decode()
    assert "陳小花" in listing
    revoke_url = reverse("parent_student_link:revoke", args=(xiaohua_link.pk,))
    assert "監護權變更" in client.get(revoke_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(revoke_url, {"reason": "家長申請：監護權變更"})
    xiaohua_link.refresh_from_db()
    assert xiaohua_link.revoked_at is not None
    assert OutgoingMail.objects.filter(link=xiaohua_link, to_address="dad@example.com").exists()


# 我的個資 -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_data_export_is_complete_and_ids_masked_only(client, dad, xiaohua_link):
    from review_workflow.mail.outbox import mail_for_unbinding

    mail_for_unbinding(link=xiaohua_link, reason="測試")
    AccessLog.objects.create(username="dad@example.com", user_agent=PHONE, http_accept="")
    client.force_login(dad)

    response = client.get("/me/data/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    data = json.loads(text)
    assert data["account"]["email"] == "dad@example.com"
    assert data["parent_account"]["id_number"] == "A12****789"
    assert [child["student"] for child in data["children"]] == ["陳小花"]
    assert data["mails"] and "body" not in data["mails"][0]
    assert data["sign_ins"][0]["succeeded"] is True
    account = dad.parent_account
    for secret in (FATHER_ID, account.id_number_digest, account.id_number_encrypted):
        assert secret not in text

    page = client.get("/me/data/").content.decode()
    assert "A12****789" in page and "陳小花" in page and FATHER_ID not in page
    assert account.id_number_digest not in page


@pytest.mark.django_db
def test_data_export_names_the_applications_of_the_parent(client, dad, songshan):
    from tests.factories import FATHER, submitted_application

    submitted_application(
        student=student(school=songshan, number="108041", id_number="A287654328"),
        applicants=({**FATHER, "id_number": FATHER_ID, "email": "other@example.com"},),
    )
    submitted_application(
        student=student(school=songshan, number="108042", id_number="B100000001"),
        applicants=({**FATHER, "id_number": "A228704139", "email": "x@example.com"},),
    )
    client.force_login(dad)
    data = json.loads(client.get("/me/data/", {"format": "json"}).content)
    assert [row["email"] for row in data["applications"]] == ["other@example.com"]
    assert data["applications"][0]["id_number"] == "A12****789"


@pytest.mark.django_db
def test_after_retention_the_export_says_only_a_matching_code_is_kept(client, dad, xiaohua_link):
    from review_workflow.services.retention import retention_run

    # Dad has a password of his own: the first password (the ID's last six digits) is never
    # read again, so retention drops the encrypted copy and keeps the keyed digest.
    assert retention_run().parent_account_ids_dropped == 1
    client.force_login(dad)

    kept = "已不保存：僅保留無法還原號碼的比對碼。"
    data = json.loads(client.get("/me/data/", {"format": "json"}).content)
    assert data["parent_account"]["id_number"] == kept
    page = client.get("/me/data/").content.decode()
    assert kept in page
    assert dad.parent_account.id_number_digest not in page
