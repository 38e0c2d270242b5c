"""The bulletin date as editors write it: in the ROC calendar (115/08/16), typed or picked."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from home.roc_dates import format_roc_date, parse_roc_date


class RocDateInput(forms.TextInput):
    """A text box holding the ROC date, and beside it the browser's own date picker, which a
    small script turns into the ROC date in the box (static js/roc_date_input.js). Without the
    script the box is typed in."""

    template_name = "home/widgets/roc_date_input.html"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "115/08/16", "inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            try:
                return format_roc_date(value)
            except ValueError:
                return value.isoformat()
        return super().format_value(value)

    class Media:
        js = ["js/roc_date_input.js"]


class RocDateField(forms.DateField):
    widget = RocDateInput
    default_error_messages = {
        "invalid": _("Write the date in the ROC calendar as year/month/day, e.g. 115/08/16."),
        "invalid_year": _("The ROC year starts at 1 (民國元年 is 1912)."),
        "invalid_day": _("There is no such day: check the month and the day."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_roc_date(str(value))
        except ValueError as problem:
            code = {"year": "invalid_year", "day": "invalid_day"}.get(str(problem), "invalid")
            raise forms.ValidationError(self.error_messages[code], code=code) from None
