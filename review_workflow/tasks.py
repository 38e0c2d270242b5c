"""Background work of the review: sending notification mail (django.tasks: the database queue
and ``db_worker`` in production, run at once in development and tests)."""

try:  # Django 6: the framework itself, which django-tasks-db's queue and worker run
    from django.tasks import task
except ImportError:  # Django 5.2 LTS: the backport
    from django_tasks import task


@task(backend="background")
def mail_send(mail_id: int) -> str:
    """One attempt at sending a stored mail; failures are recorded and retried (see
    ``review_workflow.mail``). Only the row's id travels through the queue, never the text."""
    from review_workflow.mail.outbox import mail_deliver

    mail = mail_deliver(mail_id=mail_id)
    return mail.status if mail is not None else "not due"
