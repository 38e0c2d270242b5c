"""Bulk actions on applications and form submissions: approve many (each on its own), delete
refused."""

from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from binding_forms.models import Application
from review_workflow.admin.scoping import scoped_objects
from review_workflow.models import SchoolFormSubmission
from review_workflow.services.bulk import applications_approve

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
