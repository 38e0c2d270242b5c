"""The registrar's screens: applications (a snippet, for Wagtail's workflow) and parent–child
links, both limited to the registrar's own school."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from binding_forms.models import Application
from review_workflow.admin.application_chooser import ApplicationChooserViewSet
from review_workflow.admin.application_list import (
    ApplicantsColumn,
    ApplicationFilterSet,
    ApplicationIndexView,
    ChecksColumn,
    ClassColumn,
    StatusColumn,
)
from review_workflow.admin.application_review import (
    ApplicationEditHandler,
    ApplicationEditView,
    ApplicationInspectView,
    ApplicationReviewForm,
    ApplicationReviewPanel,
)
from review_workflow.admin.link_list import (
    LinkStateColumn,
    ParentStudentLinkFilterSet,
    ParentStudentLinkIndexView,
)
from review_workflow.admin.link_revoke import LinkRevokeView
from review_workflow.admin.reveal_id import RevealIdView
from review_workflow.admin.scoping import school_scoped
from review_workflow.admin.workflow_actions import CollectWorkflowActionDataView, WorkflowActionView
from review_workflow.models import ParentStudentLink


def scope_urlpatterns(patterns, model):
    for pattern in patterns:
        pattern.callback = school_scoped(pattern.callback, model)
    return patterns


class ApplicationViewSet(SnippetViewSet):
    model = Application
    icon = "form"
    menu_label = _("Applications")
    menu_order = 290
    add_to_admin_menu = True
    url_prefix = "applications"
    url_namespace = "application"
    index_view_class = ApplicationIndexView
    edit_view_class = ApplicationEditView
    inspect_view_class = ApplicationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    chooser_viewset_class = ApplicationChooserViewSet
    workflow_action_view_class = WorkflowActionView
    collect_workflow_action_data_view_class = CollectWorkflowActionDataView
    filterset_class = ApplicationFilterSet
    search_fields = ["student__name"]  # enables the search box; the view searches more
    search_backend_name = None
    list_per_page = 50
    list_display = [
        "student",
        ClassColumn("class", label=_("Class")),
        Column("student_number", label=_("Student number"), accessor="student.student_number"),
        ApplicantsColumn("applicants", label=_("Applicants")),
        StatusColumn("review_status", label=_("Review status")),
        DateColumn("submitted_at", label=_("Submitted")),
        ChecksColumn("checks", label=_("Checks")),
    ]
    list_export = [
        "class",
        "student_number",
        "student_name",
        "status",
        "application_type",
        "submitted_at",
        "applicant1_name",
        "applicant1_relationship",
        "applicant1_id",
        "applicant1_mobile",
        "applicant1_email",
        "applicant2_name",
        "applicant2_relationship",
        "applicant2_id",
        "applicant2_mobile",
        "applicant2_email",
        "checks",
        "registry_match",
    ]
    export_headings = {
        "class": _("Class"),
        "student_number": _("Student number"),
        "student_name": _("Student"),
        "status": _("Review status"),
        "application_type": _("Application type"),
        "submitted_at": _("Submitted"),
        "applicant1_name": _("Applicant 1"),
        "applicant1_relationship": _("Relationship 1"),
        "applicant1_id": _("ID number 1 (masked)"),
        "applicant1_mobile": _("Mobile 1"),
        "applicant1_email": _("Email 1"),
        "applicant2_name": _("Applicant 2"),
        "applicant2_relationship": _("Relationship 2"),
        "applicant2_id": _("ID number 2 (masked)"),
        "applicant2_mobile": _("Mobile 2"),
        "applicant2_email": _("Email 2"),
        "checks": _("Checks"),
        "registry_match": _("Registry match"),
    }
    export_filename = "applications"
    edit_handler = ApplicationEditHandler(
        [ApplicationReviewPanel()],
        base_form_class=ApplicationReviewForm,
    )

    def get_urlpatterns(self):
        return scope_urlpatterns(
            [
                *super().get_urlpatterns(),
                path(
                    "reveal/<int:pk>/",
                    RevealIdView.as_view(),
                    name="reveal_id",
                ),
            ],
            self.model,
        )


class ParentStudentLinkViewSet(ModelViewSet):
    """Links are made by approvals; here they are listed and revoked, never edited."""

    model = ParentStudentLink
    icon = "link"
    menu_label = _("Parent–child links")
    menu_order = 295
    add_to_admin_menu = True
    url_prefix = "links"
    url_namespace = "parent_student_link"
    index_view_class = ParentStudentLinkIndexView
    filterset_class = ParentStudentLinkFilterSet
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["relationship"]  # never shown: the permission policy allows no add or change
    inspect_view_fields = [
        "student",
        "parent",
        "relationship",
        "created_at",
        "unbinding_requested_at",
        "unbinding_request_reason",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]
    search_fields = ["student__name"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        Column("student", label=_("Student"), accessor="student.name"),
        Column("class", label=_("Class"), accessor="student.class_label"),
        Column("student_number", label=_("Student number"), accessor="student.student_number"),
        Column("parent", label=_("Parent"), accessor="parent"),
        "relationship",
        LinkStateColumn("state", label=_("State")),
        DateColumn("created_at", label=_("Bound")),
        # A parent's 申請解除綁定 (from /me/unbind/): when, so the oldest are decided first.
        DateColumn("unbinding_requested_at", label=_("Unbinding requested")),
    ]

    def get_urlpatterns(self):
        return scope_urlpatterns(
            [
                *super().get_urlpatterns(),
                path("revoke/<int:pk>/", LinkRevokeView.as_view(), name="revoke"),
            ],
            self.model,
        )
