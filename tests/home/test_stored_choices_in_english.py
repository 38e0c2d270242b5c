"""English-speaking parents read the stored (zh-Hant) relationship as the English wizard names
it — on 我的孩子, the profile and 我的個資 — while what is stored and downloaded stays the
source's; and the bulletins' feeds name the language of what they hold (issue 12)."""

import datetime
import json
import re

import pytest
from django.conf import settings
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale

from binding_forms.binding.services import wizard_page_create
from home.models import HomePage
from review_workflow.models import ParentStudentLink
from tests.binding_forms.test_wizard_english import translate_directly
from tests.factories import bulletin, student
from tests.home.conftest import HOME

PAGES = [HOME, "/me/profile/", "/me/data/"]


@pytest.fixture
def english(db):
    return Locale.objects.create(language_code="en")


@pytest.fixture
def wizard(home_page):
    return wizard_page_create(parent=home_page)


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("address", PAGES)
def test_an_english_parent_reads_the_english_wizards_relationship(
    parent_client, wizard, english, address
):
    translate_directly(wizard, english)

    html = in_english(parent_client).get(address).content.decode()

    assert re.search(r"<(dd|span)>Father–daughter</\1>", html), address
    assert "父女" not in html


@pytest.mark.parametrize("address", PAGES)
def test_without_an_english_wizard_the_zh_hant_label_says_its_language(
    parent_client, wizard, english, address
):
    html = in_english(parent_client).get(address).content.decode()

    assert re.search(r'<(dd|span) lang="zh-Hant-TW">父女</\1>', html), address


@pytest.mark.parametrize("address", PAGES)
def test_in_zh_hant_the_stored_label_is_shown_as_it_is(parent_client, wizard, english, address):
    translate_directly(wizard, english)

    html = parent_client.get(address).content.decode()

    assert re.search(r"<(dd|span)>父女</\1>", html), address
    assert "Father–daughter" not in html


def test_the_download_keeps_the_stored_label(parent_client, wizard, english):
    translate_directly(wizard, english)

    data = json.loads(in_english(parent_client).get("/me/data/", {"format": "json"}).content)

    assert [child["relationship"] for child in data["children"]] == ["父女"]


def test_the_home_reads_the_english_choices_with_a_fixed_number_of_queries(
    parent_client, parent, songshan, wizard, english, django_assert_max_num_queries
):
    translate_directly(wizard, english)
    client = in_english(parent_client)
    client.get(HOME)  # the locales, read once a process
    with django_assert_max_num_queries(40) as counted:
        client.get(HOME)
    once = len(counted.captured_queries)
    for number, id_number in (("108036", "A100000010"), ("108037", "A100000029")):
        child = student(school=songshan, number=number, id_number=id_number)
        ParentStudentLink.objects.create(parent=parent, student=child, relationship="父子")

    with django_assert_max_num_queries(once):
        assert "Father–son" in client.get(HOME).content.decode()


def test_the_feeds_name_the_language_of_what_they_hold(client, home_page, english):
    bulletin(title="設備組講義", date=datetime.date(2020, 8, 16))

    for visitor in (client, in_english(client)):  # no English home: zh-Hant either way
        assert "<language>zh-Hant-TW</language>" in visitor.get("/feed/").content.decode()
        assert 'xml:lang="zh-Hant-TW"' in visitor.get("/feed/atom/").content.decode()

    english_home = CopyPageForTranslationAction(page=home_page, locale=english).execute()
    english_home.title = "Taipei City School Portal"
    english_home.save_revision().publish()
    assert HomePage.objects.filter(locale=english, live=True).exists()

    rss = in_english(client).get("/feed/").content.decode()
    assert "<language>en</language>" in rss and "Taipei City School Portal — Bulletins" in rss
    atom = in_english(client).get("/feed/atom/").content.decode()
    assert re.search(r"<feed [^>]*xml:lang=\"en\"", atom)
    # the bulletin with no English version yet is listed in zh-Hant, and says so
    assert '<entry xml:lang="zh-Hant-TW"><title>109/08/16 設備組講義</title>' in atom
