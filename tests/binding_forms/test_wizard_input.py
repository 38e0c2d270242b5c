"""What a parent can type into the wizard: only what the database and every later step can hold
(PostgreSQL refuses what SQLite keeps), and codes mailed within limits."""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_email.models import EmailDevice

from binding_forms.models import Applicant, Application
from review_workflow.models import ParentAccount
from tests.binding_forms.test_wizard import applicants_post, url, walk_to_applicants
from tests.factories import FATHER, MOTHER

CONTROL_ERROR = "不可含有看不見的控制字元"


def field_error(html: str, field: str, position: int = 1) -> str:
    match = re.search(rf'id="id_applicant{position}-{field}-error">([^<]*)<', html)
    return match.group(1) if match else ""


def draft(position: int = 1) -> dict:
    return Application.objects.get().draft_data.get(f"applicant{position}", {})


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("field", ["name", "id_number", "mobile", "email"])
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f"], ids=["NUL", "ESC", "DEL"])
def test_control_characters_are_an_error_beside_the_field_and_the_rest_is_kept(
    parent_client, wizard, xiaohua, action, field, char
):
    walk_to_applicants(parent_client, wizard)
    typed = {**FATHER, field: FATHER[field][:2] + char + FATHER[field][2:]}

    response = parent_client.post(
        url(wizard, "applicants"), applicants_post(first=typed, action=action)
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert CONTROL_ERROR in field_error(html, field)
    assert f'value="{FATHER[field]}"' in html  # shown again without it: sending again works
    kept = {**FATHER}
    kept.pop("id_number")
    assert {key: draft()[key] for key in kept} == kept
    assert not Application.objects.filter(submitted_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_draft_too_long_for_a_field_is_said_beside_it(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)
    long_name = "陳" * 101

    response = parent_client.post(
        url(wizard, "applicants"),
        applicants_post(first={**FATHER, "name": long_name, "mobile": ""}, action="save"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "至多包含 100 個字" in field_error(html, "name")
    assert field_error(html, "mobile") == ""  # a draft may be incomplete: only what was cut
    assert draft()["name"] == "陳" * 100


# An email the form accepted became the parent account's sign-in name at approval: longer than
# the user name (150) or the applicant's column (254) failed there (on PostgreSQL), or at once.
EMAIL_150 = "a" * 64 + "@" + "b" * 60 + "." + "c" * 12 + ".example.com"
EMAIL_151 = "a" * 64 + "@" + "b" * 60 + "." + "c" * 13 + ".example.com"
EMAIL_300 = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "c" * 50 + ".com"


@pytest.mark.django_db
@pytest.mark.parametrize("email", [EMAIL_151, EMAIL_300], ids=["151", "300"])
def test_an_email_no_account_could_sign_in_with_is_refused_at_once(
    parent_client, wizard, xiaohua, email
):
    walk_to_applicants(parent_client, wizard)

    response = parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, "email": email})
    )

    assert response.status_code == 200
    assert "至多包含 150 個字" in field_error(response.content.decode(), "email")
    assert not Applicant.objects.exists()


@pytest.mark.django_db
def test_the_longest_email_accepted_is_approved(
    parent_client, wizard, xiaohua, workflow, admin_user
):
    assert len(EMAIL_150) == 150
    walk_to_applicants(parent_client, wizard)

    done = parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, "email": EMAIL_150.upper()})
    )
    assert done["Location"].endswith("/done/")
    task_state = Application.objects.get().current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, admin_user, "approve")

    assert ParentAccount.objects.get().user.username == EMAIL_150


@pytest.mark.django_db
def test_a_name_that_normalising_lengthens_is_measured_again(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)
    # U+0958 is two characters in NFC: 51 of them are 102.
    response = parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, "name": "\u0958" * 51})
    )

    assert response.status_code == 200
    assert "至多包含 100 個字" in field_error(response.content.decode(), "name")
    assert not Applicant.objects.exists()


@pytest.mark.django_db
def test_a_quoted_address_with_control_characters_is_refused(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)

    response = parent_client.post(
        url(wizard, "applicants"),
        applicants_post(first={**FATHER, "email": '"a\x01b"@example.com'}),
    )

    assert CONTROL_ERROR in field_error(response.content.decode(), "email")


# Codes to any number of addresses -----------------------------------------------------------


@pytest.fixture
def verifying(wizard):
    wizard.verify_email = True
    wizard.save_revision().publish()
    return wizard


@pytest.mark.django_db
def test_codes_go_to_a_limited_number_of_addresses_an_hour(
    parent_client, verifying, xiaohua, settings
):
    settings.BINDING_CODE_ADDRESSES_PER_HOUR = 3
    walk_to_applicants(parent_client, verifying)
    for number in range(3):
        sent = parent_client.post(
            url(verifying, "applicants"),
            applicants_post(first={**FATHER, "email": f"someone{number}@example.com"}),
        )
        assert sent["Location"].endswith("/verify/")
    assert len(mail.outbox) == 3

    refused = parent_client.post(
        url(verifying, "applicants"),
        applicants_post(first={**FATHER, "email": "stranger@example.com"}),
    )

    assert refused.status_code == 200
    error = field_error(refused.content.decode(), "email")
    assert "過去一小時已寄送驗證碼到 3 個不同的電子郵件地址，已達上限" in error
    assert len(mail.outbox) == 3
    # An address that got a code still may.
    again = parent_client.post(
        url(verifying, "applicants"),
        applicants_post(first={**FATHER, "email": "someone0@example.com"}),
    )
    assert again["Location"].endswith("/verify/")


@pytest.mark.django_db
def test_codes_are_limited_an_hour(parent_client, verifying, xiaohua, settings):
    settings.BINDING_CODES_PER_HOUR = 3
    walk_to_applicants(parent_client, verifying)
    parent_client.post(url(verifying, "applicants"), applicants_post(first=FATHER))
    for _ in range(3):
        EmailDevice.objects.update(last_generated_timestamp=None)  # the minute has passed
        parent_client.post(url(verifying, "verify"), {"action": "resend"})

    assert len(mail.outbox) == 3
    page = parent_client.get(url(verifying, "verify")).content.decode()
    assert "過去一小時已寄出 3 封驗證碼，已達上限" in page


@pytest.mark.django_db
def test_a_resend_within_the_minute_says_so(parent_client, verifying, xiaohua):
    walk_to_applicants(parent_client, verifying)
    parent_client.post(
        url(verifying, "applicants"), applicants_post("0", first=FATHER, second=MOTHER)
    )

    page = parent_client.post(url(verifying, "verify"), {"action": "resend"}, follow=True)

    html = page.content.decode()
    assert f"{FATHER['email']}：一分鐘內已寄過驗證碼" in html
    assert len(mail.outbox) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("position", [1, 2])
def test_the_childs_id_for_an_applicant_of_two_is_an_error_beside_it(
    parent_client, wizard, xiaohua, position
):
    """A parent who just typed the child's ID as the password types it here too: 500 before."""
    walk_to_applicants(parent_client, wizard)
    applicants = [FATHER, MOTHER]
    applicants[position - 1] = {**applicants[position - 1], "id_number": "A234567893"}

    response = parent_client.post(url(wizard, "applicants"), applicants_post("0", *applicants))

    assert response.status_code == 200
    html = response.content.decode()
    assert "這是學生的身分證字號" in field_error(html, "id_number", position)
    assert 'value="陳大名"' in html and 'value="林美𠮷"' in html
    assert not Applicant.objects.exists()


# What is required, and the summary of what is wrong -----------------------------------------


def starred(html: str, position: int) -> list[str]:
    """The fields of 第一位 or 第二位 whose label carries the required star."""
    return re.findall(
        rf'<label for="id_applicant{position}-(\w+)">[^<]*<span class="required"', html
    )


@pytest.mark.django_db
def test_the_second_applicant_is_starred_only_for_a_type_of_two(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)
    page = parent_client.get(url(wizard, "applicants")).content.decode()
    assert starred(page, 1) == ["name", "relationship", "id_number", "mobile", "email"]
    assert starred(page, 2) == []
    assert "選擇二位申請帳號時必填" in page

    one = parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, "mobile": "02"})
    ).content.decode()
    assert starred(one, 2) == [] and field_error(one, "name", 2) == ""

    two = parent_client.post(url(wizard, "applicants"), applicants_post("0", FATHER)).content
    two = two.decode()
    assert starred(two, 2) == ["name", "relationship", "id_number", "mobile", "email"]
    assert "必要欄位" in field_error(two, "email", 2)


@pytest.mark.django_db
def test_the_error_summary_links_to_each_wrong_field(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)

    response = parent_client.post(
        url(wizard, "applicants"),
        applicants_post("0", {**FATHER, "id_number": "A123456788"}, {**MOTHER, "email": ""}),
    )

    summary = re.search(r'<div class="form-errors".*?</div>', response.content.decode(), re.S)
    links = re.findall(r'<a href="#([\w-]+)">([^<]*)</a>', summary.group(0))
    assert links == [
        ("id_applicant1-id_number", "第一位 身分證字號"),
        ("id_applicant2-email", "第二位 電子郵件"),
    ]
    html = response.content.decode()
    assert 'id="id_applicant1-id_number"' in html and 'id="id_applicant2-email"' in html


@pytest.mark.django_db
def test_the_error_summary_links_to_the_application_type(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)

    html = parent_client.post(
        url(wizard, "applicants"), applicants_post("", FATHER)
    ).content.decode()

    assert '<a href="#id_application_type_0">申辦方式</a>' in html
    assert 'id="id_application_type_0"' in html
