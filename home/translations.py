"""Wagtail's Translate (wagtail.contrib.simple_translation), served at its own URL (site/urls.py
puts this first) by a subclass whose form refuses a language the page's parent has not been
translated into, behind Wagtail's admin access check and never cached as Wagtail's admin views
are. Wagtail's form only greys such a language out in the browser; a POST that
picks it anyway reached ``CopyPageForTranslationAction``, whose ``ParentNotTranslatedError``
answered 500. Now the form answers beside the field, as for any other bad choice."""

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.simple_translation.forms import SubmitTranslationForm
from wagtail.contrib.simple_translation.views import SubmitPageTranslationView


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


urlpatterns = [
    path(
        "admin/translation/submit/page/<int:page_id>/",
        never_cache(require_admin_access(PageTranslationView.as_view())),
    ),
]
