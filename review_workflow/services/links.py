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


class LinkNotOwn(Exception):
    """Not an active link of this parent (another parent's, revoked, or none at all)."""


@transaction.atomic
def link_unbinding_request(*, link_id: int, parent, reason: str) -> ParentStudentLink:
    """申請解除綁定: the parent asks the child's school to end one of their own active links.

    The school's registrar decides on the links screen (its 解除綁定 tells the parent by mail).
    A second request for the same link (a double submit) keeps the first one's time and reason.
    """
    locked = (
        ParentStudentLink.objects.of_parent(parent).select_for_update().filter(pk=link_id).first()
    )
    if locked is None:
        raise LinkNotOwn
    if locked.unbinding_requested_at is not None:
        return locked
    locked.unbinding_requested_at = timezone.now()
    locked.unbinding_request_reason = mask_id_numbers(reason.strip())
    locked.save(update_fields=["unbinding_requested_at", "unbinding_request_reason"])
    log(
        instance=locked,
        action="review_workflow.request_unbinding",
        user=parent,
        data={"student_id": locked.student_id, "parent_id": locked.parent_id},
    )
    return locked
