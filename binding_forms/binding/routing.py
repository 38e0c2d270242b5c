"""The wizard's steps, routed without walking the page tree on every request.

Wagtail routes each request from the top: the site for the host (a query), the site's root page
and its specific type (a query), the child by slug (a query) and that child's specific type (a
query): a third of a wizard step's time. Parents send many requests to the few wizard pages, so
each process remembers where Wagtail's own routing found a wizard page, and at the next request
under that address checks what it remembers against the database with two cheap queries:

- the sites table, read as it is, must be unchanged (so this host still finds the same site and
  root page);
- the wizard page and its translations, read by their translation key, must be as they were
  (live, at the same place in the tree and URL path, in the same locales): a translation
  published, unpublished or moved since is seen at once;
- for a language other than the site root's, the root page's translations must be as they were
  too (Wagtail routes through ``site.root_page.localized``, the live one in the visitor's
  language): a third query, only for that language.

Anything else (nothing remembered, a site or the page changed, a path the page does not answer)
falls through to Wagtail's routing, untouched, which teaches the memory again. Only the address
is remembered: the page served is always the page as the database holds it now, and Wagtail's
serve view still runs its hooks (view restrictions, allowed methods). Only a wizard directly
under its site's root page (or a translation of it) is remembered. The same address serves the
English wizard or the zh-Hant one by the visitor's language (no prefix in the URL): the memory is
kept per language, the language being part of its key.

Private API, kept for a measured gain: this reads ``request._wagtail_site``,
``request._wagtail_route_for_request``, ``Site._find_for_request``, Django's
``request._get_raw_host`` and the sites table by raw SQL. benchmarks/wizard_vs_form.py
(2026-11-30, 2 cores half busy with other work, ``--no-route-memory`` for the other way): the
step GET served 1.91× Wagtail's form page with it and 1.26× without it (goal 1.5×; 1.65× with
it on an idle machine); for the final POST the gain is within the noise. The test module
tests/binding_forms/test_routing_private_api.py pins what it relies on: a Wagtail or Django
upgrade that changes it fails there.
"""

from dataclasses import dataclass

from django.db import connection
from django.http import Http404
from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from binding_forms.models import BindingWizardPage

# Every column of the sites table (a handful of rows), read without the ORM's cost.
SITE_FIELDS = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")
SITES_SQL = f"SELECT {', '.join(SITE_FIELDS)} FROM wagtailcore_site ORDER BY id"  # noqa: S608
MAX_KNOWN = 256  # host names come from requests: keep the memory small whatever they send


@dataclass(frozen=True)
class KnownWizard:
    sites: tuple  # the sites table when Wagtail found the page
    site: tuple  # the row of the site Wagtail found for this host and port
    root_class: type  # the specific class of the site's root page (its own routes come first)
    page_id: int
    path: str  # the page's place in the tree
    url_path: str
    translation_key: object
    translations: tuple  # the wizard's translations: (id, live, path, url_path, locale)
    root_key: object  # the site root page's translation key
    roots: tuple | None  # its translations: (id, live, path, locale); None if not looked at


# (hostname, port, first component of the path, language) -> where Wagtail found a wizard.
KNOWN: dict[tuple[str, int, str, str], KnownWizard] = {}


def _sites() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(SITES_SQL)
        return tuple(tuple(row) for row in cursor.fetchall())


def _translations(pages) -> tuple:
    return tuple(
        sorted((page.pk, page.live, page.path, page.url_path, page.locale_id) for page in pages)
    )


def _roots(root_key) -> tuple:
    pages = Page.objects.filter(translation_key=root_key).order_by("pk")
    return tuple(pages.values_list("pk", "live", "path", "locale_id"))


def _key(request) -> tuple[tuple[str, int, str, str], list[str]] | None:
    components = [component for component in request.path_info.split("/") if component]
    if not components or not request.path_info.endswith("/"):
        return None  # the home page, or a path Wagtail's serve view does not take
    # As Wagtail's Site.find_for_request reads the host (no ALLOWED_HOSTS check here).
    hostname = split_domain_port(request._get_raw_host())[0]
    try:
        port = int(request.get_port())
    except ValueError:
        return None
    language = translation.get_language() or ""
    return (hostname, port, components[0], language), components


def _route_from_memory(request, known: KnownWizard, components: list[str]) -> bool:
    """Set Wagtail's per-request site and route as Wagtail would find them; False if in doubt."""
    path = "/" + "/".join(components) + "/"
    if hasattr(known.root_class, "get_resolver"):
        try:
            known.root_class.get_resolver().resolve(path)
            return False  # the root page's own routes take this path
        except Http404:
            pass
    if _sites() != known.sites:
        return False
    pages = list(BindingWizardPage.objects.filter(translation_key=known.translation_key))
    if _translations(pages) != known.translations:
        return False
    page = next((page for page in pages if page.pk == known.page_id), None)
    if page is None or not page.live:
        return False
    if known.roots is not None and _roots(known.root_key) != known.roots:
        return False
    try:
        route = page.route(request, components[1:])
    except Http404:
        return False
    if not isinstance(route, RouteResult) or route.page is not page:
        return False
    # What Wagtail's Site.find_for_request and Page.route_for_request keep on the request.
    request._wagtail_site = Site(**dict(zip(SITE_FIELDS, known.site, strict=True)))
    request._wagtail_route_for_request = route
    return True


def _learn(request, key: tuple[str, int, str, str]) -> None:
    """Remember a wizard page Wagtail's routing has just found directly under the site's root
    page or one of its translations."""
    route = request.__dict__.get("_wagtail_route_for_request")
    site = request.__dict__.get("_wagtail_site")
    page = route.page if isinstance(route, RouteResult) else None
    if not isinstance(page, BindingWizardPage) or site is None or not page.live:
        return
    root = site.root_page
    if page.depth != root.depth + 1 or page.slug != key[2]:
        return
    roots = _roots(root.translation_key)
    if page.path[: -Page.steplen] not in {path for _pk, _live, path, _locale in roots}:
        return
    translations = _translations(
        BindingWizardPage.objects.filter(translation_key=page.translation_key)
    )
    sites = _sites()
    # The site this host finds now, read after the sites: if they changed in between, the next
    # request sees other sites and learns again.
    found = Site._find_for_request(request)
    if found is None or found.pk != site.pk or found.root_page_id != site.root_page_id:
        return
    row = next((row for row in sites if row[0] == site.pk), None)
    if row is None:
        return
    if len(KNOWN) >= MAX_KNOWN:
        KNOWN.clear()
    KNOWN[key] = KnownWizard(
        sites=sites,
        site=row,
        root_class=root.specific_class or type(root),
        page_id=page.pk,
        path=page.path,
        url_path=page.url_path,
        translation_key=page.translation_key,
        translations=translations,
        root_key=root.translation_key,
        # The root's own language routes through the root itself; another looks for its
        # translation (Locale.get_active, as Wagtail's Page.localized does).
        roots=None if _language_is_roots(root) else roots,
    )


def _language_is_roots(root) -> bool:
    from binding_forms.languages import active_locale_id

    return active_locale_id() == root.locale_id


class WizardRouteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _key(request)
        if not found:
            return self.get_response(request)
        key, components = found
        known = KNOWN.get(key)
        if known is not None and _route_from_memory(request, known, components):
            return self.get_response(request)
        response = self.get_response(request)
        _learn(request, key)
        return response
