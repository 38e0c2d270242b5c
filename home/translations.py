"""Wagtail's Translate (wagtail.contrib.simple_translation), served at its own URL (site/urls.py
puts this first) by a subclass whose form refuses a language the page's parent has not been
translated into, behind Wagtail's admin access check and never cached as Wagtail's admin views
are. Wagtail's form only greys such a language out in the browser; a POST that
picks it anyway reached ``CopyPageForTranslationAction``, whose ``ParentNotTranslatedError``
answered 500. Now the form answers beside the field, as for any other bad choice; and Translate
pressed twice at once makes one copy."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.simple_translation.forms import SubmitTranslationForm
from wagtail.contrib.simple_translation.views import SubmitPageTranslationView
from wagtail.models import Page


class PageTranslationForm(SubmitTranslationForm):
    def clean_locales(self):
        locales = self.cleaned_data["locales"]
        untranslated_parent = set(self.fields["locales"].widget.disabled_values)
        if any(locale.pk in untranslated_parent for locale in locales):
            raise ValidationError(
                _("Translate the parent page into this language first."),
                code="parent_not_translated",
            )
        return locales


class PageTranslationView(SubmitPageTranslationView):
    def get_form(self):
        if self.request.method == "POST":
            return PageTranslationForm(self.object, self.request.POST)
        return PageTranslationForm(self.object)

    def post(self, request, **kwargs):
        """Translate pressed twice at once: the second waits on the page's row, then finds the
        copies the first made and leads to them, instead of copying again (a 500)."""
        with transaction.atomic():
            Page.objects.select_for_update().filter(pk=self.object.pk).first()
            chosen = {value for value in request.POST.getlist("locales") if value.isdigit()}
            made = {
                str(page.locale_id): page
                for page in self.object.get_translations().filter(locale_id__in=chosen)
            }
            if chosen and set(made) == chosen:
                return redirect(self.get_success_url(made.popitem()[1] if len(made) == 1 else None))
            return super().post(request, **kwargs)


urlpatterns = [
    path(
        "admin/translation/submit/page/<int:page_id>/",
        never_cache(require_admin_access(PageTranslationView.as_view())),
    ),
]
