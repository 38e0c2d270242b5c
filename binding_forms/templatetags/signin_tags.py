import datetime
import math

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: datetime.timedelta) -> int:
    """A lockout's remaining time, rounded up to whole minutes."""
    return max(1, math.ceil(value.total_seconds() / 60))
