"""The lockout: counted per account whatever the name's case or width, from any address; an
address alone only at a much higher count (schools and mobile carriers share addresses); a name
holding an ID number recorded and logged as a keyed digest."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.utils import timezone

from binding_forms.identity.personal_data import encrypt, id_number_digest
from review_workflow.models import ParentAccount
from tests.binding_forms.test_signin import SIGNIN, sign_in, solve_captcha
from tests.factories import UserFactory
from tests.pii import tables_holding

EMAIL = "alle@schoolsoft.com.tw"
PARENT_ID = "A123456789"  # first password: the last six digits
STUDENT_ID = "A234567893"


def parent_with_first_password():
    """A parent account as an approval leaves it: first password the ID's last six digits."""
    user = get_user_model().objects.create(
        username=EMAIL, email=EMAIL, password_change_required=True
    )
    user.set_unusable_password()
    user.save()
    ParentAccount.objects.create(
        user=user,
        id_number_digest=id_number_digest(PARENT_ID),
        id_number_encrypted=encrypt(PARENT_ID),
        first_password_expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    return user


@pytest.fixture
def new_parent(db):
    return parent_with_first_password()


def parent_sign_in(client, email, password, **environ):
    data = {"tab": "parent", "email": email, "password": password}
    return client.post(SIGNIN, {**data, **solve_captcha(client, SIGNIN + "?tab=parent")}, **environ)


@pytest.mark.django_db
def test_failures_in_any_case_or_width_of_one_email_lock_the_account(client, new_parent):
    variants = [
        "ALLE@SCHOOLSOFT.COM.TW",
        "Alle@Schoolsoft.com.tw",
        "ａｌｌｅ＠ｓｃｈｏｏｌｓｏｆｔ．ｃｏｍ．ｔｗ",  # a Chinese input method's full width
        "ＡＬＬＥ@schoolsoft.com.tw",
        " aLLe@schoolsoft.COM.tw ",
    ]
    for number, variant in enumerate(variants):  # wrong six digits, each from another address
        parent_sign_in(client, variant, f"{number}00000", REMOTE_ADDR=f"10.0.0.{number}")
    assert "_auth_user_id" not in client.session

    locked = parent_sign_in(client, EMAIL, PARENT_ID[-6:])  # even the right first password

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_right_password_in_full_width_signs_in(client, new_parent):
    full_width = "ＡＬＬＥ＠ｓｃｈｏｏｌｓｏｆｔ．ｃｏｍ．ｔｗ"

    response = parent_sign_in(client, full_width, PARENT_ID[-6:])

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(new_parent.pk)


@pytest.mark.django_db
def test_an_email_too_long_to_record_is_refused_before_it_is_tried(client, new_parent):
    response = parent_sign_in(client, "a" * 250 + "@schoolsoft.com.tw", "123456")

    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()  # PostgreSQL could not store the name (255)


@pytest.mark.django_db
def test_failures_in_any_case_of_a_staff_name_lock_the_admin_login(client, registrar):
    variants = ["Songshan-Registrar", "SONGSHAN-REGISTRAR", "songshan-REGISTRAR",
                "ｓｏｎｇｓｈａｎ-registrar", "Songshan-registrar"]  # fmt: skip
    for number, variant in enumerate(variants):
        client.post(
            "/admin/login/",
            {"username": variant, "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{number}",
        )

    locked = client.post(
        "/admin/login/", {"username": "songshan-registrar", "password": "correct horse battery"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


# The address: one stranger's typos must not lock out every family behind it ----------------


@pytest.mark.django_db
def test_a_strangers_failures_on_many_accounts_do_not_lock_another_family(
    client, xiaohua, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 10
    for number in range(111111, 111120):  # nine failures, each on another account
        sign_in(client, school_id=xiaohua.school_id, account=f"P{number}")

    family = sign_in(client, school_id=xiaohua.school_id)  # the same address

    assert family.status_code == 302


@pytest.mark.django_db
def test_the_account_locks_after_its_limit_from_any_address(client, xiaohua, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        sign_in(client, school_id=xiaohua.school_id, password="A123456789", REMOTE_ADDR=address)

    from_a_fourth = sign_in(client, school_id=xiaohua.school_id, REMOTE_ADDR="10.0.0.4")

    assert from_a_fourth.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_address_locks_at_its_own_higher_limit(client, xiaohua, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 6
    for account in ("P111111", "P111111", "P222222", "P222222", "P333333"):
        sign_in(client, school_id=xiaohua.school_id, account=account)  # each below its limit
    below = sign_in(client, school_id=xiaohua.school_id)
    client.logout()
    sign_in(client, school_id=xiaohua.school_id, account="P333333")  # the sixth

    from_there = sign_in(client, school_id=xiaohua.school_id)
    elsewhere = sign_in(client, school_id=xiaohua.school_id, REMOTE_ADDR="10.9.9.9")

    assert below.status_code == 302
    assert from_there.status_code == 429
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_staff_member_signs_in_at_the_admin_in_any_case(client, db):
    UserFactory(username="Songshan-Registrar", is_superuser=True)

    response = client.post(
        "/admin/login/", {"username": "songshan-registrar", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


# Names holding an ID number: counted per name, recorded and logged as a keyed digest ---------

AS_NAME = "D120000001"  # shaped like ID numbers; nobody's in these tests
IN_EMAIL = "E298765432"


def test_a_name_holding_an_id_is_recorded_as_a_digest_one_per_name(settings):
    from binding_forms.accounts.sign_in_name import sign_in_name_recorded

    recorded = {sign_in_name_recorded(name) for name in ("A123456789", "A123455789")}

    assert len(recorded) == 2 and all(name.startswith("id:") for name in recorded)
    assert sign_in_name_recorded("ａ１２３４５６７８９") == sign_in_name_recorded("A123456789")
    assert sign_in_name_recorded("Alle@Schoolsoft.com.tw") == "alle@schoolsoft.com.tw"
    assert sign_in_name_recorded("313601-p108035") == "313601-P108035"


@pytest.mark.django_db
def test_ids_typed_as_sign_in_names_are_neither_stored_nor_logged(client, settings, caplog):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="axes")

    for name in (AS_NAME, AS_NAME.lower(), "Ｄ１２００００００１"):
        client.post("/admin/login/", {"username": name, "password": "A234567893"})
    parent_sign_in(client, f"{IN_EMAIL}@gmail.com", "123456")

    logged = "\n".join(record.getMessage() for record in caplog.records).lower()
    assert "sign-in failed: account=id:" in logged
    three_spellings = AccessAttempt.objects.get(path_info="/admin/login/")
    assert three_spellings.username.startswith("id:")
    assert three_spellings.failures_since_start == 3
    for id_number in (AS_NAME, IN_EMAIL):
        assert tables_holding(id_number) == [], id_number
        assert id_number.lower() not in logged, id_number
