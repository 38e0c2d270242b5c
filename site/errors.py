"""The answer to a request that failed: 503 with a page asking to retry when the database could
not be reached (PostgreSQL restarting, a fail-over), Django's 500 otherwise.

A database outage is the one failure a parent can do something about — try again in a moment —
and a load balancer or a phone's browser should see it as temporary (503, ``Retry-After``).
Neither page touches the database or shows a traceback; Django logs the exception as usual.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

# Seconds a client is asked to wait before it tries again.
RETRY_AFTER_SECONDS = 5


def database_unreachable(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is the database being unreachable."""
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


@requires_csrf_token
def server_error(request, template_name: str = "500.html"):
    if not database_unreachable(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
