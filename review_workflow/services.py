"""What follows the school's decision: parent accounts, their links to children."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binding_forms.models import Applicant, Application
from review_workflow.models import ParentAccount, ParentStudentLink


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


@transaction.atomic
def binding_approve(*, application: Application, user) -> dict[int, tuple]:
    """The school approved ``application``: an account for each applicant, linked to the child
    with the relationship they gave. Runs inside Wagtail's approval (one transaction): if an
    account cannot be made, the approval fails as a whole and the registrar is told why.

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
    return accounts


@dataclass
class BulkApproval:
    approved: list[Application] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)


def applications_bulk_approve(
    *, applications: Iterable[Application], user, comment: str = ""
) -> BulkApproval:
    """Approve, through each application's workflow, the ones ``user`` may approve now.

    Each approval is its own transaction (accounts, links, mails queued with it): one that
    cannot be made (another person's email, say) is reported and does not undo the others.
    """
    result = BulkApproval()
    for application in applications:
        state = application.current_workflow_state
        task_state = state.current_task_state if state is not None else None
        if task_state is None:
            result.skipped.append((application, _("not awaiting review")))
            continue
        task = task_state.task.specific
        if "approve" not in {name for name, *_ in task.get_actions(application, user)}:
            result.skipped.append((application, _("you may not approve it at this step")))
            continue
        try:
            with transaction.atomic():
                task.on_action(task_state, user, "approve", comment=comment)
        except ValidationError as error:
            result.skipped.append((application, " ".join(error.messages)))
            continue
        result.approved.append(application)
    return result
