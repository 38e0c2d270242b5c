"""The email codes as two applicants meet them: a wrong code for one spends no other, each
refusal says whose code and why, and a re-send too soon says how long to wait."""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_email.models import EmailDevice

from binding_forms.models import Applicant, Application
from tests.binding_forms.test_wizard import TWO_APPLICANTS, applicants_post, url, walk_to_applicants
from tests.factories import FATHER, MOTHER


@pytest.fixture
def verifying(wizard):
    wizard.verify_email = True
    wizard.save_revision().publish()
    return wizard


def sent_codes() -> dict:
    return {m.to[0]: re.search(r"\b(\d{6})\b", m.body).group(1) for m in mail.outbox}


def field_error(html: str, index: int) -> str:
    match = re.search(rf'id="id_code{index}-code-error">([^<]*)<', html)
    return match.group(1) if match else ""


def a_wrong_code(right: str) -> str:
    return "000000" if right != "000000" else "111111"


@pytest.mark.django_db
def test_a_wrong_code_for_the_second_applicant_spends_not_the_first_ones(
    parent_client, verifying, xiaohua, workflow
):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(
        url(verifying, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )
    codes = sent_codes()
    assert Application.objects.get().draft_data["pending"] == [FATHER["email"], MOTHER["email"]]

    wrong = parent_client.post(
        url(verifying, "verify"),
        {"code0-code": codes[FATHER["email"]], "code1-code": a_wrong_code(codes[MOTHER["email"]])},
    )

    html = wrong.content.decode()
    assert field_error(html, 0) == ""
    assert "驗證碼錯誤" in field_error(html, 1)
    assert f"第二位：{MOTHER['email']}" in html  # whose code it was
    assert re.search(r'<a href="#id_code1-code">第二位 驗證碼</a>', html)  # the summary names it
    assert EmailDevice.objects.get(email=FATHER["email"]).token == codes[FATHER["email"]]
    assert not Application.objects.filter(submitted_at__isnull=False).exists()

    EmailDevice.objects.update(throttling_failure_timestamp=None)  # django-otp's pause passed
    right = parent_client.post(
        url(verifying, "verify"),
        {"code0-code": codes[FATHER["email"]], "code1-code": codes[MOTHER["email"]]},
    )

    assert right["Location"].endswith("/done/")
    assert all(applicant.email_verified_at for applicant in Applicant.objects.all())
    assert EmailDevice.objects.filter(token__isnull=False).count() == 0  # both used up


@pytest.mark.django_db
def test_a_wrong_code_is_throttled_for_its_address_only(parent_client, verifying, xiaohua):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(
        url(verifying, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )
    codes = sent_codes()
    answers = {
        "code0-code": codes[FATHER["email"]],
        "code1-code": a_wrong_code(codes[MOTHER["email"]]),
    }
    parent_client.post(url(verifying, "verify"), answers)

    again = parent_client.post(url(verifying, "verify"), answers).content.decode()

    assert field_error(again, 0) == ""
    assert "這個地址的驗證碼錯誤次數過多，請於" in field_error(again, 1)
    father, mother = (EmailDevice.objects.get(email=e) for e in (FATHER["email"], MOTHER["email"]))
    assert (father.throttling_failure_count, mother.throttling_failure_count) == (0, 1)


@pytest.mark.django_db
def test_a_resend_within_the_cooldown_says_how_many_seconds_remain(
    parent_client, verifying, xiaohua
):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(url(verifying, "applicants"), applicants_post())

    page = parent_client.post(url(verifying, "verify"), {"action": "resend"}, follow=True)

    html = page.content.decode()
    seconds = re.search(r"一分鐘內已寄過驗證碼，請於 (\d+) 秒後再寄一次", html)
    assert seconds and 1 <= int(seconds.group(1)) <= 60  # of the minute's cooldown
    assert "cooldown" not in html
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_address_the_hourly_limit_left_without_a_code_offers_to_send_one(
    parent_client, verifying, xiaohua, settings
):
    settings.BINDING_CODES_PER_HOUR = 1
    walk_to_applicants(parent_client, verifying)
    parent_client.post(
        url(verifying, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )
    assert [m.to[0] for m in mail.outbox] == [FATHER["email"]]

    html = parent_client.post(
        url(verifying, "verify"),
        {"code0-code": sent_codes()[FATHER["email"]], "code1-code": "123456"},
    ).content.decode()

    assert "尚未寄出驗證碼到這個地址" in field_error(html, 1)
    assert re.search(r'form="code-resend" name="address" value="1"', html)
    assert EmailDevice.objects.get(email=FATHER["email"]).token is not None  # not spent
