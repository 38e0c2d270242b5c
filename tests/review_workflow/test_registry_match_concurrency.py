"""The review start job run twice at the same moment (a worker and its retry, two workers) on a
real PostgreSQL: the registry match approves once — one workflow, one link, one approval mail."""

import pytest
from django.db import connection
from wagtail.models import WorkflowState

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Application, RegistryGuardian
from binding_forms.reviewed_forms.tasks import submission_review_start_task
from review_workflow.models import OutgoingMail, ParentStudentLink, RegistryMatchTaskState
from review_workflow.services.registry_match import registry_match_step_add
from tests.concurrency import at_once
from tests.factories import DUMMY_TASKS, FATHER, school, student, submitted_application

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]


def test_two_review_starts_at_once_approve_once(settings):
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": DUMMY_TASKS}}
    registry_match_step_add(workflow=Application().get_workflow())
    pupil = student(school=school())
    RegistryGuardian.objects.create(
        student=pupil,
        name="陳大名",
        relationship="父",
        id_number_digest=id_number_digest(FATHER["id_number"]),
        id_number_encrypted=encrypt(FATHER["id_number"]),
    )
    application = submitted_application(student=pupil)  # queued, not run

    def run():
        submission_review_start_task.call(
            Application._meta.label, application.pk, application.requester_id
        )

    at_once(run, run, timeout=120)
    application.refresh_from_db()
    assert application.live
    assert WorkflowState.objects.filter(object_id=str(application.pk)).count() == 1
    assert RegistryMatchTaskState.objects.get().outcome == "auto_approved"
    assert ParentStudentLink.objects.count() == 1
    assert OutgoingMail.objects.filter(kind="approved").count() == 1
