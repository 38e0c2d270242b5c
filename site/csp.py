"""Content-Security-Policy: one policy (``SECURE_CSP``) for the parent pages, a looser one
(``ADMIN_CSP``) for Wagtail's admin.

Django 6 sends ``SECURE_CSP`` with its own middleware (``django.middleware.csp``). Django 5.2 LTS
has none; ``ContentSecurityPolicyMiddleware`` below sends the same header from the same setting
there (settings/base.py picks which). Smaller than the django-csp package, which reads its own
setting in another shape: here one dict serves both versions. Nonces are not supported
here, and the policies need none: the parent pages have no inline script or style.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"
HEADER_REPORT_ONLY = "Content-Security-Policy-Report-Only"


def policy_header(config: dict) -> str:
    """A policy dict as Django 6's ``build_policy`` writes it (without nonces)."""
    directives = []
    for directive, values in config.items():
        if values in (None, False):
            continue
        if values is True:
            directives.append(directive)
            continue
        if isinstance(values, set):
            values = sorted(values)
        elif not isinstance(values, list | tuple):
            values = [values]
        if values:
            directives.append(f"{directive} {' '.join(values)}")
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Django 6's middleware for Django 5.2 LTS: ``SECURE_CSP`` (and ``SECURE_CSP_REPORT_ONLY``)
    unless a view chose another policy (``csp_override``) or set the header itself."""

    def process_response(self, request, response):
        for header, attribute, setting in (
            (HEADER, "_csp_config", "SECURE_CSP"),
            (HEADER_REPORT_ONLY, "_csp_ro_config", "SECURE_CSP_REPORT_ONLY"),
        ):
            config = getattr(response, attribute, None)
            if config is None:
                config = getattr(settings, setting, {})
            if config and header not in response:
                response.headers[header] = policy_header(config)
        return response


class PolicyChoiceMiddleware:
    """Which policy a response gets, chosen below the CSP middleware that sends it:

    - Wagtail's admin (everything under its URL): ``ADMIN_CSP``. Wagtail 8 writes inline scripts
      (InlinePanel, the date choosers) and style attributes that ``SECURE_CSP`` refuses.
    - A preview (Wagtail renders it through the middleware as a dummy request, for the admin's
      preview panel to frame): ``SECURE_CSP``, framed by this site only.
    - A view that chose its own (Django 6's ``csp_override``) keeps it; the rest ``SECURE_CSP``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if hasattr(response, "_csp_config"):
            return response
        # ``_csp_config`` is what csp_override sets and both middlewares read.
        if getattr(request, "is_dummy", False):
            response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": ["'self'"]}
        elif request.path_info.startswith(reverse("wagtailadmin_home")):
            response._csp_config = settings.ADMIN_CSP
        return response
