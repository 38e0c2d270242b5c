"""Spreadsheets the admin serves (CSV and XLSX exports of listings and of Wagtail's reports):
a cell a spreadsheet program would run as a formula is written as text.

A student's or parent's name, a page title, anything typed by someone else can start with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return before one); opened in a spreadsheet program it
is a formula (OWASP "CSV injection"). Every exporting view uses ``DefusedSpreadsheetExportMixin``.
"""

from wagtail.admin.views.mixins import SpreadsheetExportMixin

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """``value`` as a spreadsheet shows it, never as a formula: text that starts like one gets a
    leading apostrophe (shown as text, not run); anything else as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


class DefusedSpreadsheetExportMixin(SpreadsheetExportMixin):
    """Wagtail's export (``?export=csv``, ``xlsx``), every cell through ``spreadsheet_cell``."""

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_cell(super().preprocess_field_value(field, value, export_format))
