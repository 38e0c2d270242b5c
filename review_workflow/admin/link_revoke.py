"""Revoking a parent–child link, with a reason."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.permissions import policy_registry

from review_workflow.models import ParentStudentLink
from review_workflow.services.links import LinkAlreadyRevoked, link_revoke


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

    def get_initial(self):
        # The parent's own reason, already masked, as the start of the registrar's.
        return {"reason": self.link.unbinding_request_reason}

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
