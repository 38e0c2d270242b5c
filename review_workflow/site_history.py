"""Wagtail's reports, served at Wagtail's own URLs (site/urls.py puts these first) by subclasses:
each report's spreadsheet export is defused (review_workflow/spreadsheets.py), and the site
history works with a third log model. Behind Wagtail's admin access check and never cached, as
Wagtail's admin views are; each view still checks its own permissions.

Site history: Wagtail combines each log model's entries with nested ``union()`` calls; with more
than two log models (``SchoolLogEntry`` is the third) SQLite refuses the nested compound query
("ORDER BY not allowed in subqueries of compound statements"). The same entries, combined in one
flat ``union()``, work on SQLite and PostgreSQL.
"""

from django.db.models import IntegerField, Value
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.aging_pages import AgingPagesView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.locked_pages import LockedPagesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.views.reports.workflows import WorkflowTasksView, WorkflowView
from wagtail.log_actions import registry as log_action_registry

from review_workflow.spreadsheets import DefusedSpreadsheetExportMixin


class SiteHistoryView(DefusedSpreadsheetExportMixin, LogEntriesView):
    def get_filtered_queryset(self):
        self.log_models = list(log_action_registry.get_log_entry_models())
        parts = [
            self.filter_queryset(
                log_model.objects.viewable_by_user(self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            ).order_by()
            for index, log_model in enumerate(self.log_models)
        ]
        first, *others = parts
        return first.union(*others, all=True).order_by("-timestamp")


REPORTS = {
    "site-history": SiteHistoryView,
    "locked": LockedPagesView,
    "workflow": WorkflowView,
    "workflow_tasks": WorkflowTasksView,
    "aging-pages": AgingPagesView,
    "page-types-usage": PageTypesUsageReportView,
}


def _defused(view_class):
    if issubclass(view_class, DefusedSpreadsheetExportMixin):
        return view_class
    return type(view_class.__name__, (DefusedSpreadsheetExportMixin, view_class), {})


def _admin_view(view):
    return never_cache(require_admin_access(view))


urlpatterns = [
    pattern
    for slug, view_class in REPORTS.items()
    for pattern in (
        path(f"admin/reports/{slug}/", _admin_view(_defused(view_class).as_view())),
        path(
            f"admin/reports/{slug}/results/",
            _admin_view(_defused(view_class).as_view(results_only=True)),
        ),
    )
]
