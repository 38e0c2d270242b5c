"""On a shared phone: 登出 on every signed-in page, and the header says who is signed in."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from binding_forms.accounts import signed_in_label
from tests.binding_forms.test_signin import SIGNIN, sign_in, solve_captcha

PASSWORD = "Songshan-garden-2026"  # noqa: S105


@pytest.fixture
def student_account(xiaohua):
    """陳小花's student account, its first password already changed."""
    user = get_user_model().objects.create_user(
        "313601-P108035", password=PASSWORD, first_name="陳小花"
    )
    xiaohua.user = user
    xiaohua.save()
    return user


def signed_in(client, xiaohua) -> None:
    response = sign_in(client, school_id=xiaohua.school_id, password=PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("binding_start")


def header(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


@pytest.mark.django_db
def test_every_signed_in_page_has_sign_out_in_the_header(client, xiaohua, student_account, wizard):
    assert 'action="/signin/signout/"' not in header(client.get("/"))

    signed_in(client, xiaohua)

    for url in ("/", wizard.url + wizard.reverse_subpage("student"), SIGNIN):
        top = header(client.get(url, follow=True))
        assert "已登入：P108035 陳小花" in top, url
        assert 'method="post" action="/signin/signout/"' in top
        assert 'name="csrfmiddlewaretoken"' in top and ">登出</button>" in top
    assert client.post(reverse("signout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signout_by_get_shows_the_button_and_then_that_one_is_signed_out(
    client, xiaohua, student_account
):
    signed_in(client, xiaohua)

    page = client.get(reverse("signout"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "P108035 陳小花" in html and 'method="post" action=""' in html
    assert "_auth_user_id" in client.session  # a GET (a prefetch, a link) signs nobody out
    done = client.post(reverse("signout"), follow=True)
    assert done.redirect_chain == [(reverse("signout"), 302)]
    assert "您已登出。" in done.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_header_names_the_account_never_an_id_number(db):
    User = get_user_model()

    def label(**kwargs):
        return signed_in_label(User(**kwargs))

    assert label(username="313601-P108035", first_name="陳小花") == "P108035 陳小花"
    assert label(username="313601-P108035") == "P108035"
    assert label(username="alle@schoolsoft.com.tw", first_name="陳大名") == "陳大名"
    assert label(username="alle@schoolsoft.com.tw", email="alle@schoolsoft.com.tw") == (
        "alle@schoolsoft.com.tw"
    )
    assert label(username="a123456789@example.com", email="a123456789@example.com") == (
        "a12****789@example.com"
    )


@pytest.mark.django_db
def test_a_parent_account_is_named_in_the_header(client, songshan):
    get_user_model().objects.create_user(
        "alle@schoolsoft.com.tw", "alle@schoolsoft.com.tw", PASSWORD, first_name="陳大名"
    )
    client.post(
        SIGNIN,
        {
            "tab": "parent",
            "email": "alle@schoolsoft.com.tw",
            "password": PASSWORD,
            **solve_captcha(client, SIGNIN + "?tab=parent"),
        },
    )

    assert "已登入：陳大名" in header(client.get("/"))
