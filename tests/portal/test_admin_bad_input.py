"""Every admin URL answers an id it cannot hold (letters, a number no column holds) with a 4xx,
never a server error: each named URL under /admin/, each of its parameters in turn."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory, admin_login, school, student, submitted_application

BAD = ["abc", "9" * 30]
GOOD = ["1", "earliest", "latest", "approve", "binding_forms", "application", "a"]


def named_admin_urls():
    """(qualified name, parameter names) of every named URL whose path starts with admin/."""

    def walk(patterns, namespace, prefix, params):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            names = params | set(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner.strip(":"), route, names)
            elif isinstance(entry, URLPattern) and entry.name and route.startswith("admin/"):
                yield (f"{namespace}:{entry.name}".strip(":"), tuple(sorted(names)))

    return sorted(set(walk(get_resolver().url_patterns, "", "", set())))


def bad_paths(name, params):
    """For each parameter, the URL with a bad value there and good ones elsewhere (as far as the
    pattern lets them reverse)."""
    for bad_param in params:
        for bad in BAD:
            for good in GOOD:
                kwargs = {p: (bad if p == bad_param else good) for p in params}
                try:
                    yield reverse(name, kwargs=kwargs)
                    break
                except NoReverseMatch:
                    continue


@pytest.mark.django_db
def test_every_admin_url_answers_an_impossible_id_with_a_4xx(client, home_page):
    admin_login(client, UserFactory(is_staff=True, is_superuser=True))
    submitted_application(student=student(school=school()))  # an application in review
    tried, errors = 0, []

    for name, params in named_admin_urls():
        if not params or "logout" in name:
            continue
        for path in set(bad_paths(name, params)):
            tried += 1
            try:
                status = client.get(path).status_code
            except Exception as error:  # the test client re-raises a view's exception
                status = f"{type(error).__name__}: {str(error)[:80]}"
            if not (isinstance(status, int) and status < 500):
                errors.append(f"{path} → {status}")

    # Ids in the query string: bulk actions and choosing several at once.
    for path in (
        "/admin/bulk/binding_forms/application/approve/",
        "/admin/bulk/wagtailcore/page/delete/",
        reverse("wagtaildocs_chooser:chosen_multiple"),
        reverse("wagtailsnippetchoosers_binding_forms_application:chosen_multiple"),
    ):
        for bad in BAD:
            tried += 1
            try:
                status = client.get(path, {"id": ["1", bad]}).status_code
            except Exception as error:
                status = f"{type(error).__name__}: {str(error)[:80]}"
            if not (isinstance(status, int) and status < 500):
                errors.append(f"{path}?id={bad} → {status}")

    assert tried > 100
    assert errors == [], "\n".join(errors)
