"""The binding wizard's steps (screens 2–4 of the handbook) as Step objects of BindingWizardPage.

The server decides which step may be reached from the application's stored state, so a crafted
request cannot skip confirmation or consent, and the student always comes from the signed-in
account (or a child the parent proved), never from the request.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from binding_forms.languages import lang_unless_active_language
from binding_forms.models import Application, District, School, Student
from binding_forms.reviewed_forms.models import SubmissionStatus
from binding_forms.reviewed_forms.services import (
    submission_draft_save,
    submission_draft_values,
)
from binding_forms.reviewed_forms.steps import Step

CHILD_SESSION_KEY = "binding_children"
TEMPLATES = "binding_forms/binding_wizard"


def _go(page, request, step: str):
    return redirect(page.step_url(request, step))


def _saved(request) -> None:
    messages.success(request, _("Saved. You can come back and continue at any time."))


# Who and where ------------------------------------------------------------------------------


def _student_for(request) -> Student | None:
    """The child this wizard is about: the student account's own, or the child a parent account
    chose (and proved with the child's password) on the child step."""
    # With its school and its application (if it has one yet): one query for the whole step.
    students = Student.objects.select_related("school", "application")
    try:
        student = students.get(user=request.user)
    except Student.DoesNotExist:
        pass
    else:
        request.user.student = student  # kept on the user: later ``user.student`` runs no query
        return student
    chosen = request.session.get(CHILD_SESSION_KEY, {}).get("current")
    if chosen is None:
        return None
    return students.filter(pk=chosen).order_by().first()


def application_of_request(page, request, *, for_update: bool = False) -> Application | None:
    """BindingWizardPage.get_submission: the child's application (created on the first visit),
    or None when a parent account has not chosen a child yet."""
    if for_update:
        application = services.application_locked_of_account(user=request.user)
        if application is not None:
            return application
    student = _student_for(request)  # a parent's chosen child, or the first visit
    if student is None:
        return None
    if for_update:
        return services.application_locked(student=student, page=page, user=request.user)
    return services.application_for(student=student, page=page, user=request.user)


def preview_application(page, step: Step) -> Application:
    """What editors see in a preview: a sample child's application, never saved, at ``step``."""
    school = School(name="臺北市立松山國民小學", registration_office_contact="註冊組 分機 111")
    student = Student(
        school=school, name="陳小花", student_number="108035", grade=2, class_number=1
    )
    application = Application(student=student, page=page)
    now = timezone.now()
    if step.name != "student":
        application.student_confirmed_at = now
        application.consent = Application.Consent.AGREED
    if step.after_submit:
        application.submitted_at = now
    return application


# The steps ----------------------------------------------------------------------------------


class ChildStep(Step):
    """A parent account names the child to bind with the child's student account, the school
    picked as on the sign-in page (district first). Always at hand: a parent binds one child
    after another."""

    needs_submission = False
    preview = False
    template = f"{TEMPLATES}/child.html"
    form_class = ChildForm

    def is_reachable(self, page, submission) -> bool:
        return True

    def get_form(self, page, request, submission):
        district = chosen_district(request)
        form = ChildForm(request.POST or None, request=request, district=district)
        form.district = district  # for the picker above it
        return form

    def get_context(self, page, request, submission, form) -> dict:
        return {
            "summary": error_entries(form) if form.is_bound else [],
            "district": form.district,
            "districts": District.objects.all(),
            # The reverse relation of review_workflow's links: binding_forms does not import it.
            "bound_links": request.user.child_links.active()
            .select_related("student__school")
            .order_by("created_at"),
        }

    def render(self, page, request, submission, **context):
        # About no application, even once a child was chosen: another one is being named.
        return super().render(page, request, None, **context)

    def process(self, page, request, submission, form):
        student = getattr(form.user, "student", None)
        if student is None:
            return self.render(page, request, submission, form=form)
        children = request.session.get(CHILD_SESSION_KEY, {})
        children["current"] = student.pk
        request.session[CHILD_SESSION_KEY] = children
        return _go(page, request, "student")


class StudentStep(Step):
    """Step 1: the registry's data of the child, confirmed by the parent."""

    template = f"{TEMPLATES}/student.html"

    def is_complete(self, submission) -> bool:
        return submission.student_confirmed_at is not None

    def get_context(self, page, request, submission, form) -> dict:
        return {"contact": submission.student.school.registration_office_contact}

    def get_preview_context(self, page, request, submission) -> dict:
        return {}

    def process(self, page, request, submission, form):
        action = request.POST.get("action")
        if action == "confirm":
            services.application_confirm_student(application=submission)
            return _go(page, request, "student")
        if action == "save":
            _saved(request)
            return _go(page, request, "student")
        if action == "next":
            if submission.student_confirmed_at is not None:
                return _go(page, request, "consent")
            error = _("Click “Information correct” before you submit.")
            return self.render(page, request, submission, error=error)
        return self.render(page, request, submission)


class ConsentStep(Step):
    """Step 2: the consent notice, agreed to or refused (``refused`` is what refusing shows)."""

    template = f"{TEMPLATES}/consent.html"
    form_class = ConsentForm
    refused: Step | None = None

    def is_complete(self, submission) -> bool:
        return submission.consent == Application.Consent.AGREED

    def get_form(self, page, request, submission):
        initial = {"choice": submission.consent} if submission.consent else None
        return ConsentForm(request.POST or None, page=page, initial=initial)

    def get_preview_context(self, page, request, submission) -> dict:
        return {"form": ConsentForm(page=page)}

    def get_context(self, page, request, submission, form) -> dict:
        return {"summary": error_entries(form) if form.is_bound else []}

    def process(self, page, request, submission, form):
        agreed = form.cleaned_data["choice"] == Application.Consent.AGREED
        services.application_record_consent(application=submission, page=page, agreed=agreed)
        if agreed:
            return _go(page, request, "applicants")
        return self.refused.render(page, request, submission)


class ApplicantsStep(Step):
    """Step 3: the application type and its applicants; sent at once, or after each new
    address's email code (the verify step)."""

    template = f"{TEMPLATES}/applicants.html"

    def is_complete(self, submission) -> bool:
        return False  # what is sent leaves the draft: the page's own address leads here

    def get_form(self, page, request, submission):
        initial, kept_id_numbers = services.application_form_start(
            application=submission, user=request.user
        )
        return ApplicantsForm(
            request.POST or None,
            page=page,
            student_id_digest=submission.student.id_number_digest,
            initial=initial,
            kept_id_numbers=kept_id_numbers,
        )

    def get_preview_context(self, page, request, submission) -> dict:
        return {"form": ApplicantsForm(page=page, student_id_digest="")}

    def serve(self, page, request, submission):
        form = self.get_form(page, request, submission)
        if request.method != "POST":
            return self.render(page, request, submission, form=form)
        if request.POST.get("action") == "save":
            submission_draft_save(submission=submission, values=form.raw_data())
            if form.flag_unkept():  # what the draft could not keep as typed: said beside it
                return self.render(page, request, submission, form=form)
            _saved(request)
            return _go(page, request, "applicants")
        if not form.is_valid():
            # Keep what was typed (as each field shows it again), also for the next device.
            submission_draft_save(submission=submission, values=form.raw_data())
            return self.render(page, request, submission, form=form)
        return self.process(page, request, submission, form)

    def process(self, page, request, submission, form):
        applicants = form.applicant_data()
        pending = (
            services.applicants_pending_verification(
                application=submission, emails=[data["email"] for data in applicants]
            )
            if page.verify_email
            else []
        )
        if not pending:
            services.application_submit(
                application=submission,
                application_type=form.chosen_type,
                applicants=applicants,
                user=request.user,
            )
            return _go(page, request, "done")
        submission_draft_save(submission=submission, values=form.raw_data())
        refused = services.applicant_emails_over_limit(application=submission, emails=pending)
        if refused:
            for applicant_form, data in zip(form.applicants, applicants, strict=False):
                if data["email"] in refused:
                    applicant_form.add_error("email", refused[data["email"]])
            return self.render(page, request, submission, form=form)
        for email in pending:
            message = services.applicant_email_send_code(application=submission, email=email)
            messages.info(request, f"{email}：{message}")
        submission_draft_save(submission=submission, values={"pending": pending})
        return _go(page, request, "verify")


class VerifyStep(Step):
    """The applicants' email codes, all typed at once; then the application is sent."""

    template = f"{TEMPLATES}/verify.html"
    preview = False

    def is_reachable(self, page, submission) -> bool:
        return (
            submission is not None
            and bool(submission.draft_data.get("pending"))
            and page.get_step("applicants").is_reachable(page, submission)
        )

    def serve(self, page, request, submission):
        pending = submission.draft_data.get("pending", [])
        if request.method == "POST" and request.POST.get("action") == "resend":
            # All the codes, or (the 重新寄送 beside an expired or unsent one) that address's.
            which = request.POST.get("address", "")
            chosen = (
                [pending[int(which)]] if which.isdigit() and int(which) < len(pending) else pending
            )
            for email in chosen:
                message = services.applicant_email_send_code(application=submission, email=email)
                messages.info(request, f"{email}：{message}")
            return _go(page, request, "verify")
        labels = self._applicant_labels(submission)
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
                application=submission,
                codes={code["email"]: code["form"].cleaned_data["code"] for code in codes},
            )
            if not refused:
                return self.process(page, request, submission, None)
            for code in codes:
                if code["email"] in refused:
                    code["form"].add_error("code", refused[code["email"]].message)
                    code["send_again"] = refused[code["email"]].send_again
        summary = []
        for code in codes:
            summary += error_entries(code["form"], prefix=f"{code['applicant'] or code['email']} ")
        return self.render(page, request, submission, codes=codes, summary=summary)

    def process(self, page, request, submission, form):
        """Every code is in: the application is sent from the draft, validated again."""
        form = ApplicantsForm(
            _as_post(submission_draft_values(submission=submission)),
            page=page,
            student_id_digest=submission.student.id_number_digest,
        )
        if not form.is_valid():  # the page's choices changed meanwhile: back to step 3
            return _go(page, request, "applicants")
        services.application_submit(
            application=submission,
            application_type=form.chosen_type,
            applicants=form.applicant_data(),
            user=request.user,
        )
        return _go(page, request, "done")

    @staticmethod
    def _applicant_labels(application: Application) -> dict[str, str]:
        """第一位 / 第二位 by email, from the draft the codes were sent for."""
        labels = {}
        for position, label in enumerate(APPLICANT_LABELS, start=1):
            saved = application.draft_data.get(f"applicant{position}")
            if isinstance(saved, dict) and isinstance(saved.get("email"), str):
                labels.setdefault(saved["email"].strip().lower(), label)
        return labels


def _as_post(values: dict) -> dict:
    data = {"application_type": values.get("application_type", "")}
    for position in (1, 2):
        for name, value in values.get(f"applicant{position}", {}).items():
            data[f"applicant{position}-{name}"] = value
    return data


class DoneStep(Step):
    """After sending: what was sent and where the review stands."""

    template = f"{TEMPLATES}/done.html"
    after_submit = True

    def serve(self, page, request, submission):
        return self.render(page, request, submission)

    def get_context(self, page, request, submission, form) -> dict:
        # Stored in the source language; shown as the page the parent reads names them.
        choices = page.step_choices()
        applicants = list(submission.applicants.all())
        for applicant in applicants:
            applicant.relationship_shown = choices.shown_relationship(applicant.relationship)
        language = lang_unless_active_language(choices.language)
        return {
            "applicants": applicants,
            "application_type_shown": choices.shown_type(submission.application_type),
            "choices_lang": format_html(' lang="{}"', language) if language else "",
        }

    def get_preview_context(self, page, request, submission) -> dict:
        return {"status": SubmissionStatus(SubmissionStatus.IN_REVIEW), "applicants": []}


# The order is the wizard's; ``refused`` is no step of its own but what refusing consent shows.
STEPS = (
    ChildStep("child"),
    StudentStep("student", title=gettext_lazy("Step 1: the student's data")),
    ConsentStep(
        "consent",
        title=gettext_lazy("Step 2: consent"),
        refused=Step("refused", template=f"{TEMPLATES}/refused.html", preview=False),
    ),
    ApplicantsStep("applicants", title=gettext_lazy("Step 3: the applicants")),
    VerifyStep("verify"),
    DoneStep("done", title=gettext_lazy("After submitting")),
)
