"""The bulletin's page form: the date in the ROC calendar, and a short readable URL for a
Chinese title (issue 13)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from home.roc_date_field import RocDateField
from home.roc_dates import format_roc_date


def bulletin_slug(*, date, taken) -> str:
    """``115-08-16`` (then ``115-08-16-2``…): the date a bulletin is known by, in the ROC
    calendar the portal shows. A Chinese title made Wagtail's slug the whole title, a URL of a
    hundred and more percent-escaped characters."""
    base = format_roc_date(date).replace("/", "-")
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


class BulletinPageForm(WagtailAdminPageForm):
    date = RocDateField(label=_("date"), help_text=_("In the ROC calendar, e.g. 115/08/16."))

    def clean(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug and not slug.isascii() and self.parent_page is not None:
            siblings = self.parent_page.get_children()
            if self.instance.pk:
                siblings = siblings.exclude(pk=self.instance.pk)
            self.cleaned_data["slug"] = bulletin_slug(
                date=self.cleaned_data.get("date") or timezone.localdate(),
                taken=set(siblings.values_list("slug", flat=True)),
            )
        return super().clean()
