"""Two retention runs at the same moment (cron started twice, two app servers) on a real
PostgreSQL: each link that ends is ended once and its parent mailed once."""

import pytest
from django.db import connection
from django.utils import timezone

from review_workflow.models import OutgoingMail, ParentStudentLink
from review_workflow.services.retention import retention_run
from tests.concurrency import at_once
from tests.factories import school, student
from tests.review_workflow.test_retention import _parent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]


def test_two_runs_at_once_end_each_link_once_and_mail_once():
    songshan = school()
    for number, email, id_number in (
        ("108001", "dad@example.com", "A123456789"),
        ("108002", "mum@example.com", "A228704139"),
    ):
        leaver = student(school=songshan, number=number, id_number=id_number, enrolled=False)
        ParentStudentLink.objects.create(
            parent=_parent(email, id_number), student=leaver, relationship="父女"
        )

    counts = at_once(retention_run, retention_run)

    assert sorted(count.links_ended for count in counts) == [0, 2]
    assert sorted(count.left_school_mails for count in counts) == [0, 2]
    assert OutgoingMail.objects.filter(kind="left_school").count() == 2
    assert not ParentStudentLink.objects.filter(revoked_at__isnull=True).exists()
    assert ParentStudentLink.objects.filter(revoked_at__lte=timezone.now()).count() == 2
