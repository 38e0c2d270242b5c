"""What changes the registry: plain functions, one transaction each."""

import csv
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import WorkflowState

from binding_forms.models import Applicant, Application, District, School, Student
from binding_forms.personal_data import decrypt, encrypt, id_number_digest

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def districts_load_csv(*, path: Path = DATA_DIR / "taipei_districts.csv") -> int:
    """Create or update the districts listed in ``path``; returns how many rows were read."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        District.objects.update_or_create(
            name=row["district"].strip(),
            defaults={
                "name_en": row["district_en"].strip(),
                "postal_code": row["postal_code"].strip(),
            },
        )
    return len(rows)


@transaction.atomic
def schools_load_csv(
    *, path: Path = DATA_DIR / "taipei_schools.csv", level: str = School.Level.ELEMENTARY
) -> int:
    """Create or update the schools in ``path`` (MOE public data), keyed by MOE code."""
    districts = {district.name: district for district in District.objects.all()}
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        district = districts.get(row["district"].strip())
        if district is None:
            district = District.objects.create(
                name=row["district"].strip(), postal_code=row["postal_code"].strip()
            )
            districts[district.name] = district
        School.objects.update_or_create(
            moe_code=row["moe_school_code"].strip(),
            defaults={
                "name": row["name_full_derived"].strip(),
                "short_name": row["name_moe"].strip(),
                "district": district,
                "level": level,
                "address": row["address"].strip(),
            },
        )
    return len(rows)


@transaction.atomic
def student_password_reset(*, student: Student, by) -> None:
    """Return a student account to its first password (the child's ID number), audited.

    The account keeps its links; every open session of it ends, because Django ties sessions to
    the password hash.
    """
    user = student.user
    if user is not None:
        user.set_unusable_password()
        user.password_change_required = True
        user.save(update_fields=["password", "password_change_required"])
    log(instance=student, action="binding_forms.reset_password", user=by)


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


def application_save_draft(*, application: Application, raw: dict) -> None:
    """暫存: keep what step 3 holds, valid or not; ID numbers only encrypted."""
    draft = {**application.draft_data, **_encrypt_ids(raw)}
    application.draft_data = draft
    application.save(update_fields=["draft_data"])


def application_draft_values(*, application: Application) -> dict:
    """The saved step-3 values, IDs decrypted for the form the parent is editing."""
    values = {}
    for key, value in application.draft_data.items():
        if isinstance(value, dict) and key.startswith("applicant"):
            value = dict(value)
            if value.get("id_number_encrypted"):
                value["id_number"] = decrypt(value.pop("id_number_encrypted"))
            values[key] = value
        else:
            values[key] = value
    return values


def _encrypt_ids(raw: dict) -> dict:
    encrypted = {}
    for key, value in raw.items():
        if isinstance(value, dict) and "id_number" in value:
            value = {k: v for k, v in value.items() if k != "id_number"}
            plain = raw[key].get("id_number", "")
            value["id_number_encrypted"] = encrypt(plain) if plain else ""
        encrypted[key] = value
    return encrypted


def applicants_pending_verification(*, application: Application, emails: list[str]) -> list[str]:
    verified = application.draft_data.get("verified_emails", {})
    return [email for email in emails if email not in verified]


def applicant_email_send_code(*, application: Application, email: str) -> str:
    """Mail a one-time code to an applicant's address (django-otp's email device): proof that
    the address is theirs. Rate-limited by the device's cooldown; expires after
    OTP_EMAIL_TOKEN_VALIDITY seconds."""
    device = _email_device(application=application, email=email)
    return device.generate_challenge(extra_context={"student_name": application.student.name})


def applicant_email_verify(*, application: Application, email: str, code: str) -> bool:
    device = _email_device(application=application, email=email)
    if not device.verify_token(code.strip()):
        return False
    application.draft_data = {
        **application.draft_data,
        "verified_emails": {
            **application.draft_data.get("verified_emails", {}),
            email: timezone.now().isoformat(),
        },
    }
    application.save(update_fields=["draft_data"])
    return True


def _email_device(*, application: Application, email: str):
    from django_otp.plugins.otp_email.models import EmailDevice

    device, _ = EmailDevice.objects.get_or_create(
        user=application.requester,
        name=f"binding-application-{application.pk}",
        email=email,
        defaults={"confirmed": False},
    )
    return device


@transaction.atomic
def application_submit(
    *, application: Application, application_type, applicants: list[dict], user
) -> Application:
    """確認送出: write the applicants and queue the start (or resumption) of the review, once.

    A first submission claims the row with one conditional UPDATE, which locks it: a double
    click, a second tab or a replayed request then finds it submitted and changes nothing. A
    resubmission after changes were requested (or a claim that failed) locks the row, looks at it
    and then decides, as before. The addresses proved by email codes are those of
    ``application.draft_data``, from which the caller decided that none is pending.
    """
    from binding_forms.tasks import application_start_review

    changes = {
        "application_type": application_type.label,
        "applicant_count": application_type.applicant_count,
        "submitted_at": timezone.now(),
        "draft_data": {},
    }
    first_time = Application.objects.filter(
        pk=application.pk,
        submitted_at__isnull=True,
        student_confirmed_at__isnull=False,
        consent=Application.Consent.AGREED,
    )
    if first_time.update(**changes):
        verified = application.draft_data.get("verified_emails", {})
    else:
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.submitted_at is not None and not application_needs_changes(application=locked):
            return locked
        if locked.student_confirmed_at is None or locked.consent != Application.Consent.AGREED:
            raise WizardOrderError("the student's data or the consent is missing")
        verified = locked.draft_data.get("verified_emails", {})
        if locked.submitted_at is not None:  # sent before: its applicants are replaced
            locked.applicants.all().delete()
        Application.objects.filter(pk=application.pk).update(**changes)

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
    application_start_review.enqueue(application.pk, user.pk)  # and the confirmation mails
    for name, value in changes.items():
        setattr(application, name, value)
    return application


def application_needs_changes(*, application: Application) -> bool:
    state = application.current_workflow_state
    return state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES


def application_start_review(*, application: Application, user) -> bool:
    """Revision, then the workflow: started the first time, resumed after changes requested.
    False when there was nothing to do (a replayed task)."""
    state = application.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        return False  # already under review: a replayed task
    application.save_revision(user=user, clean=False)
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(user=user)
    elif (workflow := application.get_workflow()) is not None:
        workflow.start(application, user)
    return True


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
