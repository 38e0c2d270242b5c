"""The full-page cache of the portal home and bulletins (home/page_cache.py): anonymous visitors
get them without a query; an editor's publish or unpublish shows at once; signed-in visitors,
form pages and the sign-in never come from it; each language has its own copy."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from binding_forms.binding.services import wizard_page_create
from home.page_cache import CACHE_HEADER
from tests.factories import UserFactory, admin_login, bulletin, editor_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 8, 16)


def test_the_second_anonymous_visit_runs_no_query(client, home_page, django_assert_num_queries):
    bulletin(title="設備組公告", date=DAY)

    first = client.get("/")
    with django_assert_num_queries(0):
        second = client.get("/")

    assert first[CACHE_HEADER] == "miss" and second[CACHE_HEADER] == "hit"
    assert second.status_code == 200
    assert second.content == first.content
    assert "設備組公告" in second.content.decode()
    assert second["Content-Language"] == "zh-hant"
    assert "Cookie" in second["Vary"]
    assert not second.cookies  # no CSRF or session cookie handed out from the cache


def test_a_bulletin_and_the_bulletin_pages_of_the_home_are_cached(
    client, home_page, settings, django_assert_num_queries
):
    settings.BULLETINS_PER_PAGE = 1
    news = bulletin(title="資訊組公告", date=DAY)
    bulletin(title="教務處公告", date=DAY - datetime.timedelta(days=1))

    for address in (news.url, "/?page=2"):
        assert client.get(address)[CACHE_HEADER] == "miss"
        with django_assert_num_queries(0):
            assert client.get(address)[CACHE_HEADER] == "hit"
    assert "教務處公告" in client.get("/?page=2").content.decode()


def test_publishing_shows_at_once(client, home_page, django_capture_on_commit_callbacks):
    editor = editor_user(username="editor")
    client.get("/")
    assert client.get("/")[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        news = bulletin(title="新學年親子帳號綁定開始", date=DAY)
        news.title = "新學年親子帳號綁定開始（更新）"
        news.save_revision(user=editor).publish(user=editor)

    response = client.get("/")
    assert response[CACHE_HEADER] == "miss"
    assert "新學年親子帳號綁定開始（更新）" in response.content.decode()
    assert "新學年親子帳號綁定開始（更新）" in client.get(news.url).content.decode()


def test_an_editors_unpublish_in_the_admin_shows_at_once(
    client, home_page, django_capture_on_commit_callbacks
):
    news = bulletin(title="即將撤下的公告", date=DAY)
    visitor = client.__class__()
    assert "即將撤下的公告" in visitor.get("/").content.decode()
    assert visitor.get(news.url)[CACHE_HEADER] == "miss"
    assert visitor.get(news.url)[CACHE_HEADER] == "hit"

    admin_login(client, editor_user(username="editor"))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("wagtailadmin_pages:unpublish", args=[news.pk]))
    assert done.status_code == 302

    assert "即將撤下的公告" not in visitor.get("/").content.decode()
    assert visitor.get(news.url).status_code == 404


def test_signed_in_visitors_are_never_served_from_or_into_the_cache(client, home_page):
    anonymous = client.__class__()
    anonymous.get("/")
    assert anonymous.get("/")[CACHE_HEADER] == "hit"

    client.force_login(UserFactory(username="parent@example.com"))
    for _ in range(2):
        response = client.get("/")
        assert CACHE_HEADER not in response
        assert "no-store" in response["Cache-Control"]
        assert reverse("parent_home") in response.content.decode()  # 我的孩子: theirs only
    assert reverse("parent_home") not in anonymous.get("/").content.decode()


def test_each_language_has_its_own_copy(client, home_page):
    assert "訊息快遞" in client.get("/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/")
    assert english[CACHE_HEADER] == "miss"
    assert "Bulletins" in english.content.decode()
    assert client.get("/")[CACHE_HEADER] == "hit"
    del client.cookies["django_language"]
    chinese = client.get("/")
    assert chinese[CACHE_HEADER] == "hit" and "訊息快遞" in chinese.content.decode()


def test_form_pages_and_the_sign_in_are_never_cached(client, home_page):
    wizard = wizard_page_create(parent=home_page)
    for address in (reverse("signin"), wizard.url):
        for _ in range(2):
            response = client.get(address)
            assert CACHE_HEADER not in response, address
    signin = client.get(reverse("signin")).content.decode()
    assert "csrfmiddlewaretoken" in signin


def test_other_queries_pass_the_cache_by(client, home_page):
    for _ in range(2):
        assert CACHE_HEADER not in client.get("/?utm_source=line")
        assert CACHE_HEADER not in client.get("/?page=abc")


def test_the_public_pages_carry_no_csrf_token(client, home_page):
    """A token would be another visitor's in a cached page; the language switch needs none."""
    html = client.get("/").content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert 'action="/i18n/setlang/"' in html

    browser = Client(enforce_csrf_checks=True)  # as a browser: CSRF checked
    switched = browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched.cookies["django_language"].value == "en"
    elsewhere = browser.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert elsewhere["Location"] == "/"  # the next address is still Django's safe one


def test_a_bulletin_made_private_leaves_the_cache_at_once(client, home_page):
    from wagtail.models import PageViewRestriction

    news = bulletin(title="僅限登入者", date=DAY)
    client.get(news.url)
    assert client.get(news.url)[CACHE_HEADER] == "hit"

    PageViewRestriction.objects.create(page=news, restriction_type=PageViewRestriction.LOGIN)

    response = client.get(news.url)
    assert response.status_code == 302 and reverse("signin") in response["Location"]
