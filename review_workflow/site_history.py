"""Wagtail's site history report, made to work with a third log model.

Wagtail combines each log model's entries with nested ``union()`` calls; with more than two log
models (``SchoolLogEntry`` is the third) SQLite refuses the nested compound query ("ORDER BY not
allowed in subqueries of compound statements"). The same entries, combined in one flat
``union()``, work on SQLite and PostgreSQL. Served at Wagtail's own URLs (site/urls.py puts these
first), behind Wagtail's admin access check and never cached, as Wagtail's admin views are.
"""

from django.db.models import IntegerField, Value
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.log_actions import registry as log_action_registry


class SiteHistoryView(LogEntriesView):
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


urlpatterns = [
    path(
        "admin/reports/site-history/",
        never_cache(require_admin_access(SiteHistoryView.as_view())),
    ),
    path(
        "admin/reports/site-history/results/",
        never_cache(require_admin_access(SiteHistoryView.as_view(results_only=True))),
    ),
]
