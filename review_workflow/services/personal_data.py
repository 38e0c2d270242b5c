"""我的個資 (PDPA Art. 3): what the portal holds about a parent, for them to read or download.

ID numbers appear masked only; never in clear, never as a digest. Mail is listed by subject and
status, not body (a body may hold a sign-in link).
"""

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from binding_forms.models import Applicant
from review_workflow.models import OutgoingMail, ParentStudentLink, SchoolFormSubmission
from review_workflow.services.profile import sign_ins_recent


def _at(value):
    """Local time (Asia/Taipei): what the parent reads; JSON-encoded by ``DjangoJSONEncoder``."""
    return timezone.localtime(value) if value else None


def _id_number_held(row) -> str:
    """The mask of the ID number kept, or, once retention dropped the encrypted copy, what is
    kept instead: a keyed digest, which matches the same number again but cannot give it back.
    An empty field would read as "no ID given"."""
    if row.id_number_encrypted:
        return row.id_number_masked
    if row.id_number_digest:
        return gettext(
            "Not kept: only a matching code is kept, from which the number cannot be recovered."
        )
    return ""


def parent_data_export(*, user) -> dict[str, Any]:
    """Everything about ``user``, in the order the readable page shows it (as JSON through
    ``DjangoJSONEncoder``)."""
    account = getattr(user, "parent_account", None)
    links = (
        ParentStudentLink.objects.filter(parent=user)
        .select_related("student__school")
        .order_by("created_at", "pk")
    )
    applicants = Applicant.objects.select_related("application__student__school").order_by(
        "application__created_at", "position"
    )
    named = Q(email__iexact=user.email) if user.email else Q(pk__in=[])
    if account is not None:
        named |= Q(id_number_digest=account.id_number_digest)
    submissions = (
        SchoolFormSubmission.objects.filter(requester=user)
        .select_related("page", "student__school")
        .order_by("created_at", "pk")
    )
    mails = OutgoingMail.objects.filter(
        Q(user=user) | Q(to_address__iexact=user.email) if user.email else Q(user=user)
    ).order_by("created_at", "pk")
    return {
        "account": {
            "sign_in_name": user.get_username(),
            "name": user.get_full_name(),
            "email": user.email,
            "joined": _at(user.date_joined),
            "last_sign_in": _at(user.last_login),
        },
        "parent_account": None
        if account is None
        else {
            "id_number": _id_number_held(account),
            "mobile": account.mobile,
            "created": _at(account.created_at),
        },
        "children": [
            {
                "student": link.student.name,
                "school": link.student.school.name,
                "class": link.student.class_label,
                "relationship": link.relationship,
                "bound": _at(link.created_at),
                "unbinding_requested": _at(link.unbinding_requested_at),
                "unbinding_reason": link.unbinding_request_reason,
                "revoked": _at(link.revoked_at),
                "revoke_reason": link.revoke_reason,
            }
            for link in links
        ],
        "applications": [
            {
                "student": applicant.application.student.name,
                "school": applicant.application.student.school.name,
                "position": applicant.position,
                "name": applicant.name,
                "relationship": applicant.relationship,
                "id_number": _id_number_held(applicant),
                "mobile": applicant.mobile,
                "email": applicant.email,
                "email_verified": _at(applicant.email_verified_at),
                "submitted": _at(applicant.application.submitted_at),
            }
            for applicant in applicants.filter(named)
        ],
        "form_submissions": [
            {
                "form": submission.page.title,
                "student": submission.student.name,
                "school": submission.student.school.name,
                "status": str(submission.status.label),
                "created": _at(submission.created_at),
                "submitted": _at(submission.submitted_at),
            }
            for submission in submissions
        ],
        "mails": [
            {
                "subject": mail.subject,
                "to": mail.to_address,
                "status": mail.get_status_display(),
                "created": _at(mail.created_at),
            }
            for mail in mails
        ],
        "sign_ins": [
            {"at": _at(sign_in.at), "device": sign_in.device, "succeeded": sign_in.succeeded}
            for sign_in in sign_ins_recent(user=user, limit=50)
        ],
    }
