"""The registration office's mail screens in the Wagtail admin (resending a notification)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views import generic

from binding_forms.accounts.next_url import safe_next_url
from binding_forms.registry.scope import serves_school
from review_workflow.mail.outbox import MailAddressTaken, mail_resend
from review_workflow.models import OutgoingMail


def scoped_mail(user, pk) -> OutgoingMail:
    """A mail about the user's own schools' applications or links, or 404."""
    mail = (
        OutgoingMail.objects.select_related(
            "application__student__school", "link__student__school", "applicant"
        )
        .filter(pk=pk)
        .first()
    )
    if mail is None:
        raise Http404
    if mail.application is not None:
        school_id = mail.application.student.school_id
    elif mail.link is not None:
        school_id = mail.link.student.school_id
    else:
        school_id = None
    if school_id is None or not serves_school(user, school_id):
        raise Http404
    return mail


class MailResendForm(forms.Form):
    to = forms.EmailField(
        label=gettext_lazy("Email address"),
        help_text=gettext_lazy(
            "Correct the address if the mail bounced; the applicant's email changes with it."
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class MailResendView(generic.base.WagtailAdminTemplateMixin, FormView):
    """Send a notification mail again, usually to a corrected address (a bounced approval)."""

    template_name = "review_workflow/admin/mail_resend.html"
    form_class = MailResendForm
    header_icon = "mail"

    def dispatch(self, request, pk):
        self.mail = scoped_mail(request.user, pk)
        return super().dispatch(request, pk)

    def get_page_title(self):
        return _("Send the mail again")

    def get_page_subtitle(self):
        return str(self.mail)

    def get_initial(self):
        return {"to": self.mail.to_address, "next": self.request.GET.get("next", "")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(mail=self.mail, **kwargs)

    def _next_url(self, form) -> str:
        return safe_next_url(
            self.request,
            default=reverse("wagtailadmin_home"),
            candidate=form.cleaned_data.get("next") or "",
        )

    def form_valid(self, form):
        try:
            mail_resend(mail=self.mail, to=form.cleaned_data["to"], by=self.request.user)
        except MailAddressTaken:
            form.add_error("to", _("Another account already uses this address."))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The mail is being sent again to %(address)s.")
            % {"address": form.cleaned_data["to"]},
        )
        return redirect(self._next_url(form))
