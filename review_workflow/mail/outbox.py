"""Notification mail: rendered from the editors' templates, stored with the caller's change, sent
by a background task after it commits, retried when the provider fails, and tracked through
anymail's webhook.

A provider failure never reaches the caller: the row is written in the caller's transaction and
the send task is enqueued only once that transaction commits (a rollback sends nothing).

Retrying: each failed attempt is recorded with the error and a ``next_attempt_at`` that backs
off (``MAIL_RETRY_DELAY`` seconds × 4ⁿ, at most six hours), up to ``MAIL_MAX_ATTEMPTS`` attempts.
When the task backend can defer (django-tasks-db in production) the retry is enqueued with
``run_after``; otherwise (the immediate backend of development and tests) it waits for
``manage.py mail_retry``, which production also runs from cron every few minutes as a safety net
for a task that was lost (a worker killed while sending, an enqueue that failed after commit).
Retrying in-process would only hammer a provider that is down, and sleeping would hold a request.
"""

import datetime
import logging
import smtplib
from collections.abc import Mapping
from typing import NamedTuple

from anymail.exceptions import AnymailError, AnymailInvalidAddress, AnymailRecipientsRefused
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log

from binding_forms.models import Applicant, Application
from review_workflow.mail.wording import DEFAULTS, MailKind, mask_id_numbers, render_error_text
from review_workflow.models import MailEvent, MailTemplate, OutgoingMail, ParentStudentLink

logger = logging.getLogger("review_workflow.mail")

Status = OutgoingMail.Status


class MailAddressTaken(ValueError):
    """The corrected address already belongs to another account."""


def _max_attempts() -> int:
    return getattr(settings, "MAIL_MAX_ATTEMPTS", 5)


def _retry_delay(attempts: int) -> datetime.timedelta:
    base = getattr(settings, "MAIL_RETRY_DELAY", 60)
    return datetime.timedelta(seconds=min(base * 4 ** max(attempts - 1, 0), 6 * 60 * 60))


def _stale_after() -> datetime.timedelta:
    """How long a queued or sending mail may sit before ``mail_retry`` assumes its task is lost."""
    return datetime.timedelta(seconds=getattr(settings, "MAIL_STALE_AFTER", 600))


# Rendering -----------------------------------------------------------------------------------


class RenderedMail(NamedTuple):
    subject: str
    body: str
    # Why the editors' template could not be used and the handbook's wording was ("" if it was).
    template_error: str = ""


def mail_render(*, kind: str, context: Mapping[str, str]) -> RenderedMail:
    """The subject and body from the editors' template of ``kind`` (the default if it was
    deleted).

    A template the save check would refuse (written to the database some other way, or by an
    older check) never stops what the mail reports, an approval above all: the handbook's wording
    is used and the reason is returned, to be recorded on the mail for the registrar.
    """
    template = MailTemplate.objects.filter(kind=kind).first()
    problem = ""
    if template is not None:
        try:
            return RenderedMail(*template.render(dict(context)))
        except Exception as error:  # an editor's content must never undo a decision
            logger.warning("mail template %s cannot be rendered: %s", kind, type(error).__name__)
            problem = render_error_text(error)
    subject, body = DEFAULTS[kind]
    default = MailTemplate(kind=kind, subject=subject, body=body)
    return RenderedMail(*default.render(dict(context)), template_error=problem)


def mail_templates_restore(*, kinds: list[str] | None = None) -> list[MailTemplate]:
    """Put the handbook's wording back into the templates of ``kinds`` (all by default),
    creating any that were deleted."""
    restored = []
    for kind in kinds or list(DEFAULTS):
        subject, body = DEFAULTS[kind]
        template, _ = MailTemplate.objects.update_or_create(
            kind=kind, defaults={"subject": subject, "body": body}
        )
        restored.append(template)
    return restored


def _absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _application_context(application: Application) -> dict[str, str]:
    student = application.student
    page = application.page
    if page is not None and page.live:
        status_url = _absolute(page.step_url(None, "done"))
    else:
        status_url = _absolute(reverse("binding_start"))
    return {
        "student_name": student.name,
        "school_name": student.school.name,
        "site_url": _absolute("/"),
        "status_url": status_url,
    }


# Queueing ------------------------------------------------------------------------------------


def mail_queue(
    *,
    kind: str,
    to: str,
    context: Mapping[str, str],
    application: Application | None = None,
    applicant: Applicant | None = None,
    link: ParentStudentLink | None = None,
    user=None,
    resend_of: OutgoingMail | None = None,
    form_submission=None,
) -> OutgoingMail:
    """Render and store one mail in the caller's transaction; send it after that commits."""
    from review_workflow.tasks import mail_send

    rendered = mail_render(kind=kind, context=context)
    mail = OutgoingMail.objects.create(
        kind=kind,
        to_address=to,
        subject=rendered.subject,
        body=rendered.body,
        template_error=rendered.template_error,
        context={key: mask_id_numbers(str(value)) for key, value in context.items()},
        application=application,
        applicant=applicant,
        link=link,
        user=user,
        resend_of=resend_of,
        form_submission=form_submission,
        next_attempt_at=timezone.now() + _stale_after(),
    )
    # robust: a failing enqueue is logged, never raised into a request that has committed;
    # the row stays queued and ``mail_retry`` picks it up.
    transaction.on_commit(lambda: mail_send.enqueue(mail.pk), robust=True)
    return mail


def submission_mails_write(*, application: Application) -> list[OutgoingMail]:
    """確認送出: a confirmation to each applicant. Written in the background job that starts the
    review (the ``submission_sent`` receiver), so the parent's request stays within its query
    budget; sent once that job's transaction commits."""
    return _mail_each_applicant(
        application=application, kind=MailKind.SUBMITTED, base=_application_context(application)
    )


def mails_for_changes_requested(*, application: Application, comment: str) -> list[OutgoingMail]:
    """要求修改: each applicant is told what the registrar asked for."""
    return _mail_each_applicant(
        application=application,
        kind=MailKind.CHANGES_REQUESTED,
        base={**_application_context(application), "comment": comment},
    )


def _mail_each_applicant(*, application: Application, kind: str, base: dict) -> list[OutgoingMail]:
    return [
        mail_queue(
            kind=kind,
            to=applicant.email,
            context={**base, "applicant_name": applicant.name},
            application=application,
            applicant=applicant,
        )
        for applicant in application.applicants.all()
    ]


def mails_for_approval(
    *, application: Application, accounts: Mapping[int, tuple[object, bool]]
) -> list[OutgoingMail]:
    """核准: each applicant learns how to sign in.

    ``accounts`` maps an applicant's pk to (their parent user, whether it was created now). A
    new account's mail states the first-password rule (ID number's last six digits, changed at
    the first sign-in); an account the parent already had keeps its own password. Applicants
    missing from ``accounts`` get no mail.
    """
    # The parent tab: the account is the applicant's email from now on.
    sign_in_url = _absolute(f"{reverse('signin')}?tab=parent")
    base = {**_application_context(application), "sign_in_url": sign_in_url}
    mails = []
    for applicant in application.applicants.all():
        if applicant.pk not in accounts:
            continue
        user, created = accounts[applicant.pk]
        mails.append(
            mail_queue(
                kind=MailKind.APPROVED if created else MailKind.APPROVED_EXISTING,
                to=applicant.email,
                context={
                    **base,
                    "applicant_name": applicant.name,
                    "sign_in_name": user.get_username(),
                },
                application=application,
                applicant=applicant,
                user=user,
            )
        )
    return mails


def mail_for_form(*, submission, kind: str, comment: str = "") -> OutgoingMail | None:
    """A school form was received, approved or sent back (``kind``): its sender is told, in
    the editors' wording, with a link to its status page. None if the account has no email."""
    parent = submission.requester
    if not parent.email:
        return None
    student = submission.student
    page = submission.page
    return mail_queue(
        kind=kind,
        to=parent.email,
        context={
            "applicant_name": parent.get_full_name() or parent.get_username(),
            "student_name": student.name,
            "school_name": student.school.name,
            "site_url": _absolute("/"),
            "form_title": page.title,
            "status_url": _absolute(page.submission_status_url(submission)),
            "comment": comment,
        },
        user=parent,
        form_submission=submission,
    )


def mail_for_unbinding(*, link: ParentStudentLink, reason: str) -> OutgoingMail:
    """解除綁定: the parent is told which child and why."""
    parent = link.parent
    student = link.student
    return mail_queue(
        kind=MailKind.UNBOUND,
        to=parent.email,
        context={
            "applicant_name": parent.get_full_name()
            or (link.applicant.name if link.applicant else ""),
            "student_name": student.name,
            "school_name": student.school.name,
            "site_url": _absolute("/"),
            "reason": reason,
        },
        application=link.application,
        applicant=link.applicant,
        link=link,
        user=parent,
    )


def mail_for_left_school(*, link: ParentStudentLink) -> OutgoingMail | None:
    """The link ended because the registry says the child left the school (the retention job):
    the parent is told, in the editors' wording. None when the account has no address."""
    parent = link.parent
    if not parent.email:
        return None
    student = link.student
    return mail_queue(
        kind=MailKind.LEFT_SCHOOL,
        to=parent.email,
        context={
            "applicant_name": parent.get_full_name() or parent.get_username(),
            "student_name": student.name,
            "school_name": student.school.name,
            "site_url": _absolute("/"),
        },
        link=link,
        user=parent,
    )


@transaction.atomic
def mail_resend(*, mail: OutgoingMail, to: str | None = None, by) -> OutgoingMail:
    """Send ``mail`` again, to a corrected address if given, as a new OutgoingMail.

    A corrected address also becomes the applicant's email and, for an account nobody has
    signed in to yet (a bounced approval mail), the account's email and sign-in name, so the
    mail's 帳號 is one that works. Logged on the application.
    """
    previous = mail.to_address
    to = BaseUserManager.normalize_email((to or previous).strip())
    context = dict(mail.context)
    if to.lower() != previous.lower():
        applicant = mail.applicant
        if applicant is not None and applicant.email.lower() == previous.lower():
            applicant.email = to
            applicant.save(update_fields=["email"])
        user = mail.user
        if user is not None and user.last_login is None:
            _account_address_correct(user=user, previous=previous, to=to)
            if context.get("sign_in_name", "").lower() == previous.lower():
                context["sign_in_name"] = user.get_username()
    resent = mail_queue(
        kind=mail.kind,
        to=to,
        context=context,
        application=mail.application,
        applicant=mail.applicant,
        link=mail.link,
        user=mail.user,
        resend_of=mail,
    )
    subject = mail.application or (mail.link.application if mail.link else None) or mail.link
    if subject is not None:
        log(
            instance=subject,
            action="review_workflow.mail_resend",
            user=by,
            data={"mail": mail.pk, "kind": mail.kind, "previous_to": previous, "to": to},
        )
    return resent


def _account_address_correct(*, user, previous: str, to: str) -> None:
    fields = []
    if user.email.lower() == previous.lower():
        user.email = to
        fields.append("email")
    if user.get_username().lower() == previous.lower():
        taken = (
            get_user_model()
            .objects.filter(**{f"{user.USERNAME_FIELD}__iexact": to})
            .exclude(pk=user.pk)
        )
        if taken.exists():
            raise MailAddressTaken(to)
        setattr(user, user.USERNAME_FIELD, to)
        fields.append(user.USERNAME_FIELD)
    if fields:
        user.save(update_fields=fields)


# Sending (the task) --------------------------------------------------------------------------


def mail_deliver(*, mail_id: int) -> OutgoingMail | None:
    """One attempt at sending a stored mail; None if it is not due (sent already, being sent by
    another worker, or out of attempts)."""
    now = timezone.now()
    claimed = (
        OutgoingMail.objects.filter(pk=mail_id)
        .filter(
            Q(status=Status.QUEUED)
            | Q(
                status__in=[Status.FAILED, Status.SENDING],
                next_attempt_at__lte=now,
                attempts__lt=_max_attempts(),
            )
        )
        .update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + _stale_after(),
            updated_at=now,
        )
    )
    if not claimed:
        return None
    mail = OutgoingMail.objects.get(pk=mail_id)
    message = EmailMessage(subject=mail.subject, body=mail.body, to=[mail.to_address])
    message.tags = [mail.kind]
    message.metadata = {"outgoing_mail": str(mail.pk)}
    try:
        message.send()
    except (AnymailRecipientsRefused, AnymailInvalidAddress) as error:
        _record_failure(mail, error, retry=False, status=Status.REJECTED)
    except (AnymailError, smtplib.SMTPException, OSError) as error:
        _record_failure(mail, error, retry=mail.attempts < _max_attempts())
    except Exception as error:
        # Not the provider (a bug, a misconfigured backend): recorded, retried like a provider
        # failure, and raised so the task's result shows it.
        _record_failure(mail, error, retry=mail.attempts < _max_attempts())
        raise
    else:
        _record_sent(mail, message)
    return mail


def _record_sent(mail: OutgoingMail, message: EmailMessage) -> None:
    status = getattr(message, "anymail_status", None)
    recipient = status.recipients.get(mail.to_address) if status else None
    if recipient is None and status is not None and status.recipients:
        recipient = next(iter(status.recipients.values()))
    has_id = recipient is not None and recipient.message_id is not None
    mail.message_id = str(recipient.message_id) if has_id else ""
    rejected = recipient is not None and recipient.status in {"rejected", "invalid"}
    mail.status = Status.REJECTED if rejected else Status.SENT
    mail.sent_at = timezone.now()
    mail.next_attempt_at = None
    mail.last_error = ""
    mail.save(
        update_fields=[
            "message_id",
            "status",
            "sent_at",
            "next_attempt_at",
            "last_error",
            "updated_at",
        ]
    )


def _record_failure(mail: OutgoingMail, error: Exception, *, retry: bool, status=None) -> None:
    from review_workflow.tasks import mail_send

    # The provider's answer, never the message (the exception does not carry it in its text).
    mail.last_error = f"{type(error).__name__}: {error}"[:1000]
    mail.status = status or Status.FAILED
    mail.next_attempt_at = timezone.now() + _retry_delay(mail.attempts) if retry else None
    mail.save(update_fields=["last_error", "status", "next_attempt_at", "updated_at"])
    logger.warning(
        "mail %s (%s) failed, attempt %s of %s%s: %s",
        mail.pk,
        mail.kind,
        mail.attempts,
        _max_attempts(),
        ", will retry" if retry else "",
        type(error).__name__,
    )
    if retry and mail_send.get_backend().supports_defer:
        mail_send.using(run_after=mail.next_attempt_at).enqueue(mail.pk)


def mail_retry_due(*, now: datetime.datetime | None = None) -> int:
    """Enqueue a send for every mail that is due (see the module's docstring); how many."""
    from review_workflow.tasks import mail_send

    due = list(
        OutgoingMail.objects.due_for_retry(max_attempts=_max_attempts(), now=now).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        mail_send.enqueue(pk)
    return len(due)


# Delivery tracking (anymail's webhook) -------------------------------------------------------

# What a tracking event makes of the mail's status, and which outranks which: a late
# "delivered" never hides a bounce; a spam complaint comes after delivery.
_EVENT_STATUS = {
    "delivered": Status.DELIVERED,
    "bounced": Status.BOUNCED,
    "rejected": Status.REJECTED,
    "failed": Status.FAILED,
    "complained": Status.COMPLAINED,
}
_RANK = {
    Status.QUEUED: 0,
    Status.SENDING: 0,
    Status.SENT: 1,
    Status.FAILED: 1,
    Status.DELIVERED: 2,
    Status.BOUNCED: 3,
    Status.REJECTED: 3,
    Status.COMPLAINED: 4,
}


def mail_track(
    *,
    message_id: str,
    event_type: str,
    recipient: str = "",
    occurred_at: datetime.datetime | None = None,
    description: str = "",
    esp_event_id: str = "",
) -> OutgoingMail | None:
    """Record a provider's event on the mail it concerns (None: not one of ours)."""
    mail = OutgoingMail.objects.filter(message_id=message_id).order_by("-pk").first()
    if mail is None or not message_id:
        return None
    if esp_event_id and mail.events.filter(esp_event_id=esp_event_id).exists():
        return mail  # the provider delivered the webhook twice
    MailEvent.objects.create(
        mail=mail,
        event_type=event_type,
        recipient=recipient or "",
        occurred_at=occurred_at or timezone.now(),
        description=(description or "")[:500],
        esp_event_id=esp_event_id or "",
    )
    status = _EVENT_STATUS.get(event_type)
    if status is not None and _RANK[status] >= _RANK[mail.status] and status != mail.status:
        mail.status = status
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "next_attempt_at", "updated_at"])
    return mail
