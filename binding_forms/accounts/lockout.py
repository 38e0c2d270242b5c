"""The lockout policy on top of django-axes: an account, and separately an address at a much
higher count.

Whole schools sign in from one address, and Taiwan's mobile carriers put thousands of phones
behind one (carrier-grade NAT): an address locked after a handful of failures would lock every
family there out for one stranger's typos. So django-axes counts per account
(``AXES_LOCKOUT_PARAMETERS``, ``AXES_FAILURE_LIMIT``), and this handler adds one rule: an
address with ``AXES_ADDRESS_FAILURE_LIMIT`` failures within the cool-off, over all accounts, is
locked too — a backstop against one machine trying many accounts.
"""

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.db.models import Sum


class AccountThenAddressHandler(AxesDatabaseHandler):
    def address_locked(self, request) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if (cool_off := get_cool_off(request)) is not None:
            attempts = attempts.filter(attempt_time__gte=request.axes_attempt_time - cool_off)
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        return failures >= settings.AXES_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is None
            or request.axes_locked_out
            or self.is_whitelisted(request, credentials)
            or not self.address_locked(request)
        ):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
