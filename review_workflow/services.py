"""What the school decides and what follows: parent accounts and their links to children,
approvals one by one or many at once, revoked links. Plain functions, one transaction each."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log
from wagtail.models import TaskState

from binding_forms.identity.personal_data import mask_id_numbers
from binding_forms.models import Applicant, Application
from review_workflow.mail.outbox import mail_for_unbinding, mails_for_approval
from review_workflow.models import ParentAccount, ParentStudentLink

logger = logging.getLogger(__name__)


class ProvisioningError(ValidationError):
    """An applicant cannot be given an account (e.g. their email belongs to another person)."""


def parent_account_provision(*, applicant: Applicant) -> tuple:
    """The parent account of ``applicant``: the one with the same ID number (keyed digest), else
    the one signing in with the same email, else a new one.

    A new account signs in with the applicant's email and, once, with the last six digits of the
    applicant's ID number (checked against the encrypted copy: no slow hash for each approval);
    the parent must change it at the first sign-in, and it expires unused after
    ``PARENT_FIRST_PASSWORD_DAYS``. Returns ``(user, created)``.
    """
    User = get_user_model()
    email = applicant.email.strip().lower()
    account = (
        ParentAccount.objects.select_related("user")
        .filter(id_number_digest=applicant.id_number_digest)
        .first()
    )
    if account is not None:
        return account.user, False

    user = User.objects.filter(username__iexact=email).first()
    if user is not None:
        if user.is_staff or hasattr(user, "parent_account") or user.is_superuser:
            raise ProvisioningError(
                _("%(email)s already signs in another person: ask the parent for another email.")
                % {"email": email}
            )
        ParentAccount.objects.create(
            user=user,
            id_number_digest=applicant.id_number_digest,
            id_number_encrypted=applicant.id_number_encrypted,
            mobile=applicant.mobile,
        )
        return user, False

    user = User(
        username=email,
        email=email,
        first_name=applicant.name,
        password_change_required=True,
    )
    user.set_unusable_password()
    user.save()
    ParentAccount.objects.create(
        user=user,
        id_number_digest=applicant.id_number_digest,
        id_number_encrypted=applicant.id_number_encrypted,
        mobile=applicant.mobile,
        first_password_expires_at=timezone.now()
        + timedelta(days=settings.PARENT_FIRST_PASSWORD_DAYS),
    )
    return user, True


@transaction.atomic(savepoint=False)  # inside Wagtail's approval: no savepoint of its own
def binding_approve(*, application: Application, user) -> dict[int, tuple]:
    """The school approved ``application``: an account for each applicant, linked to the child
    with the relationship they gave, and the approval mails queued. Runs inside Wagtail's approval
    (one transaction): if an account cannot be made, the approval fails as a whole and the
    registrar is told why; the mails are sent after it commits.

    Returns ``{applicant pk: (parent user, created)}``.
    """
    accounts = {}
    student = application.student
    linked = set(
        ParentStudentLink.objects.active()
        .filter(student=student)
        .values_list("parent_id", flat=True)
    )
    for applicant in application.applicants.all():
        parent, created = parent_account_provision(applicant=applicant)
        accounts[applicant.pk] = (parent, created)
        if parent.pk in linked:
            continue
        ParentStudentLink.objects.create(
            parent=parent,
            student=student,
            relationship=applicant.relationship,
            application=application,
            applicant=applicant,
            approved_by=user,
        )
        linked.add(parent.pk)
    mails_for_approval(application=application, accounts=accounts)
    return accounts


# Approving several applications at once ------------------------------------------------------

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


class LinkAlreadyRevoked(Exception):
    pass


@transaction.atomic
def link_revoke(*, link: ParentStudentLink, by, reason: str) -> ParentStudentLink:
    """End a parent's link to a child, keeping who, when and why; audited in the log."""
    locked = ParentStudentLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is not None:
        raise LinkAlreadyRevoked
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revoke_reason = mask_id_numbers(reason.strip())
    locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    log(
        instance=locked,
        action="review_workflow.revoke_link",
        user=by,
        data={"student_id": locked.student_id, "parent_id": locked.parent_id},
    )
    mail_for_unbinding(link=locked, reason=locked.revoke_reason)  # sent after the commit
    return locked
