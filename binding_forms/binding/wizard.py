"""The binding wizard's steps (screens 2–4 of the handbook), as routes of BindingWizardPage.

Each step keeps the shape of Wagtail's form pages: get the form, validate it, process it through
a service, render. The server decides which step may be reached from the application's stored
state, so a crafted request cannot skip confirmation or consent, and the student always comes
from the signed-in account (or a child the parent proved), never from the request.
"""

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from binding_forms.accounts.views import chosen_district
from binding_forms.binding import services
from binding_forms.binding.forms import (
    APPLICANT_LABELS,
    ApplicantsForm,
    ChildForm,
    ConsentForm,
    EmailCodeForm,
    error_entries,
)
from binding_forms.models import Application, District, Student

STEPS = ("student", "consent", "applicants", "verify", "done")
CHILD_SESSION_KEY = "binding_children"


# Who and where ------------------------------------------------------------------------------


def _student_for(request) -> Student | None:
    """The child this wizard is about: the student account's own, or the child a parent account
    chose (and proved with the child's password) on the child step."""
    # With its school and its application (if it has one yet): one query for the whole step.
    students = Student.objects.select_related("school", "application")
    try:
        return students.get(user=request.user)
    except Student.DoesNotExist:
        pass
    chosen = request.session.get(CHILD_SESSION_KEY, {}).get("current")
    if chosen is None:
        return None
    return students.filter(pk=chosen).order_by().first()


def expected_step(application: Application) -> str:
    """The furthest step the stored state allows."""
    if application.student_confirmed_at is None:
        return "student"
    if application.consent != Application.Consent.AGREED:
        return "consent"
    if application.submitted_at is None or services.application_needs_changes(
        application=application
    ):
        return "applicants"
    return "done"


def _reachable(step: str, application: Application) -> bool:
    """Earlier steps may be revisited until the application is sent; then only its status."""
    allowed = expected_step(application)
    if step == "start":
        return True
    if step == "verify":
        return allowed == "applicants" and bool(application.draft_data.get("pending"))
    if step == "done":
        return application.submitted_at is not None
    if allowed == "done":
        return False
    return STEPS.index(step) <= STEPS.index(allowed)


def wizard_view(step: str):
    """Decorator: sign-in, the child, the application, and the order of the steps."""

    def decorate(handler):
        def view(page, request):
            response = _dispatch(page, request)
            # Every step carries a CSRF token and personal data: never cached.
            add_never_cache_headers(response)
            return response

        def _dispatch(page, request):
            if not request.user.is_authenticated:
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return redirect(f"{reverse('signin')}?{query}")
            if step == "child":
                return handler(page, request, None)
            if request.method == "POST":
                with transaction.atomic():  # a repeat waits here for the request before it
                    application = services.application_locked_of_account(user=request.user)
                    if application is None:  # a parent's chosen child, or the first visit
                        student = _student_for(request)
                        if student is None:
                            return _go(page, "child")
                        application = services.application_locked(
                            student=student, page=page, user=request.user
                        )
                    return _handle(page, request, application)
            student = _student_for(request)
            if student is None:
                return _go(page, "child")
            application = services.application_for(student=student, page=page, user=request.user)
            return _handle(page, request, application)

        def _handle(page, request, application):
            if not _reachable(step, application):
                return _go(page, expected_step(application))
            return handler(page, request, application)

        return view

    return decorate


def render_step(page, request, step: str, application: Application | None, **context):
    student = application.student if application else None
    status = context.pop("status", None)
    if status is None and application is not None:
        status = services.application_status(application=application)
    return TemplateResponse(
        request,
        page.get_template(request),
        {
            "page": page,
            "self": page,
            "step": step,
            "application": application,
            "student": student,
            "status": status,
            "progress": _progress(application, status),
            **context,
        },
    )


def _progress(application: Application | None, status) -> dict:
    if application is None:
        return {"confirmed": False, "submitted": False, "changes_requested": False}
    return {
        "confirmed": application.student_confirmed_at is not None,
        "submitted": application.submitted_at is not None,
        "changes_requested": status.name == "changes_requested",
    }


def _go(page, step: str):
    return redirect(page.url + page.reverse_subpage(step))


# The steps ----------------------------------------------------------------------------------


@wizard_view("start")
def start(page, request, application):
    return _go(page, expected_step(application))


@wizard_view("student")
def student_step(page, request, application):
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm":
            services.application_confirm_student(application=application)
            return _go(page, "student")
        if action == "save":
            messages.success(request, _("Saved. You can come back and continue at any time."))
            return _go(page, "student")
        if action == "next":
            if application.student_confirmed_at is not None:
                return _go(page, "consent")
            error = _("Click “Information correct” before you submit.")
    return render_step(
        page,
        request,
        "student",
        application,
        error=error,
        contact=application.student.school.registration_office_contact,
    )


@wizard_view("consent")
def consent_step(page, request, application):
    initial = {"choice": application.consent} if application.consent else None
    form = ConsentForm(request.POST or None, page=page, initial=initial)
    if request.method == "POST" and form.is_valid():
        agreed = form.cleaned_data["choice"] == Application.Consent.AGREED
        services.application_record_consent(application=application, page=page, agreed=agreed)
        if agreed:
            return _go(page, "applicants")
        return render_step(page, request, "refused", application)
    summary = error_entries(form) if form.is_bound else []
    return render_step(page, request, "consent", application, form=form, summary=summary)


@wizard_view("applicants")
def applicants_step(page, request, application):
    initial, kept_id_numbers = services.application_form_start(application=application)
    form = ApplicantsForm(
        request.POST or None,
        page=page,
        student_id_digest=application.student.id_number_digest,
        initial=initial,
        kept_id_numbers=kept_id_numbers,
    )
    if request.method != "POST":
        return render_step(page, request, "applicants", application, form=form)
    if request.POST.get("action") == "save":
        services.application_save_draft(application=application, raw=form.raw_data())
        if form.flag_unkept():  # what the draft could not keep as typed: said beside it
            return render_step(page, request, "applicants", application, form=form)
        messages.success(request, _("Saved. You can come back and continue at any time."))
        return _go(page, "applicants")
    if not form.is_valid():
        # Keep what was typed (as each field shows it again), also for the next device.
        services.application_save_draft(application=application, raw=form.raw_data())
        return render_step(page, request, "applicants", application, form=form)
    applicants = form.applicant_data()
    pending = (
        services.applicants_pending_verification(
            application=application, emails=[data["email"] for data in applicants]
        )
        if page.verify_email
        else []
    )
    if not pending:
        services.application_submit(
            application=application,
            application_type=form.chosen_type,
            applicants=applicants,
            user=request.user,
        )
        return _go(page, "done")
    services.application_save_draft(application=application, raw=form.raw_data())
    refused = services.applicant_emails_over_limit(application=application, emails=pending)
    if refused:
        for applicant_form, data in zip(form.applicants, applicants, strict=False):
            if data["email"] in refused:
                applicant_form.add_error("email", refused[data["email"]])
        return render_step(page, request, "applicants", application, form=form)
    for email in pending:
        message = services.applicant_email_send_code(application=application, email=email)
        messages.info(request, f"{email}：{message}")
    application.draft_data = {**application.draft_data, "pending": pending}
    application.save(update_fields=["draft_data"])
    return _go(page, "verify")


@wizard_view("verify")
def verify_step(page, request, application):
    pending = application.draft_data.get("pending", [])
    if request.method == "POST" and request.POST.get("action") == "resend":
        # All the codes, or (the 重新寄送 beside an expired or unsent one) that address's alone.
        which = request.POST.get("address", "")
        chosen = [pending[int(which)]] if which.isdigit() and int(which) < len(pending) else pending
        for email in chosen:
            message = services.applicant_email_send_code(application=application, email=email)
            messages.info(request, f"{email}：{message}")
        return _go(page, "verify")
    labels = _applicant_labels(application)
    codes = [
        {
            "index": index,
            "email": email,
            "applicant": labels.get(email, ""),
            "form": EmailCodeForm(request.POST or None, prefix=f"code{index}"),
            "send_again": False,
        }
        for index, email in enumerate(pending)
    ]
    if request.method == "POST" and all([code["form"].is_valid() for code in codes]):  # noqa: C419
        # All codes at once: used up together, or none (one wrong code spends no other).
        refused = services.applicant_emails_verify(
            application=application,
            codes={code["email"]: code["form"].cleaned_data["code"] for code in codes},
        )
        if not refused:
            return _submit_from_draft(page, request, application)
        for code in codes:
            if code["email"] in refused:
                code["form"].add_error("code", refused[code["email"]].message)
                code["send_again"] = refused[code["email"]].send_again
    summary = []
    for code in codes:
        summary += error_entries(code["form"], prefix=f"{code['applicant'] or code['email']} ")
    return render_step(page, request, "verify", application, codes=codes, summary=summary)


def _applicant_labels(application: Application) -> dict[str, str]:
    """第一位 / 第二位 by email, from the draft the codes were sent for."""
    labels = {}
    for position, label in enumerate(APPLICANT_LABELS, start=1):
        saved = application.draft_data.get(f"applicant{position}")
        if isinstance(saved, dict) and isinstance(saved.get("email"), str):
            labels.setdefault(saved["email"].strip().lower(), label)
    return labels


def _submit_from_draft(page, request, application):
    form = ApplicantsForm(
        _as_post(services.application_draft_values(application=application)),
        page=page,
        student_id_digest=application.student.id_number_digest,
    )
    if not form.is_valid():  # the page's choices changed meanwhile: back to step 3
        return _go(page, "applicants")
    services.application_submit(
        application=application,
        application_type=form.chosen_type,
        applicants=form.applicant_data(),
        user=request.user,
    )
    return _go(page, "done")


def _as_post(values: dict) -> dict:
    data = {"application_type": values.get("application_type", "")}
    for position in (1, 2):
        for name, value in values.get(f"applicant{position}", {}).items():
            data[f"applicant{position}-{name}"] = value
    return data


@wizard_view("done")
def done_step(page, request, application):
    return render_step(page, request, "done", application, applicants=application.applicants.all())


@wizard_view("child")
def child_step(page, request, application):
    """A parent account names the child to bind with the child's student account, the school
    picked as on the sign-in page (district first)."""
    district = chosen_district(request)
    form = ChildForm(request.POST or None, request=request, district=district)
    if request.method == "POST" and form.is_valid():
        student = getattr(form.user, "student", None)
        if student is not None:
            children = request.session.get(CHILD_SESSION_KEY, {})
            children["current"] = student.pk
            request.session[CHILD_SESSION_KEY] = children
            return _go(page, "student")
    return render_step(
        page,
        request,
        "child",
        None,
        form=form,
        summary=error_entries(form) if form.is_bound else [],
        district=district,
        districts=District.objects.all(),
        # The reverse relation of review_workflow's links: binding_forms does not import it.
        bound_links=request.user.child_links.active()
        .select_related("student__school")
        .order_by("created_at"),
    )


# Previews for editors -------------------------------------------------------------------------


def preview(page, request, mode_name):
    from binding_forms.models import School

    school = School(name="臺北市立松山國民小學", registration_office_contact="註冊組 分機 111")
    student = Student(
        school=school, name="陳小花", student_number="108035", grade=2, class_number=1
    )
    application = Application(student=student, page=page, consent="agreed")
    now = timezone.now()
    application.student_confirmed_at = None if mode_name == "student" else now
    context = {"status": services.ApplicationStatus("draft")}
    if mode_name == "consent":
        context["form"] = ConsentForm(page=page)
    elif mode_name == "applicants":
        context["form"] = ApplicantsForm(page=page, student_id_digest="")
    elif mode_name == "done":
        application.submitted_at = now
        context.update(status=services.ApplicationStatus("in_review"), applicants=[])
    return render_step(page, request, mode_name, application, preview=True, **context)
