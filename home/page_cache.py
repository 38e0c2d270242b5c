"""The full-page cache of the portal's public pages, for anonymous visitors.

In the first weeks of a school year most of the city's parents open the portal home and its
bulletins (訊息快遞) at once; Wagtail renders them from the page tree each time, at about a tenth
of what a bare Django view serves. Here a page type opts in (``PublicPageCacheMixin``: the home
and the bulletins), and ``AnonymousPageCacheMiddleware`` keeps its rendered answer per language,
host and address, serving it again without a database query.

Never from or into the cache:
- anyone with a session cookie (a signed-in parent, a student account, staff, a wizard's or a
  sign-in's session): their pages are personal and ``no-store`` (SignedInNoStoreMiddleware);
- a page type that did not opt in: the wizard and every form page (CSRF tokens, personal data,
  ``never_cache``), the sign-in with its captcha, the admin;
- an answer that sets a cookie or used a CSRF token, is not a 200, or says private / no-store /
  no-cache;
- an address with a query other than the bulletins' ``?page=N`` (no cache filling by junk).

The language is part of the key (the visitor's language cookie, read by the same rule as
ChosenLanguageMiddleware). An editor's publish, unpublish, move or delete of any page, and any
change of a document or a site, purges the cache at once: a new generation makes every key new
(the cache may be Redis shared with sessions, so it is never cleared wholesale). The purge runs
when the change is saved and again when its transaction commits, so a request rendering the old
content in between cannot keep it.

The cache is ``CACHES["pages"]``: Redis with ``REDIS_URL`` (shared by app servers), otherwise a
file cache in ``var/`` shared by the workers of one machine (production), or memory (dev, tests).
"""

import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse

from home.middleware import chosen_language

logger = logging.getLogger(__name__)

CACHE_HEADER = "X-Page-Cache"
GENERATION_KEY = "page-cache:generation"
# The only query a cached address may carry: the home's bulletin pages.
CACHEABLE_QUERY = re.compile(r"(page=[0-9]{1,4})?")
UNCACHEABLE_DIRECTIVES = {"private", "no-store", "no-cache"}


class PublicPageCacheMixin:
    """A page type whose public answer is the same for every anonymous visitor of a language:
    marks its responses so AnonymousPageCacheMiddleware may keep them."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.public_page_cache = True
        return response


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def page_cache_purge() -> None:
    """Every cached page is stale from now on, now and when the current transaction commits."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    try:
        page_cache().set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:  # the cache down: nothing is served from it either
        logger.exception("page cache: purge failed")


def _generation(cache) -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # first use, or evicted: never reuse an old one
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    return generation


class AnonymousPageCacheMiddleware:
    """Serve and keep opted-in pages for anonymous visitors. Below WhiteNoise and the security
    headers' middleware (they run on a cached answer too), above the session: a hit runs no
    query and no other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._may_use_cache(request):
            return self.get_response(request)
        try:
            cache = page_cache()
            key = self._key(request, _generation(cache))
            kept = cache.get(key)
        except Exception:
            logger.exception("page cache: lookup failed")
            return self.get_response(request)
        if kept is not None:
            headers, content = kept
            response = HttpResponse(content, headers=headers)
            response[CACHE_HEADER] = "hit"
            return response

        response = self.get_response(request)
        if self._may_keep(request, response):
            headers = [(name, value) for name, value in response.items()]
            try:
                cache.set(key, (headers, response.content), settings.PAGE_CACHE_SECONDS)
            except Exception:
                logger.exception("page cache: store failed")
            else:
                response[CACHE_HEADER] = "miss"
        return response

    @staticmethod
    def _may_use_cache(request) -> bool:
        return (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method == "GET"
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "HTTP_AUTHORIZATION" not in request.META
            and CACHEABLE_QUERY.fullmatch(request.META.get("QUERY_STRING", "")) is not None
        )

    @staticmethod
    def _key(request, generation: str) -> str:
        # get_host() refuses a host not in ALLOWED_HOSTS: raised here, answered 400 by Django.
        address = f"{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(address.encode()).hexdigest()
        return f"page-cache:{generation}:{chosen_language(request)}:{digest}"

    @staticmethod
    def _may_keep(request, response) -> bool:
        if not getattr(response, "public_page_cache", False):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # a token was put in the page
            return False
        directives = {
            directive.split("=")[0].strip().lower()
            for directive in response.get("Cache-Control", "").split(",")
        }
        if directives & UNCACHEABLE_DIRECTIVES:
            return False
        user = getattr(request, "user", None)
        return user is None or not user.is_authenticated
