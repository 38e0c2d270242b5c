"""Personal data kept only as long as its purpose (PDPA Art. 11), run by ``manage.py retention``
from cron.

Each kind in its own transaction so one failing leaves the others done; each run logs counts
only, never a name or an ID. Running it twice changes nothing the second time. With ``dry_run``
the counts are what would change, and nothing does (no mail either).

- links of students who left school (``Student.enrolled`` False) end, and each parent is told
  by mail (the editors' template 學生離校：綁定結束), as a registrar's revoke tells them;
- parent accounts (and their users) with no active link for ``RETENTION_PARENT_ACCOUNT_DAYS``
  are deleted, unless they sent an application or a school form the school keeps (those rows
  protect their sender and are counted as kept);
- applicants' encrypted ID numbers go ``RETENTION_APPLICANT_ID_DAYS`` after their application
  was decided: approved (its publication), or sent back for changes or cancelled and left so
  (the review's last decision). The keyed digest stays: it is all that matching needs (the same
  parent again, a guardian the registry knows, a sibling). A parent who comes back to an
  application sent back longer ago types the ID numbers again; the draft's encrypted copies of
  such an application go too;
- a parent account's encrypted ID number goes once nothing needs it. Its one reader is the first
  password (the last six digits of the ID, ``ParentFirstPasswordBackend``): once the parent has a
  password of their own, or the first one expired, it is never read again. Matching uses the
  digest; the parent's pages and 我的個資 show what is held, and then an ID is no longer held;
- drafts never sent (applications, school form submissions) older than
  ``RETENTION_DRAFT_DAYS`` are deleted.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice
from wagtail.models import TaskState

from binding_forms.accounts.sign_in_name import sign_in_name_recorded
from binding_forms.models import Applicant, Application
from binding_forms.reviewed_forms.models import SubmissionStatus
from review_workflow.mail.outbox import mail_for_left_school
from review_workflow.models import ParentAccount, ParentStudentLink, SchoolFormSubmission

logger = logging.getLogger("review_workflow.retention")

LEFT_SCHOOL = "學生已離校（保存期限屆滿，系統自動解除）"


@dataclass
class RetentionCounts:
    links_ended: int = 0
    left_school_mails: int = 0
    parent_accounts_deleted: int = 0
    parent_accounts_kept: int = 0
    applicant_ids_dropped: int = 0
    unapproved_applicant_ids_dropped: int = 0
    parent_account_ids_dropped: int = 0
    application_drafts_deleted: int = 0
    form_drafts_deleted: int = 0


def _links_of_leavers():
    return ParentStudentLink.objects.active().filter(student__enrolled=False)


def _parent_accounts_expired(now):
    cutoff = now - timedelta(days=settings.RETENTION_PARENT_ACCOUNT_DAYS)
    active = ParentStudentLink.objects.active().filter(parent=OuterRef("user"))
    return (
        ParentAccount.objects.filter(~Exists(active))
        .filter(user__is_staff=False, user__is_superuser=False)
        .annotate(last_revoked=Max("user__child_links__revoked_at"))
        .filter(Q(last_revoked__lte=cutoff) | Q(last_revoked__isnull=True, created_at__lte=cutoff))
    )


def _senders_kept():
    """Rows that protect their sender: what the school keeps of a parent's own requests."""
    return Q(
        Exists(Application.objects.filter(requester=OuterRef("user")))
        | Exists(SchoolFormSubmission.objects.filter(requester=OuterRef("user")))
    )


def _applicant_ids_expired(now):
    cutoff = now - timedelta(days=settings.RETENTION_APPLICANT_ID_DAYS)
    return Applicant.objects.filter(
        application__live=True, application__last_published_at__lte=cutoff
    ).exclude(id_number_encrypted="")


def _applications_left_unapproved(now):
    """Applications sent back for changes or cancelled, whose review's last decision is older
    than the period: nothing about them was decided since."""
    cutoff = now - timedelta(days=settings.RETENTION_APPLICANT_ID_DAYS)
    last_decision = (
        TaskState.objects.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Application),
            workflow_state__object_id=Cast(OuterRef("pk"), models.CharField()),
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values("finished_at")[:1]
    )
    unapproved = Application.with_status(name="_retention_status").filter(
        _retention_status__in=[SubmissionStatus.CHANGES_REQUESTED, SubmissionStatus.CANCELLED]
    )
    return unapproved.annotate(_last_decision=Subquery(last_decision)).filter(
        _last_decision__lte=cutoff
    )


def _unapproved_applicant_ids_expired(now):
    return Applicant.objects.filter(
        application__in=_applications_left_unapproved(now).values("pk")
    ).exclude(id_number_encrypted="")


def _draft_ids_dropped(draft_data: dict) -> dict:
    """``draft_data`` with the encrypted ID numbers of its applicants emptied."""
    kept = dict(draft_data)
    for key, value in draft_data.items():
        if isinstance(value, dict) and value.get("id_number_encrypted"):
            kept[key] = {**value, "id_number_encrypted": ""}
    return kept


def _parent_account_ids_unneeded(now):
    """Parent accounts whose encrypted ID number no first-password sign-in can read any more:
    the negation of what ``ParentFirstPasswordBackend`` requires."""
    return ParentAccount.objects.exclude(id_number_encrypted="").filter(
        ~Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        | Q(user__password_change_required=False)
        | Q(first_password_expires_at__isnull=True)
        | Q(first_password_expires_at__lte=now)
    )


def _drafts_expired(model, now):
    cutoff = now - timedelta(days=settings.RETENTION_DRAFT_DAYS)
    return model.objects.filter(submitted_at__isnull=True, created_at__lte=cutoff)


def retention_run(*, dry_run: bool = False, now=None) -> RetentionCounts:
    """Apply the retention rules once (see the module docstring); the counts of what changed,
    or with ``dry_run`` of what would."""
    now = now or timezone.now()
    counts = RetentionCounts()

    with transaction.atomic():
        links = _links_of_leavers()
        if dry_run:
            counts.links_ended = links.count()
            counts.left_school_mails = links.exclude(parent__email="").count()
        else:
            ended = list(
                # Locked in one order: a second run at the same moment waits, then finds them
                # ended (no second mail).
                links.select_for_update(of=("self",))
                .select_related("parent", "student__school")
                .order_by("pk")
            )
            counts.links_ended = ParentStudentLink.objects.filter(
                pk__in=[link.pk for link in ended]
            ).update(revoked_at=now, revoke_reason=LEFT_SCHOOL)
            for link in ended:
                # Sent after this transaction commits; none when the account has no address.
                if mail_for_left_school(link=link) is not None:
                    counts.left_school_mails += 1

    with transaction.atomic():
        expired = _parent_accounts_expired(now)
        counts.parent_accounts_kept = expired.filter(_senders_kept()).count()
        users = get_user_model()._default_manager.filter(
            pk__in=list(expired.exclude(_senders_kept()).values_list("user_id", flat=True))
        )
        counts.parent_accounts_deleted = users.count()
        if counts.parent_accounts_deleted and not dry_run:
            # Their sign-in records are keyed by sign-in name, not by user: they go too.
            names = [
                sign_in_name_recorded(name) for name in users.values_list("username", flat=True)
            ]
            AccessLog.objects.filter(username__in=names).delete()
            AccessFailureLog.objects.filter(username__in=names).delete()
            users.delete()

    with transaction.atomic():
        applicants = _applicant_ids_expired(now)
        if dry_run:
            counts.applicant_ids_dropped = applicants.count()
        else:
            counts.applicant_ids_dropped = applicants.update(id_number_encrypted="")

    with transaction.atomic():
        applicants = _unapproved_applicant_ids_expired(now)
        if dry_run:
            counts.unapproved_applicant_ids_dropped = applicants.count()
        else:
            applications = Application.objects.select_for_update().filter(
                pk__in=applicants.values("application_id")
            )
            for application in applications:
                dropped = _draft_ids_dropped(application.draft_data)
                if dropped != application.draft_data:
                    application.draft_data = dropped
                    application.save(update_fields=["draft_data"])
            counts.unapproved_applicant_ids_dropped = applicants.update(id_number_encrypted="")

    with transaction.atomic():
        accounts = _parent_account_ids_unneeded(now)
        if dry_run:
            counts.parent_account_ids_dropped = accounts.count()
        else:
            counts.parent_account_ids_dropped = accounts.update(id_number_encrypted="")

    for model, field in (
        (Application, "application_drafts_deleted"),
        (SchoolFormSubmission, "form_drafts_deleted"),
    ):
        with transaction.atomic():
            drafts = _drafts_expired(model, now)
            pks = list(drafts.values_list("pk", flat=True))
            setattr(counts, field, len(pks))
            if pks and not dry_run:
                # One by one: each takes its revisions and workflow states (generic relations).
                for draft in model.objects.filter(pk__in=pks):
                    draft.delete()
                # The wizard's email codes of those drafts (they name the applicants' addresses).
                EmailDevice.objects.filter(
                    name__in=[f"binding-application-{pk}" for pk in pks]
                ).delete()

    # Counts only: the format is fixed here, and every value an int.
    logger.info(
        "retention%s: %s",
        " (dry run, nothing changed)" if dry_run else "",
        " ".join(f"{name}={int(value)}" for name, value in vars(counts).items()),
    )
    return counts
