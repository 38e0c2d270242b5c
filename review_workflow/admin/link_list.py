"""The parent–child links listing."""

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import MenuItem

from review_workflow.admin.link_revoke import LinkViewSetNames
from review_workflow.models import ParentStudentLink

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
