from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from binding_forms.languages import default_locale_id
from binding_forms.models import BindingWizardPage


def binding_start(request):
    """親子帳號綁定 on the home page: the wizard for the child's school level, once published.
    Found among the source language's pages: their address serves the visitor's language's
    version (no language in the URL)."""
    pages = (
        BindingWizardPage.objects.live()
        .public()
        .filter(locale_id=default_locale_id())
        .order_by("path")
    )
    student = getattr(request.user, "student", None) if request.user.is_authenticated else None
    if student is not None:
        page = pages.filter(level=student.school.level).first() or pages.filter(level="").first()
    else:
        page = pages.first()
    if page is None:
        return TemplateResponse(
            request, "home/coming_soon.html", {"title": _("Bind a parent account")}
        )
    return redirect(page.url)
