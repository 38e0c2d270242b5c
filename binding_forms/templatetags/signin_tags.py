import datetime
import math

from django import template

from binding_forms.accounts.sign_in_name import signed_in_label as _signed_in_label

register = template.Library()


@register.filter
def whole_minutes(value: datetime.timedelta) -> int:
    """A lockout's remaining time, rounded up to whole minutes."""
    return max(1, math.ceil(value.total_seconds() / 60))


@register.filter
def signed_in_label(user) -> str:
    return _signed_in_label(user)
