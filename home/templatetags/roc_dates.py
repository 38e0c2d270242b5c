import datetime

from django import template
from django.utils import timezone

from home.roc_dates import format_roc_date

register = template.Library()


@register.filter
def roc_date(value) -> str:
    """Show a date or an aware datetime (in the site's time zone) as ``109/08/16``."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, datetime.date):
        return ""
    try:
        return format_roc_date(value)
    except ValueError:
        return value.isoformat()
