"""The binding wizard's services: plain functions, one transaction each."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Applicant, Application, Student
from binding_forms.reviewed_forms.services import submission_submit

# The binding wizard --------------------------------------------------------------------------


class WizardOrderError(Exception):
    """A step was asked for before the steps it depends on were done (a crafted request)."""


def application_for(*, student: Student, page, user) -> Application:
    """The student's application, created as an empty draft on first visit.

    One per student (a one-to-one field): double clicks and a second tab find the same row.
    A student loaded with ``select_related("application")`` costs no query here.
    """
    try:
        return student.application
    except Application.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return Application.objects.create(
                student=student, page=page, requester=user, live=False
            )
    except IntegrityError:
        return Application.objects.select_related("student__school").get(student=student)


def application_locked_of_account(*, user) -> Application | None:
    """A student account's own application with its student and school, its row locked until
    the transaction ends: one query for what ``application_locked`` reads in two, on every step
    a student account sends after the first visit (None otherwise)."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("student__school")
        .filter(student__user=user)
        .order_by()
        .first()
    )


def application_locked(*, student: Student, page, user) -> Application:
    """The student's application (created on the first visit), its row locked until the
    transaction ends: call inside ``transaction.atomic()``. Every step a parent sends runs with
    it, so a double click or a second tab waits for the first request, then sees what it left
    (a sent application, a used code) instead of acting on what both saw before."""
    applications = Application.objects.select_for_update()
    application = applications.filter(student=student).first()
    if application is None:
        application_for(student=student, page=page, user=user)
        application = applications.get(student=student)
    application.student = student  # loaded already, with its school
    return application


def application_confirm_student(*, application: Application) -> None:
    if application.student_confirmed_at is None:
        application.student_confirmed_at = timezone.now()
        application.save(update_fields=["student_confirmed_at"])


def application_record_consent(*, application: Application, page, agreed: bool) -> None:
    """Record the choice and, when agreeing, the published revision of the notice agreed to."""
    if application.student_confirmed_at is None:
        raise WizardOrderError("the student's data is not confirmed")
    application.consent = Application.Consent.AGREED if agreed else Application.Consent.REFUSED
    application.consent_revision = page.live_revision if agreed else None
    application.consented_at = timezone.now()
    application.save(update_fields=["consent", "consent_revision", "consented_at"])


def application_form_start(*, application: Application, user=None) -> tuple[dict, dict[int, str]]:
    """Where step 3's form starts: the draft, or else (changes requested) what was sent, or else
    (``user`` a parent account binding a sibling, nothing typed yet) the applicants of the
    parent's first binding. ID numbers come back only as their encrypted copies, by applicant
    position, for the page to show masked (kept, or typed again): a full ID number never goes
    back into a page."""
    values = dict(application.draft_data)
    kept = {}
    for position in (1, 2):
        saved = values.get(f"applicant{position}")
        if isinstance(saved, dict):
            kept[position] = saved.get("id_number_encrypted") or ""
            values[f"applicant{position}"] = {
                name: value
                for name, value in saved.items()
                if name not in {"id_number", "id_number_encrypted"}
            }
    if kept:
        return values, kept
    if application.submitted_at is not None:
        return _applicants_values(source=application, page=application.page)
    earlier = application_earlier_of_parent(user=user, application=application) if user else None
    if earlier is not None:
        return _applicants_values(source=earlier, page=application.page)
    return values, kept


def _applicants_values(*, source: Application, page) -> tuple[dict, dict[int, str]]:
    """Step 3's form values from the applicants ``source`` names (the type too, when ``page``
    still offers it), with their ID numbers' encrypted copies."""
    values, kept = {}, {}
    types = [item.label for item in page.step_choices().stored_types] if page else []
    if source.application_type in types:
        values["application_type"] = str(types.index(source.application_type))
    for applicant in source.applicants.all():
        values[f"applicant{applicant.position}"] = {
            "name": applicant.name,
            "relationship": applicant.relationship,
            "mobile": applicant.mobile,
            "email": applicant.email,
        }
        kept[applicant.position] = applicant.id_number_encrypted
    return values, kept


def application_earlier_of_parent(*, user, application: Application) -> Application | None:
    """A parent account's first binding (another child's approved application), whose applicants
    a sibling's application starts from; None for a student account or a first binding."""
    if not user.is_authenticated or hasattr(user, "student"):
        return None
    # The reverse relation of review_workflow's links: binding_forms does not import it.
    link = (
        user.child_links.active()
        .exclude(application=None)
        .exclude(application=application)
        .select_related("application")
        .order_by("created_at", "pk")
        .first()
    )
    return link.application if link is not None else None


def applicants_pending_verification(*, application: Application, emails: list[str]) -> list[str]:
    verified = application.draft_data.get("verified_emails", {})
    return [email for email in emails if email not in verified]


# Email codes. The wizard calls these with the application's row locked (the page takes the
# lock for every step a parent sends): a double click or a second tab then waits for the first
# request and finds what it left — one device per address, each code checked and used up once,
# the counts below exact. The device rows are locked too, for callers without the first lock.

CODE_LOG_KEY = "codes_sent"  # in the draft: [[email, ISO time], …] of the last hour
HOUR = timedelta(hours=1)


def _codes_sent(application: Application, now) -> list[tuple[str, datetime]]:
    sent = []
    for email, at in application.draft_data.get(CODE_LOG_KEY, []):
        at = datetime.fromisoformat(at)
        if now - at < HOUR:
            sent.append((email, at))
    return sent


def _minutes_until(at, now) -> int:
    return max(1, math.ceil((at + HOUR - now).total_seconds() / 60))


def applicant_emails_over_limit(*, application: Application, emails: list[str]) -> dict:
    """The addresses among ``emails`` that may not get a code now because codes went to
    ``BINDING_CODE_ADDRESSES_PER_HOUR`` other addresses of this application in the last hour:
    ``{email: message}``. One signed-in account must not mail codes to any number of people."""
    now = timezone.now()
    sent = _codes_sent(application, now)
    addresses = {email for email, _at in sent}
    limit = settings.BINDING_CODE_ADDRESSES_PER_HOUR
    refused = {}
    for email in emails:
        if email in addresses:
            continue
        if len(addresses) < limit:
            addresses.add(email)
            continue
        refused[email] = _(
            "Codes went to %(count)d different addresses in the last hour, the most allowed. "
            "Use an address that received a code, or try again in %(minutes)d minutes."
        ) % {"count": limit, "minutes": _minutes_until(min(at for _e, at in sent), now)}
    return refused


def applicant_email_send_code(*, application: Application, email: str) -> str:
    """Mail a one-time code to an applicant's address (django-otp's email device): proof that
    the address is theirs. At most one a minute to an address (the device's cooldown),
    ``BINDING_CODES_PER_HOUR`` an application an hour, to at most
    ``BINDING_CODE_ADDRESSES_PER_HOUR`` addresses; a code expires after OTP_EMAIL_TOKEN_VALIDITY
    seconds. Returns what to tell the parent."""
    now = timezone.now()
    refused = applicant_emails_over_limit(application=application, emails=[email])
    if refused:
        return refused[email]
    sent = _codes_sent(application, now)
    if len(sent) >= settings.BINDING_CODES_PER_HOUR:
        return _(
            "%(count)d codes were sent in the last hour, the most allowed. Use a code already "
            "received, or send again in %(minutes)d minutes."
        ) % {
            "count": settings.BINDING_CODES_PER_HOUR,
            "minutes": _minutes_until(min(at for _e, at in sent), now),
        }
    with transaction.atomic():
        device = _email_device(application=application, email=email)
        allowed, refusal = device.generate_is_allowed()
        if not allowed:  # django-otp's cooldown: its own message is English and vague
            seconds = _seconds_until((refusal or {}).get("next_generation_at"), now)
            return ngettext(
                "A code was sent less than a minute ago: send again in %(seconds)d second.",
                "A code was sent less than a minute ago: send again in %(seconds)d seconds.",
                seconds,
            ) % {"seconds": seconds}
        device.generate_challenge(extra_context={"student_name": application.student.name})
    sent.append((email, now))
    application.draft_data = {
        **application.draft_data,
        CODE_LOG_KEY: [[address, at.isoformat()] for address, at in sent],
    }
    application.save(update_fields=["draft_data"])
    return _("A code was sent.")


@dataclass(frozen=True)
class CodeRefused:
    """Why an applicant's code was not accepted: what to tell the parent, and whether a new code
    is the way on (it expired, or none was sent)."""

    message: str
    send_again: bool = False


def applicant_emails_verify(*, application: Application, codes: dict[str, str]) -> dict:
    """Check every applicant's code, then use them all up — or none: a wrong code for one
    applicant must not spend the other's right one, which would then be refused until a new
    one is sent. Returns ``{email: CodeRefused}`` for the codes not accepted; empty when all were
    right and are now used up. Each wrong code counts towards django-otp's throttling of that
    address's device, as its own ``verify_token`` counts it."""
    now = timezone.now()
    refused, right = {}, {}
    try:
        with transaction.atomic():
            for email, code in codes.items():
                devices = _email_devices(application=application, email=email)
                outcome = _code_check(devices, code.strip(), now)
                if isinstance(outcome, CodeRefused):
                    refused[email] = outcome
                else:
                    right[email] = (outcome, devices, code.strip())
            if refused:
                return refused
            for email, (device, devices, code) in right.items():
                # Django-otp's own check and use, as for one code: it resets the throttling and
                # the cooldown. Checked above under the same lock, it fails only if the code
                # expired in between: then nothing is used up.
                if not device.verify_token(code):
                    raise _CodeExpiredMeanwhile(email)
                _remove_duplicates(devices, keep=device)
    except _CodeExpiredMeanwhile as error:
        return {error.args[0]: _code_expired()}
    application.draft_data = {
        **application.draft_data,
        "verified_emails": {
            **application.draft_data.get("verified_emails", {}),
            **dict.fromkeys(codes, now.isoformat()),
        },
    }
    application.save(update_fields=["draft_data"])
    return {}


class _CodeExpiredMeanwhile(Exception):
    pass


def _code_check(devices: list, code: str, now):
    """The device whose live code is ``code``, or why there is none; a failure is counted as
    django-otp counts it (each one doubles the pause before the next code is checked)."""
    if not devices:  # no code was mailed to it (the hourly limit refused it)
        return CodeRefused(
            _("No code was sent to this address yet. Send one and type it here."),
            send_again=True,
        )
    allowed = []
    waits = []
    for device in devices:
        ok, refusal = device.verify_is_allowed()
        if ok:
            allowed.append(device)
        else:
            waits.append(_seconds_until((refusal or {}).get("locked_until"), now))
    if not allowed:
        seconds = min(waits)
        return CodeRefused(
            ngettext(
                "Too many wrong codes for this address: try again in %(seconds)d second.",
                "Too many wrong codes for this address: try again in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds}
        )
    live = [d for d in allowed if d.token is not None and now < d.valid_until]
    match = next((d for d in live if constant_time_compare(code, d.token)), None)
    if match is not None:
        return match
    for device in allowed:
        device.throttle_increment()
    if not live:  # no code that could still be right: the typed one is old, or was never sent
        return _code_expired()
    return CodeRefused(
        _("This code is wrong. Check the newest code mailed to this address and type it again.")
    )


def _code_expired() -> CodeRefused:
    return CodeRefused(
        _("This code has expired. Send a new one and type it here."),
        send_again=True,
    )


def _seconds_until(at, now) -> int:
    return max(1, math.ceil((at - now).total_seconds())) if at else 1


def _email_devices(*, application: Application, email: str) -> list:
    """The address's devices, newest first, locked. Normally one; a double click before the
    wizard took its lock left two, and both mailed a code: either may be the one typed."""
    from django_otp.plugins.otp_email.models import EmailDevice

    return list(
        EmailDevice.objects.select_for_update()
        .filter(
            user=application.requester,
            name=f"binding-application-{application.pk}",
            email=email,
        )
        .order_by("-pk")
    )


def _remove_duplicates(devices: list, *, keep) -> None:
    extra = [device.pk for device in devices if device.pk != keep.pk]
    if extra:
        type(keep).objects.filter(pk__in=extra).delete()


def _email_device(*, application: Application, email: str):
    from django_otp.plugins.otp_email.models import EmailDevice

    devices = _email_devices(application=application, email=email)
    if not devices:
        return EmailDevice.objects.create(
            user=application.requester,
            name=f"binding-application-{application.pk}",
            email=email,
            confirmed=False,
        )
    _remove_duplicates(devices, keep=devices[0])
    return devices[0]


# Inside the wizard step's own transaction (which holds the row lock) a savepoint would only add
# two statements to the final POST: nothing catches a failure here to carry on without it.
@transaction.atomic(savepoint=False)
def application_submit(
    *, application: Application, application_type, applicants: list[dict], user
) -> Application:
    """確認送出, once (``submission_submit``): the type and the applicants, then the start (or
    resumption) of the review, queued. A double click, a second tab or a replayed request finds
    it sent and changes nothing. The addresses proved by email codes are those of
    ``application.draft_data``, from which the caller decided that none is pending."""
    verified = application.draft_data.get("verified_emails", {})

    def applicants_write(resent: bool) -> None:
        if resent:  # sent before: its applicants are replaced
            Applicant.objects.filter(application_id=application.pk).delete()
        Applicant.objects.bulk_create(
            Applicant(
                application_id=application.pk,
                position=data["position"],
                name=data["name"],
                relationship=data["relationship"],
                id_number_digest=id_number_digest(data["id_number"]),
                id_number_encrypted=encrypt(data["id_number"]),
                mobile=data["mobile"],
                email=data["email"],
                email_verified_at=verified.get(data["email"]),
            )
            for data in applicants
        )

    sent = submission_submit(
        submission=application,
        user=user,
        changes={
            "application_type": application_type.label,
            "applicant_count": application_type.applicant_count,
        },
        ready=Q(student_confirmed_at__isnull=False, consent=Application.Consent.AGREED),
        related_write=applicants_write,
    )
    if not sent and Application.objects.filter(pk=application.pk, submitted_at=None).exists():
        raise WizardOrderError("the student's data or the consent is missing")
    return application


def wizard_page_create(*, parent, title: str = "親子帳號綁定", slug: str = "binding"):
    """A published wizard under ``parent`` with the handbook's application types and
    relationships; editors change any of it afterwards."""
    from binding_forms.models import (
        DEFAULT_APPLICATION_TYPES,
        DEFAULT_RELATIONSHIPS,
        ApplicationType,
        BindingWizardPage,
        RelationshipChoice,
    )

    page = BindingWizardPage(title=title, slug=slug)
    for label, count in DEFAULT_APPLICATION_TYPES:
        page.application_types.add(ApplicationType(label=label, applicant_count=count))
    for label in DEFAULT_RELATIONSHIPS:
        page.relationships.add(RelationshipChoice(label=label))
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page
