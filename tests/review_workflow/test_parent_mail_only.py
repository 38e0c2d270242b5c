"""Parents get the portal's own mails, never Wagtail's internal workflow mails (English, naming
the registrar, linking into the admin), even when the requester has an email address."""

import pytest
from django.core import mail

from review_workflow.models import OutgoingMail
from tests.factories import UserFactory, student, submitted_application


def _decide(application, user, action, comment=""):
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, user, action, comment=comment)


@pytest.fixture
def application_of_a_parent_account(songshan):
    """Requested by a signed-in parent account (a sibling's binding): it has an email."""
    pupil = student(school=songshan)
    pupil.user = UserFactory(username="dad@example.com", email="dad@example.com")
    pupil.save(update_fields=["user"])
    application = submitted_application(student=pupil)
    mail.outbox.clear()
    return application


def _wagtail_mails():
    return [m for m in mail.outbox if "/admin/" in m.body or "Wagtail" in m.body]


@pytest.mark.django_db
def test_a_parent_requester_gets_no_wagtail_mail_when_changes_are_requested(
    application_of_a_parent_account, registrar
):
    _decide(application_of_a_parent_account, registrar, "reject", comment="請改正手機號碼")

    assert _wagtail_mails() == []
    ours = OutgoingMail.objects.filter(kind="changes_requested")
    assert [m.to_address for m in ours] == ["alle@schoolsoft.com.tw"]  # the applicant's
    assert "請改正手機號碼" in ours.get().body


@pytest.mark.django_db
def test_a_parent_requester_gets_no_wagtail_mail_when_approved(
    application_of_a_parent_account, registrar
):
    _decide(application_of_a_parent_account, registrar, "approve")

    assert _wagtail_mails() == []
    ours = OutgoingMail.objects.filter(kind__startswith="approved")
    assert [m.to_address for m in ours] == ["alle@schoolsoft.com.tw"]  # the applicant's


@pytest.mark.django_db
def test_staff_who_requested_a_review_still_get_wagtails_mail(songshan, registrar, admin_user):
    """Wagtail's mails stay for the admin's own users (an administrator who submitted)."""
    pupil = student(school=songshan)
    pupil.user = admin_user
    pupil.save(update_fields=["user"])
    application = submitted_application(student=pupil)
    mail.outbox.clear()

    _decide(application, registrar, "reject", comment="請改正")

    assert [m.to for m in _wagtail_mails()] == [[admin_user.email]]
