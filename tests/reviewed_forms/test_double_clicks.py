"""A school form's requests sent twice at the same moment (a double click on a slow phone, a
second tab) through the real views on a real PostgreSQL: sent once, one draft, one mail."""

import pytest
from django.db import connection
from django.test import Client
from wagtail.models import WorkflowState

from review_workflow.models import OutgoingMail, ParentStudentLink, SchoolFormSubmission
from tests.binding_forms.test_wizard_double_clicks import twice
from tests.factories import (
    UserFactory,
    office_review_workflow,
    school,
    school_form,
    student,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]
FIRST = {
    "u8acbu5047u65e5u671fu8d77": "2026-12-01",
    "u8acbu5047u65e5u671fu8fc4": "2026-12-01",
    "u5047u5225": "事假",
}


@pytest.fixture
def form(home_page):
    return school_form(parent=home_page, workflow=office_review_workflow())


@pytest.fixture
def parent_client():
    parent = UserFactory(username="dad@example.com", email="dad@example.com")
    ParentStudentLink.objects.create(
        parent=parent, student=student(school=school()), relationship="父女"
    )
    client = Client()
    client.force_login(parent)
    return client


def test_two_first_requests_at_once_make_one_draft(parent_client, form):
    answers = twice(parent_client, f"{form.url}part1/", FIRST)

    assert [answer.status_code for answer in answers] == [302, 302]
    submission = SchoolFormSubmission.objects.get()
    assert submission.draft_data["part1"]["u5047u5225"] == "事假"


def test_sending_twice_sends_once_and_both_answers_show_the_status(parent_client, form):
    parent_client.get(form.url)
    parent_client.post(f"{form.url}part1/", FIRST)
    parent_client.post(f"{form.url}part2/", {"u4e8bu7531": "家中有事。"})
    submission = SchoolFormSubmission.objects.get()

    answers = twice(parent_client, f"{form.url}confirm/?submission={submission.pk}", {})

    assert [answer.status_code for answer in answers] == [302, 302]
    assert all("/status/" in answer["Location"] for answer in answers)
    submission.refresh_from_db()
    assert submission.submitted_at is not None
    assert WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS).count() == 1
    assert OutgoingMail.objects.filter(kind="form_sent").count() == 1


def test_filing_another_twice_starts_one_new_draft(parent_client, form):
    parent_client.get(form.url)
    parent_client.post(f"{form.url}part1/", FIRST)
    parent_client.post(f"{form.url}part2/", {"u4e8bu7531": "家中有事。"})
    parent_client.post(f"{form.url}confirm/")
    child = SchoolFormSubmission.objects.get().student

    answers = twice(parent_client, f"{form.url}child/", {"child": child.pk})

    assert [answer.status_code for answer in answers] == [302, 302]
    assert SchoolFormSubmission.objects.filter(submitted_at__isnull=True).count() == 1
    assert SchoolFormSubmission.objects.count() == 2
