"""An id in an admin URL is an integer a database column holds; anything else answers 404.

Every model the admin edits has an integer primary key, but some of Wagtail 8's URLs take it as
free text and hand it to the database, which raises on ``abc`` or on a number no column holds
(a server error): the choosers' ``chosen/<str:pk>/``, a snippet's
``history/(?P<pk>.+)/revisions/compare/…``, the ``?id=`` of bulk actions and of choosing several.
Checked here once, for every admin URL, instead of in each view (most are Wagtail's).
"""

from django.http import Http404
from django.urls import reverse

_MAX_ID = 2**63 - 1  # the largest value of a BigAutoField


def holds_an_id(value) -> bool:
    """Whether ``value`` (an int or the text of a URL or form) is an id an integer column holds."""
    if isinstance(value, int):
        return 0 <= value <= _MAX_ID
    return value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= _MAX_ID


class AdminIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        ids = [
            value
            for name, value in view_kwargs.items()
            if name == "pk" or name.endswith(("_id", "_pk"))
        ]
        # Bulk actions take ?id=all for "everything in the listing".
        ids += [value for value in request.GET.getlist("id") if value != "all"]
        if not all(holds_an_id(value) for value in ids):
            raise Http404
        return None
