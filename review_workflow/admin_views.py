"""The registration office's review screens in the Wagtail admin: applications of their own
school (listing, filters, export, the registry beside the applicants, ID reveal, bulk approve),
the school's binding progress on the dashboard, and the parent–child links."""

import functools

import django_filters
from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import Panel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import MenuItem
from wagtail.log_actions import log
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from binding_forms.models import Applicant, Application, School, Student
from binding_forms.personal_data import decrypt, mask_id_number
from review_workflow.models import ParentStudentLink, SchoolFormSubmission
from review_workflow.review_checks import ReviewStatus, applicant_checks, status_label
from review_workflow.review_checks import with_review_data as annotate_review_data
from review_workflow.services import LinkAlreadyRevoked, applications_approve, link_revoke
from review_workflow.spreadsheets import DefusedSpreadsheetExportMixin


def scoped_objects(model, user, actions=("view", "change")):
    """The rows of ``model`` (applications, form submissions) of the schools ``user`` serves
    (all, for a superuser): its permission policy, which asks the one scope rule."""
    policy = policy_registry.get_by_type(model)
    return policy.instances_user_has_any_permission_for(user, list(actions))


def scoped_applications(user, actions=("view", "change")):
    return scoped_objects(Application, user, actions)


def school_scoped(view, model):
    """Wrap a viewset URL: an object of another school answers 404, whatever the view.

    Wagtail's generic views check model permissions, not which object; every URL carrying a
    ``pk`` goes through this first, so a registrar cannot reach another school's rows by URL.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if "pk" in kwargs:
            policy = policy_registry.get_by_type(model)
            scoped = policy.instances_user_has_any_permission_for(
                request.user, ["view", "change", "revoke"]
            )
            if not scoped.filter(pk=unquote(str(kwargs["pk"]))).exists():
                raise Http404
        return view(request, *args, **kwargs)

    return wrapped


class CurrentTaskStateMixin:
    """For Wagtail's workflow action views: the task state in the URL must be the current one of
    the object in the URL, else 404. Wagtail loads the task state by its id alone, so without
    this a reviewer of one object could name another object's task state."""

    def get_task_state(self):
        current = self.object.current_workflow_task_state
        if current is None or current.pk != self.task_state_id:
            raise Http404
        return current


class WorkflowActionView(CurrentTaskStateMixin, snippet_views.WorkflowActionView):
    pass


class CollectWorkflowActionDataView(
    CurrentTaskStateMixin, snippet_views.CollectWorkflowActionDataView
):
    pass


def id_mask(encrypted: str) -> str:
    if not encrypted:
        return ""
    try:
        return mask_id_number(decrypt(encrypted))
    except ValueError:
        return "**********"


# Listing -------------------------------------------------------------------------------------


class ApplicationFilterSet(WagtailFilterSet):
    review_status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=ReviewStatus.choices,
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
        context["status"] = instance.review_status
        context["label"] = status_label(instance.review_status)
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
            "status": status_label(item.review_status),
            "application_type": item.application_type,
            "submitted_at": item.submitted_at,
        }
        for position in (1, 2):
            applicant = next((a for a in applicants if a.position == position), None)
            row[f"applicant{position}_name"] = applicant.name if applicant else ""
            row[f"applicant{position}_relationship"] = applicant.relationship if applicant else ""
            row[f"applicant{position}_id"] = (
                id_mask(applicant.id_number_encrypted) if applicant else ""
            )
            row[f"applicant{position}_mobile"] = applicant.mobile if applicant else ""
            row[f"applicant{position}_email"] = applicant.email if applicant else ""
        row["checks"] = "；".join(_check_labels(item))
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


# The application's screen: registry beside applicants, checks, masked IDs --------------------


class ApplicationReviewForm(WagtailAdminModelForm):
    """Read-only except each applicant's email (to correct a mistyped or bounced address);
    the ID numbers, names and the rest come from the parent and the registry."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant_rows = list(self.instance.applicants.all()) if self.instance.pk else []
        for applicant in self.applicant_rows:
            self.fields[self.email_field_name(applicant)] = forms.EmailField(
                label=_("Email of %(name)s") % {"name": applicant.name},
                initial=applicant.email,
                max_length=254,
            )

    @staticmethod
    def email_field_name(applicant) -> str:
        return f"applicant_{applicant.position}_email"

    def save(self, commit=True):
        for applicant in self.applicant_rows:
            applicant.email = self.cleaned_data[self.email_field_name(applicant)].strip()
        # modelcluster keeps the children in memory until the instance (or its revision) is saved.
        self.instance.applicants = self.applicant_rows
        return super().save(commit=commit)

    class Meta:
        model = Application
        fields: list[str] = []


SUBMITTED_FIELDS = (
    ("name", gettext_lazy("Applicant")),
    ("relationship", gettext_lazy("Relationship")),
    ("id_number_digest", gettext_lazy("ID number")),
    ("mobile", gettext_lazy("Mobile")),
    ("email", gettext_lazy("Email")),
)


def submissions_compared(application: Application) -> dict | None:
    """The applicants as each submission sent them, side by side, the changed values marked;
    None before a resubmission. Each review start saves a revision as the parent (requester)."""
    revisions = list(
        application.revisions.filter(user_id=application.requester_id).order_by("created_at", "pk")
    )
    if len(revisions) < 2:
        return None
    sent = []
    for revision in revisions:
        by_position = {a.get("position"): a for a in revision.content.get("applicants", [])}
        sent.append(by_position)
    positions = sorted({position for applicants in sent for position in applicants})
    rows = []
    for position in positions:
        for field, label in SUBMITTED_FIELDS:
            values = [applicants.get(position, {}).get(field, "") for applicants in sent]
            shown = [
                id_mask(applicants.get(position, {}).get("id_number_encrypted", ""))
                if field == "id_number_digest"
                else value
                for applicants, value in zip(sent, values, strict=True)
            ]
            cells = [
                {"value": value, "changed": index > 0 and values[index] != values[index - 1]}
                for index, value in enumerate(shown)
            ]
            rows.append({"position": position, "label": label, "cells": cells})
    return {"submitted_at": [revision.created_at for revision in revisions], "rows": rows}


def review_context(application: Application, user) -> dict:
    student = application.student
    checks = applicant_checks(application)
    return {
        "submissions": submissions_compared(application),
        "application": application,
        "student": student,
        "student_id_masked": id_mask(student.id_number_encrypted),
        "guardians": [
            {
                "guardian": guardian,
                "id_masked": id_mask(guardian.id_number_encrypted),
                "which": f"guardian:{guardian.pk}",
            }
            for guardian in student.registry_guardians.all()
        ],
        "checks": [
            {
                "check": check,
                "id_masked": id_mask(check.applicant.id_number_encrypted),
                "which": f"applicant:{check.applicant.pk}",
            }
            for check in checks
        ],
        "status": status_label(_application_status(application)),
        "reveal_url": reverse(ApplicationViewSetNames.reveal_url_name, args=(application.pk,)),
    }


class ApplicationViewSetNames:
    """URL names of the application screens (set by the viewset when it registers)."""

    reveal_url_name = "application:reveal_id"


def _application_status(application) -> str:
    if application.live:
        return ReviewStatus.APPROVED
    state = application.current_workflow_state
    if state is None:
        latest = application.workflow_states.order_by("-created_at").first()
        return latest.status if latest else ReviewStatus.DRAFT
    return state.status


class ApplicationReviewPanel(Panel):
    """The registry's data beside the applicants', with the checks; emails are the only inputs."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "review_workflow/admin/application_review_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            application = self.instance
            context.update(review_context(application, self.request.user))
            context["inside_form"] = True
            context["email_fields"] = {
                applicant.position: self.form[ApplicationReviewForm.email_field_name(applicant)]
                for applicant in getattr(self.form, "applicant_rows", [])
            }
            return context


# Registrars act through the workflow only: no publishing, unpublishing, (re)submitting or
# cancelling outside it, except publishing an approved application's corrected email.
REGISTRAR_MENU_ITEMS = {"action-save", "action-locked", "approve", "reject"}
REGISTRAR_ACTIONS = {"edit", "workflow-action"}


def _may_republish(application) -> bool:
    return application.live and not application.workflow_in_progress


class ApplicationEditView(snippet_views.EditView):
    def save_instance(self):
        # Wagtail saves the form before every action of the edit screen; a registrar who only
        # decides (or saves) without changing an email edited nothing: no revision, and no
        # 已編輯 in the history.
        if self.action in {"edit", "workflow-action"} and not self.form.has_changed():
            self.new_revision = None
            return self.object
        return super().save_instance()

    def get_available_actions(self):
        actions = super().get_available_actions()
        if self.request.user.is_superuser:
            return actions
        allowed = set(REGISTRAR_ACTIONS)
        if _may_republish(self.live_object):
            allowed.add("publish")
        return [action for action in actions if action in allowed]

    def _get_action_menu(self):
        menu = super()._get_action_menu()
        if self.request.user.is_superuser:
            return menu
        allowed = set(REGISTRAR_MENU_ITEMS)
        if _may_republish(self.live_object):
            allowed.add("action-publish")
        items = [
            item
            for item in [menu.default_item, *menu.menu_items]
            if item is not None and item.name in allowed
        ]
        menu.default_item = items[0] if items else None
        menu.menu_items = items[1:]
        return menu


class ApplicationInspectView(snippet_views.InspectView):
    template_name = "review_workflow/admin/application_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(review_context(self.object, self.request.user))
        context["inside_form"] = False
        context["edit_url"] = reverse(
            self.object.snippet_viewset.get_url_name("edit"), args=(self.object.pk,)
        )
        return context


@method_decorator([require_POST, never_cache], name="dispatch")
class RevealIdView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    """Show one ID number in clear to a registrar of the application's school: a POST (the ID
    never travels in a URL), an audit entry (who, when, which), and the number only in this
    response, which nothing caches."""

    template_name = "review_workflow/admin/id_revealed.html"
    header_icon = "view"

    def dispatch(self, request, pk):
        self.application = (
            scoped_applications(request.user, actions=("change",))
            .select_related("student__school")
            .filter(pk=pk)
            .first()
        )
        if self.application is None:
            raise Http404
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("ID number")

    def get_page_subtitle(self):
        return str(self.application)

    def post(self, request, pk):
        which, _sep, person_pk = request.POST.get("which", "").partition(":")
        application = self.application
        if which == "applicant" and person_pk.isdigit():
            person = application.applicants.filter(pk=person_pk).first()
        elif which == "guardian" and person_pk.isdigit():
            person = application.student.registry_guardians.filter(pk=person_pk).first()
        elif which == "student":
            person = application.student
        else:
            person = None
        if person is None or not person.id_number_encrypted:
            raise Http404
        id_number = decrypt(person.id_number_encrypted)
        log(
            instance=application,
            action="review_workflow.reveal_id",
            user=request.user,
            data={"which": which, "id": person.pk, "name": person.name},
        )
        edit_url = reverse(application.snippet_viewset.get_url_name("edit"), args=(application.pk,))
        context = self.get_context_data(
            application=application,
            person=person,
            which=which,
            id_number=id_number,
            back_url=edit_url,
        )
        return self.render_to_response(context)


# Bulk approve --------------------------------------------------------------------------------


class ApproveBulkAction(SnippetBulkAction):
    """核准所選案件: approve each selected application (or form submission) the user may approve
    at its current step, each in its own transaction, and say which were skipped and why."""

    display_name = gettext_lazy("Approve selected")
    action_type = "approve"
    aria_label = gettext_lazy("Approve the selected applications")
    template_name = "review_workflow/admin/bulk_approve.html"
    action_priority = 10
    models = [Application, SchoolFormSubmission]

    def get_queryset(self, model, object_ids):
        # Only the user's own schools: another school's ids are not even named back.
        objects = list(
            scoped_objects(model, self.request.user, actions=("change",))
            .filter(pk__in=[pk for pk in object_ids if str(pk).isdigit()])
            .select_related("student__school")
        )
        if not objects:
            raise Http404
        return objects

    def get_all_objects_in_listing_query(self, parent_id):
        return scoped_objects(self.model, self.request.user).values_list("pk", flat=True)

    def check_perm(self, obj):
        return True  # the queryset is already scoped; each task decides in execute

    def form_valid(self, form):
        objects, _no_access = self.get_actionable_objects()
        report = applications_approve(applications=objects, by=self.request.user)
        if report.approved:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d application approved.",
                    "%(count)d applications approved.",
                    len(report.approved),
                )
                % {"count": len(report.approved)},
            )
        for application, reason in report.skipped:
            messages.warning(
                self.request,
                _("Skipped %(application)s: %(reason)s.")
                % {"application": application, "reason": reason},
            )
        return redirect(self.next_url)


class ApplicationDeleteBulkAction(DeleteBulkAction):
    """Takes the place of the snippets' bulk delete for applications (registered after it): the
    policy lets nobody delete one, and another school's ids are not even named back."""

    models = [Application, SchoolFormSubmission]

    def get_queryset(self, model, object_ids):
        return ApproveBulkAction.get_queryset(self, model, object_ids)

    def get_all_objects_in_listing_query(self, parent_id):
        return scoped_objects(self.model, self.request.user).values_list("pk", flat=True)


# The snippet chooser (used by choosers in other forms): the same scope as the listing.


class ScopedChooseMixin:
    def get_object_list(self):
        return scoped_objects(self.model_class, self.request.user).select_related("student__school")


class ApplicationChooseView(ScopedChooseMixin, snippet_chooser.ChooseView):
    pass


class ApplicationChooseResultsView(ScopedChooseMixin, snippet_chooser.ChooseResultsView):
    pass


class ApplicationChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        return scoped_objects(self.model_class, self.request.user).get(pk=pk)


class ApplicationChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        return scoped_objects(self.model_class, self.request.user).filter(pk__in=pks)


class ApplicationChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = ApplicationChooseView
    choose_results_view_class = ApplicationChooseResultsView
    chosen_view_class = ApplicationChosenView
    chosen_multiple_view_class = ApplicationChosenMultipleView


# Dashboard: binding progress per class -------------------------------------------------------

LAGGING_BELOW = 0.8


def binding_progress(school: School) -> dict:
    """Per class: enrolled students, and those with at least one active parent link; one query.

    Lagging classes (below 80 %) first, lowest first; then the rest in class order.
    """
    active_link = ParentStudentLink.objects.active().filter(student=OuterRef("pk"))
    rows = list(
        Student.objects.filter(school=school, enrolled=True)
        .annotate(bound=Exists(active_link))
        .values("grade", "class_number")
        .annotate(total=Count("pk"), bound_count=Count("pk", filter=Q(bound=True)))
        .order_by("grade", "class_number")
    )
    classes = []
    for row in rows:
        ratio = row["bound_count"] / row["total"] if row["total"] else 0
        classes.append(
            {
                "label": f"{row['grade']}年{row['class_number']:02d}班",
                "total": row["total"],
                "bound": row["bound_count"],
                "percent": round(ratio * 100),
                "lagging": ratio < LAGGING_BELOW,
            }
        )
    classes.sort(key=lambda c: (not c["lagging"], c["percent"] if c["lagging"] else 0))
    total = sum(c["total"] for c in classes)
    bound = sum(c["bound"] for c in classes)
    return {
        "school": school,
        "panel_id": f"binding-progress-{school.moe_code}",
        "classes": classes,
        "total": total,
        "bound": bound,
        "percent": round(bound * 100 / total) if total else 0,
    }


class BindingProgressPanel(Component):
    name = "binding_progress"
    template_name = "review_workflow/admin/binding_progress_panel.html"
    order = 110

    def __init__(self, schools):
        self.schools = schools

    def get_context_data(self, parent_context):
        return {"schools": [binding_progress(school) for school in self.schools]}


# Parent–child links --------------------------------------------------------------------------


class LinkStateFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        if value == "active":
            return qs.filter(revoked_at__isnull=True, unbinding_requested_at__isnull=True)
        if value == "unbinding_requested":
            return qs.filter(revoked_at__isnull=True, unbinding_requested_at__isnull=False)
        if value == "revoked":
            return qs.filter(revoked_at__isnull=False)
        return qs


class ParentStudentLinkFilterSet(WagtailFilterSet):
    state = LinkStateFilter(
        label=gettext_lazy("State"),
        choices=[
            ("active", gettext_lazy("Active")),
            ("unbinding_requested", gettext_lazy("Unbinding requested")),
            ("revoked", gettext_lazy("Revoked")),
        ],
        widget=forms.RadioSelect,
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = ParentStudentLink
        fields = []


class LinkStateColumn(Column):
    def get_value(self, instance):
        if instance.revoked_at:
            return _("Revoked")
        if instance.unbinding_requested_at:
            return _("Unbinding requested")
        return _("Active")


class ParentStudentLinkIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            self.permission_policy.instances_user_has_permission_for(self.request.user, "view")
            .select_related("student__school", "parent")
            .order_by("student__grade", "student__class_number", "student__student_number")
        )

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        return queryset.filter(
            Q(student__name__icontains=query)
            | Q(student__student_number__icontains=query)
            | Q(parent__first_name__icontains=query)
            | Q(parent__last_name__icontains=query)
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_at is None and self.permission_policy.user_has_permission(
            self.request.user, "revoke"
        ):
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse(LinkViewSetNames.revoke_url_name, args=(instance.pk,)),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class LinkViewSetNames:
    revoke_url_name = "parent_student_link:revoke"
    index_url_name = "parent_student_link:index"


class LinkRevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy("Kept with the link; the parent is told that it was revoked."),
    )


class LinkRevokeView(generic.base.WagtailAdminTemplateMixin, FormView):
    template_name = "review_workflow/admin/link_revoke.html"
    form_class = LinkRevokeForm
    header_icon = "cross"

    def dispatch(self, request, pk):
        policy = policy_registry.get_by_type(ParentStudentLink)
        if not policy.user_has_permission(request.user, "revoke"):
            raise PermissionDenied
        self.link = (
            policy.instances_user_has_permission_for(request.user, "revoke")
            .select_related("student__school", "parent")
            .filter(pk=pk)
            .first()
        )
        if self.link is None:
            raise Http404
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Revoke the link")

    def get_page_subtitle(self):
        return str(self.link)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(LinkViewSetNames.index_url_name), "label": _("Parent–child links")},
            {"url": "", "label": _("Revoke the link")},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(link=self.link, **kwargs)

    def form_valid(self, form):
        try:
            link_revoke(link=self.link, by=self.request.user, reason=form.cleaned_data["reason"])
        except LinkAlreadyRevoked:
            messages.error(self.request, _("This link was already revoked."))
            return redirect(LinkViewSetNames.index_url_name)
        messages.success(
            self.request,
            format_html(_("The link {link} is revoked."), link=str(self.link)),
        )
        return redirect(LinkViewSetNames.index_url_name)
