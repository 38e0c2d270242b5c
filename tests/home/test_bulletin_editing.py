"""Editors write a bulletin's date in the ROC calendar, and a Chinese title gives a short URL
(issue 13)."""

import datetime

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from home.models import BulletinPage, HomePage
from home.roc_dates import parse_roc_date
from tests.factories import admin_login, bulletin, editor_user


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("115/08/16", datetime.date(2026, 8, 16)),
        ("115/8/6", datetime.date(2026, 8, 6)),
        ("115-08-16", datetime.date(2026, 8, 16)),
        ("民國115年8月16日", datetime.date(2026, 8, 16)),
        ("１１５／０８／１６", datetime.date(2026, 8, 16)),  # full-width, as an IME types it
        ("99/12/31", datetime.date(2010, 12, 31)),
        ("2026-08-16", datetime.date(2026, 8, 16)),  # a Gregorian year is taken as such
        ("113/02/29", datetime.date(2024, 2, 29)),
    ],
)
def test_typed_roc_dates_are_read(typed, expected):
    assert parse_roc_date(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("115/02/30", "day"),
        ("115/13/01", "day"),
        ("0/01/01", "year"),
        ("昨天", "format"),
        ("", "format"),
    ],
)
def test_impossible_dates_say_why(typed, reason):
    with pytest.raises(ValueError, match=reason):
        parse_roc_date(typed)


def bulletin_post(*, title, date, slug=""):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "date": date,
            "body": rich_text("<p>內容</p>"),
            "attachments": inline_formset([]),
            "seo_title": "",
            "search_description": "",
        }
    )


@pytest.fixture
def editor(client, db):
    user = editor_user()
    admin_login(client, user)
    return user


def test_the_edit_screen_shows_the_date_in_the_roc_calendar(client, editor):
    page = bulletin(title="開學通知", date=datetime.date(2026, 8, 30))

    html = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content.decode()

    assert 'name="date" value="115/08/30"' in html
    assert 'type="date"' in html  # the picker beside the box


def test_a_typed_roc_date_is_saved(client, editor):
    page = bulletin(title="開學通知", date=datetime.date(2026, 8, 30))

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        bulletin_post(title="開學通知", date="115/9/1", slug=page.slug),
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().date == datetime.date(2026, 9, 1)


def test_an_impossible_date_is_refused_beside_the_field_in_chinese(client, editor):
    page = bulletin(title="開學通知", date=datetime.date(2026, 8, 30))

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        bulletin_post(title="開學通知", date="115/02/30", slug=page.slug),
    )

    assert response.status_code == 200
    assert "沒有這一天，請檢查月份與日期。" in response.content.decode()
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().date == datetime.date(2026, 8, 30)


def test_a_chinese_title_gives_a_short_readable_url(client, editor):
    home = HomePage.objects.get()
    bulletin(title="舊公告", date=datetime.date(2026, 8, 16))
    BulletinPage.objects.filter(title="舊公告").update(slug="115-08-16")
    title = "臺北市第2代校務行政系統-設備組8月教育訓練研習講義"
    # Wagtail's script fills the slug with the title itself.
    response = client.post(
        reverse("wagtailadmin_pages:add", args=("home", "bulletinpage", home.pk)),
        bulletin_post(title=title, date="115/08/16", slug=title),
    )

    assert response.status_code == 302
    created = BulletinPage.objects.get(title=title)
    assert created.slug == "115-08-16-2"  # the date, taken by another bulletin: numbered


def test_an_ascii_slug_an_editor_chose_is_kept(client, editor):
    home = HomePage.objects.get()

    client.post(
        reverse("wagtailadmin_pages:add", args=("home", "bulletinpage", home.pk)),
        bulletin_post(title="開學通知", date="115/08/30", slug="school-starts"),
    )

    assert BulletinPage.objects.get(title="開學通知").slug == "school-starts"
