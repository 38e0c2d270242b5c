from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from binding_forms.accounts.sessions import parent_session_check

# What a user who must change their password may still reach.
ALLOWED_URL_NAMES = ("password_first_change", "signout")
ALLOWED_PREFIXES = ("/static/", "/captcha/", "/i18n/")


class PasswordChangeRequiredMiddleware:
    """Until the one-time first password is replaced, every other page leads to the change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.password_change_required:
            path = request.path_info
            allowed = {reverse(name) for name in ALLOWED_URL_NAMES}
            if path not in allowed and not path.startswith(ALLOWED_PREFIXES):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('password_first_change')}?{query}")
        return self.get_response(request)


class ParentSessionIdleMiddleware:
    """Parents' and student accounts' sessions end after a short idle time
    (``binding_forms.sessions``). Before PasswordChangeRequiredMiddleware, which would otherwise
    keep an idle session at the password change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # No session cookie, no session to read.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            parent_session_check(request=request)
        return self.get_response(request)
