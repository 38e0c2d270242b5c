from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


def chosen_language(request) -> str:
    """The language a visitor chose with the language switch (its cookie), else zh-Hant: the
    one rule for the pages and for the page cache's key (home/page_cache.py)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "").lower()
    supported = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in supported else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activate the language the visitor chose with the language switch, else zh-Hant.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the handbook
    the schools hand out shows the Chinese labels, and a parent must see exactly those unless
    they switch. The Wagtail admin still follows each staff member's own language preference.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SignedInNoStoreMiddleware:
    """Nothing a signed-in visitor is shown is kept by the browser or a proxy: on a shared
    family phone, Back after 登出 must ask the server again (and get the signed-out page).
    Below SessionMiddleware and AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The user as the response leaves: signed in by this very request, or still signed in.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # private, no-store among them
        return response
