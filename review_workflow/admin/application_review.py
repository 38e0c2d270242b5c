"""The application's screen: the registry beside the applicants, checks, masked IDs, the
registrar's actions."""

from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList, Panel
from wagtail.snippets.action_menu import SnippetActionMenu
from wagtail.snippets.views import snippets as snippet_views

from binding_forms.identity.personal_data import mask_encrypted_id_number
from binding_forms.models import Application
from review_workflow.models import RegistryMatchTaskState
from review_workflow.review_checks import applicant_checks

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
                mask_encrypted_id_number(
                    applicants.get(position, {}).get("id_number_encrypted", "")
                )
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
        "student_id_masked": student.id_number_masked,
        "guardians": [
            {
                "guardian": guardian,
                "id_masked": guardian.id_number_masked,
                "which": f"guardian:{guardian.pk}",
            }
            for guardian in student.registry_guardians.all()
        ],
        "checks": [
            {
                "check": check,
                "id_masked": check.applicant.id_number_masked,
                "which": f"applicant:{check.applicant.pk}",
            }
            for check in checks
        ],
        "status": application.status.label,
        # What the registry match decided and why (its reasons name people, never an ID).
        "registry_match": RegistryMatchTaskState.objects.filter(
            workflow_state__base_content_type=application.get_base_content_type(),
            workflow_state__object_id=str(application.pk),
        )
        .exclude(outcome="")
        .order_by("-started_at", "-pk")
        .first(),
        "reveal_url": reverse(ApplicationViewSetNames.reveal_url_name, args=(application.pk,)),
    }


class ApplicationViewSetNames:
    """URL names of the application screens (set by the viewset when it registers)."""

    reveal_url_name = "application:reveal_id"


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


class ApplicationEditHandler(ObjectList):
    """The edit screen's panels. Wagtail renders again, after the panels, every form field no
    panel named in advance: the applicants' email fields, made per application and rendered by
    the review panel inside its table, came out twice (two inputs with one id and name)."""

    class BoundPanel(ObjectList.BoundPanel):
        def render_missing_fields(self):
            in_the_panel = {
                ApplicationReviewForm.email_field_name(applicant)
                for applicant in getattr(self.form, "applicant_rows", [])
            }
            named = set(self.panel.get_form_options().get("fields", [])) | in_the_panel
            return mark_safe(  # noqa: S308 - the form's own widgets, as Wagtail renders them
                "".join(str(self.form[name]) for name in self.form.fields if name not in named)
            )


# Registrars act through the workflow only: no publishing, unpublishing, (re)submitting or
# cancelling outside it, except publishing an approved application's corrected email.
REGISTRAR_MENU_ITEMS = {"action-save", "action-locked", "approve", "reject"}
REGISTRAR_ACTIONS = {"edit", "workflow-action"}


def _may_republish(application) -> bool:
    return application.live and not application.workflow_in_progress


class DecisionActionMenu(SnippetActionMenu):
    """The decision first: 核准 is the main button and 要求修改 stands beside it, the rest
    (暫存, 核准並附註意見…) in the menu. Wagtail puts 儲存 first and names the last task's
    approval "…並發布", which hid the decision from a new registrar under 更多操作."""

    def __init__(self, request, *, allowed=None, **kwargs):
        super().__init__(request, **kwargs)
        items = [item for item in [self.default_item, *self.menu_items] if item is not None]
        if allowed is not None:
            items = [item for item in items if item.name in allowed]
        for item in items:
            # The application is published by the approval itself: "…並發布" only confuses.
            if item.name == "approve":
                item.label = _("Approve with comment") if item.launch_modal else _("Approve")
        approve = next(
            (i for i in items if i.name == "approve" and not getattr(i, "launch_modal", True)),
            None,
        )
        reject = next((i for i in items if i.name == "reject"), None)
        self.beside_item = None
        if approve is not None:
            items.remove(approve)
            items.insert(0, approve)
            if reject is not None:
                reject.template_name = "review_workflow/admin/decision_beside_button.html"
                items.remove(reject)
                self.beside_item = reject
        self.default_item = items[0] if items else None
        self.menu_items = items[1:]

    def render_html(self):
        html = super().render_html()
        if self.beside_item is None:
            return html
        return html + self.beside_item.render_html(self.context)


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

    def get_success_message(self, instance=None):
        # Wagtail says 已更新 after any action of the edit screen, a decision included.
        if self.action == "workflow-action":
            name = str(instance or self.object)
            if self.workflow_action == "approve":
                return _("The application of %(name)s is approved.") % {"name": name}
            if self.workflow_action == "reject":
                return _("Changes to the application of %(name)s are requested.") % {"name": name}
        return super().get_success_message(instance)

    def _get_action_menu(self):
        allowed = None
        if not self.request.user.is_superuser:
            allowed = set(REGISTRAR_MENU_ITEMS)
            if _may_republish(self.live_object):
                allowed.add("action-publish")
        return DecisionActionMenu(
            self.request,
            allowed=allowed,
            view=self.view_name,
            instance=self.object,
            locked_for_user=self.locked_for_user,
        )


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
