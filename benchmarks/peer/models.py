"""The yardstick for benchmarks/wizard_vs_form.py: Wagtail's own email form page, as the Wagtail
docs build it, with the same eleven fields as the wizard's applicants step."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField


class PeerFormField(AbstractFormField):
    page = ParentalKey("PeerFormPage", on_delete=models.CASCADE, related_name="form_fields")


class PeerFormPage(AbstractEmailForm):
    intro = RichTextField(blank=True)
    thank_you_text = RichTextField(blank=True)

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            "Email",
        ),
    ]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
