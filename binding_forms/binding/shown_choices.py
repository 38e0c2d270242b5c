"""A stored application type or relationship, as the parent's language's wizard names it.

Applications and links store the source page's (zh-Hant) labels, which matching and the
registrars compare. A parent who chose English reads, on 我的孩子, the profile and 我的個資, the
label at the same place in the English wizard's list (``StepChoices``), with a ``lang`` mark where
it is still zh-Hant (no English version, or a label no longer offered)."""

from typing import NamedTuple

from django.conf import settings

from binding_forms.languages import (
    active_locale_id,
    default_locale_id,
    lang_unless_active_language,
    language_of,
)
from binding_forms.models import BindingWizardPage, StepChoices


class Shown(NamedTuple):
    label: str
    lang: str  # the ``lang`` attribute's value where it differs from the page's, else ""


class ShownChoices:
    """For one response: each wizard page's choices in the visitor's language, read once. In the
    source language the stored labels are shown as they are, with no query."""

    def __init__(self):
        self._active = active_locale_id()
        self._default = default_locale_id()
        self._choices: dict[int | None, StepChoices | None] = {}

    def relationship(self, stored: str, *, page_id: int | None = None) -> Shown:
        choices = self._choices_of(page_id)
        if choices is None or stored not in choices.stored_relationships:
            return self._as_stored(stored)
        label = choices.relationships[choices.stored_relationships.index(stored)]
        return Shown(label, lang_unless_active_language(choices.language))

    def application_type(self, stored: str, *, page_id: int | None = None) -> Shown:
        choices = self._choices_of(page_id)
        labels = [item.label for item in choices.stored_types] if choices else []
        if stored not in labels:
            return self._as_stored(stored)
        label = choices.application_types[labels.index(stored)].label
        return Shown(label, lang_unless_active_language(choices.language))

    def _as_stored(self, stored: str) -> Shown:
        source = language_of(self._default) or settings.LANGUAGE_CODE
        return Shown(stored, lang_unless_active_language(source))

    def _choices_of(self, page_id: int | None) -> StepChoices | None:
        if self._active is None or self._active == self._default:
            return None
        if page_id not in self._choices:
            self._choices[page_id] = _choices_in_active_language(page_id, self._active)
        return self._choices[page_id]


def _choices_in_active_language(page_id: int | None, locale_id: int) -> StepChoices | None:
    """The choices of the live version in ``locale_id`` of the wizard ``page_id`` (an
    application's), or of the site's first wizard (a link made without one); None if neither."""
    pages = BindingWizardPage.objects.live()
    if page_id is not None:
        key = (
            BindingWizardPage.objects.filter(pk=page_id)
            .values_list("translation_key", flat=True)
            .first()
        )
    else:
        first = pages.filter(locale_id=default_locale_id()).order_by("level", "path")
        key = first.values_list("translation_key", flat=True).first()
    if key is None:
        return None
    page = pages.filter(translation_key=key, locale_id=locale_id).first()
    return page.step_choices() if page is not None else None
