"""Personal data kept only as long as its purpose (PDPA Art. 11), run by ``manage.py retention``
from cron.

Four kinds, each in its own transaction so one failing leaves the others done; each logs counts
only, never a name or an ID. Running it twice changes nothing the second time. With ``dry_run``
the counts are what would change, and nothing does.

- links of students who left school (``Student.enrolled`` False) end;
- parent accounts (and their users) with no active link for ``RETENTION_PARENT_ACCOUNT_DAYS``
  are deleted, unless they sent an application or a school form the school keeps (those rows
  protect their sender and are counted as kept);
- applicants' encrypted ID numbers go once their application was approved more than
  ``RETENTION_APPLICANT_ID_DAYS`` ago; the keyed digest stays, for matching the same parent again;
- drafts never sent (applications, school form submissions) older than
  ``RETENTION_DRAFT_DAYS`` are deleted.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_email.models import EmailDevice

from binding_forms.accounts.sign_in_name import sign_in_name_recorded
from binding_forms.models import Applicant, Application
from review_workflow.models import ParentAccount, ParentStudentLink, SchoolFormSubmission

logger = logging.getLogger("review_workflow.retention")

LEFT_SCHOOL = "學生已離校（保存期限屆滿，系統自動解除）"


@dataclass
class RetentionCounts:
    links_ended: int = 0
    parent_accounts_deleted: int = 0
    parent_accounts_kept: int = 0
    applicant_ids_dropped: int = 0
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
        else:
            counts.links_ended = links.update(revoked_at=now, revoke_reason=LEFT_SCHOOL)

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

    logger.info(
        "retention%s: links_ended=%d parent_accounts_deleted=%d parent_accounts_kept=%d "
        "applicant_ids_dropped=%d application_drafts_deleted=%d form_drafts_deleted=%d",
        " (dry run, nothing changed)" if dry_run else "",
        counts.links_ended,
        counts.parent_accounts_deleted,
        counts.parent_accounts_kept,
        counts.applicant_ids_dropped,
        counts.application_drafts_deleted,
        counts.form_drafts_deleted,
    )
    return counts
