"""我的孩子: where every parent sign-in lands — their bound children, applications still under
review, the school forms they can fill in for each child, and the city's services."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from binding_forms.binding.shown_choices import ShownChoices
from binding_forms.languages import default_locale_id, in_active_language
from binding_forms.models import Application, BindingWizardPage
from binding_forms.reviewed_forms.models import SubmissionStatus
from home.models import PortalService
from review_workflow.models import ParentStudentLink, SchoolFormPage, SchoolFormSubmission

# What the home lists of applications: sent, and not yet decided.
OPEN_STATUSES = {SubmissionStatus.IN_REVIEW, SubmissionStatus.CHANGES_REQUESTED}


@never_cache
@login_required
def parent_home(request):
    """我的孩子. A student account is no parent: it keeps landing on the binding wizard."""
    if hasattr(request.user, "student"):
        return redirect("binding_start")
    links = list(
        ParentStudentLink.objects.active()
        .filter(parent=request.user)
        .select_related("student__school", "application")
        .order_by("created_at", "pk")
    )
    context = {
        "title": _("My children"),
        "children": children_with_forms(request=request, links=links),
        "applications": applications_open(user=request.user),
        "services": services_in_active_language(),
        "bind_another_url": bind_another_url(request=request),
    }
    return TemplateResponse(request, "home/parent_home.html", context)


def children_with_forms(*, request, links: list[ParentStudentLink]) -> list[dict]:
    """Each bound child, with the live school forms and the parent's last submission on each
    for that child (forms only for children still enrolled: the forms offer no other)."""
    forms = in_active_language(SchoolFormPage.objects.live().public().order_by("path"))
    last = {}
    if forms and links:
        submissions = SchoolFormSubmission.objects.filter(
            requester=request.user, page__in=forms
        ).order_by("-created_at", "-pk")
        for submission in submissions.only("pk", "page_id", "student_id", "submitted_at", "live"):
            last.setdefault((submission.page_id, submission.student_id), submission)
    shown = ShownChoices()
    children = []
    for link in links:
        student = link.student
        children.append(
            {
                "link": link,
                "student": student,
                # stored in zh-Hant; shown as the parent's language's wizard names it
                "relationship": shown.relationship(
                    link.relationship,
                    page_id=link.application.page_id if link.application else None,
                ),
                "forms": [
                    _form_entry(request=request, form=form, last=last.get((form.pk, student.pk)))
                    for form in forms
                ]
                if student.enrolled
                else [],
            }
        )
    return children


def _form_entry(*, request, form: SchoolFormPage, last: SchoolFormSubmission | None) -> dict:
    return {
        "page": form,
        "url": form.get_url(request),
        "last": last,
        "status_url": form.submission_status_url(last, request) if last else "",
    }


def applications_open(*, user) -> list[Application]:
    """Binding applications this parent sent (a sibling) or is named in, still under review or
    sent back for changes — with the registrar's comment (``status``, the one rule)."""
    named = Q(requester=user)
    account = getattr(user, "parent_account", None)
    if account is not None:
        named |= Q(applicants__id_number_digest=account.id_number_digest)
    sent = (
        Application.objects.filter(named, submitted_at__isnull=False, live=False)
        .select_related("student__school")
        .distinct()
        .order_by("-submitted_at", "-pk")
    )
    return [application for application in sent if application.status.name in OPEN_STATUSES]


def services_in_active_language() -> list[PortalService]:
    """The services in the parent's language; one with no English version yet in zh-Hant."""
    return in_active_language(PortalService.objects.select_related("icon").order_by("sort_order"))


def bind_another_url(*, request) -> str:
    """綁定其他子女: the wizard's step where a parent account names another child. The address
    is the source language's page's, which serves the parent's language's version."""
    pages = BindingWizardPage.objects.live().public().filter(locale_id=default_locale_id())
    page = pages.filter(level="").order_by("path").first() or pages.order_by("path").first()
    return f"{page.get_url(request)}child/" if page is not None else ""
