"""Background work of reviewed submissions (django.tasks: the database queue and ``db_worker``
in production, run at once in development and tests)."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

try:  # Django 6: the framework itself, which django-tasks-db's queue and worker run
    from django.tasks import task
except ImportError:  # Django 5.2 LTS: the backport
    from django_tasks import task


@task(backend="background")
def submission_review_start_task(model_label: str, submission_id: int, user_id: int) -> None:
    """Start (or resume) the review of a sent submission, with its sender as the requester.

    Wagtail's workflow machinery costs some forty queries: the sender's request only enqueues
    this, in the same transaction as the submission (a worker never sees half of it). The row
    is locked while it runs, and a replayed job finds the review under way and does nothing.
    """
    from binding_forms.reviewed_forms.services import submission_review_start

    model = apps.get_model(model_label)
    with transaction.atomic():
        submission = model.objects.select_for_update(of=("self",)).get(pk=submission_id)
        submission_review_start(
            submission=submission, user=get_user_model().objects.get(pk=user_id)
        )
