import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from home.models import BulletinPage
from tests.factories import bulletin

SEED_LIST = [
    ("109/08/16", "設備組"),
    ("109/08/16", "總務處"),
    ("109/08/13", "輔導組"),
    ("109/08/13", "學務處"),
    ("109/08/11", "教學組"),
    ("109/08/06", "註冊組"),
    ("109/08/05", "資訊組"),
]


def listed(html: str) -> list[tuple[str, str]]:
    """(ROC date, office) of each bulletin on the page, in order."""
    return re.findall(
        r"<time[^>]*>([\d/]+)</time>\s*<a[^>]*>臺北市第2代校務行政系統-(\S+?)8月", html
    )


@pytest.mark.django_db
def test_demo_data_shows_the_seed_bulletins_newest_first(client):
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>臺北市校務系統入口網</h1>" in html
    assert ">登入</a>" in html and ">親子帳號綁定</a>" in html
    assert ">訊息快遞</h2>" in html
    assert listed(html) == SEED_LIST
    assert BulletinPage.objects.count() == 7
    assert all(page.attachments.count() == 1 for page in BulletinPage.objects.all())


@pytest.mark.django_db
def test_entry_points_lead_somewhere(client):
    for name in ("signin", "binding_start"):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_drafts_and_other_months_are_ordered_and_hidden_correctly(client, home_page):
    bulletin(
        title="臺北市第2代校務行政系統-舊的8月教育訓練研習講義", date=datetime.date(2019, 8, 1)
    )
    bulletin(
        title="臺北市第2代校務行政系統-新的8月教育訓練研習講義", date=datetime.date(2021, 8, 1)
    )
    draft = BulletinPage(title="草稿公告", date=datetime.date(2022, 1, 1), live=False)
    home_page.add_child(instance=draft)

    html = client.get("/").content.decode()

    assert listed(html) == [("110/08/01", "新的"), ("108/08/01", "舊的")]
    assert "草稿公告" not in html


@pytest.mark.django_db
def test_pagination(client, settings):
    settings.BULLETINS_PER_PAGE = 3
    for day in range(1, 8):
        bulletin(title=f"臺北市第2代校務行政系統-第{day}則8月", date=datetime.date(2020, 8, day))

    first = client.get("/").content.decode()
    last = client.get("/?page=3").content.decode()

    assert listed(first) == [("109/08/07", "第7則"), ("109/08/06", "第6則"), ("109/08/05", "第5則")]
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert "第 1 頁，共 3 頁" in first
    assert listed(last) == [("109/08/01", "第1則")]
    assert 'href="?page=2" rel="prev"' in last and 'rel="next"' not in last
    # Bad page numbers fall back instead of failing.
    assert listed(client.get("/?page=abc").content.decode()) == listed(first)
    assert listed(client.get("/?page=999").content.decode()) == listed(last)


@pytest.mark.django_db
def test_home_page_queries_do_not_grow_with_bulletins(client, django_assert_max_num_queries):
    for day in range(1, 9):
        bulletin(title=f"公告{day}", date=datetime.date(2020, 8, day))
    client.get("/")  # warm the site-root cache
    with django_assert_max_num_queries(8):
        client.get("/")


@pytest.mark.django_db
def test_bulletin_page_links_its_attachment(client):
    page = bulletin(
        title="臺北市第2代校務行政系統-設備組8月教育訓練研習講義",
        date=datetime.date(2020, 8, 16),
        attach=True,
    )
    document = page.attachments.get().document

    html = client.get(page.url).content.decode()

    assert "<h1>臺北市第2代校務行政系統-設備組8月教育訓練研習講義</h1>" in html
    assert '<time datetime="2020-08-16">109/08/16</time>' in html
    assert f'href="{document.url}"' in html
    assert "PDF" in html
    download = client.get(document.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_rss_and_atom_feeds_list_bulletins_newest_first(client):
    bulletin(title="資訊組講義", date=datetime.date(2020, 8, 5))
    bulletin(title="設備組講義", date=datetime.date(2020, 8, 16))

    rss = client.get("/feed/")
    atom = client.get("/feed/atom/")

    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    assert atom.status_code == 200 and atom["Content-Type"].startswith("application/atom+xml")
    rss_titles = re.findall(r"<item><title>(.*?)</title>", rss.content.decode())
    assert rss_titles == ["109/08/16 設備組講義", "109/08/05 資訊組講義"]
    atom_titles = re.findall(r"<entry><title>(.*?)</title>", atom.content.decode())
    assert atom_titles == rss_titles
    assert 'href="/feed/"' in client.get("/").content.decode()
