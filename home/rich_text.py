"""Rich text fields in the admin answer a post that is not the editor's JSON with a field error.

Wagtail's Draftail widget turns the posted JSON into HTML while the form reads its data, before
any validation, so a crafted post (raw HTML, JSON of another shape) raised out of the form as a
server error. Here the form field reads that data itself, and refuses what cannot be read beside
the field. Registered for every ``RichTextField`` in Wagtail's admin forms (home/apps.py).
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _
from wagtail.admin.rich_text import DraftailRichTextArea


class _Unreadable(str):
    """Posted rich text that is not the editor's JSON."""


class _RichTextBoundField(forms.BoundField):
    @property
    def data(self):
        try:
            return super().data
        except Exception:  # the converter fails in many ways on input it was not made for
            return _Unreadable()


class RichTextFormField(forms.CharField):
    """A rich text field's form field: Wagtail's, except that unreadable input is a field
    error. What is read is HTML with only the elements the editor allows (Wagtail's whitelist)."""

    default_error_messages = {
        "unreadable": _("This text could not be read. Type it again in the editor."),
    }

    def get_bound_field(self, form, field_name):
        return _RichTextBoundField(form, self, field_name)

    def clean(self, value):
        if isinstance(value, _Unreadable):
            raise ValidationError(self.error_messages["unreadable"], code="unreadable")
        return super().clean(value)


class LabelledDraftailRichTextArea(DraftailRichTextArea):
    """Wagtail's Draftail editor, named by its field's label for assistive technology: the label
    points at a hidden input, so axe-core found the editable area nameless (issue 13). Draftail
    takes ``ariaLabelledBy`` among its options; the label's id is ``<field id>-label``."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id")
        if field_id:
            options = {**self.options, "ariaLabelledBy": f"{field_id}-label"}
            context["widget"]["attrs"]["data-w-init-detail-value"] = json.dumps(
                options, cls=DjangoJSONEncoder
            )
        return context
