"""What a reviewed submission goes through: started, kept as a draft, sent once, reviewed."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import WorkflowState

from binding_forms.reviewed_forms.signals import submission_sent


def submission_start(*, model, lookup: dict, defaults: dict | None = None):
    """The submission ``lookup`` finds, created as an empty draft the first time.

    Two first visits at once (a double click) find the same row when ``lookup`` is unique in
    the table (a constraint), and otherwise two drafts, never an error.
    """
    submission = model.objects.filter(**lookup).order_by("-pk").first()
    if submission is not None:
        return submission
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **(defaults or {}), live=False)
    except IntegrityError:
        return model.objects.filter(**lookup).order_by("-pk").first()


def submission_draft_save(*, submission, values: dict) -> None:
    """暫存: keep ``values`` beside what the draft holds, valid or not; personal values only
    encrypted."""
    submission.draft_data = {**submission.draft_data, **submission.draft_encrypt(values)}
    type(submission).objects.filter(pk=submission.pk).update(draft_data=submission.draft_data)


def submission_draft_values(*, submission) -> dict:
    """The draft with its personal values decrypted: to validate it again when it is sent,
    never for a page."""
    return submission.draft_decrypt(submission.draft_data)


def submission_submit(
    *,
    submission,
    user,
    changes: dict | None = None,
    ready: Q = Q(),  # noqa: B008 (Q() matches every row and is never changed)
    related_write: Callable[[bool], None] | None = None,
    keep_draft: bool = False,
) -> bool:
    """確認送出, once: write ``changes`` with the time it was sent, empty the draft, and queue
    the start (or the resumption) of its review. Call inside a transaction.

    A first submission claims its row with one conditional UPDATE (which locks it), so a double
    click, a second tab or a replayed request finds it sent and changes nothing. Sending again
    after changes were requested locks the row, looks, then decides. ``ready`` is what the
    row must satisfy to be sent at all (earlier steps done); ``related_write(resent)`` writes
    the rows that belong to what is sent (the applicants of an application) before the review
    is queued. ``keep_draft`` keeps what was typed (a form whose answers live only in the draft
    is changed from it when changes are requested). False when nothing was sent.
    """
    from binding_forms.reviewed_forms.tasks import submission_review_start_task

    model = type(submission)
    changes = {**(changes or {}), "submitted_at": timezone.now()}
    if not keep_draft:
        changes["draft_data"] = {}
    claimed = model.objects.filter(ready, pk=submission.pk, submitted_at__isnull=True)
    resent = False
    if not claimed.update(**changes):
        locked = model.objects.select_for_update(of=("self",)).filter(ready, pk=submission.pk)
        locked = locked.first()
        if locked is None or not locked.needs_changes:
            return False
        model.objects.filter(pk=submission.pk).update(**changes)
        resent = True
    for name, value in changes.items():
        setattr(submission, name, value)
    submission.status_forget()
    if related_write is not None:
        related_write(resent)
    submission_review_start_task.enqueue(submission._meta.label, submission.pk, user.pk)
    return True


def submission_review_start(*, submission, user) -> bool:
    """After sending: a revision of what was sent, then the review — started the first time,
    resumed after changes were requested — and ``submission_sent`` for the rest of the site
    (its confirmation mail). False when there was nothing to do (a replayed job)."""
    if submission.live:  # approved already (a step may approve by itself): a replayed job
        return False
    state = submission.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        return False
    submission.save_revision(user=user, clean=False)
    resent = state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES
    if resent:
        state.resume(user=user)
    elif (workflow := submission.get_workflow()) is not None:
        workflow.start(submission, user)
    submission.status_forget()
    submission_sent.send(sender=type(submission), submission=submission, resent=resent)
    return True
