"""From submitted to approved: the school's step, the parent accounts it makes, and the parent's
first sign-in with email + last six digits of the ID number."""

import datetime
import re

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import TaskState, WorkflowState

from binding_forms.models import Application
from review_workflow.models import (
    OutgoingMail,
    ParentAccount,
    ParentStudentLink,
    SchoolOfficeTask,
)
from review_workflow.services.approval import ProvisioningError
from tests.factories import (
    FATHER,
    MOTHER,
    UserFactory,
    registrar_user,
    school,
    student,
    submitted_application,
)
from tests.pii import tables_holding

SIGNIN = "/signin/"


def decide(application, user, action, comment=""):
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, user, action, comment=comment)
    application.refresh_from_db()


def sign_in_as_parent(client, email, password):
    html = client.get(SIGNIN, {"tab": "parent"}).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return client.post(
        SIGNIN,
        {
            "tab": "parent",
            "email": email,
            "password": password,
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
        },
    )


@pytest.fixture
def xiaohua(songshan):
    return student(school=songshan)


@pytest.fixture
def other_registrar(db):
    return registrar_user(
        of_school=school(moe_code="353604", name="臺北市大安區大安國民小學", district="大安區"),
        username="daan-registrar",
    )


def test_the_migration_assigns_a_school_registrar_review_to_applications(db):
    workflow = Application().get_workflow()

    assert workflow is not None and workflow.active
    assert [type(task.specific) for task in workflow.tasks.all()] == [SchoolOfficeTask]


def test_approved_parent_signs_in_with_email_and_last_six_digits_then_must_change_it(
    client, xiaohua, registrar
):
    application = submitted_application(student=xiaohua)
    decide(application, registrar, "approve")

    assert application.live
    assert application.current_workflow_state is None
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_APPROVED
    parent = get_user_model().objects.get(username="alle@schoolsoft.com.tw")
    assert parent.email == "alle@schoolsoft.com.tw"
    assert parent.first_name == "陳大名"
    assert parent.password_change_required and not parent.has_usable_password()
    link = ParentStudentLink.objects.get()
    assert (link.parent, link.student, link.relationship) == (parent, xiaohua, "父女")
    assert link.approved_by == registrar
    assert tables_holding("A123456789") == []
    (approval,) = OutgoingMail.objects.filter(kind="approved")
    assert approval.to_address == "alle@schoolsoft.com.tw"  # sent once the approval commits
    assert "alle@schoolsoft.com.tw" in approval.body and "末六碼" in approval.body
    assert "456789" not in approval.subject + approval.body

    wrong = sign_in_as_parent(client, "alle@schoolsoft.com.tw", "A123456789")
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session

    signed_in = sign_in_as_parent(client, "Alle@SchoolSoft.com.tw", "456789")
    assert signed_in.status_code == 302
    assert signed_in["Location"].startswith("/signin/password/")
    assert client.session["_auth_user_id"] == str(parent.pk)
    assert client.get("/bind/").status_code == 302  # nothing else before the change

    changed = client.post(
        "/signin/password/",
        {"new_password1": "Hua-papa-2026!", "new_password2": "Hua-papa-2026!"},
    )
    assert changed.status_code == 302
    parent.refresh_from_db()
    assert not parent.password_change_required and parent.check_password("Hua-papa-2026!")

    client.logout()
    assert sign_in_as_parent(client, "alle@schoolsoft.com.tw", "456789").status_code == 200
    assert sign_in_as_parent(client, "alle@schoolsoft.com.tw", "Hua-papa-2026!").status_code == 302


def test_the_first_password_expires_unused(client, xiaohua, registrar, settings):
    settings.PARENT_FIRST_PASSWORD_DAYS = 14
    application = submitted_application(student=xiaohua)
    decide(application, registrar, "approve")
    account = ParentAccount.objects.get()
    expires = account.first_password_expires_at
    assert expires - timezone.now() > datetime.timedelta(days=13, hours=23)

    ParentAccount.objects.update(first_password_expires_at=timezone.now())

    assert sign_in_as_parent(client, "alle@schoolsoft.com.tw", "456789").status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_expired_first_password_is_replaced_by_the_reset_mail(client, xiaohua, registrar):
    from django.core import mail

    decide(submitted_application(student=xiaohua), registrar, "approve")
    ParentAccount.objects.update(first_password_expires_at=timezone.now())
    mail.outbox.clear()

    client.post("/signin/reset/", {"email": "alle@schoolsoft.com.tw"})

    assert [message.to for message in mail.outbox] == [["alle@schoolsoft.com.tw"]]


def test_two_applicants_get_two_accounts_and_links(xiaohua, registrar):
    application = submitted_application(student=xiaohua, applicants=(FATHER, MOTHER))
    decide(application, registrar, "approve", comment="資料相符")

    links = ParentStudentLink.objects.order_by("relationship")
    assert [(link.parent.username, link.relationship) for link in links] == [
        ("mei@example.com", "母女"),
        ("alle@schoolsoft.com.tw", "父女"),
    ]
    assert TaskState.objects.get().comment == "資料相符"


def test_siblings_reuse_one_parent_account(songshan, xiaohua, registrar):
    brother = student(school=songshan, number="110021", name="陳小明", id_number="A100000001")
    decide(submitted_application(student=xiaohua), registrar, "approve")
    # The father applies for the second child with another email: the ID finds his account.
    decide(
        submitted_application(student=brother, applicants=({**FATHER, "email": "da@x.tw"},)),
        registrar,
        "approve",
    )

    parent = get_user_model().objects.get(parent_account__isnull=False)
    assert ParentAccount.objects.count() == 1
    approvals = OutgoingMail.objects.filter(kind__startswith="approved").order_by("pk")
    assert list(approvals.values_list("kind", "to_address")) == [
        ("approved", "alle@schoolsoft.com.tw"),
        ("approved_existing", "da@x.tw"),  # his account, his own password
    ]
    assert sorted(link.student.name for link in parent.child_links.all()) == ["陳小明", "陳小花"]


def test_a_parent_account_found_by_email_is_reused(xiaohua, registrar):
    existing = UserFactory(username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw")

    decide(submitted_application(student=xiaohua), registrar, "approve")

    assert ParentStudentLink.objects.get().parent == existing
    assert ParentAccount.objects.get().user == existing


def test_an_email_that_signs_in_a_staff_member_stops_the_approval_whole(xiaohua, registrar):
    UserFactory(username="alle@schoolsoft.com.tw", is_staff=True)
    application = submitted_application(student=xiaohua)

    with pytest.raises(ProvisioningError):
        decide(application, registrar, "approve")

    application.refresh_from_db()
    assert not application.live
    assert application.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    assert TaskState.objects.get().status == TaskState.STATUS_IN_PROGRESS
    assert not ParentStudentLink.objects.exists() and not ParentAccount.objects.exists()


def test_changes_requested_resubmitted_then_approved(xiaohua, registrar):
    from binding_forms.binding.services import application_submit
    from binding_forms.models import ApplicationType

    application = submitted_application(student=xiaohua)
    decide(application, registrar, "reject", comment="手機號碼有誤")
    assert application.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES

    application_submit(
        application=application,
        application_type=ApplicationType(label="一位申請帳號", applicant_count=1),
        applicants=[{**FATHER, "mobile": "0912000111", "position": 1}],
        user=application.requester,
    )
    application.refresh_from_db()
    decide(application, registrar, "approve")

    assert application.live
    assert WorkflowState.objects.count() == 1
    assert ParentAccount.objects.get().mobile == "0912000111"


def test_each_sending_mails_each_applicant_one_confirmation(xiaohua, registrar):
    # submission_sent: sent once per (re)sending, and the mail is its one receiver.
    from binding_forms.binding.services import application_submit
    from binding_forms.models import ApplicationType

    application = submitted_application(student=xiaohua)
    assert OutgoingMail.objects.filter(kind="submitted").count() == 1
    decide(application, registrar, "reject", comment="請補上第二位監護人")

    application_submit(
        application=application,
        application_type=ApplicationType(label="雙親為監護人，二位申請帳號", applicant_count=2),
        applicants=[{**FATHER, "position": 1}, {**MOTHER, "position": 2}],
        user=application.requester,
    )

    sent_again = OutgoingMail.objects.filter(kind="submitted").order_by("pk")[1:]
    assert sorted(mail.to_address for mail in sent_again) == sorted(
        [FATHER["email"], MOTHER["email"]]
    )


def test_a_registrar_of_another_school_can_neither_see_nor_act(xiaohua, registrar, other_registrar):
    application = submitted_application(student=xiaohua)
    state = application.current_workflow_state.current_task_state
    task = state.task.specific

    assert task.get_actions(application, other_registrar) == []
    assert not task.user_can_access_editor(application, other_registrar)
    assert task.locked_for_user(application, other_registrar)
    assert not task.user_can_lock(application, other_registrar)
    assert list(TaskState.objects.reviewable_by(other_registrar)) == []

    assert [name for name, *_ in task.get_actions(application, registrar)] == [
        "reject",
        "approve",
        "approve",
    ]
    assert task.user_can_access_editor(application, registrar)
    assert not task.locked_for_user(application, registrar)
    assert list(TaskState.objects.reviewable_by(registrar)) == [state]


def test_a_registrar_who_left_the_school_can_no_longer_act(xiaohua, registrar, songshan):
    application = submitted_application(student=xiaohua)
    songshan.staff.filter(user=registrar).delete()
    registrar = get_user_model().objects.get(pk=registrar.pk)  # a new request

    task = application.current_workflow_state.current_task_state.task.specific
    assert task.get_actions(application, registrar) == []
    assert list(TaskState.objects.reviewable_by(registrar)) == []


def test_bulk_approval_approves_what_the_registrar_may_and_reports_the_rest(
    songshan, xiaohua, registrar, other_registrar
):
    from review_workflow.services.bulk import applications_approve

    brother = student(school=songshan, number="110021", name="陳小明", id_number="A100000001")
    third = student(school=songshan, number="110022", name="陳小美", id_number="A200000003")
    elsewhere = student(
        school=other_registrar.school_offices.get().school, number="108035", id_number="A100000010"
    )
    UserFactory(username="taken@example.com", is_staff=True)
    mine = [
        submitted_application(student=xiaohua),
        submitted_application(student=brother, applicants=(MOTHER,)),
        submitted_application(
            student=third,
            applicants=({**MOTHER, "email": "taken@example.com", "id_number": "A228704148"},),
        ),
    ]
    theirs = submitted_application(student=elsewhere, applicants=({**FATHER, "email": "o@x.tw"},))

    result = applications_approve(applications=[*mine, theirs], by=registrar)

    assert result.approved == mine[:2]
    assert [(application, bool(reason)) for application, reason in result.skipped] == [
        (mine[2], True),
        (theirs, True),
    ]
    assert list(Application.objects.filter(live=True).order_by("pk")) == mine[:2]
    assert ParentStudentLink.objects.count() == 2


def test_requesting_changes_needs_a_comment_in_the_admin(client, xiaohua, registrar):
    from django.urls import reverse

    from tests.factories import admin_login

    application = submitted_application(student=xiaohua)
    task_state = application.current_workflow_state.current_task_state
    admin_login(client, registrar)
    modal = reverse("application:workflow_action", args=(application.pk, "reject", task_state.pk))

    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    empty = client.post(modal, {"comment": "  "}, **xhr)
    assert empty.status_code == 200 and "請說明家長需要修改的地方" in empty.json()["html"]
    # A request that skips the modal (the edit form's own workflow action) is refused too.
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, registrar, "reject", comment="")
    application.refresh_from_db()
    assert application.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    said = client.post(modal, {"comment": "手機號碼有誤"}, **xhr)

    assert said.status_code in (200, 302)
    application.refresh_from_db()
    assert application.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert TaskState.objects.get().comment == "手機號碼有誤"


def test_a_bounced_approval_mail_shows_on_the_application_with_a_way_to_resend(
    client, xiaohua, registrar, django_capture_on_commit_callbacks, settings
):
    from django.urls import reverse

    from review_workflow.mail.outbox import mail_track
    from tests.factories import admin_login, use_mail_backend

    use_mail_backend(settings)
    application = submitted_application(student=xiaohua)
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, registrar, "approve")
    approval = OutgoingMail.objects.get(kind="approved")
    assert approval.status == "sent" and approval.message_id
    mail_track(message_id=approval.message_id, event_type="bounced", recipient=approval.to_address)
    admin_login(client, registrar)

    edit = client.get(reverse("application:edit", args=(application.pk,))).content.decode()
    inspect = client.get(reverse("application:inspect", args=(application.pk,))).content.decode()

    resend = reverse("review_workflow_mail_resend", args=(approval.pk,))
    assert "mail-status__problem" in edit and f'href="{resend}?next=' in edit  # no nested form
    assert f'action="{resend}"' in inspect


def test_a_replayed_review_start_mails_nobody_twice(xiaohua):
    from binding_forms.reviewed_forms.tasks import submission_review_start_task

    application = submitted_application(student=xiaohua)  # the task ran once (immediate)
    assert OutgoingMail.objects.filter(kind="submitted").count() == 1

    submission_review_start_task.call(
        Application._meta.label, application.pk, application.requester_id
    )

    assert OutgoingMail.objects.filter(kind="submitted").count() == 1
    assert WorkflowState.objects.count() == 1
