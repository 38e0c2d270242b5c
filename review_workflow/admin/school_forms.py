"""The reviewers' screens for what parents send on editor-built forms: the same as for
applications (their own school only, filters, search, export, bulk approve, the workflow's
approve and request-changes), plus the attachments, streamed only to those reviewers."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList, Panel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from binding_forms.reviewed_forms.builder import answer_text, attachment_open
from binding_forms.reviewed_forms.models import SubmissionStatus
from review_workflow.admin.application_chooser import ApplicationChooserViewSet
from review_workflow.admin.application_list import StatusColumn
from review_workflow.admin.application_review import ApplicationEditView
from review_workflow.admin.scoping import scoped_objects
from review_workflow.admin.viewsets import scope_urlpatterns
from review_workflow.admin.workflow_actions import (
    CollectWorkflowActionDataView,
    WorkflowActionView,
)
from review_workflow.models import SchoolFormPage, SchoolFormSubmission
from review_workflow.spreadsheets import DefusedSpreadsheetExportMixin


def scoped_submissions(user, actions=("view", "change")):
    """The sent submissions of the schools ``user`` serves (its permission policy)."""
    return scoped_objects(SchoolFormSubmission, user, actions)


# Listing -------------------------------------------------------------------------------------


class StatusFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        if value not in SubmissionStatus.LABELS:
            return qs
        return qs.filter(review_status=value)  # annotated by the index view


class SchoolFormSubmissionFilterSet(WagtailFilterSet):
    page = django_filters.ModelChoiceFilter(
        label=_("Form"),
        queryset=SchoolFormPage.objects.order_by("title"),
        empty_label=_("All"),
    )
    status = StatusFilter(
        label=_("Review status"),
        choices=[
            (name, label)
            for name, label in SubmissionStatus.LABELS.items()
            if name != SubmissionStatus.DRAFT
        ],
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    grade = django_filters.NumberFilter(field_name="student__grade", label=_("Grade"))
    class_number = django_filters.NumberFilter(field_name="student__class_number", label=_("Class"))
    submitted_at = django_filters.DateFromToRangeFilter(
        label=_("Submitted"), widget=DateRangePickerWidget
    )

    class Meta:
        model = SchoolFormSubmission
        fields: list[str] = []


class AnswersColumn(Column):
    def get_value(self, instance):
        return instance.answers_text()


class SchoolFormSubmissionIndexView(DefusedSpreadsheetExportMixin, snippet_views.IndexView):
    def get_base_queryset(self):
        return SchoolFormSubmission.with_status(
            scoped_submissions(self.request.user)
            .select_related("student__school", "page", "requester", "latest_revision")
            .order_by("-submitted_at", "-pk")
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        return queryset.filter(
            Q(student__name__icontains=query)
            | Q(student__student_number__icontains=query)
            | Q(requester__first_name__icontains=query)
        )

    def to_row_dict(self, item):
        row = {
            "form": item.page.title,
            "class": item.student.class_label,
            "student_number": item.student.student_number,
            "student_name": item.student.name,
            "parent": item.requester.get_full_name() or item.requester.get_username(),
            "status": str(SubmissionStatus.LABELS.get(item.review_status, "")),
            "submitted_at": item.submitted_at,
            "answers": item.answers_text(),
        }
        return {key: value for key, value in row.items() if key in self.list_export}


# One submission: what was sent, its attachments ------------------------------------------


def submission_context(submission: SchoolFormSubmission) -> dict:
    attachment_url_name = SchoolFormSubmission.snippet_viewset.get_url_name("attachment")
    answers = []
    for answer in submission.sent_data:
        value = answer.get("value")
        answers.append(
            {
                "label": answer.get("label", ""),
                "text": answer_text(answer),
                "attachment_url": reverse(
                    attachment_url_name, args=(submission.pk, answer.get("name", ""))
                )
                if isinstance(value, dict)
                else "",
            }
        )
    return {
        "submission": submission,
        "student": submission.student,
        "answers": answers,
        "status": submission.status,
    }


class SubmissionAnswersPanel(Panel):
    """What the parent sent, with the child and the attachments; nothing to type in."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "review_workflow/admin/form_submission_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(submission_context(self.instance))
            return context


class SubmissionReviewForm(WagtailAdminModelForm):
    class Meta:
        model = SchoolFormSubmission
        fields: list[str] = []


class SchoolFormSubmissionInspectView(snippet_views.InspectView):
    template_name = "review_workflow/admin/form_submission_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(submission_context(self.object))
        context["edit_url"] = reverse(
            self.object.snippet_viewset.get_url_name("edit"), args=(self.object.pk,)
        )
        return context


@never_cache
def attachment_download(request, pk: int, name: str):
    """An attachment, to a reviewer of the submission's school only (the viewset's scope wrapper
    answered 404 to anyone else before this runs; asked again here, from the object)."""
    submission = scoped_submissions(request.user).filter(pk=pk).first()
    opened = attachment_open(submission=submission, name=name) if submission else None
    if opened is None:
        raise Http404
    file, filename, content_type = opened
    return FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)


class SchoolFormSubmissionViewSet(SnippetViewSet):
    model = SchoolFormSubmission
    icon = "form"
    menu_label = _("Form submissions")
    menu_order = 292
    add_to_admin_menu = True
    url_prefix = "form-submissions"
    url_namespace = "school_form_submission"
    index_view_class = SchoolFormSubmissionIndexView
    edit_view_class = ApplicationEditView
    inspect_view_class = SchoolFormSubmissionInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    chooser_viewset_class = ApplicationChooserViewSet
    workflow_action_view_class = WorkflowActionView
    collect_workflow_action_data_view_class = CollectWorkflowActionDataView
    filterset_class = SchoolFormSubmissionFilterSet
    search_fields = ["student__name"]  # enables the search box; the view searches more
    search_backend_name = None
    list_per_page = 50
    list_display = [
        Column("form", label=_("Form"), accessor="page.title"),
        "student",
        Column("class", label=_("Class"), accessor="student.class_label"),
        StatusColumn("review_status", label=_("Review status")),
        DateColumn("submitted_at", label=_("Submitted")),
        AnswersColumn("answers", label=_("Answers")),
    ]
    list_export = [
        "form",
        "class",
        "student_number",
        "student_name",
        "parent",
        "status",
        "submitted_at",
        "answers",
    ]
    export_headings = {
        "form": _("Form"),
        "class": _("Class"),
        "student_number": _("Student number"),
        "student_name": _("Student"),
        "parent": _("Parent"),
        "status": _("Review status"),
        "submitted_at": _("Submitted"),
        "answers": _("Answers"),
    }
    export_filename = "form-submissions"
    edit_handler = ObjectList([SubmissionAnswersPanel()], base_form_class=SubmissionReviewForm)

    def get_urlpatterns(self):
        return scope_urlpatterns(
            [
                *super().get_urlpatterns(),
                path("attachment/<int:pk>/<str:name>/", attachment_download, name="attachment"),
            ],
            self.model,
        )
