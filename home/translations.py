"""Wagtail's Translate (wagtail.contrib.simple_translation), for pages and snippets, served at its
own URLs (site/urls.py puts these first, behind Wagtail's admin access check and never cached,
as Wagtail's admin views are) by subclasses that answer bad input beside the field instead of
with a 500: a language the page's parent lacks (Wagtail's form only greys it out in the browser;
``CopyPageForTranslationAction`` raised ``ParentNotTranslatedError``), a language value no id
column holds (SQLite's OverflowError), and Translate pressed twice at once (one copy)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from portal.admin_ids import holds_an_id
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.simple_translation.forms import SubmitTranslationForm
from wagtail.contrib.simple_translation.views import (
    SubmitPageTranslationView,
    SubmitSnippetTranslationView,
)


class LocaleChoices(forms.ModelMultipleChoiceField):
    """Wagtail's choice of languages, refusing a value no id column holds before it reaches the
    database (SQLite raises OverflowError on a 20-digit number: a 500)."""

    def _check_values(self, value):
        for pk in value:
            if not holds_an_id(str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class TranslationForm(SubmitTranslationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locales"].__class__ = LocaleChoices  # the same field, one check more

    def clean_locales(self):
        locales = self.cleaned_data["locales"]
        untranslated_parent = set(self.fields["locales"].widget.disabled_values)
        if any(locale.pk in untranslated_parent for locale in locales):
            raise ValidationError(
                _("Translate the parent page into this language first."),
                code="parent_not_translated",
            )
        return locales


class TranslationViewMixin:
    """Translate with the form above, and pressed twice at once: the second waits on the row of
    what is translated, then finds the copies the first made and leads to them, instead of
    copying again (a 500: the slug, or the translation key, already in use)."""

    def get_form(self):
        if self.request.method == "POST":
            return TranslationForm(self.object, self.request.POST)
        return TranslationForm(self.object)

    def post(self, request, **kwargs):
        with transaction.atomic():
            type(self.object)._default_manager.select_for_update().filter(pk=self.object.pk).first()
            chosen = {value for value in request.POST.getlist("locales") if holds_an_id(value)}
            made = {
                str(item.locale_id): item
                for item in self.object.get_translations().filter(locale_id__in=chosen)
            }
            if chosen and set(made) == chosen:
                return redirect(self.get_success_url(made.popitem()[1] if len(made) == 1 else None))
            return super().post(request, **kwargs)


class PageTranslationView(TranslationViewMixin, SubmitPageTranslationView):
    pass


class SnippetTranslationView(TranslationViewMixin, SubmitSnippetTranslationView):
    pass


def _admin_view(view):
    return never_cache(require_admin_access(view))


urlpatterns = [
    path(
        "admin/translation/submit/page/<int:page_id>/",
        _admin_view(PageTranslationView.as_view()),
    ),
    path(
        "admin/translation/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/",
        _admin_view(SnippetTranslationView.as_view()),
    ),
]
