"""申請解除綁定 and the email code sent twice at the same moment (a double tap on a slow phone)
through the real views on a real PostgreSQL: one request, one code."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_email.models import EmailDevice

from review_workflow.models import ParentStudentLink, SchoolLogEntry
from tests.binding_forms.test_wizard_double_clicks import twice
from tests.factories import school, student
from tests.review_workflow.test_parent_records import bind, parent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]


@pytest.fixture
def dad_client():
    dad = parent()
    link = bind(dad, student(school=school()))
    client = Client()
    client.force_login(dad)
    return client, dad, link


def test_a_double_submitted_unbinding_request_is_one_request(dad_client):
    client, _dad, link = dad_client

    answers = twice(client, f"/me/unbind/{link.pk}/", {"reason": "監護權變更"})

    assert [answer.status_code for answer in answers] == [302, 302]
    link.refresh_from_db()
    assert link.unbinding_requested_at is not None
    assert ParentStudentLink.objects.filter(unbinding_requested_at__isnull=False).count() == 1
    assert SchoolLogEntry.objects.filter(action="review_workflow.request_unbinding").count() == 1


def test_a_double_submitted_email_change_sends_one_code(dad_client):
    client, dad, _link = dad_client

    answers = twice(client, "/me/profile/", {"action": "email", "email": "new@example.com"})

    assert all(answer.status_code in (200, 302) for answer in answers)
    assert EmailDevice.objects.filter(user=dad).count() == 1
    assert len(mail.outbox) == 1
