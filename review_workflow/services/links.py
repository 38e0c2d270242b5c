"""Ending a parent–child link: revoked with a reason, kept as a record."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from binding_forms.identity.personal_data import mask_id_numbers
from review_workflow.mail.outbox import mail_for_unbinding
from review_workflow.models import ParentStudentLink


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
