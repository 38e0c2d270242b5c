"""Background work of the binding wizard (django.tasks: the database queue and ``db_worker`` in
production, run at once in development and tests)."""

from django.contrib.auth import get_user_model
from django.db import transaction

try:  # Django 6: the framework itself, which django-tasks-db's queue and worker run
    from django.tasks import task
except ImportError:  # Django 5.2 LTS: the backport
    from django_tasks import task

from binding_forms.models import Application
from binding_forms.reviewed_forms.signals import submission_sent


@task(backend="background")
def application_start_review(application_id: int, user_id: int) -> None:
    """After 確認送出: snapshot the submitted application as a revision, start (or resume) the
    review workflow with the parent as requester, and tell the site (``submission_sent``: the
    confirmation mail is a receiver of review_workflow).

    Wagtail's workflow machinery costs some forty queries; the parent's request only enqueues
    this one task (in the same transaction as the application, so a worker never sees half of
    it). A replayed task finds the review under way and mails nobody twice.
    """
    from binding_forms.binding.services import application_needs_changes
    from binding_forms.binding.services import application_start_review as start

    with transaction.atomic():
        application = (
            # Not the wizard page: a nullable join cannot be locked FOR UPDATE on PostgreSQL.
            Application.objects.select_for_update()
            .select_related("student__school")
            .get(pk=application_id)
        )
        resent = application_needs_changes(application=application)
        if start(application=application, user=get_user_model().objects.get(pk=user_id)):
            submission_sent.send(sender=type(application), submission=application, resent=resent)
