"""On a shared phone: 登出 on every signed-in page, the header says who is signed in, and the
sessions of parents and student accounts end with the browser and after a short idle time."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binding_forms.accounts.sessions import LAST_SEEN
from binding_forms.accounts.sign_in_name import signed_in_label
from tests.binding_forms.test_signin import SIGNIN, sign_in, solve_captcha
from tests.factories import admin_login, registrar_user

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


def age_session(client, seconds: int) -> None:
    """As if the last request that counted was ``seconds`` ago."""
    session = client.session
    session[LAST_SEEN] -= seconds
    session.save()


@pytest.mark.django_db
def test_every_signed_in_page_has_sign_out_in_the_header(client, xiaohua, student_account, wizard):
    assert 'action="/signin/signout/"' not in header(client.get("/"))

    signed_in(client, xiaohua)

    for url in ("/", wizard.url + "student/", SIGNIN):
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


@pytest.mark.django_db
def test_a_parents_session_ends_with_the_browser(client, xiaohua, student_account):
    response = sign_in(client, school_id=xiaohua.school_id, password=PASSWORD)

    cookie = response.cookies["sessionid"]
    assert cookie.value and not cookie["max-age"] and not cookie["expires"]
    assert client.session.get_expire_at_browser_close()


@pytest.mark.django_db
def test_a_staff_session_keeps_its_policy(client, songshan, settings):
    staff = registrar_user(of_school=songshan, username="reg@example.tw", email="reg@example.tw")
    staff.set_password(PASSWORD)
    staff.save()
    # Even signed in at the parents' entrance.
    client.post(
        SIGNIN,
        {
            "tab": "parent",
            "email": "reg@example.tw",
            "password": PASSWORD,
            **solve_captcha(client, SIGNIN + "?tab=parent"),
        },
    )
    assert client.session["_auth_user_id"] == str(staff.pk)
    assert not client.session.get_expire_at_browser_close()
    assert LAST_SEEN not in client.session

    admin_login(client, staff)
    assert not client.session.get_expire_at_browser_close()
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_an_idle_session_signs_out_and_the_sign_in_page_says_why(
    client, xiaohua, student_account, wizard
):
    signed_in(client, xiaohua)
    age_session(client, 31 * 60)

    response = client.get(wizard.url + "student/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin"))
    assert "_auth_user_id" not in client.session
    assert not response.cookies["sessionid"]["max-age"]  # nothing outlives the browser
    html = client.get(response["Location"]).content.decode()
    assert "閒置 30 分鐘" in html and "已自動登出" in html
    assert "已自動登出" not in client.get(SIGNIN).content.decode()  # said once


@pytest.mark.django_db
def test_the_idle_time_is_a_setting(client, xiaohua, student_account, settings):
    settings.PARENT_SESSION_IDLE_MINUTES = 5
    signed_in(client, xiaohua)
    age_session(client, 4 * 60)
    client.get("/")
    assert "_auth_user_id" in client.session

    age_session(client, 6 * 60)
    client.get("/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_idle_limit_slides_with_activity_written_at_most_once_a_minute(
    client, xiaohua, student_account
):
    signed_in(client, xiaohua)

    # Within the minute: the session is not written again.
    age_session(client, 30)
    before = client.session[LAST_SEEN]
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert client.session[LAST_SEEN] == before
    assert not [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]

    # Active 29 minutes later, then 29 more: still signed in, the limit moved.
    age_session(client, 29 * 60)
    client.get("/")
    age_session(client, 29 * 60)
    client.get("/")
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_idle_limit_costs_a_wizard_request_no_query(client, xiaohua, student_account, wizard):
    from django.test import Client

    step = wizard.url + "student/"
    plain = Client()
    plain.force_login(student_account)  # a session without the idle limit
    plain.get(step)
    signed_in(client, xiaohua)
    client.get(step)

    counts = []
    for each in (plain, client):
        with CaptureQueriesContext(connection) as queries:
            assert each.get(step).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
