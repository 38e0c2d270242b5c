"""學籍比對 as a workflow step: an application the registry vouches for is approved by itself,
through the registrar's own approval path; any other waits for the registrar, with the reason."""

import pytest
from wagtail.models import TaskState, WorkflowState

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Application, RegistryGuardian
from review_workflow.models import (
    OutgoingMail,
    ParentStudentLink,
    RegistryMatchTask,
    RegistryMatchTaskState,
    SchoolLogEntry,
    SchoolOfficeTask,
)
from review_workflow.services.registry_match import registry_match_step_add, relationship_role
from tests.factories import FATHER, MOTHER, student, submitted_application

Outcome = RegistryMatchTaskState.Outcome


def guardian(pupil, *, name, relationship, id_number="", lives_with_student=True):
    return RegistryGuardian.objects.create(
        student=pupil,
        name=name,
        relationship=relationship,
        id_number_digest=id_number_digest(id_number) if id_number else "",
        id_number_encrypted=encrypt(id_number) if id_number else "",
        lives_with_student=lives_with_student,
    )


@pytest.fixture
def match_step(db):
    return registry_match_step_add(workflow=Application().get_workflow())


@pytest.fixture
def xiaohua(songshan):
    pupil = student(school=songshan)
    guardian(pupil, name="陳大名", relationship="父", id_number=FATHER["id_number"])
    return pupil


def match_state(application) -> RegistryMatchTaskState:
    return RegistryMatchTaskState.objects.get(workflow_state__object_id=str(application.pk))


def test_the_step_stands_in_front_of_the_registrar_and_is_added_once(match_step):
    workflow = Application().get_workflow()
    assert registry_match_step_add(workflow=workflow) == match_step
    assert [type(task.specific) for task in workflow.tasks] == [RegistryMatchTask, SchoolOfficeTask]


def test_a_known_guardian_is_approved_by_itself_as_a_registrar_would(match_step, xiaohua):
    application = submitted_application(student=xiaohua)
    application.refresh_from_db()

    assert application.live and application.status.name == "approved"
    state = match_state(application)
    assert state.outcome == Outcome.AUTO_APPROVED and state.status == TaskState.STATUS_APPROVED
    assert state.finished_by is None
    # The registrar's step is skipped, not left waiting.
    workflow_state = state.workflow_state
    assert workflow_state.status == WorkflowState.STATUS_APPROVED
    assert list(workflow_state.task_states.values_list("status", flat=True).order_by("pk")) == [
        TaskState.STATUS_APPROVED,
        TaskState.STATUS_SKIPPED,
    ]
    # The approval path: one link, its mails, the history — once.
    link = ParentStudentLink.objects.get()
    assert link.student == xiaohua and link.relationship == "父女" and link.approved_by is None
    assert OutgoingMail.objects.filter(kind="approved").count() == 1
    actions = list(
        SchoolLogEntry.objects.filter(object_id=str(application.pk))
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"]
    approve = SchoolLogEntry.objects.get(
        object_id=str(application.pk), action="wagtail.workflow.approve"
    )
    assert "陳大名" in approve.data["comment"] and FATHER["id_number"] not in str(approve.data)


@pytest.mark.parametrize(
    ("registry", "applicant", "reason"),
    [
        (
            {"name": "陳大名", "relationship": "父", "id_number": "A123456780"},
            FATHER,
            "有同名的監護人",
        ),
        ({"name": "林美𠮷", "relationship": "母"}, FATHER, "沒有此學生任何監護人的身分證字號"),
        (
            {"name": "陳大名", "relationship": "祖父", "id_number": "A123456789"},
            FATHER,
            "親屬關係是「祖父」，不是「父女」",
        ),
        (
            {
                "name": "陳大名",
                "relationship": "父",
                "id_number": "A123456789",
                "lives_with_student": False,
            },
            FATHER,
            "未與學生同住",
        ),
        (
            {"name": "陳大名", "relationship": "", "id_number": "A123456789"},
            FATHER,
            "未記載其親屬關係",
        ),
    ],
    ids=["typo", "no-id-known", "relationship", "not-living-with", "no-relationship"],
)
def test_anything_else_waits_for_the_registrar_with_the_reason(
    match_step, songshan, registry, applicant, reason
):
    pupil = student(school=songshan)
    guardian(pupil, **registry)
    application = submitted_application(student=pupil, applicants=(applicant,))
    application.refresh_from_db()

    assert not application.live and application.status.name == "in_review"
    state = match_state(application)
    assert state.outcome == Outcome.NEEDS_REGISTRAR and state.status == TaskState.STATUS_SKIPPED
    current = application.current_workflow_state.current_task_state
    assert type(current.task.specific) is SchoolOfficeTask
    assert current.status == TaskState.STATUS_IN_PROGRESS
    assert not ParentStudentLink.objects.exists()
    entry = SchoolLogEntry.objects.get(
        object_id=str(application.pk), action="review_workflow.registry_match.refer"
    )
    assert entry.data["comment"] == state.comment
    assert "學籍比對：需人工審核" in state.comment and reason in state.comment
    assert applicant["id_number"] not in str(entry.data)


def test_both_applicants_must_be_known(match_step, xiaohua):
    application = submitted_application(student=xiaohua, applicants=(FATHER, MOTHER))
    application.refresh_from_db()

    assert not application.live
    assert match_state(application).outcome == Outcome.NEEDS_REGISTRAR
    assert "林美𠮷" in match_state(application).comment


def test_relationship_roles():
    assert relationship_role("父女") == relationship_role("父") == relationship_role("父親") == "父"
    assert relationship_role("母子") == relationship_role("母") == "母"
    assert relationship_role("祖孫") == relationship_role("外祖母") == "祖"
    assert relationship_role("監護人") == "監護人" != relationship_role("叔叔")


# Worker retries, and what cannot be approved by itself ------------------------------------------


def test_a_replayed_review_start_changes_nothing(match_step, xiaohua, settings):
    from binding_forms.reviewed_forms.tasks import submission_review_start_task
    from tests.factories import DUMMY_TASKS

    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": DUMMY_TASKS}}
    application = submitted_application(student=xiaohua)  # queued, not run
    label, requester = Application._meta.label, application.requester_id

    submission_review_start_task.call(label, application.pk, requester)
    submission_review_start_task.call(label, application.pk, requester)  # the worker's retry

    application.refresh_from_db()
    assert application.live
    assert WorkflowState.objects.filter(object_id=str(application.pk)).count() == 1
    assert RegistryMatchTaskState.objects.count() == 1
    assert ParentStudentLink.objects.count() == 1
    assert OutgoingMail.objects.filter(kind="approved").count() == 1
    assert OutgoingMail.objects.filter(kind="submitted").count() == 1


def test_an_email_that_signs_in_someone_else_goes_to_the_registrar(match_step, xiaohua):
    from tests.factories import UserFactory

    UserFactory(username=FATHER["email"], is_staff=True)
    application = submitted_application(student=xiaohua)
    application.refresh_from_db()

    assert not application.live and not ParentStudentLink.objects.exists()
    state = match_state(application)
    assert state.outcome == Outcome.NEEDS_REGISTRAR and FATHER["email"] in state.comment
    assert application.current_workflow_state.current_task_state.status == "in_progress"


def test_alone_in_a_workflow_it_never_approves_what_it_passes_on(songshan, registrar):
    workflow = Application().get_workflow()
    workflow.workflow_tasks.all().delete()
    registry_match_step_add(workflow=workflow)
    pupil = student(school=songshan)
    application = submitted_application(student=pupil)  # the registry knows no guardian
    application.refresh_from_db()

    assert not application.live
    state = match_state(application)
    assert state.outcome == Outcome.NEEDS_REGISTRAR and state.status == "in_progress"
    # It is the registration office's step too: the registrar decides it by hand.
    state.task.specific.on_action(state, registrar, "approve")
    application.refresh_from_db()
    assert application.live and ParentStudentLink.objects.get().approved_by == registrar


# The registrar's screens -----------------------------------------------------------------------


def test_the_registrar_filters_automatic_approvals_and_exceptions(
    client, match_step, xiaohua, songshan, registrar
):
    from django.urls import reverse

    from tests.factories import admin_login

    automatic = submitted_application(student=xiaohua)
    other = student(school=songshan, number="108037", name="王峯", id_number="A118745206")
    exception = submitted_application(
        student=other, applicants=({**MOTHER, "email": "wang@example.com"},)
    )
    admin_login(client, registrar)
    listing = reverse("application:list")

    auto_html = client.get(listing, {"registry_match": "auto_approved"}).content.decode()
    manual_html = client.get(listing, {"registry_match": "needs_registrar"}).content.decode()

    assert "陳小花" in auto_html and "王峯" not in auto_html
    assert "王峯" in manual_html and "陳小花" not in manual_html
    assert "自動核准" in auto_html and "需人工審核" in manual_html
    # The application's screen says what the registry match found.
    screen = client.get(reverse("application:edit", args=(exception.pk,))).content.decode()
    assert "學籍比對" in screen and "學籍資料中沒有此學生任何監護人的身分證字號" in screen
    automatic.refresh_from_db()
    assert automatic.live


def test_a_registrar_revokes_an_automatic_approval_like_any_link(
    client, match_step, xiaohua, registrar
):
    from django.urls import reverse

    from tests.factories import admin_login

    submitted_application(student=xiaohua)
    link = ParentStudentLink.objects.get()
    admin_login(client, registrar)

    response = client.post(
        reverse("parent_student_link:revoke", args=(link.pk,)), {"reason": "監護權變更"}
    )

    link.refresh_from_db()
    assert response.status_code == 302 and link.revoked_at is not None
    assert link.revoked_by == registrar
    assert OutgoingMail.objects.filter(kind="unbound").count() == 1
