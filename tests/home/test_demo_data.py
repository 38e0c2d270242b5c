"""``manage.py demo_data`` with either task backend: run at once (development) or the database
queue (production's ``TASK_BACKEND=django_tasks_db.DatabaseBackend``)."""

import pytest
from django.core.management import call_command
from wagtail.models import WorkflowState

from binding_forms.models import Application
from review_workflow.models import ParentAccount

QUEUE = "django_tasks_db.DatabaseBackend"


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [None, QUEUE], ids=["immediate", "queue"])
def test_demo_data_loads_whatever_runs_the_background_tasks(settings, backend):
    if backend is not None:
        settings.TASKS = {**settings.TASKS, "background": {"BACKEND": backend}}

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    statuses = sorted(
        (application.student.student_number, application.live, state.status)
        for application in Application.objects.select_related("student")
        if (state := application.current_workflow_state or application.workflow_states.last())
    )
    assert statuses == [
        ("108036", False, WorkflowState.STATUS_IN_PROGRESS),
        ("108037", False, WorkflowState.STATUS_IN_PROGRESS),
        ("108038", False, WorkflowState.STATUS_IN_PROGRESS),
        ("108041", True, WorkflowState.STATUS_APPROVED),
    ]
    assert list(ParentAccount.objects.values_list("user__username", flat=True)) == [
        "chang.kuochiang@example.com"
    ]
