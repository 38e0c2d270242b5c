"""A registrar and an editor meet no English in the zh-Hant admin on our screens and the parts of
Wagtail we use, and no admin page asks gravatar.com for a picture (issue 13).

The demo data gives each screen something to show; the crawl follows every link and menu item
the user is given, each route at most twice."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.factories import admin_login
from tests.review_workflow.admin_crawl import crawl, english_left, menu_labels, ui_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.WAGTAIL_I18N_ENABLED = False
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


# Written untranslatable in Wagtail 8.0's own templates (no msgid to translate): the hidden submit
# button of the header's search form (wagtailadmin/shared/header.html).
WAGTAIL_HARD_CODED = {"Search"}


def english_content() -> tuple[str, ...]:
    """What editors wrote in English (the demo's English versions of the home, the wizard and
    the services, through Translate): content in its own language, not admin wording."""
    from wagtail.models import Locale, Page

    from home.models import PortalService

    english = Locale.objects.filter(language_code="en").first()
    if english is None:
        return ()
    titles = Page.objects.filter(locale=english).values_list("title", flat=True)
    services = PortalService.objects.filter(locale=english).values_list("name", "description")
    links = PortalService.objects.values_list("link", flat=True)
    # Longest first: a title that contains another is taken away whole.
    found = {*titles, *(text for row in services for text in row), *links} - {""}
    return tuple(sorted(found, key=len, reverse=True))


def english_on(pages: dict[str, str], *, also_allowed=()) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for url, html in pages.items():
        for text in [*ui_text(html), *menu_labels(html)]:
            if text not in WAGTAIL_HARD_CODED and english_left(text, also_allowed=also_allowed):
                found.setdefault(text, set()).add(url)
    return found


@pytest.mark.parametrize(
    "username",
    ["songshan-registrar", "editor"],
)
def test_the_admin_a_registrar_and_an_editor_reach_has_no_english(client, demo, username):
    user = get_user_model().objects.get(username=username)
    admin_login(client, user)

    pages = crawl(client)

    assert len(pages) > 10  # the crawl reached the screens, not only the dashboard
    left = english_on(pages, also_allowed=(username, *english_content()))
    assert not left, "\n".join(f"{text!r} on {sorted(urls)[0]}" for text, urls in left.items())


@pytest.mark.parametrize("username", ["songshan-registrar", "editor"])
def test_no_admin_page_references_gravatar(client, demo, username):
    admin_login(client, get_user_model().objects.get(username=username))

    pages = crawl(client, limit=60)

    assert pages
    assert not [url for url, html in pages.items() if "gravatar" in html.lower()]


def test_the_checker_finds_english_and_lets_codes_and_names_pass():
    """The checker itself: it must be able to fail."""
    assert english_left("Search all pages…")
    assert english_left("below 80%")
    assert english_left("True")
    assert not english_left("下載 XLSX")
    assert not english_left("chang.kuochiang@example.com")
    assert not english_left("P108035 陳小花")
    assert not english_left("檢查: 陳小花 - Wagtail")
