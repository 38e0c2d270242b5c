"""A task worker killed mid-job leaves the job RUNNING for good in django-tasks-db:
``manage.py task_worker`` puts such jobs back in the queue when it starts, and the job's effect
still happens once (benchmarks/load/faults.py kills a real worker under load)."""

import datetime
import socket

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import WorkflowState

from binding_forms.models import Application
from review_workflow.services.task_recovery import (
    task_results_requeue_abandoned,
    task_worker_id,
    worker_process_alive,
)
from tests.factories import school, student, submitted_application

QUEUE = "django_tasks_db.DatabaseBackend"
HOST = socket.gethostname()[:40]


def dead_pid() -> int:
    """A pid no process has (above the kernel's maximum)."""
    with open("/proc/sys/kernel/pid_max") as limit:
        return int(limit.read()) + 1


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {**settings.TASKS, "background": {"BACKEND": QUEUE}}


def claimed_by(worker_id: str, *, minutes_ago: float = 1) -> None:
    """The queued job as a worker leaves it when it dies right after claiming it."""
    DBTaskResult.objects.update(
        status="RUNNING",
        worker_ids=[worker_id],
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows_kept")
def test_a_dead_workers_review_start_runs_again_and_starts_one_review(database_queue, home_page):
    from binding_forms.binding.services import wizard_page_create

    wizard = wizard_page_create(parent=home_page)
    submitted_application(student=student(school=school()), page=wizard)
    claimed_by(f"{HOST}:{dead_pid()}:abcdefgh")

    call_command("db_worker", "--backend", "background", "--batch", "--no-startup-delay")
    assert DBTaskResult.objects.get().status == "RUNNING"  # django-tasks-db alone: stuck

    call_command("task_worker", "--batch", verbosity=0)

    job = DBTaskResult.objects.get(task_path__endswith="submission_review_start_task")
    assert job.status == "SUCCESSFUL" and len(job.worker_ids) == 2
    application = Application.objects.get()
    assert WorkflowState.objects.filter(object_id=str(application.pk)).count() == 1
    assert application.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows_kept")
def test_a_job_run_again_after_its_effect_does_nothing_twice(database_queue, home_page):
    """Killed after the review started but before the job was marked done: run again, no
    second review."""
    from binding_forms.binding.services import wizard_page_create

    wizard = wizard_page_create(parent=home_page)
    submitted_application(student=student(school=school()), page=wizard)
    call_command("task_worker", "--batch", verbosity=0)
    job = DBTaskResult.objects.get(task_path__endswith="submission_review_start_task")
    DBTaskResult.objects.filter(pk=job.pk).update(
        status="RUNNING", worker_ids=[f"{HOST}:{dead_pid()}:abcdefgh"]
    )

    call_command("task_worker", "--batch", verbosity=0)

    job.refresh_from_db()
    assert job.status == "SUCCESSFUL"
    assert WorkflowState.objects.count() == 1


@pytest.mark.django_db
def test_only_jobs_of_dead_or_long_gone_workers_are_queued_again(database_queue):
    from review_workflow.tasks import mail_send

    for _ in range(4):
        mail_send.enqueue(0)
    alive, dead, other_host, other_host_old = DBTaskResult.objects.order_by("enqueued_at", "pk")
    alive_worker = task_worker_id()
    for result, worker, minutes in (
        (alive, alive_worker, 1),
        (dead, f"{HOST}:{dead_pid()}:abcdefgh", 1),
        (other_host, "elsewhere:123:abcdefgh", 1),
        (other_host_old, "elsewhere:124:abcdefgh", 60),
    ):
        DBTaskResult.objects.filter(pk=result.pk).update(
            status="RUNNING",
            worker_ids=[worker],
            started_at=timezone.now() - datetime.timedelta(minutes=minutes),
        )

    requeued = task_results_requeue_abandoned(
        backend_name="background",
        abandoned_after=datetime.timedelta(minutes=15),
        alive=lambda worker: worker == alive_worker or worker_process_alive(worker),
    )

    assert requeued == 2
    states = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert states[alive.pk] == "RUNNING" and states[other_host.pk] == "RUNNING"
    assert states[dead.pk] == "READY" and states[other_host_old.pk] == "READY"


def test_a_reused_pid_is_not_a_worker():
    import os

    # This process is pytest, not a task worker: its pid in a worker id means the worker died.
    assert not worker_process_alive(f"{HOST}:{os.getpid()}:abcdefgh")
    assert not worker_process_alive(f"{HOST}:{dead_pid()}:abcdefgh")
    assert worker_process_alive(f"elsewhere:{os.getpid()}:abcdefgh")
