"""An approval and what follows: the parent accounts it provisions and their links to children.
Plain functions, one transaction each."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binding_forms.models import Applicant, Application
from review_workflow.mail.outbox import mails_for_approval
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
