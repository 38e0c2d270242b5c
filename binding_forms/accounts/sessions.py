"""Sessions of parents and student accounts, who often sign in on a shared or borrowed phone:
the session ends when the browser closes, and after ``PARENT_SESSION_IDLE_MINUTES`` without a
request. Staff sign in at the admin's login and keep Django's and Wagtail's policy.

The idle limit slides with activity. The time of the last request is written at most once a
minute: writing it at every request would save the session at every request (a query each).
"""

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN = "parent_session_last_seen"
SIGNED_OUT_IDLE = "parent_session_signed_out_idle"
REFRESH_SECONDS = 60


def parent_session_start(*, request, user) -> None:
    """At a sign-in at ``/signin/``, the only entrance of parents and student accounts. A staff
    member who signs in there keeps the staff policy."""
    if user.has_perm("wagtailadmin.access_admin"):
        return
    request.session.set_expiry(0)  # the cookie ends with the browser
    request.session[LAST_SEEN] = int(time.time())


def parent_session_check(*, request) -> None:
    """Signs out a parent's or student account's session left idle too long; otherwise slides
    the limit. Sessions started elsewhere (staff) carry no ``LAST_SEEN`` and are left alone."""
    last_seen = request.session.get(LAST_SEEN)
    if last_seen is None:
        return
    now = int(time.time())
    if now - last_seen > settings.PARENT_SESSION_IDLE_MINUTES * 60:
        logout(request)
        # The sign-in page says why; this note, too, goes when the browser closes.
        request.session.set_expiry(0)
        request.session[SIGNED_OUT_IDLE] = True
    elif now - last_seen >= REFRESH_SECONDS:
        request.session[LAST_SEEN] = now


def parent_session_signed_out_idle(*, request) -> bool:
    """Whether this browser's last session ended for idleness (told once)."""
    return bool(request.session.pop(SIGNED_OUT_IDLE, False))
