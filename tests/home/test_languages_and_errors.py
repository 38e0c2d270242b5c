import pytest
from django.test import RequestFactory
from django.views.defaults import server_error


@pytest.mark.django_db
def test_zh_hant_is_the_default_whatever_the_browser_asks(client):
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})

    assert '<html lang="zh-Hant-TW">' in response.content.decode()
    assert ">登入</a>" in response.content.decode()
    assert response["Content-Language"] == "zh-hant"


@pytest.mark.django_db
def test_the_visitor_can_switch_to_english_and_back(client):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched["Location"] == "/"

    english = client.get("/").content.decode()
    assert '<html lang="en">' in english
    assert ">Log in</a>" in english and ">Bulletins</h2>" in english

    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert ">登入</a>" in client.get("/").content.decode()


@pytest.mark.django_db
def test_switch_refuses_an_offsite_next(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_not_found_page_is_in_zh_hant(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到這個頁面" in html
    assert "回到入口網首頁" in html


def test_server_error_page_is_in_zh_hant():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert '<html lang="zh-Hant-TW">' in html
    assert "系統暫時無法處理您的要求" in html
