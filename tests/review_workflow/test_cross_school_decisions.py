"""A registrar decides only their own school's applications, whichever URL or API names the
task state: Wagtail's workflow views load the task state by its id alone."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import TaskState

from review_workflow.models import OutgoingMail, ParentStudentLink
from review_workflow.services.bulk import applications_approve
from tests.factories import MOTHER, admin_login, registrar_user, student, submitted_application

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def applications(songshan, yingqiao):
    """One application in review at each school: {school moe code: application}."""
    return {
        "313601": submitted_application(student=student(school=songshan)),
        "353601": submitted_application(
            student=student(
                school=yingqiao, number="200001", name="林大明", id_number="F131104093"
            ),
            applicants=(MOTHER,),
        ),
    }


@pytest.fixture(params=["songshan registrar", "yingqiao registrar"])
def sides(request, registrar, other_registrar, applications):
    """(the registrar, their own application, the other school's application): both ways."""
    if request.param == "songshan registrar":
        return registrar, applications["313601"], applications["353601"]
    return other_registrar, applications["353601"], applications["313601"]


def _state(application) -> TaskState:
    return application.current_workflow_state.current_task_state


def _untouched(application):
    state = TaskState.objects.get(pk=_state(application).pk)
    assert state.status == TaskState.STATUS_IN_PROGRESS
    assert state.comment == ""
    application.refresh_from_db()
    assert not application.live
    assert not ParentStudentLink.objects.filter(student=application.student).exists()
    assert not OutgoingMail.objects.filter(application=application, kind__startswith="approved")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("view", "action", "data"),
    [
        ("workflow_action", "approve", {}),
        ("workflow_action", "approve", {"comment": "核准"}),
        ("workflow_action", "reject", {"comment": "請改正手機號碼"}),
        ("collect_workflow_action_data", "approve", {"comment": "核准"}),
        ("collect_workflow_action_data", "reject", {"comment": "請改正手機號碼"}),
    ],
)
def test_another_schools_task_state_in_an_own_applications_url_is_not_found(
    client, sides, view, action, data
):
    user, own, foreign = sides
    admin_login(client, user)
    url = reverse(f"application:{view}", args=(own.pk, action, _state(foreign).pk))

    assert client.get(url, **XHR).status_code == 404
    assert client.post(url, data, **XHR).status_code == 404
    assert client.post(url, data).status_code == 404

    _untouched(foreign)
    _untouched(own)


@pytest.mark.django_db
def test_the_own_task_state_still_works_in_both_schools(client, sides):
    user, own, _foreign = sides
    admin_login(client, user)
    url = reverse("application:workflow_action", args=(own.pk, "approve", _state(own).pk))

    assert client.post(url, {"comment": ""}, **XHR).status_code == 200

    own.refresh_from_db()
    assert own.live
    assert ParentStudentLink.objects.filter(student=own.student).exists()


@pytest.mark.django_db
def test_a_task_state_that_is_no_longer_current_is_not_found(client, registrar, applications):
    own = applications["313601"]
    old = _state(own)
    old.task.specific.on_action(old, registrar, "reject", comment="請補上第二位監護人")
    # The parent resends: the review resumes with a new task state.
    from binding_forms.reviewed_forms.services import submission_review_start

    own.refresh_from_db()
    submission_review_start(submission=own, user=own.requester)
    assert _state(own).pk != old.pk
    admin_login(client, registrar)

    for view in ("workflow_action", "collect_workflow_action_data"):
        url = reverse(f"application:{view}", args=(own.pk, "approve", old.pk))
        assert client.post(url, **XHR).status_code == 404, view
    assert TaskState.objects.get(pk=old.pk).status == TaskState.STATUS_REJECTED


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_the_task_refuses_a_decision_on_another_schools_state_called_directly(sides, action):
    user, _own, foreign = sides
    state = _state(foreign)

    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, user, action, comment="請改正")

    _untouched(foreign)


@pytest.mark.django_db
def test_the_task_refuses_a_state_that_is_not_current_or_not_its_own(
    registrar, applications, admin_user
):
    own = applications["313601"]
    state = _state(own)
    task = state.task.specific
    finished = TaskState.objects.get(pk=state.pk)
    finished.status = TaskState.STATUS_APPROVED  # as if decided a moment ago in another tab
    assert not task.user_may_decide(finished, registrar, "approve")
    assert not task.user_may_decide(finished, admin_user, "approve")
    assert not task.user_may_decide(state, registrar, "publish")  # not an action of the task
    assert task.user_may_decide(state, registrar, "approve")
    assert task.user_may_decide(state, admin_user, "approve")


@pytest.mark.django_db
def test_bulk_approval_of_both_schools_approves_only_the_registrars_own(sides):
    user, own, foreign = sides

    report = applications_approve(applications=[own, foreign], by=user)

    assert report.approved == [own]
    assert [application for application, _reason in report.skipped] == [foreign]
    _untouched(foreign)


@pytest.mark.django_db
def test_another_office_of_the_same_school_decides_no_application(client, songshan, applications):
    """Applications are the registration office's: the student affairs office of the same school
    neither lists nor decides them, through the task or the admin."""
    own = applications["313601"]
    staff = registrar_user(of_school=songshan, office="student_affairs", username="sa")
    state = _state(own)
    task = state.task.specific

    assert task.get_actions(own, staff) == []
    assert not task.get_task_states_user_can_moderate(staff).exists()
    with pytest.raises(PermissionDenied):
        task.on_action(state, staff, "approve")
    admin_login(client, staff)
    listing = client.get(reverse("application:list")).content.decode()
    action = reverse("application:workflow_action", args=(own.pk, "approve", state.pk))
    assert own.student.name not in listing
    assert client.post(action, {}).status_code in (302, 403, 404)
    _untouched(own)
