"""Notification mail: the editors' templates, what each mail says (and never says), sending with
retries, the provider's delivery events and the registrar's resend."""

import base64
import json
import types

import pytest
from django.contrib.auth import get_user_model
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from binding_forms.binding.services import application_submit
from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Applicant, Application
from review_workflow.mail.outbox import (
    MailAddressTaken,
    mail_for_unbinding,
    mail_queue,
    mail_render,
    mail_resend,
    mails_for_approval,
    mails_for_changes_requested,
    submission_mails_write,
)
from review_workflow.mail.wording import DEFAULTS, MailKind, MailTemplateError, template_check
from review_workflow.models import MailTemplate, OutgoingMail, ParentStudentLink, SchoolLogEntry
from review_workflow.tasks import mail_send
from tests import factories
from tests.factories import (
    DUMMY_TASKS,
    UserFactory,
    admin_login,
    editor_user,
    registrar_user,
    school,
    student,
    use_mail_backend,
)
from tests.review_workflow.provider_doubles import ProviderOutage

FATHER = {"name": "陳大名", "relationship": "父女", "id_number": "A123456789"}
MOTHER = {"name": "林美麗", "relationship": "母女", "id_number": "A228704139"}
STUDENT_ID = "A234567893"
SECRETS = [
    "A123456789",
    "A228704139",
    STUDENT_ID,
    "456789",  # the last six digits: the parents' first passwords
    "704139",
    "567893",
]
WEBHOOK_SECRET = "anymail:webhook-test-secret"


@pytest.fixture(autouse=True)
def anymail_test_backend(settings):
    """anymail's test backend (pytest-django would otherwise use locmem, without anymail's
    status and message ids)."""
    use_mail_backend(settings, "anymail.backends.test.EmailBackend")
    ProviderOutage.failures_left = 0


@pytest.fixture
def xiaohua(db):
    return student(school=school(), id_number=STUDENT_ID)


def submitted_application(xiaohua, *applicants) -> Application:
    requester = UserFactory(username="P108035")
    application = Application.objects.create(
        student=xiaohua,
        requester=requester,
        live=False,
        student_confirmed_at=timezone.now(),
        consent=Application.Consent.AGREED,
        submitted_at=timezone.now(),
    )
    for position, (data, email) in enumerate(applicants, start=1):
        Applicant.objects.create(
            application=application,
            position=position,
            name=data["name"],
            relationship=data["relationship"],
            id_number_digest=id_number_digest(data["id_number"]),
            id_number_encrypted=encrypt(data["id_number"]),
            mobile="0912123456",
            email=email,
        )
    return application


@pytest.fixture
def application(xiaohua):
    return submitted_application(
        xiaohua, (FATHER, "alle@schoolsoft.com.tw"), (MOTHER, "mei@example.com")
    )


def assert_no_secrets(texts):
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, (secret, text)


# Templates -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_kind_has_a_default_template_that_renders_its_placeholders():
    assert set(MailTemplate.objects.values_list("kind", flat=True)) == set(MailKind.values)

    subject, body, _problem = mail_render(
        kind=MailKind.APPROVED,
        context={
            "applicant_name": "陳大名",
            "student_name": "陳小花",
            "school_name": "臺北市立松山國民小學",
            "sign_in_name": "alle@schoolsoft.com.tw",
            "sign_in_url": "http://testserver/signin/",
        },
    )

    assert subject == "臺北市親子帳號綁定：陳小花的親子帳號已開通"
    assert "帳號：alle@schoolsoft.com.tw" in body
    assert "身分證統一編號末六碼" in body
    assert "http://testserver/signin/" in body
    assert "{{" not in body and "{%" not in body


def test_a_template_may_use_only_its_own_placeholders():
    template_check(
        kind=MailKind.CHANGES_REQUESTED, source="{% if comment %}{{ comment }}{% endif %}"
    )

    with pytest.raises(MailTemplateError, match="reason"):
        template_check(kind=MailKind.CHANGES_REQUESTED, source="{{ reason }}")
    with pytest.raises(MailTemplateError, match="id_number"):
        template_check(kind=MailKind.APPROVED, source="{% if id_number %}x{% endif %}")
    with pytest.raises(MailTemplateError):
        template_check(kind=MailKind.APPROVED, source="{% load static %}")
    with pytest.raises(MailTemplateError):
        template_check(kind=MailKind.APPROVED, source="{% debug %}")
    with pytest.raises(MailTemplateError):
        template_check(kind=MailKind.APPROVED, source="{% if student_name %}no end")


@pytest.mark.django_db
def test_mail_text_is_plain_and_never_escaped():
    subject, body, _problem = mail_render(
        kind=MailKind.CHANGES_REQUESTED,
        context={"student_name": "陳小花", "comment": '請更正 <第二位> 的 "手機" & 電子郵件'},
    )

    assert '請更正 <第二位> 的 "手機" & 電子郵件' in body


@pytest.mark.django_db
def test_an_editor_edits_a_template_in_the_admin(client):
    admin_login(client, editor_user())
    template = MailTemplate.objects.get(kind=MailKind.SUBMITTED)
    url = reverse("wagtailsnippets_review_workflow_mailtemplate:edit", args=(template.pk,))

    assert client.get(url).status_code == 200
    refused = client.post(
        url,
        {"kind": "submitted", "subject": "已收到 {{ id_number }}", "body": template.body},
    )
    saved = client.post(
        url,
        {"kind": "submitted", "subject": "收件通知：{{ student_name }}", "body": template.body},
    )

    assert refused.status_code == 200
    assert "不明的代換欄位：{{ id_number }}" in refused.content.decode()
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.subject == "收件通知：{{ student_name }}"
    template.restore_default()
    assert template.subject == DEFAULTS[MailKind.SUBMITTED][0]


@pytest.mark.django_db
def test_the_default_wording_can_be_restored():
    MailTemplate.objects.filter(kind=MailKind.UNBOUND).delete()
    MailTemplate.objects.filter(kind=MailKind.SUBMITTED).update(subject="改過的主旨")

    call_command("mail_templates_restore", "submitted", "unbound", verbosity=0)

    assert MailTemplate.objects.get(kind=MailKind.SUBMITTED).subject == DEFAULTS["submitted"][0]
    assert MailTemplate.objects.get(kind=MailKind.UNBOUND).body == DEFAULTS["unbound"][1]


@pytest.mark.django_db
def test_the_admin_previews_a_template_with_sample_values(client):
    admin_login(client, editor_user())
    template = MailTemplate.objects.get(kind=MailKind.APPROVED)
    url = reverse(
        "wagtailsnippets_review_workflow_mailtemplate:preview_on_edit", args=(template.pk,)
    )

    client.post(url, {"kind": "approved", "subject": template.subject, "body": template.body})
    preview = client.get(url).content.decode()

    assert "陳小花的親子帳號已開通" in preview
    assert "alle@schoolsoft.com.tw" in preview


def test_the_admin_preview_shows_an_editors_markup_as_text(client, db):
    """Mail is text: a <script> an editor writes into a template is shown, never run, when an
    administrator previews it."""
    admin_login(client, UserFactory(is_staff=True, is_superuser=True))
    template = MailTemplate.objects.get(kind=MailKind.APPROVED)
    url = reverse(
        "wagtailsnippets_review_workflow_mailtemplate:preview_on_edit", args=(template.pk,)
    )

    client.post(
        url,
        {
            "kind": "approved",
            "subject": "<img src=x onerror=alert(1)>{{ student_name }}",
            "body": "<script>alert(document.cookie)</script>\n{{ applicant_name }} 您好",
        },
    )
    preview = client.get(url).content.decode()

    assert "<script>alert" not in preview and "<img src=x" not in preview
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;\n陳大名 您好" in preview
    assert "&lt;img src=x onerror=alert(1)&gt;陳小花" in preview


BROKEN_TEMPLATES = [
    "{{ student_name|default:foo }}",  # a filter argument naming an unknown variable
    "{{ sign_in_url|date:bad }}",
    "{% if student_name|default:id_number %}x{% endif %}",  # …in an if-condition
    "{% if student_name == foo|default:1 %}x{% endif %}",
    "{{ student_name|center:999999999 }}",  # filters that are not allowed (memory, errors)
    "{{ student_name|wordwrap:0 }}",
    "{{ student_name|random }}",
    "{{ student_name|divisibleby:2 }}",
    "{{ school_name.upper }}",  # attribute lookups
    "{{ student_name|truncatechars:applicant_name.split }}",
    "{% comment %}x{% endcomment %}",  # any tag but if
    "{% now 'Y' %}",
]


@pytest.mark.parametrize("source", BROKEN_TEMPLATES)
def test_the_save_check_refuses_a_template_that_would_fail_when_mailed(source):
    with pytest.raises(MailTemplateError):
        template_check(kind=MailKind.APPROVED, source=source)


def test_the_editor_is_told_which_filter_may_not_be_used():
    with pytest.raises(MailTemplateError, match="不能使用篩選器「center」"):
        template_check(kind=MailKind.APPROVED, source="{{ student_name|center:99 }}")


def test_the_save_check_accepts_the_allowed_filters_with_placeholder_arguments():
    template_check(
        kind=MailKind.APPROVED,
        source=(
            "{{ applicant_name|default:student_name }} {{ school_name|truncatechars:20 }}"
            "{% if sign_in_name|lower == 'x' %}{{ sign_in_url|cut:'https://' }}{% endif %}"
            "{{ student_name|slice:':1' }}{{ '固定文字'|default:applicant_name }}"
        ),
    )


@pytest.mark.django_db
def test_the_editor_is_told_why_a_template_cannot_be_saved(client):
    admin_login(client, editor_user())
    template = MailTemplate.objects.get(kind=MailKind.SUBMITTED)
    url = reverse("wagtailsnippets_review_workflow_mailtemplate:edit", args=(template.pk,))

    refused = client.post(
        url,
        {"kind": "submitted", "subject": "{{ student_name|default:foo }}", "body": template.body},
    )

    assert refused.status_code == 200
    assert "不明的代換欄位：{{ foo }}" in refused.content.decode()
    template.refresh_from_db()
    assert template.subject == DEFAULTS[MailKind.SUBMITTED][0]


@pytest.mark.django_db
def test_a_broken_template_in_the_database_never_undoes_an_approval(
    client, songshan, registrar, django_capture_on_commit_callbacks
):
    """A template that escaped the save check (written straight to the database): the approval
    stands, the mail goes out in the handbook's wording, and the registrar sees why."""
    MailTemplate.objects.filter(kind=MailKind.APPROVED).update(
        body="{{ applicant_name }} 您好：{{ student_name|default:foo }}"
    )
    application = factories.submitted_application(student=student(school=songshan))
    state = application.current_workflow_state.current_task_state
    admin_login(client, registrar)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application:workflow_action", args=(application.pk, "approve", state.pk))
        )

    assert response.status_code in (200, 302)
    application.refresh_from_db()
    assert application.live and application.current_workflow_state is None
    mail = OutgoingMail.objects.get(kind=MailKind.APPROVED)
    assert mail.status == OutgoingMail.Status.SENT
    assert mail.body.startswith("陳大名 您好：\n\n臺北市立松山國民小學已核准")
    assert mail.template_error == "VariableDoesNotExist: foo"
    (sent,) = [m for m in django_mail.outbox if m.to == ["alle@schoolsoft.com.tw"]]
    assert sent.body == mail.body
    page = client.get(reverse("application:edit", args=(application.pk,))).content.decode()
    assert "編輯人員的通知信範本無法使用（VariableDoesNotExist: foo）" in page


@pytest.mark.django_db
def test_a_template_that_does_not_compile_is_reported_as_text(
    client, songshan, registrar, django_capture_on_commit_callbacks
):
    """The reason shown to the registrar quotes the editor's template: shown as text."""
    MailTemplate.objects.filter(kind=MailKind.APPROVED).update(
        subject="{% <img src=x onerror=alert(1)> %}"
    )
    application = factories.submitted_application(student=student(school=songshan))
    state = application.current_workflow_state.current_task_state

    with django_capture_on_commit_callbacks(execute=True):
        state.task.specific.on_action(state, registrar, "approve")

    mail = OutgoingMail.objects.get(kind=MailKind.APPROVED)
    assert mail.subject == "臺北市親子帳號綁定：陳小花的親子帳號已開通"
    assert mail.template_error.startswith("TemplateSyntaxError: ")
    admin_login(client, registrar)
    page = client.get(reverse("application:edit", args=(application.pk,))).content.decode()
    assert "Invalid block tag on line 1: &#x27;&lt;img&#x27;" in page
    assert "'<img'" not in page


# What each mail says -------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitting_mails_a_confirmation_to_each_applicant(
    xiaohua, django_capture_on_commit_callbacks
):
    application = Application.objects.create(
        student=xiaohua,
        requester=UserFactory(),
        live=False,
        student_confirmed_at=timezone.now(),
        consent=Application.Consent.AGREED,
    )
    kind = types.SimpleNamespace(label="雙親為監護人，二位申請帳號", applicant_count=2)

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(
            application=application,
            application_type=kind,
            applicants=[
                {
                    **FATHER,
                    "position": 1,
                    "mobile": "0912123456",
                    "email": "alle@schoolsoft.com.tw",
                },
                {**MOTHER, "position": 2, "mobile": "0912654321", "email": "mei@example.com"},
            ],
            user=application.requester,
        )

    assert sorted(m.to[0] for m in django_mail.outbox) == [
        "alle@schoolsoft.com.tw",
        "mei@example.com",
    ]
    assert {m.subject for m in django_mail.outbox} == {"臺北市親子帳號綁定：已收到陳小花的申請"}
    assert "陳大名 您好" in OutgoingMail.objects.get(to_address="alle@schoolsoft.com.tw").body
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_registrar_requesting_changes_mails_the_comment(
    application, django_capture_on_commit_callbacks
):
    registrar = registrar_user(of_school=application.student.school)
    application.save_revision(user=application.requester, clean=False)
    application.get_workflow().start(application, application.requester)
    task_state = application.current_workflow_state.current_task_state

    with django_capture_on_commit_callbacks(execute=True):
        task_state.reject(user=registrar, comment="第二位申請人的手機號碼有誤，請更正。")

    sent = [m for m in django_mail.outbox if "要求修改" in m.subject]
    assert sorted(m.to[0] for m in sent) == ["alle@schoolsoft.com.tw", "mei@example.com"]
    assert all("第二位申請人的手機號碼有誤，請更正。" in m.body for m in sent)
    assert all("/binding/" in m.body or "/bind/" in m.body for m in sent)


@pytest.mark.django_db
def test_the_approval_mail_differs_for_a_new_and_an_existing_account(
    application, django_capture_on_commit_callbacks
):
    father, mother = application.applicants.all()
    new = UserFactory(username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw")
    existing = UserFactory(username="mei.lin@example.com", email="mei.lin@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        mails_for_approval(
            application=application, accounts={father.pk: (new, True), mother.pk: (existing, False)}
        )

    new_mail = OutgoingMail.objects.get(applicant=father)
    existing_mail = OutgoingMail.objects.get(applicant=mother)
    assert new_mail.kind == "approved" and new_mail.user == new
    assert "帳號：alle@schoolsoft.com.tw" in new_mail.body
    assert "預設密碼：申請人身分證統一編號末六碼" in new_mail.body
    assert "首次登入時，系統會要求您變更密碼" in new_mail.body
    assert "http://testserver/signin/" in new_mail.body
    assert existing_mail.kind == "approved_existing"
    assert "帳號：mei.lin@example.com" in existing_mail.body
    assert "原本的密碼" in existing_mail.body
    assert "末六碼" not in existing_mail.body
    assert existing_mail.to_address == "mei@example.com"
    assert len(django_mail.outbox) == 2


@pytest.mark.django_db
def test_the_parent_is_mailed_when_a_link_is_revoked(
    application, django_capture_on_commit_callbacks
):
    parent = UserFactory(username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw")
    link = ParentStudentLink.objects.create(
        parent=parent,
        student=application.student,
        relationship="父女",
        application=application,
        applicant=application.applicants.first(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        mail_for_unbinding(link=link, reason="監護權變更，依法院裁定辦理。")

    (sent,) = django_mail.outbox
    assert sent.to == ["alle@schoolsoft.com.tw"]
    assert sent.subject == "臺北市親子帳號綁定：您與陳小花的綁定已解除"
    assert "原因：監護權變更，依法院裁定辦理。" in sent.body
    assert "陳大名 您好" in sent.body
    assert OutgoingMail.objects.get().link == link


@pytest.mark.django_db
def test_no_mail_holds_an_id_number_or_a_password(application, django_capture_on_commit_callbacks):
    father, mother = application.applicants.all()
    parent = UserFactory(username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw")
    link = ParentStudentLink.objects.create(
        parent=parent, student=application.student, relationship="父女", applicant=father
    )

    with django_capture_on_commit_callbacks(execute=True):
        submission_mails_write(application=application)
        # A registrar who types an ID number into a comment: it is masked in the mail.
        mails_for_changes_requested(
            application=application, comment="A123456789 的手機有誤；請勿填 A228704139。"
        )
        mails_for_approval(
            application=application,
            accounts={father.pk: (parent, True), mother.pk: (UserFactory(), False)},
        )
        mail_for_unbinding(link=link, reason=f"申請人 {STUDENT_ID} 非監護人")
        # The retention job: the child left school.
        from review_workflow.mail.outbox import mail_for_left_school

        mail_for_left_school(link=link)
        # A school form (線上請假) sent, approved, sent back: its sender is told each time.
        from review_workflow.mail.outbox import mail_for_form
        from review_workflow.models import SchoolFormSubmission

        submission = SchoolFormSubmission.objects.create(
            page=factories.school_form(parent=factories.HomePage.objects.get()),
            requester=parent,
            student=application.student,
            live=False,
        )
        for kind in (MailKind.FORM_SENT, MailKind.FORM_APPROVED, MailKind.FORM_CHANGES_REQUESTED):
            mail_for_form(submission=submission, kind=kind, comment=f"{STUDENT_ID} 的證明不清楚")

    mails = list(OutgoingMail.objects.all())
    assert {m.kind for m in mails} == set(MailKind.values)
    assert len(django_mail.outbox) == len(mails) == 11
    assert_no_secrets([m.subject + m.body + json.dumps(m.context) for m in mails])
    assert_no_secrets([m.subject + m.body for m in django_mail.outbox])
    assert "A12****789 的手機有誤" in OutgoingMail.objects.filter(kind="changes_requested")[0].body


# Sending, failing, retrying ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_provider_failure_is_retried_then_the_mail_is_sent(
    application, settings, django_capture_on_commit_callbacks, caplog
):
    use_mail_backend(settings, "tests.review_workflow.provider_doubles.FlakyBackend")
    settings.MAIL_RETRY_DELAY = 0  # due at once, for mail_retry
    ProviderOutage.failures_left = 1

    with django_capture_on_commit_callbacks(execute=True):
        queued = mail_queue(
            kind=MailKind.SUBMITTED,
            to="alle@schoolsoft.com.tw",
            context={"student_name": "陳小花", "applicant_name": "陳大名"},
            application=application,
        )
    queued.refresh_from_db()

    assert queued.status == "failed" and queued.attempts == 1
    assert "AnymailAPIError" in queued.last_error and "503" in queued.last_error
    assert queued.next_attempt_at is not None
    assert django_mail.outbox == []
    assert "陳大名 您好" not in caplog.text  # the log names the mail, never its text

    call_command("mail_retry", verbosity=0)

    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 2
    assert queued.message_id == "0" and queued.last_error == ""
    assert [m.to for m in django_mail.outbox] == [["alle@schoolsoft.com.tw"]]
    call_command("mail_retry", verbosity=0)
    assert len(django_mail.outbox) == 1  # sent once


@pytest.mark.django_db
def test_a_backend_that_defers_gets_the_retry_enqueued_with_run_after(
    application, settings, django_capture_on_commit_callbacks
):
    # Production's database queue defers; the dummy backend does too and keeps what is enqueued.
    use_mail_backend(settings, "tests.review_workflow.provider_doubles.FlakyBackend")
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": DUMMY_TASKS}}
    ProviderOutage.failures_left = 1

    with django_capture_on_commit_callbacks(execute=True):
        queued = mail_queue(
            kind=MailKind.SUBMITTED,
            to="alle@schoolsoft.com.tw",
            context={"student_name": "陳小花"},
            application=application,
        )
    assert django_mail.outbox == []  # nothing is sent before a worker runs
    (first,) = mail_send.get_backend().results
    first.task.call(*first.args)

    queued.refresh_from_db()
    assert queued.status == "failed" and queued.attempts == 1
    retry = mail_send.get_backend().results[-1]
    assert retry is not first and retry.task.run_after == queued.next_attempt_at
    assert queued.next_attempt_at > timezone.now()  # backing off
    OutgoingMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now())  # …later
    retry.task.call(*retry.args)

    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 2
    assert len(django_mail.outbox) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_mail_is_left_for_the_registrar(
    application, settings, django_capture_on_commit_callbacks
):
    use_mail_backend(settings, "tests.review_workflow.provider_doubles.FlakyBackend")
    settings.MAIL_RETRY_DELAY = 0
    settings.MAIL_MAX_ATTEMPTS = 2
    ProviderOutage.failures_left = 10

    with django_capture_on_commit_callbacks(execute=True):
        queued = mail_queue(
            kind=MailKind.SUBMITTED,
            to="alle@schoolsoft.com.tw",
            context={},
            application=application,
        )
    call_command("mail_retry", verbosity=0)
    call_command("mail_retry", verbosity=0)

    queued.refresh_from_db()
    assert queued.status == "failed" and queued.attempts == 2
    assert queued.next_attempt_at is None and queued.needs_attention


@pytest.mark.django_db
def test_a_provider_failure_never_rolls_back_the_callers_change(
    application, settings, django_capture_on_commit_callbacks
):
    use_mail_backend(settings, "tests.review_workflow.provider_doubles.FlakyBackend")
    ProviderOutage.failures_left = 10

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Application.objects.filter(pk=application.pk).update(live=True)
            mail_queue(
                kind=MailKind.SUBMITTED,
                to="alle@schoolsoft.com.tw",
                context={},
                application=application,
            )

    application.refresh_from_db()
    assert application.live
    assert OutgoingMail.objects.get().status == "failed"


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            mail_queue(kind=MailKind.SUBMITTED, to="alle@schoolsoft.com.tw", context={})
            raise RuntimeError("the approval failed")

    assert callbacks == []
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []


# Delivery tracking and the registrar's resend --------------------------------------------------


def postmark_bounce(message_id: str, email: str) -> dict:
    """A Postmark bounce webhook, as Postmark's documentation shows it."""
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": message_id,
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "noreply@localhost",
        "BouncedAt": "2026-11-29T10:00:00Z",
        "Inactive": True,
        "CanActivate": True,
        "Subject": "臺北市親子帳號綁定",
        "MessageStream": "outbound",
    }


def post_webhook(client, payload: dict, auth: str | None = WEBHOOK_SECRET):
    headers = {}
    if auth is not None:
        headers["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(
        reverse("anymail:postmark_tracking_webhook"),
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def bounced_approval(application, settings, client, django_capture_on_commit_callbacks):
    """An approval mail to a mistyped address, which the provider reports as bounced."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    father = application.applicants.get(position=1)
    father.email = "alle@schoolsfot.com.tw"
    father.save()
    account = UserFactory(username="alle@schoolsfot.com.tw", email="alle@schoolsfot.com.tw")
    with django_capture_on_commit_callbacks(execute=True):
        (approval,) = mails_for_approval(
            application=application, accounts={father.pk: (account, True)}
        )
    approval.refresh_from_db()
    response = post_webhook(client, postmark_bounce(approval.message_id, approval.to_address))
    assert response.status_code == 200
    approval.refresh_from_db()
    return approval


@pytest.mark.django_db
def test_the_webhook_records_a_bounce_the_registrar_sees(bounced_approval, rf):
    assert bounced_approval.status == "bounced"
    event = bounced_approval.events.get()
    assert event.event_type == "bounced"
    assert event.recipient == "alle@schoolsfot.com.tw"
    assert "unknown user" in event.description
    assert bounced_approval.needs_attention

    request = rf.get("/admin/applications/1/")
    html = Template("{% load review_mail %}{% mail_status application %}").render(
        Context({"request": request, "application": bounced_approval.application})
    )
    assert "mail-status__problem" in html
    assert reverse("review_workflow_mail_resend", args=(bounced_approval.pk,)) in html


@pytest.mark.django_db
def test_a_repeated_webhook_is_recorded_once(bounced_approval, client):
    post_webhook(client, postmark_bounce(bounced_approval.message_id, bounced_approval.to_address))

    assert bounced_approval.events.count() == 1


@pytest.mark.django_db
def test_a_late_delivered_event_does_not_hide_a_bounce(bounced_approval, client):
    post_webhook(
        client,
        {
            "RecordType": "Delivery",
            "MessageID": bounced_approval.message_id,
            "Recipient": bounced_approval.to_address,
            "DeliveredAt": "2026-11-29T10:01:00Z",
        },
    )

    bounced_approval.refresh_from_db()
    assert bounced_approval.status == "bounced"
    assert bounced_approval.events.count() == 2


@pytest.mark.django_db
def test_the_webhook_refuses_a_post_without_the_secret(bounced_approval, client):
    delivered = {
        "RecordType": "Delivery",
        "MessageID": bounced_approval.message_id,
        "Recipient": bounced_approval.to_address,
        "DeliveredAt": "2026-11-29T10:01:00Z",
    }

    missing = post_webhook(client, delivered, auth=None)
    wrong = post_webhook(client, delivered, auth="anymail:guessed")

    assert missing.status_code == 400 and wrong.status_code == 400
    assert bounced_approval.events.count() == 1


@pytest.mark.django_db
def test_the_registrar_corrects_the_address_and_resends(
    bounced_approval, client, django_capture_on_commit_callbacks
):
    application = bounced_approval.application
    registrar = registrar_user(of_school=application.student.school)
    admin_login(client, registrar)
    url = reverse("review_workflow_mail_resend", args=(bounced_approval.pk,))

    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": "alle@schoolsoft.com.tw", "next": "/admin/"})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    resent = OutgoingMail.objects.get(resend_of=bounced_approval)
    assert resent.to_address == "alle@schoolsoft.com.tw"
    assert resent.status == "sent"
    assert "帳號：alle@schoolsoft.com.tw" in resent.body
    assert django_mail.outbox[-1].to == ["alle@schoolsoft.com.tw"]
    assert application.applicants.get(position=1).email == "alle@schoolsoft.com.tw"
    account = get_user_model().objects.get(pk=bounced_approval.user_id)
    assert account.username == account.email == "alle@schoolsoft.com.tw"
    entry = SchoolLogEntry.objects.get(action="review_workflow.mail_resend")
    assert entry.object_id == str(application.pk) and entry.user == registrar
    assert entry.data["to"] == "alle@schoolsoft.com.tw"
    assert not OutgoingMail.objects.get(pk=bounced_approval.pk).needs_attention


@pytest.mark.django_db
def test_a_registrar_of_another_school_cannot_resend(bounced_approval, client):
    other = school(moe_code="313602", name="臺北市立民生國民小學")
    admin_login(client, registrar_user(of_school=other))
    url = reverse("review_workflow_mail_resend", args=(bounced_approval.pk,))

    assert client.get(url).status_code == 404
    assert client.post(url, {"to": "attacker@example.com"}).status_code == 404
    assert not OutgoingMail.objects.filter(resend_of=bounced_approval).exists()
    assert not Applicant.objects.filter(email="attacker@example.com").exists()


@pytest.mark.django_db
def test_a_resend_to_an_address_another_account_has_is_refused(bounced_approval):
    UserFactory(username="taken@example.com", email="taken@example.com")
    registrar = registrar_user(of_school=bounced_approval.application.student.school)

    with pytest.raises(MailAddressTaken):
        mail_resend(mail=bounced_approval, to="taken@example.com", by=registrar)
