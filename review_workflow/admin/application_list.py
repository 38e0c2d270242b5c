"""The applications listing: filters, columns, the defused spreadsheet export."""

import django_filters
from django import forms
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views import snippets as snippet_views

from binding_forms.models import Applicant, Application
from binding_forms.reviewed_forms.models import SubmissionStatus
from review_workflow.admin.scoping import scoped_applications
from review_workflow.models import RegistryMatchTaskState
from review_workflow.review_checks import with_review_data as annotate_review_data
from review_workflow.spreadsheets import DefusedSpreadsheetExportMixin

# Listing -------------------------------------------------------------------------------------


class ApplicationFilterSet(WagtailFilterSet):
    review_status = django_filters.ChoiceFilter(
        label=gettext_lazy("Review status"),
        choices=SubmissionStatus.choices,
        widget=forms.RadioSelect,
        empty_label=gettext_lazy("All"),
    )
    grade = django_filters.NumberFilter(field_name="student__grade", label=gettext_lazy("Grade"))
    class_number = django_filters.NumberFilter(
        field_name="student__class_number", label=gettext_lazy("Class")
    )
    application_type = django_filters.ChoiceFilter(
        label=gettext_lazy("Application type"), empty_label=gettext_lazy("All")
    )
    submitted_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Submitted"), widget=DateRangePickerWidget
    )
    registry_match = django_filters.ChoiceFilter(
        label=gettext_lazy("Registry match"),
        choices=RegistryMatchTaskState.Outcome.choices,
        widget=forms.RadioSelect,
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Application
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = (
            self.queryset.exclude(application_type="")
            .order_by("application_type")
            .values_list("application_type", flat=True)
            .distinct()
        )
        self.filters["application_type"].extra["choices"] = [(t, t) for t in types]


class ClassColumn(Column):
    def get_value(self, instance):
        return instance.student.class_label


class StatusColumn(Column):
    cell_template_name = "review_workflow/admin/status_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["status"] = instance.review_status  # annotated: the submission's status rule
        context["label"] = SubmissionStatus.LABELS.get(instance.review_status, "")
        return context


class ApplicantsColumn(Column):
    def get_value(self, instance):
        return "、".join(f"{a.name}（{a.relationship}）" for a in instance.applicants.all())


class ChecksColumn(Column):
    cell_template_name = "review_workflow/admin/checks_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["application"] = instance
        return context


class ApplicationIndexView(DefusedSpreadsheetExportMixin, snippet_views.IndexView):
    def get_base_queryset(self):
        return annotate_review_data(
            scoped_applications(self.request.user)
            .select_related("student__school", "latest_revision")
            .prefetch_related(
                Prefetch("applicants", queryset=Applicant.objects.order_by("position"))
            )
        ).order_by("student__grade", "student__class_number", "student__student_number")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        applicants = Applicant.objects.filter(name__icontains=query).values("application_id")
        return queryset.filter(
            Q(student__name__icontains=query)
            | Q(student__student_number__icontains=query)
            | Q(pk__in=applicants)
        )

    def to_row_dict(self, item):
        applicants = list(item.applicants.all())
        row = {
            "class": item.student.class_label,
            "student_number": item.student.student_number,
            "student_name": item.student.name,
            "status": SubmissionStatus.LABELS.get(item.review_status, ""),
            "application_type": item.application_type,
            "submitted_at": item.submitted_at,
        }
        for position in (1, 2):
            applicant = next((a for a in applicants if a.position == position), None)
            row[f"applicant{position}_name"] = applicant.name if applicant else ""
            row[f"applicant{position}_relationship"] = applicant.relationship if applicant else ""
            row[f"applicant{position}_id"] = applicant.id_number_masked if applicant else ""
            row[f"applicant{position}_mobile"] = applicant.mobile if applicant else ""
            row[f"applicant{position}_email"] = applicant.email if applicant else ""
        row["checks"] = "；".join(_check_labels(item))
        row["registry_match"] = (
            RegistryMatchTaskState.Outcome(item.registry_match).label if item.registry_match else ""
        )
        return {key: value for key, value in row.items() if key in self.list_export}


def _check_labels(application) -> list[str]:
    labels = []
    if application.has_applicants:
        if application.unknown_applicant:
            labels.append(_("Applicant not a guardian in the registry"))
        else:
            labels.append(_("Applicants match the registry's guardians"))
    if application.sibling_link:
        labels.append(_("Already linked to a sibling"))
    if application.contact_reused:
        labels.append(_("Email or mobile used by another family"))
    return labels
