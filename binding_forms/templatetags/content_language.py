"""``lang`` on the text editors wrote when it is not in the language of the labels around it.

The page's ``<html lang>`` is the language the visitor chose (the labels are in it); a page
with no English version yet is served in zh-Hant beside English labels, and its text must say
so, for screen readers' voices and for the browser's fonts and hyphenation."""

from django import template
from django.utils.html import format_html

from binding_forms.languages import lang_unless_active

register = template.Library()


@register.simple_tag
def content_lang(obj) -> str:
    """`` lang="zh-Hant-TW"`` (its leading space too) or nothing: ``<p{% content_lang page %}>``."""
    language = lang_unless_active(obj)
    return format_html(' lang="{}"', language) if language else ""
