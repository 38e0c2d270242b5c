"""Production's queue: the parent's request stores the review start, ``db_worker`` runs it.

On Django 6 the worker only loads ``django.tasks`` tasks; this proves ours are, and that
Wagtail's own tasks (declared with the backport) do not land in the queue at all.
"""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from wagtail.models import WorkflowState

from binding_forms.models import Application
from review_workflow.models import OutgoingMail
from tests.factories import school, student, submitted_application

QUEUE = "django_tasks_db.DatabaseBackend"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": QUEUE}}


# A real transaction per request and task, as in production (the worker also closes the
# connection between tasks, which a test inside one transaction cannot survive on PostgreSQL).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows_kept")
def test_the_worker_starts_the_review_the_request_queued(database_queue, home_page):
    from binding_forms.binding.services import wizard_page_create

    wizard = wizard_page_create(parent=home_page)  # Wagtail's own tasks run as it publishes
    application = submitted_application(student=student(school=school()), page=wizard)

    queued = {result.task_path: result for result in DBTaskResult.objects.all()}
    # One task a submission (review start and confirmation mail); Wagtail's own ran in the
    # request, not queued.
    assert sorted(queued) == ["binding_forms.reviewed_forms.tasks.submission_review_start_task"]
    assert {result.status for result in queued.values()} == {"READY"}
    assert application.current_workflow_state is None
    assert not OutgoingMail.objects.exists()

    call_command("db_worker", "--backend", "background", "--batch", "--no-startup-delay")
    call_command("db_worker", "--backend", "background", "--batch", "--no-startup-delay")

    assert DBTaskResult.objects.count() == 2  # the review start, then the mail's send
    for result in DBTaskResult.objects.all():
        assert result.status == "SUCCESSFUL", (result.task_path, result.exception_class_path)
    application = Application.objects.get()
    assert application.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
    (confirmation,) = OutgoingMail.objects.all()
    assert confirmation.status == "sent" and confirmation.to_address == "alle@schoolsoft.com.tw"
