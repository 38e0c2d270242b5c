import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_otp.plugins.otp_email.models import EmailDevice
from wagtail.models import WorkflowState

from binding_forms.models import Applicant, Application
from binding_forms.reviewed_forms.tasks import submission_review_start_task
from tests.factories import DUMMY_TASKS, FATHER, student
from tests.factories import MOTHER as FACTORY_MOTHER
from tests.pii import tables_holding

# The mother's mobile as a parent may type it: the form normalises it.
MOTHER = {**FACTORY_MOTHER, "mobile": "+886 987 654 321"}
ONE_APPLICANT = "1"  # 一位申請帳號
TWO_APPLICANTS = "0"  # 雙親為監護人，二位申請帳號


def applicants_post(application_type=ONE_APPLICANT, first=FATHER, second=None, action="submit"):
    data = {"application_type": application_type, "action": action}
    for position, values in ((1, first), (2, second or {})):
        for name, value in values.items():
            data[f"applicant{position}-{name}"] = value
    return data


def url(wizard, step=""):
    return wizard.url + (f"{step}/" if step else "")


def walk_to_applicants(client, wizard):
    client.post(url(wizard, "student"), {"action": "confirm"})
    client.post(url(wizard, "student"), {"action": "next"})
    return client.post(url(wizard, "consent"), {"choice": "agreed"})


@pytest.mark.django_db
def test_the_handbook_flow(parent_client, wizard, xiaohua, workflow):
    first = parent_client.get(url(wizard), follow=True)
    html = first.content.decode()
    assert "陳小花家長，您好！" in html
    assert "1</span> 學生個資" in html and "未確認" in html and "未設定" in html
    assert "2年01班" in html and "108035" in html
    for label in ("✓ 資訊正確", "暫存", "➤ 填答送出", "以上資訊若有錯誤，請洽學校註冊組辦理"):
        assert label in html

    parent_client.post(url(wizard, "student"), {"action": "confirm"})
    assert "已確認" in parent_client.get(url(wizard, "student")).content.decode()
    consent = parent_client.post(url(wizard, "student"), {"action": "next"}, follow=True)
    html = consent.content.decode()
    assert "本人同意提供本同意書所需個資" in html and "本人不同意提供本同意書所需個資" in html
    assert "申辦帳號" in html

    applicants = parent_client.post(url(wizard, "consent"), {"choice": "agreed"}, follow=True)
    html = applicants.content.decode()
    for label in (
        "雙親為監護人，二位申請帳號",
        "一位申請帳號",
        "申請親生監護人，二位申請帳號",
        "其他關係者擔任監護人，申辦帳號",
        "申請人姓名",
        "親屬關係",
        "身分證字號",
        "手機",
        "電子郵件",
        "第一位",
        "第二位",
        "確認送出",
    ):
        assert label in html, label

    done = parent_client.post(url(wizard, "applicants"), applicants_post(), follow=True)

    html = done.content.decode()
    assert "設定親子帳號成功!" in html
    assert "已設定" in html and "審核中" in html
    application = Application.objects.get(student=xiaohua)
    assert application.live is False and application.submitted_at
    wizard.refresh_from_db()
    assert application.consent_revision == wizard.live_revision
    assert application.application_type == "一位申請帳號"
    applicant = application.applicants.get()
    assert (applicant.name, applicant.relationship, applicant.mobile, applicant.email) == (
        "陳大名",
        "父女",
        "0912123456",
        "alle@schoolsoft.com.tw",
    )
    state = application.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == xiaohua.user
    assert tables_holding("A123456789", "A234567893") == []


@pytest.mark.django_db
def test_the_server_enforces_the_order(parent_client, wizard, xiaohua):
    # Nothing confirmed: later steps send the parent back to step 1.
    for step in ("consent", "applicants", "done", "verify"):
        response = parent_client.get(url(wizard, step))
        assert response.status_code == 302 and response["Location"].endswith("/student/")
    crafted = parent_client.post(url(wizard, "applicants"), applicants_post())
    assert crafted.status_code == 302 and crafted["Location"].endswith("/student/")
    skipped = parent_client.post(url(wizard, "consent"), {"choice": "agreed"})
    assert skipped["Location"].endswith("/student/")

    not_confirmed = parent_client.post(url(wizard, "student"), {"action": "next"})
    assert "一定要點選「資訊正確」" in not_confirmed.content.decode()

    parent_client.post(url(wizard, "student"), {"action": "confirm"})
    no_consent = parent_client.post(url(wizard, "applicants"), applicants_post())
    assert no_consent["Location"].endswith("/consent/")
    assert not Application.objects.filter(submitted_at__isnull=False).exists()


@pytest.mark.django_db
def test_refusing_is_recorded_and_can_be_changed(parent_client, wizard, xiaohua):
    parent_client.post(url(wizard, "student"), {"action": "confirm"})

    refused = parent_client.post(url(wizard, "consent"), {"choice": "refused"})

    assert "無法綁定親子帳號" in refused.content.decode()
    application = Application.objects.get(student=xiaohua)
    assert application.consent == "refused" and application.consented_at
    assert parent_client.get(url(wizard, "applicants"))["Location"].endswith("/consent/")
    parent_client.post(url(wizard, "consent"), {"choice": "agreed"})
    application.refresh_from_db()
    assert application.consent == "agreed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "A123456788"}, "id_number", "檢查碼不正確"),
        ({"id_number": "123"}, "id_number", "請輸入正確的身分證字號或居留證號"),
        ({"id_number": "A234567893"}, "id_number", "這是學生的身分證字號"),
        ({"mobile": "02-2720-8889"}, "mobile", "請輸入臺灣手機號碼"),
        ({"email": "not-an-email"}, "email", "有效的電子郵件"),
        ({"name": ""}, "name", "必要欄位"),
        ({"relationship": "鄰居"}, "relationship", "請選擇有效的選項"),
    ],
)
def test_every_error_is_shown_beside_its_field_and_input_is_kept(
    parent_client, wizard, changes, field, message
):
    walk_to_applicants(parent_client, wizard)

    response = parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, **changes})
    )

    html = response.content.decode()
    assert response.status_code == 200
    error = re.search(rf'id="id_applicant1-{field}-error">([^<]*)<', html)
    assert error and message in error.group(1), html[:0]
    assert 'value="陳大名"' in html or field == "name"
    assert f'aria-describedby="id_applicant1-{field}-error"' in html


@pytest.mark.django_db
def test_two_applicants_must_differ_and_names_keep_rare_characters(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)

    same = parent_client.post(
        url(wizard, "applicants"),
        applicants_post(
            TWO_APPLICANTS,
            FATHER,
            {**MOTHER, "id_number": FATHER["id_number"], "email": FATHER["email"]},
        ),
    )
    html = same.content.decode()
    assert "兩位申請人的身分證字號不可相同" in html and "兩位申請人的電子郵件不可相同" in html

    missing = parent_client.post(url(wizard, "applicants"), applicants_post(TWO_APPLICANTS, FATHER))
    assert 'id="id_applicant2-name-error"' in missing.content.decode()

    parent_client.post(url(wizard, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER))
    names = list(Applicant.objects.values_list("name", "mobile"))
    assert names == [("陳大名", "0912123456"), ("林美𠮷", "0987654321")]


@pytest.mark.django_db
def test_drafts_survive_signing_out(parent_client, wizard, xiaohua, client):
    walk_to_applicants(parent_client, wizard)
    parent_client.post(
        url(wizard, "applicants"),
        applicants_post(first={**FATHER, "mobile": "09"}, action="save"),
    )
    parent_client.logout()
    assert tables_holding("A123456789") == []

    client.force_login(xiaohua.user)  # another device
    html = client.get(url(wizard, "applicants")).content.decode()

    assert 'value="陳大名"' in html and 'value="09"' in html
    assert "A123456789" not in html and "已儲存：A12****789" in html  # masked, never in full
    assert "已暫存" not in html


@pytest.mark.django_db
def test_double_clicks_two_tabs_and_replays_make_one_application(
    parent_client, wizard, xiaohua, workflow
):
    walk_to_applicants(parent_client, wizard)
    for _ in range(3):
        parent_client.post(url(wizard, "applicants"), applicants_post())

    assert Application.objects.count() == 1
    assert Applicant.objects.count() == 1
    assert WorkflowState.objects.count() == 1


@pytest.mark.django_db
def test_changes_requested_then_resubmitted_into_the_same_workflow(
    parent_client, wizard, xiaohua, workflow, admin_user
):
    walk_to_applicants(parent_client, wizard)
    parent_client.post(url(wizard, "applicants"), applicants_post())
    application = Application.objects.get()
    task_state = application.current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, admin_user, "reject", comment="手機號碼有誤")

    status = parent_client.get(url(wizard, "done")).content.decode()
    assert "已要求修改" in status and "手機號碼有誤" in status
    form = parent_client.get(url(wizard, "applicants")).content.decode()
    assert 'value="0912123456"' in form  # starts from what was sent

    parent_client.post(
        url(wizard, "applicants"), applicants_post(first={**FATHER, "mobile": "0912000111"})
    )

    application.refresh_from_db()
    state = application.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert WorkflowState.objects.count() == 1
    assert application.applicants.get().mobile == "0912000111"
    assert "審核中" in parent_client.get(url(wizard, "done")).content.decode()


@pytest.mark.django_db
def test_email_codes_prove_each_address(parent_client, wizard, xiaohua, workflow):
    wizard.verify_email = True
    wizard.save_revision().publish()
    walk_to_applicants(parent_client, wizard)

    sent = parent_client.post(
        url(wizard, "applicants"), applicants_post(TWO_APPLICANTS, FATHER, MOTHER)
    )

    assert sent["Location"].endswith("/verify/")
    assert sorted(m.to[0] for m in mail.outbox) == ["alle@schoolsoft.com.tw", "mei@example.com"]
    assert mail.outbox[0].subject == "臺北市親子帳號綁定：電子郵件驗證碼"
    assert all("A123456789" not in m.body and "A228704139" not in m.body for m in mail.outbox)
    codes = {m.to[0]: re.search(r"\b(\d{6})\b", m.body).group(1) for m in mail.outbox}
    wrong = parent_client.post(
        url(wizard, "verify"), {"code0-code": "000000", "code1-code": "000000"}
    )
    for index in (0, 1):
        error = re.search(rf'id="id_code{index}-code-error">([^<]*)<', wrong.content.decode())
        assert "驗證碼錯誤，請查看寄到這個地址的最新一封驗證碼信" in error.group(1)
    assert not Application.objects.filter(submitted_at__isnull=False).exists()

    pending = Application.objects.get().draft_data["pending"]
    answers = {f"code{index}-code": codes[email] for index, email in enumerate(pending)}
    throttled = parent_client.post(url(wizard, "verify"), answers)
    assert "驗證碼錯誤次數過多，請於 1 秒後再試" in throttled.content.decode()  # django-otp's pause
    EmailDevice.objects.update(throttling_failure_timestamp=None)  # …that has passed
    done = parent_client.post(
        url(wizard, "verify"),
        answers,
        follow=True,
    )

    assert "設定親子帳號成功!" in done.content.decode()
    assert all(a.email_verified_at for a in Applicant.objects.all())


@pytest.mark.django_db
def test_a_parent_account_binds_a_sibling(client, wizard, xiaohua, workflow):
    sibling = student(school=xiaohua.school, number="108099", name="陳小草", id_number="A139205814")
    parent = get_user_model().objects.create_user(
        "alle@schoolsoft.com.tw", password="Parent-pass-1"
    )
    client.force_login(parent)

    assert client.get(url(wizard))["Location"].endswith("/child/")
    wrong = client.post(
        url(wizard, "child"),
        {"school": xiaohua.school_id, "account": "P108099", "password": "A123456789"},
    )
    assert "帳號或密碼錯誤" in wrong.content.decode()
    chosen = client.post(
        url(wizard, "child"),
        {"school": xiaohua.school_id, "account": "P108099", "password": "A139205814"},
        follow=True,
    )

    assert "陳小草家長，您好！" in chosen.content.decode()
    walk_to_applicants(client, wizard)
    client.post(url(wizard, "applicants"), applicants_post())
    application = Application.objects.get()
    assert application.student == sibling and application.requester == parent


@pytest.mark.django_db
def test_no_request_runs_more_than_twenty_queries(
    parent_client, wizard, xiaohua, workflow, django_assert_max_num_queries, settings
):
    # The review's start is the worker's (database queue in production), not the request's.
    settings.TASKS = {
        **settings.TASKS,
        "background": {"BACKEND": DUMMY_TASKS},
    }
    for number in range(200):  # other students and applications must not matter
        student(school=xiaohua.school, number=f"2{number:05d}", id_number="A139205814")
    # The most each request may run: the first also learns where the wizard is (routing.py) and
    # the first applicants step reads the page's choices; the rest is what they run, plus 2.
    # Each POST runs in a transaction (a savepoint and its release here, inside the test's) and
    # reads the student account's application with its row locked, in the student's query.
    steps = [
        ("get", "student", None, 20),
        ("post", "student", {"action": "confirm"}, 10 + 2),
        ("post", "student", {"action": "next"}, 9 + 2),
        ("get", "consent", None, 9),
        ("post", "consent", {"choice": "agreed"}, 11 + 2),
        ("get", "applicants", None, 11),
        ("get", "applicants", None, 9),
        ("post", "applicants", applicants_post(action="save"), 10 + 2),
        ("post", "applicants", applicants_post(), 13),  # no savepoint of its own
        ("get", "done", None, 12),
    ]
    for method, step, data, most in steps:
        with django_assert_max_num_queries(most):
            getattr(parent_client, method)(url(wizard, step), data)

    (queued,) = [
        result
        for result in submission_review_start_task.get_backend().results
        if result.task.name == "submission_review_start_task"
    ]
    queued.task.call(*queued.args)
    assert Application.objects.get().current_workflow_state.status == "in_progress"


@pytest.mark.django_db
def test_an_email_code_expires(parent_client, wizard, xiaohua, workflow):
    import datetime

    from django.utils import timezone

    wizard.verify_email = True
    wizard.save_revision().publish()
    walk_to_applicants(parent_client, wizard)
    parent_client.post(url(wizard, "applicants"), applicants_post())
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    five_minutes_ago = timezone.now() - datetime.timedelta(seconds=300)
    EmailDevice.objects.update(
        valid_until=timezone.now() - datetime.timedelta(seconds=1),
        last_generated_timestamp=five_minutes_ago,
    )

    late = parent_client.post(url(wizard, "verify"), {"code0-code": code})

    html = late.content.decode()
    assert "驗證碼已過期，請按「重新寄送」取得新的驗證碼" in html
    assert Application.objects.get().submitted_at is None
    # Beside it, 重新寄送 for that address: a button of another form, so Enter still verifies.
    resend = re.search(r'<button type="submit" form="code-resend" name="address" value="0"', html)
    assert resend and re.search(r'<form [^>]*id="code-resend"', html)
    parent_client.post(url(wizard, "verify"), {"action": "resend", "address": "0"})
    new_code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert len(mail.outbox) == 2
    EmailDevice.objects.update(throttling_failure_timestamp=None)
    done = parent_client.post(url(wizard, "verify"), {"code0-code": new_code})
    assert done["Location"].endswith("/done/")


@pytest.mark.django_db
def test_the_choices_are_read_once_a_publication_and_never_served_stale(
    parent_client, wizard, xiaohua
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from binding_forms.models import BindingWizardPage, RelationshipChoice

    walk_to_applicants(parent_client, wizard)
    parent_client.get(url(wizard, "applicants"))  # reads the choices and keeps them
    with CaptureQueriesContext(connection) as queries:
        parent_client.get(url(wizard, "applicants"))
    assert not [query for query in queries if "relationshipchoice" in query["sql"]]

    # A draft is not what parents see; a publication is, at the next request.
    page = BindingWizardPage.objects.get()
    page.relationships.add(RelationshipChoice(label="外祖孫"))
    page.save_revision()
    assert "外祖孫" not in parent_client.get(url(wizard, "applicants")).content.decode()
    page.get_latest_revision().publish()
    assert "外祖孫" in parent_client.get(url(wizard, "applicants")).content.decode()

    # Publishing an older revision again (a rollback) brings back its choices.
    first = page.revisions.order_by("created_at", "pk").first()
    first.publish()
    assert "外祖孫" not in parent_client.get(url(wizard, "applicants")).content.decode()
