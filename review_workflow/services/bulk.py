"""Many approvals at once (the admin's bulk action): each on its own, a report of the skipped."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy
from wagtail.models import TaskState

from binding_forms.models import Application

logger = logging.getLogger(__name__)


SKIP_NOT_IN_REVIEW = gettext_lazy("not awaiting review")
SKIP_NOT_YOURS = gettext_lazy("you may not approve it at this step")
SKIP_LOCKED = gettext_lazy("locked by another user")
SKIP_FAILED = gettext_lazy("could not be approved; try it on its own page")


@dataclass
class ApprovalReport:
    approved: list[Application] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)


def applications_approve(*, applications: Iterable[Application], by) -> ApprovalReport:
    """Approve, as ``by``, each application whose current task ``by`` may approve.

    Each approval is its own transaction: one that fails (or whose task moved on meanwhile)
    is reported as skipped and leaves the others approved. What follows an approval (parent
    accounts, links, mail) comes from the workflow signals' receivers.
    """
    report = ApprovalReport()
    for application in applications:
        reason = None
        try:
            with transaction.atomic():
                reason = _approve_one(application, by)
        except ValidationError as error:  # e.g. ProvisioningError: the registrar can act on it
            reason = " ".join(error.messages)
        except Exception:
            logger.exception("Bulk approval of application %s failed", application.pk)
            reason = SKIP_FAILED
        if reason is None:
            report.approved.append(application)
        else:
            report.skipped.append((application, reason))
    return report


def _approve_one(application: Application, user) -> str | None:
    """Approve one application, or say why not; runs inside its own transaction."""
    task_state = (
        TaskState.objects.select_for_update()
        .filter(
            workflow_state__in=application.workflow_states.filter(status="in_progress"),
            status=TaskState.STATUS_IN_PROGRESS,
        )
        .select_related("task")
        .first()
    )
    if task_state is None:
        return SKIP_NOT_IN_REVIEW
    task = task_state.task.specific
    if "approve" not in {name for name, _label, _modal in task.get_actions(application, user)}:
        return SKIP_NOT_YOURS
    lock = application.get_lock()
    if lock is not None and lock.for_user(user):
        return SKIP_LOCKED
    task.on_action(task_state.specific, user, "approve")
    return None


# Parent–child links --------------------------------------------------------------------------
