"""The wizard's steps are routed from a memory each process checks against the database at every
request (binding_forms/binding/routing.py): never a stale address, never a stale page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction, Site

from binding_forms.binding import routing
from tests.binding_forms.test_wizard import url, walk_to_applicants


@pytest.fixture(autouse=True)
def _forget():
    routing.KNOWN.clear()
    yield
    routing.KNOWN.clear()


def get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, [query["sql"] for query in queries]


@pytest.mark.django_db
def test_the_second_request_skips_the_tree_walk(parent_client, wizard, xiaohua):
    walk_to_applicants(parent_client, wizard)
    parent_client.get(url(wizard, "applicants"))  # the page's choices are read once
    routing.KNOWN.clear()

    first, walked = get(parent_client, url(wizard, "applicants"))
    second, remembered = get(parent_client, url(wizard, "applicants"))

    assert first.status_code == second.status_code == 200
    # The form's, the header's 登出 and the language switch's (no CSRF token: home/page_cache.py).
    assert first.content.count(b"<input") == second.content.count(b"<input") == 15
    assert any('"slug" = ' in sql for sql in walked)  # Wagtail's walk: the child by its slug
    assert not any('"slug" = ' in sql for sql in remembered)
    # Wagtail's walk is five queries (the active language's locale among them: the root page
    # localized), remembering costs four once (the sites, the root's and the wizard's
    # translations, the site); the memory's check is two in the root's own language.
    assert len(remembered) == len(walked) - 9 + 2
    assert len(routing.KNOWN) == 1


@pytest.mark.django_db
def test_a_renamed_or_unpublished_wizard_is_never_served_from_memory(
    parent_client, wizard, xiaohua
):
    old = url(wizard, "student")
    assert parent_client.get(old).status_code == 200
    assert parent_client.get(old).status_code == 200  # from memory

    wizard.slug = "bind-a-parent"
    wizard.save_revision().publish()
    wizard.refresh_from_db()

    assert parent_client.get(old).status_code == 404
    assert parent_client.get(url(wizard, "student")).status_code == 200
    assert parent_client.get(url(wizard, "student")).status_code == 200

    wizard.unpublish()
    assert parent_client.get(url(wizard, "student")).status_code == 404


@pytest.mark.django_db
def test_a_changed_site_is_routed_again(parent_client, wizard, xiaohua, home_page):
    assert parent_client.get(url(wizard, "student")).status_code == 200
    assert parent_client.get(url(wizard, "student")).status_code == 200  # from memory

    # The host now belongs to a site whose root is elsewhere: the wizard is not under it.
    other_root = home_page.get_parent().add_child(title="Other", slug="other")
    Site.objects.create(hostname="testserver", port=80, root_page=other_root)

    assert parent_client.get(url(wizard, "student")).status_code == 404


@pytest.mark.django_db
def test_view_restrictions_still_apply(parent_client, wizard, xiaohua):
    assert parent_client.get(url(wizard, "student")).status_code == 200
    assert parent_client.get(url(wizard, "student")).status_code == 200  # from memory

    PageViewRestriction.objects.create(
        page=wizard, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )

    response = parent_client.get(url(wizard, "student"))
    assert response.status_code == 200 and b"password" in response.content.lower()
    assert "陳小花" not in response.content.decode()


@pytest.mark.django_db
def test_paths_the_wizard_does_not_answer_fall_through(parent_client, wizard, xiaohua):
    assert parent_client.get(url(wizard, "student")).status_code == 200
    assert parent_client.get(wizard.url + "no-such-step/").status_code == 404
    assert parent_client.get(url(wizard, "student")).status_code == 200


@pytest.mark.django_db
def test_the_memory_is_kept_per_language(parent_client, wizard, xiaohua, settings):
    """The same address serves the English wizard or the zh-Hant one by the visitor's language:
    what was found for one language is never served to the other."""
    from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
    from wagtail.models import Locale

    english = Locale.objects.create(language_code="en")
    home = wizard.get_parent().specific
    CopyPageForTranslationAction(page=home, locale=english).execute().save_revision().publish()
    translation = CopyPageForTranslationAction(page=wizard, locale=english).execute()
    translation.greeting_text = "Welcome: please follow the steps below."
    translation.save_revision().publish()

    for _ in range(2):  # learnt, then from memory
        chinese, _queries = get(parent_client, url(wizard, "student"))
        assert "本服務為臺北市政府教育局" in chinese.content.decode()
    parent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_first, walked = get(parent_client, url(wizard, "student"))
    english_again, remembered = get(parent_client, url(wizard, "student"))

    for response in (english_first, english_again):
        assert "Welcome: please follow the steps below." in response.content.decode()
    assert any('"slug" = ' in sql for sql in walked)  # not served from zh-Hant's memory
    assert not any('"slug" = ' in sql for sql in remembered)
    assert sorted(known.page_id for known in routing.KNOWN.values()) == sorted(
        [wizard.pk, translation.pk]
    )
    assert {key[3] for key in routing.KNOWN} == {"zh-hant", "en"}

    # The English home unpublished: English visitors get the zh-Hant wizard, never a stale one.
    HomePage = type(home)
    HomePage.objects.get(locale=english).unpublish()
    fallback, _queries = get(parent_client, url(wizard, "student"))
    assert "本服務為臺北市政府教育局" in fallback.content.decode()
